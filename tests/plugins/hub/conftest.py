"""
Fixtures of the hub applet's tests: a stub hub, sharing switched on towards it, change events in the event log.
"""
import hashlib

import pytest
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.events import CC_CHANGE_DEPLOYED, CC_CHANGE_REVERTED, CCChangeData, CCDeploymentData, CCRevertData
from openedx_cc.plugins.eventlog.api import PendingEvent, emit_events
from openedx_cc.plugins.hub.toggles import SHARE_WITH_HUB
from tests.conftest import utc
from tests.plugins.hub.stubhub import StubHub


@pytest.fixture
def hub():
    """A stub hub listening on 127.0.0.1, which knows this instance as "acme"."""
    with StubHub() as stub:
        yield stub


@pytest.fixture
def sharing(enabled, hub, settings):
    """openedx_cc.enabled and openedx_cc.share_with_hub on, OPENEDX_CC_HUB naming the stub hub."""
    settings.OPENEDX_CC_HUB = hub.setting()
    with override_waffle_switch(SHARE_WITH_HUB, True):
        yield hub


@pytest.fixture
def kicks(monkeypatch):
    """The wake-ups of the forwarder after a commit, recorded instead of forwarding."""
    from openedx_cc.plugins.hub import dispatch

    woken = []
    monkeypatch.setattr(dispatch, "forward_soon", lambda: woken.append(1))
    return woken


def change(number, **overrides):
    values = dict(repository="openedx/openedx-platform", pr_number=number, title=f"feat: change {number}",
                  url=f"https://github.com/openedx/openedx-platform/pull/{number}",
                  merge_sha=hashlib.sha1(str(number).encode()).hexdigest(), author="some-author",
                  merged_by="bradenmacdonald", core_committer="bradenmacdonald", merged_at=utc(2026, 11, 24, 18))
    values.update(overrides)
    return CCChangeData(**values)


def deployment(**overrides):
    values = dict(deployment_id="lms-prod-1", environment="production", service="lms", release="release/verawood",
                  deployed_at=utc(2026, 11, 25, 10))
    values.update(overrides)
    return CCDeploymentData(**values)


def log_deployed(count, *, first=1):
    """Log ``count`` CC_CHANGE_DEPLOYED events (one bulk insert); returns the logged rows in log order."""
    return emit_events([PendingEvent(signal=CC_CHANGE_DEPLOYED,
                                     data={"change": change(number), "deployment": deployment()})
                        for number in range(first, first + count)])


def log_reverted(number):
    return emit_events([PendingEvent(signal=CC_CHANGE_REVERTED, data={
        "change": change(number), "deployment": deployment(),
        "revert": CCRevertData(kind="rollback", by_deployment_id="lms-prod-2", reverted_at=utc(2026, 11, 26, 9)),
    })])[0]


def ids(rows):
    return [str(row.event_id) for row in rows]
