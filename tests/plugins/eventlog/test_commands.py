import pytest
from django.core.management import CommandError, call_command
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.events import CC_OWNERSHIP_CHANGED, CCOwnershipData
from openedx_cc.plugins.eventlog import api
from openedx_cc.plugins.eventlog.toggles import EMIT_EVENTS
from tests.conftest import utc

pytestmark = pytest.mark.django_db(transaction=True)


def _emit(name):
    return api.emit_event(CC_OWNERSHIP_CHANGED, ownership=CCOwnershipData(
        github_username=name, repository="openedx/xblock", scope="", action="granted", effective=True,
        changed_at=utc(2026, 1, 1)))


def test_replay_command_sends_the_missed_events(enabled, captured_events, capsys):
    first, second = _emit("a"), _emit("b")
    with override_waffle_switch(EMIT_EVENTS, True):
        call_command("cc_replay_events", "--unsent", "--type", CC_OWNERSHIP_CHANGED.event_type)
    assert "2 event(s) sent, 0 failed" in capsys.readouterr().out
    assert [k["metadata"].id for _t, k in captured_events] == [first.event_id, second.event_id]


def test_replay_command_fails_loudly_while_events_are_off(capsys):
    _emit("a")
    with pytest.raises(SystemExit) as info:
        call_command("cc_replay_events")
    assert info.value.code == 1
    assert "1 not sent because events are switched off" in capsys.readouterr().out


def test_replay_command_refuses_naive_datetimes():
    with pytest.raises(CommandError, match="--since: .* has no time zone"):
        call_command("cc_replay_events", "--since", "2026-01-01T00:00:00")
