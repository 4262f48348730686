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


@pytest.mark.parametrize("value", [
    "0001-01-01T00:00:00+01:00",  # before the first instant Python represents in UTC (OverflowError)
    "9999-12-31T23:59:59-01:00",  # after the last one
    "0999-12-31T23:59:59Z",  # before what MySQL's DATETIME stores
    "9500-01-01T00:00:00Z",
])
def test_out_of_range_datetimes_are_invalid_values(value):
    """Hostile input (docs/decisions/0012): these were 500s wherever a datetime is read."""
    with pytest.raises(InvalidValue, match="out of range"):
        parse_aware_datetime(value)


def test_the_range_bounds_are_accepted():
    assert parse_aware_datetime("1000-01-01T00:00:00Z").year == 1000
    assert parse_aware_datetime("8999-12-31T23:59:59Z").year == 8999
