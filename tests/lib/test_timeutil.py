from datetime import timezone

import pytest

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.timeutil import parse_aware_datetime
from tests.conftest import utc


def test_aware_datetimes_are_returned_in_utc():
    assert parse_aware_datetime("2026-11-25T10:00:00Z") == utc(2026, 11, 25, 10)
    assert parse_aware_datetime("2026-11-25T12:00:00+02:00") == utc(2026, 11, 25, 10)
    assert parse_aware_datetime("2026-11-25T10:00:00Z").tzinfo == timezone.utc


@pytest.mark.parametrize("value, reason", [
    ("2026-11-25T10:00:00", "no time zone"),
    ("2026-11-25", "is a date"),
    ("yesterday", "not an ISO 8601"),
    ("", "expected an ISO 8601"),
    ("2026-13-01T00:00:00Z", "not an ISO 8601"),
])
def test_naive_or_malformed_datetimes_are_refused(value, reason):
    with pytest.raises(InvalidValue, match=reason):
        parse_aware_datetime(value)
