"""
Receiving deliveries: each signed delivery is stored first, durably, under GitHub's delivery id, and processed after
the transaction that stored it commits -- by Celery where the host runs it, else in the process -- so that the
answer to GitHub never waits on (or fails because of) what processing does. ``process_again`` processes stored
deliveries again, for ``cc_process_github_deliveries`` and the admin.
"""
from __future__ import annotations

import enum
import logging
import re
import zlib
from collections.abc import Iterable
from datetime import datetime

import attr
from django.db import DatabaseError, IntegrityError, transaction

from openedx_cc.lib.background import celery_ready
from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.plugins.github import deploying, processing, tasks
from openedx_cc.plugins.github.models import DeliveryStatus, GitHubDelivery
from openedx_cc.plugins.github.payloads import decode_body, envelope

log = logging.getLogger(__name__)

# GitHub's own limit on a webhook payload.
MAX_DELIVERY_BYTES = 25 * 1024 * 1024
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
_DELIVERY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")  # GitHub's are GUIDs
_EVENT = re.compile(r"[a-z][a-z_]{0,49}")


class Receipt(enum.Enum):
    """How a delivery was received."""

    ACCEPTED = "accepted"  # stored now; processed after the commit
    KNOWN = "known"  # a delivery with this id was stored before: nothing new


@attr.s(frozen=True, auto_attribs=True)
class ReceivedDelivery:
    """A stored delivery as the answer to GitHub describes it."""

    receipt: Receipt
    delivery_id: str
    event: str
    action: str
    status: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        """The JSON answer."""
        return {"delivery": self.delivery_id, "event": self.event, "action": self.action, "status": self.status,
                "detail": self.detail}


class DeliveryNotStored(Exception):
    """The database refused the delivery (it is not stored: GitHub may deliver it again)."""


def _answer(row: GitHubDelivery, receipt: Receipt) -> ReceivedDelivery:
    return ReceivedDelivery(receipt=receipt, delivery_id=row.delivery_id, event=row.event, action=row.action,
                            status=row.status, detail=row.detail)


def check_headers(event: str | None, delivery_id: str | None) -> tuple[str, str]:
    """The event and delivery id headers, checked; ``ValidationFailed`` naming each header that is wrong."""
    problems = []
    if not event or not _EVENT.fullmatch(event):
        problems.append(Problem(field=EVENT_HEADER, message="missing, or not an event name" if event else "missing"))
    if not delivery_id or not _DELIVERY_ID.fullmatch(delivery_id):
        problems.append(Problem(field=DELIVERY_HEADER,
                                message="missing, or not a delivery id" if delivery_id else "missing"))
    if problems:
        raise ValidationFailed(problems)
    assert event is not None and delivery_id is not None
    return event, delivery_id


def receive_delivery(raw: bytes, *, event: str | None, delivery_id: str | None) -> ReceivedDelivery:
    """
    Store a delivery whose signature the caller checked, unless its delivery id is known; process it after the
    commit. A ``ping`` is processed at once. Raises ``ValidationFailed`` for missing or malformed headers and
    ``DeliveryNotStored`` when the database refuses the row; nothing is stored then.
    """
    event, delivery_id = check_headers(event, delivery_id)
    known = GitHubDelivery.objects.filter(delivery_id=delivery_id).defer("body").first()
    if known is not None:
        return _answer(known, Receipt.KNOWN)
    try:
        action, repository = envelope(decode_body(raw))
    except ValidationFailed:
        action, repository = "", ""  # kept as it came; processing will say what is wrong with it
    ping = event == "ping"
    row = GitHubDelivery(delivery_id=delivery_id, event=event, action=action, repository=repository,
                         body=zlib.compress(raw), body_size=len(raw),
                         status=DeliveryStatus.PROCESSED if ping else DeliveryStatus.PENDING)
    try:
        with transaction.atomic():
            row.save()
            if not ping:
                transaction.on_commit(lambda: dispatch([row.pk]))
    except IntegrityError:
        # the same delivery stored by a request that ran beside this one
        known = GitHubDelivery.objects.filter(delivery_id=delivery_id).defer("body").first()
        if known is None:
            raise
        return _answer(known, Receipt.KNOWN)
    except DatabaseError as exc:  # e.g. a body larger than the database accepts in one statement
        log.exception("Could not store the GitHub delivery %s (%s, %d bytes)", delivery_id, event, len(raw))
        raise DeliveryNotStored(f"the delivery could not be stored: {exc}") from exc
    # In a process without Celery, processing has run by now (after the commit): answer with its outcome.
    current = GitHubDelivery.objects.filter(pk=row.pk).values_list("status", "detail").first()
    if current is not None:
        row.status, row.detail = current
    return _answer(row, Receipt.ACCEPTED)


def dispatch(ids: list[int]) -> None:
    """Process stored deliveries: with Celery where it runs, else now. Never raises."""
    if celery_ready() and tasks.process_github_deliveries_task is not None:
        try:
            tasks.process_github_deliveries_task.delay(ids)
            return
        except Exception:  # a broker that is down: process them here rather than leave them pending
            log.exception("Could not queue %d GitHub deliveries with Celery; processing them now", len(ids))
    try:
        processing.process_deliveries(ids)
    except Exception:  # processing keeps its failures on the deliveries; this is a failure to even load them
        log.exception("Processing the GitHub deliveries %s failed; they stay pending", ids)


@attr.s(frozen=True, auto_attribs=True)
class ProcessingSummary:
    """What ``process_again`` did: deliveries by new status, and unresolved deployments completed or still not."""

    statuses: dict[str, int]
    completed: int
    unresolved: int


def deliveries_to_process(*, failed: bool = False, since: datetime | None = None) -> Iterable[GitHubDelivery]:
    """The pending deliveries (and the failed ones too with ``failed``) received since ``since``, oldest first."""
    statuses = [DeliveryStatus.PENDING] + ([DeliveryStatus.FAILED] if failed else [])
    rows = GitHubDelivery.objects.filter(status__in=statuses).order_by("received_at", "id")
    if since is not None:
        rows = rows.filter(received_at__gte=since)
    return rows.iterator(chunk_size=100)


def process_again(*, failed: bool = False, since: datetime | None = None, ids: Iterable[int] | None = None
                  ) -> ProcessingSummary:
    """
    Process stored deliveries again, in the process: those ``ids``, or the pending ones (and failed ones with
    ``failed``) received since ``since``. Then try every unresolved GitHub deployment again. Idempotent.
    """
    if ids is not None:
        statuses = processing.process_deliveries(ids)
    else:
        statuses = processing.process_rows(deliveries_to_process(failed=failed, since=since))
    retried = deploying.retry_unresolved()
    return ProcessingSummary(statuses=statuses, completed=retried.completed, unresolved=retried.unresolved)
