"""
Recording a report: the idempotency of its id, the transaction, the environment lock and the retries.

``record_deployment`` parses the report, answers a report recorded before from the stored answer, and otherwise runs
the ingest (``ingest.py``) in a transaction that holds the environment's lock. Its answer is an outcome of the
domain (``RecordOutcome``); the REST view and the management command say it in their own terms (an HTTP status, an
exit status).
"""
from __future__ import annotations

import enum
import random
import time
from typing import Any, Callable

import attr
from django.db import IntegrityError, OperationalError, transaction

from openedx_cc.lib.toggles import is_enabled
from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.plugins.deployments.changes import store_direct_pushes
from openedx_cc.plugins.deployments.facts import DeploymentFacts
from openedx_cc.plugins.deployments.ingest import AlreadyRecorded, bring_changes, build_answer, ingest_report
from openedx_cc.plugins.deployments.ingest import store_answer
from openedx_cc.plugins.deployments.models import Deployment, EnvironmentLock
from openedx_cc.plugins.deployments.report import Report, parse_report, parse_completion
from openedx_cc.plugins.deployments.toggles import recording_enabled

# Reports to different environments run side by side; when two of them insert the same new change (or revert link)
# at the same time, the later one fails on the unique key (or, on MySQL, may be chosen as a deadlock victim; on
# SQLite, finds the database locked) and is recorded again from the start, after a short random pause, until it
# wins or this deadline passes (then RecordingBusy: retry later; a race is never a server error).
RETRY_DEADLINE_SECONDS = 30.0
# MySQL/MariaDB ER_LOCK_DEADLOCK and ER_LOCK_WAIT_TIMEOUT (waiting for another report's environment lock);
# PostgreSQL deadlock_detected
_DEADLOCK_CODES = {1213, 1205, "40P01"}
_SQLITE_BUSY = ("database is locked", "database table is locked")


class RecordOutcome(enum.Enum):
    """What became of a report."""

    RECORDED = "recorded"  # recorded now
    ALREADY_RECORDED = "already recorded"  # the same report was recorded before: the answer is the stored one
    CONFLICT = "conflict"  # a different report was recorded under that id: nothing recorded


@attr.s(frozen=True)
class RecordResult:
    """The answer to a report: its ``outcome`` and the JSON ``body`` (the stored answer, or the conflict's errors)."""

    outcome = attr.ib(type=RecordOutcome)
    body = attr.ib(type=dict[str, Any])


class RecordingBusy(Exception):
    """Other reports kept winning the races for the same rows until the deadline: nothing was recorded; retry."""


def recording_allowed() -> bool:
    """Whether the set and deployment recording are both switched on."""
    return is_enabled() and recording_enabled()


def record_deployment(raw: object, *, unresolved: str = "") -> RecordResult:
    """
    Record a deployment report given as raw bytes or a decoded JSON document (the signature, if any, is checked by
    the caller). Raises ``ValidationFailed`` with every problem; nothing is written then.

    ``unresolved`` is for a caller that knows where the deployment put each repository (its ``heads``) but not yet
    which changes it brought (the GitHub intake): the deployment is recorded with what is missing, and its changes,
    if the report lists any, are left for ``complete_deployment``.
    """
    report = parse_report(raw)
    previous = previous_answer(report)
    if previous is not None:
        return previous
    return _with_retries(report.data.environment, lambda: ingest_report(report, unresolved=unresolved),
                         on_already_recorded=lambda: previous_answer(report))


