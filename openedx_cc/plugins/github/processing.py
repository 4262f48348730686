"""
Processing a stored delivery: read its body, dispatch it by event, and keep on its row what became of it.

=====================  ==================================================================================
event                  what processing does
=====================  ==================================================================================
``ping``               nothing (answered at once)
``pull_request``       ``closed`` and merged: the merged pull request is kept; other actions are ignored
``push``               to a branch: the push and its commits are kept; a tag or a deletion is ignored
``deployment``         ``created``: the deployment is kept, pending
``deployment_status``  ``created``: the status is kept, and a success or failure recorded (``deploying``)
anything else          ignored
=====================  ==================================================================================

After a push, a merged pull request or a deployment status, the unresolved deployments of the repository are tried
again (after a push or a pull request, not those that wait for a previous head: history cannot give them one).
Processing never raises: a failure is kept on the delivery (``failed``, with the error) for
``cc_process_github_deliveries --failed``. A passing error -- other reports kept the environment's rows busy
(``RecordingBusy``), or the database gave up on a lock (a deadlock, a lock wait timeout, SQLite's "database is
locked": ``OperationalError``) -- leaves the delivery ``pending``, with the error, for the next run of
``cc_process_github_deliveries``. Every step is idempotent, so a delivery can be processed any number of times. While
``openedx_cc.record_deployments`` is off, nothing is processed: deliveries stay pending.
"""
from __future__ import annotations

import logging
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import attr
from django.db import OperationalError
from django.db.models import F
from django.utils import timezone

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.plugins.deployments import api as deployments_api
from openedx_cc.plugins.github import deploying, payloads, pullrequests, pushes
from openedx_cc.plugins.github.models import DeliveryStatus, GitHubDelivery, Recorded
from openedx_cc.plugins.ownership import api as ownership_api

log = logging.getLogger(__name__)


@attr.s(frozen=True, auto_attribs=True)
class Handled:
    """What became of a delivery: its new status and why."""

    status: str  # a DeliveryStatus value
    detail: str = ""


def raw_body(row: GitHubDelivery) -> bytes:
    """The raw body of a stored delivery."""
    return zlib.decompress(bytes(row.body))


def _repository(name: str) -> str:
    try:
        return ownership_api.resolve_repository_names([name])[name]
    except InvalidValue as exc:
        raise ValidationFailed([Problem(field="repository.full_name", message=str(exc))]) from exc


def _ping(document: dict[str, Any], row: GitHubDelivery) -> Handled:
    return Handled(DeliveryStatus.PROCESSED)


def _pull_request(document: dict[str, Any], row: GitHubDelivery) -> Handled:
    event = payloads.parse_payload(payloads.PullRequestEvent, document)
    if event.action != "closed":
        return Handled(DeliveryStatus.IGNORED, f"a pull request {event.action}: only merged ones are recorded")
    if not event.pull_request.merged:
        return Handled(DeliveryStatus.IGNORED, "a pull request closed without being merged")
    repository = _repository(event.repository.full_name)
    pullrequests.remember_pull_request(event, repository=repository)
    deploying.retry_unresolved(repository, history_only=True)
    return Handled(DeliveryStatus.PROCESSED)


def _push(document: dict[str, Any], row: GitHubDelivery) -> Handled:
    event = payloads.parse_payload(payloads.PushEvent, document)
    if event.branch is None:
        return Handled(DeliveryStatus.IGNORED, f"a push to {event.ref}: only branches make the history")
    if event.deleted or event.after == payloads.ZERO_SHA:
        return Handled(DeliveryStatus.IGNORED, f"the branch {event.branch} was deleted")
    repository = _repository(event.repository.full_name)
    new = pushes.record_push(event, repository=repository, delivery_id=row.pk, received_at=row.received_at)
    deploying.retry_unresolved(repository, history_only=True)
    return Handled(DeliveryStatus.PROCESSED, "" if new else "the same push was recorded from another delivery")


