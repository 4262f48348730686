"""
What the eventlog applet takes and returns: events to emit and the outcome of sending logged ones.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import attr
from openedx_events.tooling import OpenEdxPublicSignal


@attr.s(frozen=True)
class PendingEvent:
    """
    An event to emit: the signal, its data (keyword arguments of ``send_event``) and the time it describes.
    """

    signal = attr.ib(type=OpenEdxPublicSignal)
    data = attr.ib(type=dict[str, Any])
    time = attr.ib(type=datetime | None, default=None)  # None: when it is logged


@attr.s(frozen=True)
class SendResult:
    """
    What happened when logged events were sent: how many were sent, skipped (switched off) or failed.
    """

    sent = attr.ib(type=int, default=0)
    skipped = attr.ib(type=int, default=0)
    failed = attr.ib(type=int, default=0)
