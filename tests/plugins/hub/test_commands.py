"""
``manage.py cc_forward_to_hub [--since ISO]``: one bounded attempt, its output, its exit status and reasons.
"""
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.hub.models import ForwardedEvent
from openedx_cc.plugins.hub.toggles import SHARE_WITH_HUB
from tests.plugins.hub.conftest import ids, log_deployed
from tests.plugins.hub.stubhub import HANG

pytestmark = pytest.mark.django_db


def forward(capsys, *args):
    try:
        call_command("cc_forward_to_hub", *args)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_everything_accepted_exits_0(sharing, capsys):
    logged = log_deployed(3)
    sharing.seen.add(str(logged[0].event_id))
    assert forward(capsys) == (0, "3 event(s) sent to the hub (1 the hub already had), 0 failed, 0 still pending.\n",
                               "")
    assert sharing.received_ids == ids(logged)
    assert forward(capsys) == (0, "0 event(s) sent to the hub, 0 failed, 0 still pending.\n", "")


def test_it_does_not_wait_for_the_backoff(sharing, capsys):
    log_deployed(2)
    sharing.script = [500]
    code, out, err = forward(capsys)
    assert (code, out) == (1, "0 event(s) sent to the hub, 2 failed, 2 still pending.\n")
    assert err == "Not everything was forwarded: the hub answered 500: scripted 500.\n"
    assert ForwardedEvent.objects.first().next_attempt_at > timezone.now() - timedelta(seconds=1)
    assert forward(capsys)[0] == 0


def test_switched_off_exits_1_saying_so(enabled, hub, settings, capsys):
    settings.OPENEDX_CC_HUB = hub.setting()
    log_deployed(2)
    code, out, err = forward(capsys)
    assert (code, out) == (1, "0 event(s) sent to the hub, 0 failed, 2 still pending.\n")
    assert err.startswith("Not everything was forwarded: sharing with the hub is switched off (openedx_cc.enabled "
                          "and openedx_cc.share_with_hub must both be on)")
    assert not hub.requests


def test_without_the_setting_exits_1_saying_so(enabled, settings, capsys):
    settings.OPENEDX_CC_HUB = None
    with override_waffle_switch(SHARE_WITH_HUB, True):
        code, _out, err = forward(capsys)
    assert code == 1 and "OPENEDX_CC_HUB is not set" in err


def test_a_refused_instance_exits_1_saying_so(sharing, settings, capsys):
    settings.OPENEDX_CC_HUB = sharing.setting(instance="someone-else")
    log_deployed(1)
    code, _out, err = forward(capsys)
    assert code == 1
    assert "the hub refused this instance or its signature (401: unknown or revoked instance)" in err


def test_an_unreachable_hub_exits_1_saying_so(sharing, settings, capsys):
    settings.OPENEDX_CC_HUB = sharing.setting(url="http://127.0.0.1:1")
    log_deployed(1)
    code, _out, err = forward(capsys)
    assert code == 1 and "could not reach the hub at http://127.0.0.1:1/api/cc/v1/hub/events/" in err


def test_a_hung_hub_ends_the_attempt(sharing, capsys, monkeypatch):
    from openedx_cc.plugins.hub import forwarding

    monkeypatch.setattr(forwarding, "TIMEOUT", 0.3)
    sharing.script = [HANG]
    log_deployed(1)
    code, _out, err = forward(capsys)
    assert code == 1 and "the hub did not answer within 0.3 s" in err


def test_since_forwards_only_the_recent_events(sharing, capsys):
    log_deployed(2)
    LoggedEvent.objects.update(recorded_at=timezone.now() - timedelta(days=3))
    recent = log_deployed(1, first=10)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert forward(capsys, "--since", since)[0] == 0
    assert sharing.received_ids == ids(recent)


def test_a_naive_since_is_refused():
    with pytest.raises(CommandError, match="--since: .* has no time zone"):
        call_command("cc_forward_to_hub", "--since", "2026-01-01T00:00:00")
