"""
Options the management commands share: a datetime given on the command line.
"""
from __future__ import annotations

from datetime import datetime

from django.core.management.base import CommandError

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.timeutil import parse_aware_datetime


def datetime_option(option: str, value: str | None) -> datetime | None:
    """The ISO 8601 datetime (with a time zone) given to ``option``, or None; a ``CommandError`` naming it else."""
    if value is None:
        return None
    try:
        return parse_aware_datetime(value)
    except InvalidValue as exc:
        raise CommandError(f"{option}: {exc}") from exc
