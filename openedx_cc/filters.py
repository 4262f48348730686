"""
The openedx-filters of openedx-cc (docs/reference/filters.rst).

Configure pipeline steps in the host's settings as for any Open edX filter::

    OPEN_EDX_FILTERS_CONFIG = {
        "org.openedx.core_committer.ownership.check.requested.v1": {
            "pipeline": ["my_plugin.filters.NoGrantsOnFridays"],
            "fail_silently": False,
        },
    }

Like ``openedx_cc.events``, this module imports nothing else of openedx-cc, so another plugin can import it cheaply.
"""
from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from openedx_filters.exceptions import OpenEdxFilterException
from openedx_filters.tooling import OpenEdxPublicFilter

log = logging.getLogger(__name__)


class OwnershipCheckRequested(OpenEdxPublicFilter):
    """
    Filter run by every ownership check, once the registry has decided, before the answer is returned.

    Purpose:
        Lets a plugin refuse a grant the registry decided (``PreventOwnershipGrant``) or add reasons to the answer.
        A step can never turn a refusal into a grant.

    Filter Type:
        org.openedx.core_committer.ownership.check.requested.v1

    Trigger:
        - Repository: openedx/openedx-cc
        - Path: openedx_cc/plugins/ownership/checks.py
        - Function or Method: check_ownership, check_ownership_many

    .. filter_type: org.openedx.core_committer.ownership.check.requested.v1
    .. filter_name: OwnershipCheckRequested
    .. filter_description: Runs in every ownership check (the REST API, the Python API and the attribution of
       deployed changes) once the registry has decided, with one argument ``check``: a dict with ``user``,
       ``repository``, ``path``, ``paths``, ``at`` (ISO 8601 string), ``allowed`` and ``reasons`` (a list of
       strings). A step returns ``{"check": check}`` with reasons added (or ``{}`` to change nothing), or raises
       ``PreventOwnershipGrant(message)`` to refuse a grant with ``message`` among the reasons. A step that raises
       anything else, cannot be imported or returns another shape refuses the check with a reason naming the step,
       whatever ``fail_silently`` says; a step's ``allowed`` is never read as a grant.
    .. filter_trigger_repository: openedx/openedx-cc
    .. filter_trigger_path: openedx_cc/plugins/ownership/checks.py
    """

    filter_type = "org.openedx.core_committer.ownership.check.requested.v1"

    class PreventOwnershipGrant(OpenEdxFilterException):
        """
        Raise in a pipeline step to refuse the grant: the check answers ``allowed: false`` and its reasons include
        the message.
        """

    @classmethod
    def has_pipeline(cls) -> bool:
        """Whether a step is configured: the cheap test every check makes before building the filter's argument."""
        config = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None)
        if not config:
            return False
        return bool(cls.get_pipeline_configuration()[0])

    @classmethod
    def run_filter(cls, check: dict[str, Any]) -> dict[str, Any]:
        """
        Run the configured steps on ``check`` and return the filtered check (a new dict; ``allowed`` and ``reasons``
        are the only keys a step may change). Unlike ``run_pipeline``, no failure of a step is ever swallowed into a
        grant: the steps run here, in order, and the first refusal or failure ends the pipeline.
        """
        pipeline, _fail_silently, extra_config = cls.get_pipeline_configuration()
        if isinstance(pipeline, str):
            pipeline = [pipeline]
        allowed = check["allowed"] is True
        reasons = [str(reason) for reason in check["reasons"]]

        def answer(*, refusal: str = "") -> dict[str, Any]:
            if refusal:
                # A refusal explains itself first when it turned a grant into a "no" (the attribution of a deployed
                # change quotes the first reason); otherwise it is one more reason.
                return {**check, "allowed": False, "reasons": [refusal, *reasons] if allowed else [*reasons, refusal]}
            return {**check, "allowed": allowed, "reasons": reasons}

        metadata = {"filter_type": cls.filter_type, "running_pipeline": pipeline, **extra_config}
        for step_path in pipeline:
            given = {**check, "allowed": allowed, "reasons": list(reasons)}
            try:
                result = import_string(step_path)(**metadata).run_filter(check=given)
            except cls.PreventOwnershipGrant as exc:
                log.info("Ownership-check filter step %s refused %s on %s: %s", step_path, check["user"],
                         check["repository"], exc)
                return answer(refusal=f"refused by the ownership-check filter step {step_path}: "
                                      f"{exc.message or 'no reason given'}")
            except Exception as exc:  # any other failure of a step refuses, whatever fail_silently says
                log.exception("Ownership-check filter step %s failed; the check refuses", step_path)
                return answer(refusal=f"the ownership-check filter step {step_path} failed "
                                      f"({type(exc).__name__}: {exc}), so the check refuses")
            problem = _shape_problem(result)
            if problem:
                log.error("Ownership-check filter step %s returned %s; the check refuses", step_path, problem)
                return answer(refusal=f"the ownership-check filter step {step_path} returned {problem}, so the "
                                      f"check refuses")
            if "check" not in result:
                continue
            returned = result["check"]
            reasons += [str(reason) for reason in returned.get("reasons", ()) if reason not in reasons]
            if returned.get("allowed", allowed) is True and not allowed:
                log.warning("Ownership-check filter step %s tried to grant what the registry refused; ignored",
                            step_path)
            elif returned.get("allowed", allowed) is False and allowed:
                return answer(refusal=f"refused by the ownership-check filter step {step_path}")
        return answer()


def _shape_problem(result: Any) -> str:
    """What is wrong with a step's return value, or "" (a dict, with ``check`` a dict of the expected types)."""
    if not isinstance(result, dict):
        return f"{type(result).__name__} instead of a dict"
    if "check" not in result:
        return ""
    returned = result["check"]
    if not isinstance(returned, dict):
        return f"a check of type {type(returned).__name__} instead of a dict"
    if "allowed" in returned and not isinstance(returned["allowed"], bool):
        return f"an allowed of type {type(returned['allowed']).__name__} instead of a bool"
    reasons = returned.get("reasons", [])
    if not isinstance(reasons, (list, tuple)) or not all(isinstance(reason, str) for reason in reasons):
        return "reasons that are not a list of strings"
    return ""


__all__ = ["OwnershipCheckRequested"]
