"""
GitHub deployments and their statuses, and what the set records of them through the deployments applet.

* ``deployment`` (created) -> the deployment is kept, pending (``record_deployment_event``).
* ``deployment_status`` (``record_status_event``): every status is kept; ``success`` records the deployment
  (``record_success``), a rollback when its commit is an ancestor of the environment's previous head, and otherwise
  with the changes between that head and its commit -- or, when those cannot be told yet, as unresolved, with what
  is missing; ``failure`` and ``error`` record a failed attempt; the other states are kept as statuses only.
* ``retry_unresolved`` tries the unresolved deployments of a repository again (after each push, merged pull request
  and deployment of it, and from ``cc_process_github_deliveries``), and completes those it can resolve now. After a
  push or a pull request it leaves out those that wait for a previous head (the first GitHub deployment of an
  environment, e.g. a pull request's preview environment): history cannot give them one, so trying them after each
  push would only make every push cost more as they pile up.

The previous head is the one the latest earlier deployment of that repository to that environment put there (by
deployment time, whatever the order the deliveries came in): a deployment that arrives late does not take a later
one's head for its start, and is no rollback for coming after it.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import attr
from django.db.models import CharField
from django.utils import timezone

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.deployments import api as deployments_api
from openedx_cc.plugins.github import payloads, reports
from openedx_cc.plugins.github.models import (
    DeliveryStatus,
    GitHubDelivery,
    GitHubDeployment,
    GitHubDeploymentStatus,
    Recorded,
)
from openedx_cc.plugins.github.pushes import load_history
from openedx_cc.plugins.github.resolution import (
    DirectPush,
    PreviousHead,
    Unresolvable,
    find_range,
    is_ancestor,
    rolled_back,
    settle,
    short,
)

log = logging.getLogger(__name__)

SUCCESS = "success"
# How the reason of a deployment that has no previous head begins (``GitHubDeployment.detail``).
NO_PREVIOUS_HEAD = "no earlier deployment of "
FAILED = frozenset({"failure", "error"})


@attr.s(frozen=True, auto_attribs=True)
class Outcome:
    """What processing a deployment or status delivery recorded, and why (for the delivery's row)."""

    recorded: str  # a Recorded value
    detail: str = ""


@attr.s(frozen=True, auto_attribs=True)
class Deploy:
    """The deployment brought these changes (merged pull requests) and direct pushes."""

    changes: tuple[deployments_api.MergedPullRequestData, ...] = ()
    direct_pushes: tuple[DirectPush, ...] = ()


@attr.s(frozen=True, auto_attribs=True)
class Rollback:
    """The deployment returned the environment to an earlier commit, undoing these deployments (oldest first)."""

    rolls_back: tuple[str, ...]


Decision = Deploy | Rollback | Unresolvable


def _cut(field: str, value: str) -> str:
    """``value`` cut to what the ``GitHubDeployment`` field holds (GitHub sets no limit on some of them)."""
    column = GitHubDeployment._meta.get_field(field)
    assert isinstance(column, CharField)
    return value[:column.max_length] if column.max_length is not None else value


def keep_deployment(deployment: payloads.Deployment, *, repository: str) -> GitHubDeployment:
    """
    The row of a GitHub deployment, created from the first delivery that describes it. The free texts -- ``ref``
    (which the report takes for its ``release``), ``payload.service``, ``task`` -- are cut to what the row and a
    report hold; the environment is GitHub's name (up to 255 characters), which a report may refuse.
    """
    row, _created = GitHubDeployment.objects.get_or_create(github_id=deployment.id, defaults={
        "report_id": reports.report_id(repository, deployment.id), "repository": repository,
        "repository_key": repository.lower(), "sha": deployment.sha, "ref": _cut("ref", deployment.ref),
        "environment": deployment.environment,
        "service": _cut("service", deployment.service or repository.split("/", 1)[1]),
        "task": _cut("task", deployment.task), "created_at": deployment.created_at,
    })
    return row


def record_deployment_event(event: payloads.DeploymentEvent, *, repository: str) -> Outcome:
    """A deployment was created: keep it, pending until a status says more."""
    keep_deployment(event.deployment, repository=repository)
    return Outcome(recorded=Recorded.NOTHING)


def record_status_event(event: payloads.DeploymentStatusEvent, *, repository: str, delivery_id: int | None,
                        now: datetime | None = None) -> Outcome:
    """A deployment got a status: keep it, and record what it means."""
    row = keep_deployment(event.deployment, repository=repository)
    status = event.deployment_status
    GitHubDeploymentStatus.objects.get_or_create(github_id=status.id, defaults={
        "deployment": row, "state": status.state, "description": (status.description or "")[:500],
        "created_at": status.created_at, "delivery_id": delivery_id,
    })
    latest = row.statuses.order_by("-created_at", "-github_id").values_list("state", "created_at").first()
    if latest is not None and (row.state, row.state_at) != latest:
        row.state, row.state_at = latest
        GitHubDeployment.objects.filter(pk=row.pk).update(state=row.state, state_at=row.state_at)
    if status.state == SUCCESS:
        return record_success(row, deployed_at=status.created_at, now=now)
    if status.state in FAILED:
        return record_failure(row, failed_at=status.created_at)
    return Outcome(recorded=row.recorded, detail=row.detail)


def outcome_of(github_id: int) -> Outcome:
    """What the set has recorded of a GitHub deployment so far."""
    recorded, detail = GitHubDeployment.objects.filter(github_id=github_id).values_list("recorded", "detail").get()
    return Outcome(recorded=recorded, detail=detail)


def decide(row: GitHubDeployment, *, deployed_at: datetime, now: datetime) -> Decision:
    """What a successful GitHub deployment did to its environment, from what the set has received so far."""
    earlier = [
        PreviousHead(deployment_id=head.deployment_id, sha=head.sha)
        for head in deployments_api.head_history(row.environment, row.repository)
        if head.deployed_at < deployed_at and head.deployment_id != row.report_id
    ]
    if not earlier:
        return Unresolvable(f"{NO_PREVIOUS_HEAD}{row.repository} to {row.environment} is recorded: nothing "
                            f"tells where this one started (a report with heads, or an earlier GitHub deployment, "
                            f"would)")
    previous = earlier[-1].sha
    if previous == row.sha:
        return Deploy()
    history = load_history(row.repository, [previous, row.sha])
    if is_ancestor(history, row.sha, previous):
        return Rollback(rolls_back=tuple(rolled_back(history, earlier, row.sha)))
    commits_range = find_range(history, previous, row.sha)
    if isinstance(commits_range, Unresolvable):
        return commits_range
    merged = deployments_api.merged_pull_requests_by_sha(row.repository, commits_range.commits)
    settled = settle(commits_range, merged, now=now)
    if isinstance(settled, Unresolvable):
        return settled
    # oldest first, as a report lists them (and as the events of the deployment follow)
    changes = sorted((merged[sha] for sha in settled.merge_shas), key=lambda pr: (pr.merged_at, pr.pr_number))
    return Deploy(changes=tuple(changes), direct_pushes=settled.direct_pushes)


def _report(row: GitHubDeployment, *, deployed_at: datetime,
            decision: Deploy | Rollback | None = None) -> dict[str, Any]:
    changes = decision.changes if isinstance(decision, Deploy) else ()
    direct = decision.direct_pushes if isinstance(decision, Deploy) else ()
    rolls_back = decision.rolls_back if isinstance(decision, Rollback) else ()
    return reports.deployment_report(
        deployment_id=row.report_id, environment=row.environment, service=row.service, release=row.ref,
        deployed_at=deployed_at, repository=row.repository, sha=row.sha,
        kind="rollback" if rolls_back else "deploy", rolls_back=rolls_back, changes=changes, direct_pushes=direct,
    )


def _complete(row: GitHubDeployment, decision: Deploy) -> None:
    deployments_api.complete_deployment(
        row.report_id, changes=[reports.change_item(pr) for pr in decision.changes],
        direct_pushes=reports.direct_push_items(row.repository, decision.direct_pushes),
    )


def _mark(row: GitHubDeployment, recorded: str, detail: str = "") -> Outcome:
    if (row.recorded, row.detail) != (recorded, detail):
        row.recorded, row.detail = recorded, detail
        GitHubDeployment.objects.filter(pk=row.pk).update(recorded=recorded, detail=detail)
    if recorded == Recorded.DEPLOYMENT:
        # the deliveries that left it unresolved are processed now
        GitHubDelivery.objects.filter(status=DeliveryStatus.UNRESOLVED, pk__in=row.statuses.values("delivery_id"))\
            .update(status=DeliveryStatus.PROCESSED, detail="", processed_at=timezone.now())
    return Outcome(recorded=recorded, detail=detail)


def record_success(row: GitHubDeployment, *, deployed_at: datetime, now: datetime | None = None) -> Outcome:
    """
    Record a GitHub deployment that succeeded (once: a second success of it changes nothing), as a deployment, a
    rollback, or, when what it brought cannot be told yet, as unresolved.
    """
    if row.recorded == Recorded.DEPLOYMENT:
        return Outcome(recorded=row.recorded)
    if row.deployed_at is None:
        row.deployed_at = deployed_at
        GitHubDeployment.objects.filter(pk=row.pk, deployed_at__isnull=True).update(deployed_at=deployed_at)
    decision = decide(row, deployed_at=row.deployed_at, now=now or timezone.now())
    if isinstance(decision, Unresolvable):
        if row.recorded != Recorded.UNRESOLVED:
            deployments_api.record_deployment(_report(row, deployed_at=row.deployed_at), unresolved=decision.reason)
        return _mark(row, Recorded.UNRESOLVED, decision.reason)
    if row.recorded == Recorded.UNRESOLVED:
        return _complete_unresolved(row, decision)
    result = deployments_api.record_deployment(_report(row, deployed_at=row.deployed_at, decision=decision))
    if result.outcome == deployments_api.RecordOutcome.CONFLICT:
        # recorded before under this id, unresolved (by another worker, or before this row knew it): complete it
        return _complete_unresolved(row, decision)
    return _mark(row, Recorded.DEPLOYMENT)


def _complete_unresolved(row: GitHubDeployment, decision: Deploy | Rollback) -> Outcome:
    if isinstance(decision, Rollback):
        # The deployment was recorded (unresolved, as a deployment) before the deployments it undoes were: a
        # recorded deployment does not become a rollback. It stays unresolved until a report says what it did.
        return _mark(row, Recorded.UNRESOLVED,
                     f"it returned {row.environment} to {short(row.sha)}, undoing "
                     f"{', '.join(decision.rolls_back)}, which were recorded after it: send a report of kind "
                     f"rollback with its heads to complete it")
    _complete(row, decision)
    return _mark(row, Recorded.DEPLOYMENT)


def record_failure(row: GitHubDeployment, *, failed_at: datetime) -> Outcome:
    """
    Record a failed attempt (no changes, no head moved), unless the deployment succeeded before: a failure after
    a success is kept as a status only.
    """
    if row.recorded in {Recorded.DEPLOYMENT, Recorded.UNRESOLVED, Recorded.FAILURE}:
        return Outcome(recorded=row.recorded, detail=row.detail)
    deployments_api.record_deployment(reports.deployment_report(
        deployment_id=reports.failure_id(row.repository, row.github_id), environment=row.environment,
        service=row.service, release=row.ref, deployed_at=failed_at, repository=row.repository, sha=None,
        result="failure",
    ))
    return _mark(row, Recorded.FAILURE)


@attr.s(frozen=True, auto_attribs=True)
class RetrySummary:
    """How many unresolved deployments a retry completed, and how many are still unresolved."""

    completed: int = 0
    unresolved: int = 0

    def __add__(self, other: RetrySummary) -> RetrySummary:
        return RetrySummary(completed=self.completed + other.completed, unresolved=self.unresolved + other.unresolved)


def retry_unresolved(repository: str | None = None, *, now: datetime | None = None,
                     history_only: bool = False) -> RetrySummary:
    """
    Try the unresolved GitHub deployments of ``repository`` (of every repository for None) again; complete those
    whose changes can be told now. Deployments that a report completed are marked so. ``history_only``: what arrived
    is history (a push, a merged pull request), which cannot give a deployment its previous head: those still
    waiting for one (as their last try found) are left for a deployment of the repository or the command, so that
    the cost does not grow with their number.
    """
    now = now or timezone.now()
    pending = {u.deployment_id: u for u in deployments_api.unresolved_deployments(repository=repository)
               if u.deployment_id.startswith("github:")}
    stale = GitHubDeployment.objects.filter(recorded=Recorded.UNRESOLVED).exclude(report_id__in=list(pending))
    if repository is not None:
        stale = stale.filter(repository_key=repository.lower())
    for row in stale:  # completed by a report with the same head, on the deployments side
        _mark(row, Recorded.DEPLOYMENT)
    if not pending:
        return RetrySummary()
    completed = unresolved = 0
    rows = GitHubDeployment.objects.filter(report_id__in=list(pending)).order_by("deployed_at", "id")
    if history_only:
        rows = rows.exclude(detail__startswith=NO_PREVIOUS_HEAD)
    for row in rows:
        item = pending[row.report_id]
        try:
            decision = decide(row, deployed_at=item.deployed_at, now=now)
            if isinstance(decision, Unresolvable):
                _mark(row, Recorded.UNRESOLVED, decision.reason)
            else:
                _complete_unresolved(row, decision)
        except (ValidationFailed, deployments_api.RecordingBusy) as exc:
            log.warning("Could not complete the GitHub deployment %s: %s", row.report_id, exc)
            _mark(row, Recorded.UNRESOLVED, f"completing it failed: {exc}")
        if row.recorded == Recorded.DEPLOYMENT:
            completed += 1
        else:
            unresolved += 1
    return RetrySummary(completed=completed, unresolved=unresolved)

