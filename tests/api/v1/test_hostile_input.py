"""
Malformed values that were answered with a 500 or a traceback (docs/decisions/0012): datetimes whose time-zone offset
overflows, JSON nested 100,000 deep, integers of more digits than Python converts, out-of-range command options.
Each is now a 400 naming the field, or a command error.
"""
import pytest
from django.core.management import CommandError, call_command
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from tests.plugins.deployments import helpers as h

pytestmark = pytest.mark.django_db
BASE = "/api/cc/v1/"
OVERFLOW = "0001-01-01T00:00:00+01:00"


@pytest.fixture
def as_staff(api_client, staff_user, enabled):
    api_client.force_authenticate(staff_user)
    return api_client


@pytest.mark.parametrize("path, params, field", [
    ("ownership/check/", {"user": "a", "repository": "a/b", "at": OVERFLOW}, "at"),
    ("metrics/", {"since": OVERFLOW}, "since"),
    ("metrics/", {"until": "9999-12-31T23:59:59-01:00"}, "until"),
    ("deployments/", {"since": OVERFLOW}, "since"),
    ("deployments/", {"until": "2026-01-01T00:00:00"}, "until"),
])
def test_out_of_range_datetimes_in_queries_are_400_naming_the_field(as_staff, path, params, field):
    response = as_staff.get(BASE + path, params)
    assert response.status_code == 400, response.content
    assert any(error["field"] == field for error in response.json()["errors"]), response.json()


@pytest.mark.parametrize("raw, message", [
    (h.body(h.report(deployed_at=OVERFLOW)), "out of range"),
    (b'{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    (b'{"id": "x", "environment": "production", "deployed_at": "2026-11-25T10:00:00Z", "changes": [{"pr_number": '
     + b"9" * 5000 + b"}]}", "not valid JSON"),
])
def test_malformed_reports_are_400(client, enabled, raw, message):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        response = h.post(client, None, raw=raw)
    assert response.status_code == 400, response.content
    assert message in response.json()["errors"][0]["message"]


def test_replay_events_since_an_out_of_range_datetime_is_a_command_error():
    with pytest.raises(CommandError, match="--since: .* out of range"):
        call_command("cc_replay_events", "--since", OVERFLOW)


def test_audit_days_out_of_range_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        call_command("cc_audit", "--days", "99999999")
    assert exited.value.code == 2
    assert "--days must be between 0 and 3650" in capsys.readouterr().err