def _deployment(document: dict[str, Any], row: GitHubDelivery) -> Handled:
    event = payloads.parse_payload(payloads.DeploymentEvent, document)
    if event.action != "created":
        return Handled(DeliveryStatus.IGNORED, f"a deployment {event.action}")
    deploying.record_deployment_event(event, repository=_repository(event.repository.full_name))
    return Handled(DeliveryStatus.PROCESSED)


def _deployment_status(document: dict[str, Any], row: GitHubDelivery) -> Handled:
    event = payloads.parse_payload(payloads.DeploymentStatusEvent, document)
    if event.action != "created":
        return Handled(DeliveryStatus.IGNORED, f"a deployment status {event.action}")
    repository = _repository(event.repository.full_name)
    deploying.record_status_event(event, repository=repository, delivery_id=row.pk)
    if event.deployment_status.state != deploying.SUCCESS:
        return Handled(DeliveryStatus.PROCESSED)
    deploying.retry_unresolved(repository)  # this head may be where a later deployment starts, or this one may end
    outcome = deploying.outcome_of(event.deployment.id)
    if outcome.recorded == Recorded.UNRESOLVED:
        return Handled(DeliveryStatus.UNRESOLVED, outcome.detail)
    return Handled(DeliveryStatus.PROCESSED)


_HANDLERS: dict[str, Callable[[dict[str, Any], GitHubDelivery], Handled]] = {
    "ping": _ping,
    "pull_request": _pull_request,
    "push": _push,
    "deployment": _deployment,
    "deployment_status": _deployment_status,
}


def handle(row: GitHubDelivery) -> Handled:
    """Process one stored delivery; raises what processing raised."""
    handler = _HANDLERS.get(row.event)
    if handler is None:
        return Handled(DeliveryStatus.IGNORED, f"the set does nothing with {row.event} events")
    return handler(payloads.decode_body(raw_body(row)), row)


SWITCHED_OFF = ("deployment recording is switched off (openedx_cc.enabled or openedx_cc.record_deployments): "
                "cc_process_github_deliveries processes it once it is on")


RETRY_LATER = "stays pending, for the next run of cc_process_github_deliveries: "


def process_delivery(row: GitHubDelivery) -> str:
    """
    Process a stored delivery and keep the outcome on its row; never raises. Returns the new status. While
    deployment recording is switched off, or after a passing error (a lock the database gave up on), the delivery
    stays pending.
    """
    if not deployments_api.recording_allowed():
        GitHubDelivery.objects.filter(pk=row.pk).update(detail=SWITCHED_OFF)
        row.detail = SWITCHED_OFF
        return row.status
    try:
        handled = handle(row)
    except ValidationFailed as exc:
        handled = Handled(DeliveryStatus.FAILED, "invalid payload: " + "; ".join(str(p) for p in exc.problems))
    except (deployments_api.RecordingBusy, OperationalError) as exc:  # passing: the next run processes it again
        log.warning("Processing the GitHub delivery %s (%s) met a passing error; it stays pending: %s",
                    row.delivery_id, row.event, exc)
        handled = Handled(DeliveryStatus.PENDING, f"{RETRY_LATER}{type(exc).__name__}: {exc}")
    except Exception as exc:  # kept on the delivery: a failure of processing is never GitHub's 5xx
        log.exception("Processing the GitHub delivery %s (%s) failed", row.delivery_id, row.event)
        handled = Handled(DeliveryStatus.FAILED, f"{type(exc).__name__}: {exc}")
    GitHubDelivery.objects.filter(pk=row.pk).update(status=handled.status, detail=handled.detail,
                                                    attempts=F("attempts") + 1, processed_at=timezone.now())
    row.status, row.detail = handled.status, handled.detail
    return handled.status


def process_rows(rows: Iterable[GitHubDelivery]) -> dict[str, int]:
    """Process stored deliveries one after the other. Returns how many got each status."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts[process_delivery(row)] += 1
    return dict(counts)


def process_deliveries(ids: Iterable[int]) -> dict[str, int]:
    """Process the stored deliveries ``ids`` in the order they were received. Returns how many got each status."""
    return process_rows(GitHubDelivery.objects.filter(pk__in=list(ids)).order_by("received_at", "id"))
