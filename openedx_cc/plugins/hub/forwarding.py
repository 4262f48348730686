"""
The instance side of a community hub: forwarding the change events of the event log to the hub
(docs/reference/hub.rst; docs/how-to/join-a-hub.rst; docs/decisions/0017-community-hub.rst).

The event log is the outbox. ``forward_pending`` first *enrols* each logged ``CC_CHANGE_DEPLOYED`` and
``CC_CHANGE_REVERTED`` that has no ``ForwardedEvent`` yet (its position is the logged row's id), then sends the
unsent ones oldest first, in batches of at most ``MAX_EVENTS`` events and ``MAX_BATCH_BYTES`` bytes, each event built
by ``wire.wire_event`` from the logged payload and nothing else. A batch is marked sent only when the hub answered
200; when a batch fails, forwarding stops there (it never skips ahead) and the batch's rows say why and when they are
due again (exponential backoff with full jitter). Every request is over within ``timeout`` seconds, whatever the hub
does.

Two forwarders never send the same rows at once where the database can lock rows without waiting (PostgreSQL,
MySQL 8, MariaDB 10.6): a forwarder holds the rows of its batch (``select_for_update(skip_locked=True)``) until it
has recorded the hub's answer, and one that finds the head of the queue held by another stops ("busy"). Within a
process a lock does the same (SQLite has only that one). A batch sent twice all the same (a crash between the hub's
answer and the commit) is harmless: the hub de-duplicates by event id.

Nothing is enrolled or sent while ``openedx_cc.share_with_hub`` (or ``openedx_cc.enabled``) is off or
``OPENEDX_CC_HUB`` is unset: the events wait in the log, and the next run after the switch is turned on sends them.
"""
from __future__ import annotations

import http.client
import json
import logging
import random
import ssl
import threading
import time
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Mapping
from urllib.parse import urlsplit

