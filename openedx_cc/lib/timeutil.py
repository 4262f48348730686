"""
Dates and datetimes at the edges of openedx-cc: everything stored is an aware UTC datetime (or a date for
agreements); inputs without a time zone are refused, never guessed.
"""
from datetime import date, datetime, time, timezone

from openedx_cc.lib.errors import InvalidValue

# Datetimes that every database stores (MySQL's DATETIME starts in year 1000) and that leave room for the arithmetic
# of windows and periods on both sides (docs/decisions/0012).
EARLIEST = datetime(1000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


def start_of_day(value: date) -> datetime:
    """
    The first instant (UTC) of a calendar date: how dates of rosters become validity bounds.
    """
    return datetime.combine(value, time.min, tzinfo=timezone.utc)


def parse_aware_datetime(value: str) -> datetime:
    """
    Parse an ISO 8601 datetime that carries a time zone and return it in UTC.

    ``Z`` is accepted for UTC. A date alone, a datetime without an offset, or garbage raises ``InvalidValue``.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("expected an ISO 8601 datetime with a time zone, e.g. 2026-11-25T10:00:00Z")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidValue(f"{value!r} is not an ISO 8601 datetime") from exc
    if "T" not in text and " " not in text:
        raise InvalidValue(f"{value!r} is a date; a datetime with a time zone is needed")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidValue(f"{value!r} has no time zone; add Z or an offset such as +00:00")
    try:
        parsed = parsed.astimezone(timezone.utc)
    except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 is before the first representable instant
        raise InvalidValue(f"{value!r} is out of range; datetimes from {EARLIEST.year} to {LATEST.year} "
                           "are accepted") from exc
    if not EARLIEST <= parsed < LATEST:
        raise InvalidValue(f"{value!r} is out of range; datetimes from {EARLIEST.year} to {LATEST.year} are accepted")
    return parsed


def as_utc(value: datetime) -> datetime:
    """
    Return an aware datetime in UTC; a naive one is refused.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue("a datetime without a time zone cannot be compared; pass an aware datetime")
    return value.astimezone(timezone.utc)


def iso_utc(value: datetime) -> str:
    """An aware datetime as the set writes one for other programs: ISO 8601 in UTC, with ``Z``."""
    return as_utc(value).isoformat().replace("+00:00", "Z")


def fmt_date(value: date | None) -> str:
    """
    Human form of a validity bound for reasons: the date when it is midnight UTC, else the datetime.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc)
        if value.time() == time.min:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()
