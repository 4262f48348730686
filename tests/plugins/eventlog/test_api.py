"""
The one emitting path: durable log first, send after commit, replay with the original metadata.
"""
import pytest
from django.db import transaction
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.events import CC_OWNERSHIP_CHANGED, CCOwnershipData
from openedx_cc.plugins.eventlog import api
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.eventlog.toggles import EMIT_EVENTS
from tests.conftest import utc

pytestmark = pytest.mark.django_db(transaction=True)


def _data(name="alice"):
    return {"ownership": CCOwnershipData(github_username=name, repository="openedx/xblock", scope="", action="granted",
                                         effective=True, changed_at=utc(2026, 1, 1))}


def test_events_logged_while_off_are_replayed_with_their_original_metadata(enabled, captured_events):
    with transaction.atomic():
        logged = api.emit_event(CC_OWNERSHIP_CHANGED, time=utc(2026, 1, 1), **_data())
    assert captured_events == []
    with override_waffle_switch(EMIT_EVENTS, True):
        result = api.replay_events(api.logged_events(unsent_only=True))
    assert result.sent == 1
    (event_type, kwargs), = captured_events
    assert kwargs["metadata"].id == logged.event_id
    assert kwargs["metadata"].time == utc(2026, 1, 1)
    assert kwargs["ownership"] == _data()["ownership"]
    assert kwargs["from_event_bus"] is False
    row = LoggedEvent.objects.get()
    assert row.sent_at is not None and row.send_count == 1


def test_replay_while_off_sends_nothing():
    api.emit_event(CC_OWNERSHIP_CHANGED, **_data())
    assert api.replay_events(api.logged_events()).skipped == 1


def test_a_failing_receiver_never_loses_the_record(events_on, settings):
    settings.DEBUG = True  # openedx-events re-raises receiver errors in DEBUG

    def broken(**kwargs):
        raise ValueError("subscriber bug")

    CC_OWNERSHIP_CHANGED.connect(broken, dispatch_uid="broken")
    try:
        with transaction.atomic():
            api.emit_event(CC_OWNERSHIP_CHANGED, **_data())
    finally:
        CC_OWNERSHIP_CHANGED.disconnect(dispatch_uid="broken")
    row = LoggedEvent.objects.get()
    assert "subscriber bug" in row.last_error and row.sent_at is None


def test_logged_events_filters(events_on):
    api.emit_event(CC_OWNERSHIP_CHANGED, **_data("a"))
    api.emit_event(CC_OWNERSHIP_CHANGED, **_data("b"))
    assert api.logged_events(event_type="other").count() == 0
    assert api.logged_events(event_type=CC_OWNERSHIP_CHANGED.event_type).count() == 2
    assert api.logged_events(since=utc(2100, 1, 1)).count() == 0