import attr
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from openedx_cc.lib.environments import configured_classes
from openedx_cc.lib.signing import hmac_sha256_hex
from openedx_cc.plugins.eventlog.api import logged_events
from openedx_cc.plugins.hub.config import HubConfig, HubSettingInvalid, hub_config
from openedx_cc.plugins.hub.models import ForwardedEvent, ForwardingStatus
from openedx_cc.plugins.hub.toggles import sharing_enabled
from openedx_cc.plugins.hub.wire import (
    FORWARDED_TYPES,
    INSTANCE_HEADER,
    MAX_BATCH_BYTES,
    MAX_EVENTS,
    SIGNATURE_HEADER,
    encode_event,
    join_batch,
    wire_event,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds: the most one request to the hub may take, connecting, sending and reading included
BACKOFF_BASE = 2.0  # seconds: the ceiling of the first wait after a failure, doubled after each consecutive failure
BACKOFF_CAP = 600.0  # seconds: the largest ceiling (10 minutes)
BUSY_RETRY = 5.0  # seconds: when to look again after finding another forwarder at the head of the queue
ENROL_CHUNK = 1000  # logged events enrolled per query and bulk insert
MAX_ANSWER_BYTES = 1_000_000  # of the hub's answer read; the rest is left unread
_ANSWER_QUOTE = 2000  # characters of the hub's answer quoted in an error

SWITCHED_OFF = ("sharing with the hub is switched off (openedx_cc.enabled and openedx_cc.share_with_hub must both "
                "be on): nothing was forwarded; the events wait in the event log")
NOT_CONFIGURED = ("OPENEDX_CC_HUB is not set: nothing was forwarded. Set it to the url, instance name and secret the "
                  "hub's operators gave you (docs/how-to/join-a-hub.rst)")
BUSY = "another forwarder is sending the oldest pending events now; they will be sent by it"

_UNSENT = (ForwardingStatus.PENDING, ForwardingStatus.FAILING)
_process_lock = threading.Lock()  # one forwarder at a time in this process


# --- The outbox ----------------------------------------------------------------------------------------------------


def _logged_change_events() -> QuerySet:
    return logged_events().filter(event_type__in=FORWARDED_TYPES)


def enrol_pending() -> int:
    """
    Give each logged change event without a ``ForwardedEvent`` one (pending, position = the logged row's id), in log
    order, ``ENROL_CHUNK`` at a time: one query and one bulk insert per chunk. Idempotent, and safe beside another
    forwarder (the event id is unique; a row the other inserted first is left as it is). Returns how many it tried.
    """
    enrolled, after = 0, 0
    while True:
        chunk = list(
            _logged_change_events()
            .filter(id__gt=after)
            .filter(~Exists(ForwardedEvent.objects.filter(event_id=OuterRef("event_id"))))
            .order_by("id")
            .values_list("id", "event_id", "event_type", "recorded_at")[:ENROL_CHUNK]
        )
        if not chunk:
            return enrolled
        ForwardedEvent.objects.bulk_create(
            [ForwardedEvent(event_id=event_id, event_type=event_type, position=position, recorded_at=recorded_at)
             for position, event_id, event_type, recorded_at in chunk],
            ignore_conflicts=True,
        )
        enrolled += len(chunk)
        after = chunk[-1][0]
        if len(chunk) < ENROL_CHUNK:
            return enrolled


def _unsent(since: datetime | None) -> QuerySet[ForwardedEvent]:
    queryset = ForwardedEvent.objects.filter(status__in=_UNSENT).order_by("position")
    if since is not None:
        queryset = queryset.filter(recorded_at__gte=since)
    return queryset


def count_waiting(*, since: datetime | None = None) -> int:
    """Logged change events (recorded at or after ``since``) that the hub has not accepted yet, enrolled or not."""
    queryset = _logged_change_events().filter(
        ~Exists(ForwardedEvent.objects.filter(event_id=OuterRef("event_id"), status=ForwardingStatus.SENT)))
    if since is not None:
        queryset = queryset.filter(recorded_at__gte=since)
    return queryset.count()


# --- Forwarding ----------------------------------------------------------------------------------------------------


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class ForwardingResult:
    """What one forwarding run did, and what is left."""

    sent: int = 0  # events the hub accepted in this run (duplicates and unknown types included)
    duplicates: int = 0  # of those, the events the hub already had
    unknown: int = 0  # of those, the events of a type the hub does not know (it left them out)
    failed: int = 0  # events of the batch that failed (0 or one batch: forwarding stops at a failure)
    pending: int = 0  # events still to forward after this run (failing ones included)
    error: str = ""  # why forwarding stopped before the end, for an operator
    retry_at: datetime | None = None  # when trying again makes sense; None when it does not (done, off, unset)

    @property
    def complete(self) -> bool:
        """Whether the hub has every event of the log (within ``since``)."""
        return not self.error and self.pending == 0


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class _Answer:
    status: int = 0  # 0: no HTTP answer (``error`` says why)
    body: bytes = b""
    retry_after: str | None = None
    error: str = ""


def forward_pending(*, since: datetime | None = None, respect_backoff: bool = True, timeout: float | None = None,
                    max_batches: int | None = None) -> ForwardingResult:
    """
    Send the pending change events of the log to the hub, oldest first, until none is left, a batch fails, or
    ``max_batches`` batches were sent. Never raises for the hub's sake: the result says what happened.

    ``since``: only events logged at or after it (older ones are left for a later run). ``respect_backoff``: when
    false (the command, the admin), a failing head is tried now instead of waiting for its ``next_attempt_at``.
    ``timeout``: seconds one request may take in all (default ``TIMEOUT``).
    """
    timeout = TIMEOUT if timeout is None else timeout
    if not sharing_enabled():
        return ForwardingResult(pending=count_waiting(since=since), error=SWITCHED_OFF)
    try:
        config = hub_config()
    except HubSettingInvalid as exc:
        return ForwardingResult(pending=count_waiting(since=since),
                                error=f"OPENEDX_CC_HUB is malformed, nothing was forwarded: {exc}")
    if config is None:
        return ForwardingResult(pending=count_waiting(since=since), error=NOT_CONFIGURED)
    if not _process_lock.acquire(timeout=timeout):
        return ForwardingResult(pending=count_waiting(since=since), error=BUSY,
                                retry_at=timezone.now() + timedelta(seconds=BUSY_RETRY))
    try:
        enrol_pending()
        return _send_in_order(config, since=since, respect_backoff=respect_backoff, timeout=timeout,
                              max_batches=max_batches)
    finally:
        _process_lock.release()


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class _BatchOutcome:
    size: int = 0  # events in the batch (0: nothing was sent)
    sent: bool = False
    duplicates: int = 0
    unknown: int = 0
    error: str = ""
    retry_at: datetime | None = None


def _send_in_order(config: HubConfig, *, since: datetime | None, respect_backoff: bool, timeout: float,
                   max_batches: int | None) -> ForwardingResult:
    classes = configured_classes()
    sent = duplicates = unknown = batches = 0
    stop = _BatchOutcome()
    while max_batches is None or batches < max_batches:
        outcome = _forward_one_batch(config, classes, since=since, respect_backoff=respect_backoff, timeout=timeout)
        if not outcome.sent:
            stop = outcome
            break
        batches += 1
        sent += outcome.size
        duplicates += outcome.duplicates
        unknown += outcome.unknown
    failed = 0 if stop.sent else stop.size
    return ForwardingResult(sent=sent, duplicates=duplicates, unknown=unknown, failed=failed,
                            pending=_unsent(since).count(), error=stop.error, retry_at=stop.retry_at)


def _forward_one_batch(config: HubConfig, classes: dict[str, str], *, since: datetime | None, respect_backoff: bool,
                       timeout: float) -> _BatchOutcome:
    """Send the oldest unsent batch, and record the hub's answer on its rows; ``size`` 0 when nothing was sent."""
    locking = connection.features.has_select_for_update_skip_locked
    with transaction.atomic() if locking else nullcontext():
        queue = _unsent(since)
        if locking:
            head = list(queue.select_for_update(skip_locked=True)[:MAX_EVENTS])
            # Rows held by another forwarder were skipped: if they come first, it is that forwarder's turn.
            if (head and queue.filter(position__lt=head[0].position).exists()) or (not head and queue.exists()):
                return _BatchOutcome(error=BUSY, retry_at=timezone.now() + timedelta(seconds=BUSY_RETRY))
        else:
            head = list(queue[:MAX_EVENTS])
        if not head:
            return _BatchOutcome()
        first = head[0]
        now = timezone.now()
        if respect_backoff and first.status == ForwardingStatus.FAILING and first.next_attempt_at and \
                first.next_attempt_at > now:
            return _BatchOutcome(error=f"waiting until {first.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC before trying "
                                       f"again, after: {first.last_error}", retry_at=first.next_attempt_at)
        try:
            rows, events = _build_batch(head, classes)
        except Exception as exc:  # a logged payload wire_event cannot read: say so on the rows, send nothing
            log.exception("Could not build the batch to the hub from the event log")
            return _record_failure(head[:1], f"the logged event {first.event_id} cannot be forwarded: "
                                   f"{type(exc).__name__}: {exc}", now=now)
        if not rows:  # every row of the head was gone from the log (and is dropped): go on with the next ones
            return _BatchOutcome(sent=True)
        body = join_batch(events)
        answer = _post(config.events_url, body, {
            "Content-Type": "application/json",
            INSTANCE_HEADER: config.instance,
            SIGNATURE_HEADER: "sha256=" + hmac_sha256_hex(config.secret, body),
            "User-Agent": "openedx-cc hub forwarder",
        }, timeout=timeout)
        accepted = _accepted(answer)
        if accepted is None:
            return _record_failure(rows, _refusal(answer, config), now=timezone.now(),
                                   retry_after=answer.retry_after)
        return _record_success(rows, accepted, now=timezone.now())


def _build_batch(head: list[ForwardedEvent], classes: dict[str, str]) -> tuple[list[ForwardedEvent], list[bytes]]:
    """
    The rows that fit in one batch, oldest first, and their wire events encoded (``encode_event``), built by
    ``wire_event`` from the logged payloads (read in one query). A row whose logged event is gone from the log is
    deleted: nothing is left to send.
    """
    logged = {
        row["event_id"]: row
        for row in logged_events().filter(event_id__in=[row.event_id for row in head])
        .values("event_id", "metadata", "data")
    }
    gone = [row.pk for row in head if row.event_id not in logged]
    if gone:
        log.warning("%d event(s) to forward to the hub are no longer in the event log; they are dropped", len(gone))
        ForwardedEvent.objects.filter(pk__in=gone).delete()
    rows: list[ForwardedEvent] = []
    encoded: list[bytes] = []  # each event encoded once: its size counts, and the body joins them
    size = len(join_batch([]))
    for row in head:
        source = logged.get(row.event_id)
        if source is None:
            continue
        metadata = source["metadata"] if isinstance(source["metadata"], Mapping) else {}
        data = source["data"] if isinstance(source["data"], Mapping) else {}
        event = encode_event(wire_event(event_id=row.event_id, event_type=row.event_type,
                                        time=str(metadata.get("time") or ""), data=data, classes=classes))
        more = len(event) + (1 if encoded else 0)
        if encoded and size + more > MAX_BATCH_BYTES:
            break
        rows.append(row)
        encoded.append(event)
        size += more
    return rows, encoded


def _accepted(answer: _Answer) -> dict | None:
    """The hub's acceptance, or None if it did not accept the batch (a 200 that is not the hub's answer included)."""
    if answer.status != 200:
        return None
    try:
        body = json.loads(answer.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("accepted"), int):
        return None
    return body


def _record_success(rows: list[ForwardedEvent], answer: dict, *, now: datetime) -> _BatchOutcome:
    duplicates = answer["duplicates"] if isinstance(answer.get("duplicates"), int) else 0
    unknown = answer.get("unknown") or []
    unknown_count = len(unknown) if isinstance(unknown, list) else unknown if isinstance(unknown, int) else 0
    if unknown_count:
        log.warning("The hub does not know the type of %d forwarded event(s) and left them out: %.500s",
                    unknown_count, unknown)
    ForwardedEvent.objects.filter(pk__in=[row.pk for row in rows]).exclude(status=ForwardingStatus.SENT).update(
        status=ForwardingStatus.SENT, sent_at=now, attempts=F("attempts") + 1, last_attempt_at=now, last_error="",
        next_attempt_at=None)
    return _BatchOutcome(size=len(rows), sent=True, duplicates=duplicates, unknown=unknown_count)


def backoff_seconds(failures: int) -> float:
    """The wait after ``failures`` consecutive failures: full jitter below ``BACKOFF_BASE`` doubled each time, capped
    at ``BACKOFF_CAP``."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(max(failures, 1) - 1, 30))
    return random.uniform(0, ceiling)


def _record_failure(rows: list[ForwardedEvent], error: str, *, now: datetime,
                    retry_after: str | None = None) -> _BatchOutcome:
    wait = backoff_seconds(rows[0].attempts + 1)
    if retry_after and retry_after.strip().isdigit():  # the hub asked for a pause (429, 503): at most the cap
        wait = max(wait, min(float(retry_after), BACKOFF_CAP))
    retry_at = now + timedelta(seconds=wait)
    ForwardedEvent.objects.filter(pk__in=[row.pk for row in rows]).exclude(status=ForwardingStatus.SENT).update(
        status=ForwardingStatus.FAILING, attempts=F("attempts") + 1, last_attempt_at=now, last_error=error[:10000],
        next_attempt_at=retry_at)
    log.warning("Forwarding %d event(s) to the hub failed (retry after %s): %s", len(rows), retry_at, error)
    return _BatchOutcome(size=len(rows), error=error, retry_at=retry_at)


# --- HTTP ----------------------------------------------------------------------------------------------------------


def _post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> _Answer:
    """POST ``body`` to ``url`` and read the answer, all within ``timeout`` seconds; never raises."""
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)

    def time_left() -> None:  # each step gets what is left of the one timeout, so that the whole request obeys it
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        if conn.sock is not None:
            conn.sock.settimeout(left)

    try:
        conn.connect()
        time_left()
        conn.request("POST", parts.path or "/", body=body, headers=headers)
        time_left()
        response = conn.getresponse()
        chunks, size = [], 0
        while size < MAX_ANSWER_BYTES:
            time_left()
            chunk = response.read1(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return _Answer(status=response.status, body=b"".join(chunks), retry_after=response.getheader("Retry-After"))
    except TimeoutError:
        return _Answer(error=f"the hub did not answer within {timeout:g} s at {url}")
    except (OSError, http.client.HTTPException) as exc:
        return _Answer(error=f"could not reach the hub at {url}: {type(exc).__name__}: {exc}")
    finally:
        conn.close()


def _hub_says(body: bytes) -> str:
    """What the hub's answer says: its ``detail``, its ``errors`` (``field: message``), or the start of the text."""
    try:
        answer = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return body[:_ANSWER_QUOTE].decode("utf-8", errors="replace").strip()
    if isinstance(answer, dict):
        errors = answer.get("errors")
        if isinstance(errors, list) and errors:
            said = "; ".join(
                (f"{item.get('field')}: {item.get('message')}" if item.get("field") else str(item.get("message")))
                if isinstance(item, dict) else str(item)
                for item in errors
            )
            return said[:_ANSWER_QUOTE]
        if isinstance(answer.get("detail"), str):
            return answer["detail"][:_ANSWER_QUOTE]
    return json.dumps(answer)[:_ANSWER_QUOTE]


def _refusal(answer: _Answer, config: HubConfig) -> str:
    """The error an operator reads for an answer that did not accept the batch."""
    if not answer.status:
        return answer.error
    said = _hub_says(answer.body)
    quoted = f": {said}" if said else ""
    if answer.status == 401:
        return (f"the hub refused this instance or its signature (401{quoted}). Ask the hub's operators whether "
                f"{config.instance!r} is registered and not revoked; if they rotated its secret, set the new one "
                "in OPENEDX_CC_HUB['secret']")
    if answer.status == 400:
        return f"the hub refused the batch as malformed (400){quoted}"
    if answer.status == 404:
        return (f"the hub answered 404 at {config.events_url}: check OPENEDX_CC_HUB['url'], and ask the hub's "
                "operators whether its openedx_cc.hub switch is on")
    if answer.status == 200:
        return (f"the answer at {config.events_url} is not a hub's (200 without \"accepted\"){quoted}: check "
                "OPENEDX_CC_HUB['url']")
    return f"the hub answered {answer.status}{quoted}"


# --- For the admin -------------------------------------------------------------------------------------------------


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class ForwardingSummary:
    """Where forwarding stands, for the admin: rows by status, what is not enrolled yet, the head's last error."""

    sharing: bool
    hub: str  # "url as instance", or why there is none
    pending: int
    failing: int
    sent: int
    not_enrolled: int
    last_error: str
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None


def forwarding_summary() -> ForwardingSummary:
    """Where forwarding stands now, in a few queries whatever the number of events."""
    try:
        config = hub_config()
        hub = f"{config.url} as {config.instance}" if config else "none (OPENEDX_CC_HUB is not set)"
    except HubSettingInvalid as exc:
        hub = f"none: OPENEDX_CC_HUB is malformed: {exc}"
    counts = ForwardedEvent.objects.aggregate(
        pending=Count("id", filter=Q(status=ForwardingStatus.PENDING)),
        failing=Count("id", filter=Q(status=ForwardingStatus.FAILING)),
        sent=Count("id", filter=Q(status=ForwardingStatus.SENT)),
    )
    not_enrolled = _logged_change_events().filter(
        ~Exists(ForwardedEvent.objects.filter(event_id=OuterRef("event_id")))).count()
    head = ForwardedEvent.objects.filter(status=ForwardingStatus.FAILING).order_by("position").first()
    return ForwardingSummary(
        sharing=sharing_enabled(), hub=hub, pending=counts["pending"], failing=counts["failing"], sent=counts["sent"],
        not_enrolled=not_enrolled, last_error=head.last_error if head else "",
        last_attempt_at=head.last_attempt_at if head else None, next_attempt_at=head.next_attempt_at if head else None,
    )