def complete_deployment(deployment_id: str, *, changes: list[dict[str, Any]],
                        direct_pushes: list[dict[str, Any]]) -> RecordResult:
    """
    Bring the changes of an unresolved deployment (report-shaped ``changes`` and ``direct_pushes``), attributed,
    checked for reverts, settled and announced as for a report; ``ValidationFailed`` names their problems. A
    deployment that is not unresolved (any more) is answered as it stands, ``ALREADY_RECORDED``.
    """
    row = Deployment.objects.filter(report_id=deployment_id).only("environment").first()
    if row is None:
        raise ValidationFailed([Problem(field="id", message=f"no deployment {deployment_id!r} is recorded")])

    def complete() -> RecordResult:
        deployment = Deployment.objects.get(pk=row.pk)
        if not deployment.missing:
            return RecordResult(outcome=RecordOutcome.ALREADY_RECORDED, body=deployment.answer)
        data = parse_completion(deployment, changes=changes, direct_pushes=direct_pushes)
        facts = DeploymentFacts.from_row(deployment)
        store_direct_pushes(data.direct_pushes, deployment=facts)
        brought = bring_changes(data, deployment=facts)
        Deployment.objects.filter(pk=deployment.pk).update(missing="")
        body = build_answer(data, brought)
        store_answer(facts, body)
        return RecordResult(outcome=RecordOutcome.RECORDED, body=body)

    return _with_retries(row.environment, complete, on_already_recorded=lambda: None)


def _with_retries(environment: str, record: Callable[[], Any], *,
                  on_already_recorded: Callable[[], RecordResult | None]) -> RecordResult:
    """Run ``record`` in a transaction holding ``environment``'s lock, again after losing a race, until it wins."""
    # Inside a caller's transaction a failed attempt cannot be retried: the caller's snapshot would not see what
    # the other report wrote.
    retry = not transaction.get_connection().in_atomic_block
    deadline = time.monotonic() + RETRY_DEADLINE_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            with transaction.atomic():
                lock_environment(environment)
                body = record()
            if isinstance(body, RecordResult):
                return body
        except AlreadyRecorded as exc:
            previous = on_already_recorded()
            if previous is None:
                # The winner's row is not visible: a caller's transaction whose snapshot predates the winner's commit
                # (REPEATABLE READ isolation, not Django's default on PostgreSQL or MySQL). Sending again will see it.
                raise RecordingBusy("another report with this id is being recorded; send the report again") from exc
            return previous
        except (IntegrityError, OperationalError) as exc:
            if not is_conflict(exc):
                raise
            if not retry or time.monotonic() >= deadline:
                raise RecordingBusy(f"other reports kept recording the same rows for {RETRY_DEADLINE_SECONDS:.0f} s "
                                    f"({attempt} attempts); nothing was recorded: send the report again") from exc
            time.sleep(min(0.5, 0.01 * 2 ** min(attempt, 6)) * random.uniform(0.5, 1.5))  # noqa: S311  jitter only
            continue
        return RecordResult(outcome=RecordOutcome.RECORDED, body=body)


def is_conflict(exc: Exception) -> bool:
    """Whether ``exc`` is another transaction's doing, so that recording the report again can succeed."""
    if isinstance(exc, IntegrityError):
        return True
    if any(message in str(exc) for message in _SQLITE_BUSY):
        return True
    cause = exc.__cause__
    code = getattr(cause, "pgcode", None) or (cause.args[0] if cause is not None and cause.args else None)
    return code in _DEADLOCK_CODES


def lock_environment(name: str) -> None:
    """Wait for the reports to ``name`` being recorded, then keep others waiting until this transaction ends."""
    EnvironmentLock.objects.select_for_update().get_or_create(name=name)


def previous_answer(report: Report) -> RecordResult | None:
    """The answer to a report whose id was recorded before (the same report, or a conflicting one), else None."""
    stored = Deployment.objects.filter(report_id=report.data.id).values_list("body_sha256", "answer").first()
    if stored is None:
        return None
    body_sha256, result = stored
    if body_sha256 == report.body_sha256:
        return RecordResult(outcome=RecordOutcome.ALREADY_RECORDED, body=result)
    return RecordResult(outcome=RecordOutcome.CONFLICT, body={"errors": [{
        "field": "id",
        "message": f"a different report was already recorded under the id {report.data.id!r}",
    }]})
