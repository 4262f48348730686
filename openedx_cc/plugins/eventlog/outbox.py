"""
The outbox: the one path by which openedx-cc emits its events.

``emit_events`` writes each event to the durable log inside the caller's transaction and sends it after that
transaction commits (never for a rolled-back one), if the ``openedx_cc.enabled`` and ``openedx_cc.emit_events``
switches are on. ``replay_events`` sends logged events again with their original metadata.

Sending goes through openedx-events, so in-process receivers get the event and, where ``EVENT_BUS_PRODUCER_CONFIG``
enables a topic for its type, so does the event bus producer. A failing receiver or producer never undoes the
record: the failure is logged and kept on the logged event.
"""
from __future__ import annotations

import logging
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from django.db import transaction
from django.dispatch import Signal
from django.db.models import F
from django.utils import timezone
from openedx_events.tooling import OpenEdxPublicSignal

from openedx_cc.plugins.eventlog.data import PendingEvent, SendResult
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.eventlog.serialization import (
    metadata_from_json,
    metadata_to_json,
    payload_from_json,
    payload_to_json,
)
from openedx_cc.plugins.eventlog.toggles import emit_events_enabled

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from openedx_events.data import EventsMetadata

log = logging.getLogger(__name__)

# Sent after the transaction that logged events commits, whether or not the events themselves are sent (switches),
# with ``event_types``: the set of their types. The hub applet forwards on it (an applet above this one listens; this
# one names nobody). Receivers must return quickly: they run in the request that logged the events.
events_logged = Signal()


def emit_event(signal: OpenEdxPublicSignal, *, time: datetime | None = None, **data: Any) -> LoggedEvent:
    """
    Log one event now and send it after the current transaction commits. See ``emit_events``.
    """
    return emit_events([PendingEvent(signal=signal, data=data, time=time)])[0]


def emit_events(events: Sequence[PendingEvent]) -> list[LoggedEvent]:
    """
    Log ``events`` in the current transaction (one bulk insert) and send them once it commits.

    Returns the logged events. Outside a transaction they are sent at once (Django's ``on_commit`` semantics).
    """
    if not events:
        return []
    now = timezone.now()
    rows = []
    prepared = []
    for event in events:
        time = event.time or now
        metadata = event.signal.generate_signal_metadata(time=time.astimezone(dt_timezone.utc))
        rows.append(
            LoggedEvent(
                event_id=metadata.id,
                event_type=event.signal.event_type,
                metadata=metadata_to_json(metadata),
                data=payload_to_json(event.data),
                recorded_at=now,
            )
        )
        prepared.append((event.signal, metadata, event.data))
    LoggedEvent.objects.bulk_create(rows)
    transaction.on_commit(lambda: _send_prepared(prepared), robust=True)
    types = frozenset(row.event_type for row in rows)
    transaction.on_commit(lambda: _announce_logged(types), robust=True)
    return rows


def _announce_logged(event_types: frozenset[str]) -> None:
    for receiver, response in events_logged.send_robust(sender=LoggedEvent, event_types=event_types):
        if isinstance(response, Exception):
            log.error("A receiver of events_logged (%s) failed: %r", getattr(receiver, "__name__", receiver), response)


def _send_one(signal: OpenEdxPublicSignal, metadata: EventsMetadata, data: dict[str, Any]) -> str:
    """
    Hand one event to openedx-events with the given metadata; return the error text, or "" on success.

    ``send_event`` would make new metadata and ``send_event_with_custom_metadata`` marks the event as coming from
    the bus (so openedx-events would not forward it to the bus): the original metadata and the bus both need the
    underlying ``_send_event_with_metadata`` (docs/decisions/0003-event-naming-and-emission.rst).
    """
    try:
        responses = signal._send_event_with_metadata(
            metadata=metadata, send_robust=True, from_event_bus=False, **data
        )
    except Exception as exc:
        log.exception("Sending %s %s failed", signal.event_type, metadata.id)
        return f"{type(exc).__name__}: {exc}"
    errors = [f"{getattr(r, '__name__', r)}: {resp!r}" for r, resp in responses or [] if isinstance(resp, Exception)]
    for error in errors:
        log.error("A receiver of %s %s failed: %s", signal.event_type, metadata.id, error)
    return "; ".join(errors)


def _send_prepared(prepared: list[tuple[OpenEdxPublicSignal, EventsMetadata, dict[str, Any]]]) -> SendResult:
    """
    Send events that were just logged; record when they were sent and what failed.
    """
    if not emit_events_enabled():
        log.info("openedx-cc events are switched off: %d event(s) logged, not sent", len(prepared))
        return SendResult(skipped=len(prepared))
    return _send_and_mark([(signal, metadata, data) for signal, metadata, data in prepared])


def _send_and_mark(items: list[tuple[OpenEdxPublicSignal, EventsMetadata, dict[str, Any]]]) -> SendResult:
    sent_ids, failures = [], {}
    for signal, metadata, data in items:
        error = _send_one(signal, metadata, data)
        if error:
            failures[metadata.id] = error
        else:
            sent_ids.append(metadata.id)
    now = timezone.now()
    try:
        if sent_ids:
            LoggedEvent.objects.filter(event_id__in=sent_ids).update(
                sent_at=now, send_count=F("send_count") + 1, last_error=""
            )
        for event_id, error in failures.items():
            LoggedEvent.objects.filter(event_id=event_id).update(last_error=error[:10000])
    except Exception:
        log.exception("Could not record the sending of %d event(s)", len(items))
    return SendResult(sent=len(sent_ids), failed=len(failures))


def logged_events(*, since: datetime | None = None, until: datetime | None = None, event_type: str | None = None,
                  unsent_only: bool = False) -> QuerySet[LoggedEvent]:
    """
    Logged events in recording order, filtered by recording time, type, and whether they were ever sent.
    """
    queryset = LoggedEvent.objects.all().order_by("recorded_at", "id")
    if since is not None:
        queryset = queryset.filter(recorded_at__gte=since)
    if until is not None:
        queryset = queryset.filter(recorded_at__lt=until)
    if event_type:
        queryset = queryset.filter(event_type=event_type)
    if unsent_only:
        queryset = queryset.filter(sent_at__isnull=True)
    return queryset


def replay_events(events: Iterable[LoggedEvent], *, batch_size: int = 500) -> SendResult:
    """
    Send logged events again, with their original metadata (same ``metadata.id``), in recording order.

    Nothing is sent while the switches are off; the result says how many were skipped.
    """
    events = list(events)
    if not emit_events_enabled():
        return SendResult(skipped=len(events))
    total = SendResult()
    for start in range(0, len(events), batch_size):
        items = []
        unknown = 0
        for event in events[start:start + batch_size]:
            try:
                signal = OpenEdxPublicSignal.get_signal_by_type(event.event_type)
            except KeyError:
                log.error("Cannot replay %s: no signal of type %s in this process", event.event_id, event.event_type)
                unknown += 1
                continue
            items.append((signal, metadata_from_json(event.metadata), payload_from_json(signal, event.data)))
        result = _send_and_mark(items)
        total = SendResult(sent=total.sent + result.sent, skipped=total.skipped,
                           failed=total.failed + result.failed + unknown)
    return total
