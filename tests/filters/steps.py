"""Fixture pipeline steps of ``OwnershipCheckRequested``, configured by path in the tests' OPEN_EDX_FILTERS_CONFIG."""
from openedx_filters.filters import PipelineStep

from openedx_cc.filters import OwnershipCheckRequested

seen: list[dict] = []


class Record(PipelineStep):
    """Keeps what it was given and changes nothing."""

    def run_filter(self, check):
        seen.append(dict(check, extra_config=self.extra_config, filter_type=self.filter_type))
        return {}


class AddReason(PipelineStep):
    def run_filter(self, check):
        return {"check": {**check, "reasons": [*check["reasons"], f"checked by the fixture step at {check['at']}"]}}


class VetoPlatform(PipelineStep):
    def run_filter(self, check):
        if check["repository"] == "openedx/openedx-platform":
            raise OwnershipCheckRequested.PreventOwnershipGrant("the platform is frozen this week")
        return {"check": check}


class Broken(PipelineStep):
    def run_filter(self, check):
        raise ValueError("the fixture step is broken")


class WrongShape(PipelineStep):
    def run_filter(self, check):
        return ["allowed"]


class WrongReasons(PipelineStep):
    def run_filter(self, check):
        return {"check": {**check, "reasons": "not a list"}}


class Grant(PipelineStep):
    def run_filter(self, check):
        return {"check": {**check, "allowed": True, "reasons": [*check["reasons"], "granted by the fixture step"]}}


class Refuse(PipelineStep):
    def run_filter(self, check):
        return {"check": {**check, "allowed": False}}
