"""
The ingest of one report, inside one transaction: a pipeline of named steps over immutable values (``facts.py``).

1. ``store_deployment``: the deployment row (its report id is unique: ``AlreadyRecorded`` when another
   transaction stored it first);
2. ``load_rolled_back``: the deployments a rollback names, checked, and linked to it;
3. ``changes.resolve_changes``: the report's changes under their resolved names, matched with the recorded ones;
4. ``attribution.attribute``: who is credited with each change;
5. ``changes.store_changes``: the changes written, attributed, and linked to the deployment;
6. ``revert_links.resolve_reverts``: what reverts what among the changes around the report (the links the report's
   reverts name are found, stored, then the graph around them loaded);
7. ``presences.settle_presences`` (after ``load_presences``): where each change is after the report, the net
   moves, written by ``presences.save_presences``;
8. ``events.build_events`` and ``events.log_events``: the events of the moves;
9. ``build_answer`` and ``store_answer``: the answer, kept with the deployment for the same report sent again.

Beside the changes, ``heads.store_heads`` keeps the commit each repository now stands at (and
``heads.complete_covered`` completes the unresolved deployments that put the same heads there) and
``changes.store_direct_pushes`` the commits of no pull request. A failed attempt, and a deployment recorded as
unresolved, stop there: they bring no change. ``complete_deployment`` (``recording.py``) later runs steps 3 to 9 for
an unresolved deployment (``bring_changes``).
"""
from __future__ import annotations

from typing import Sequence

from django.db import IntegrityError, transaction

from openedx_cc.lib.errors import Problem, ValidationFailed
import attr

from openedx_cc.plugins.deployments import attribution, changes, events, heads, presences, revert_links
from openedx_cc.plugins.deployments.facts import ChangeFacts, DeploymentFacts, RevertGraph
from openedx_cc.plugins.deployments.models import Deployment
from openedx_cc.plugins.deployments.report import Report, ReportIn


class AlreadyRecorded(Exception):
    """Another transaction recorded this report id first."""


@attr.s(frozen=True, auto_attribs=True)
class Brought:
    """What the changes of a deployment did: the changes as stored, where they went, the revert links, the events."""

    stored: tuple[ChangeFacts, ...] = ()
    settlement: presences.Settlement | None = None
    graph: RevertGraph | None = None
    logged: tuple = ()


def ingest_report(report: Report, *, unresolved: str = "") -> dict:
    """
    Record ``report`` (in the caller's transaction, its environment locked) and return the answer. With
    ``unresolved`` (what is missing, for people), the deployment is recorded with its heads and direct pushes but
    none of its changes: ``complete_deployment`` brings them later.
    """
    data = report.data
    deployment = store_deployment(report, missing=unresolved)
    rolled_back = load_rolled_back(data, deployment=deployment)
    resolved_heads = heads.resolve_heads(data)
    heads.store_heads(resolved_heads, deployment=deployment)
    changes.store_direct_pushes(data.direct_pushes, deployment=deployment)
    completed = [] if unresolved else heads.complete_covered(resolved_heads, deployment=deployment)
    brought = Brought()
    if data.result == "success" and not unresolved:
        brought = bring_changes(data, deployment=deployment, rolled_back=rolled_back,
                                rolled_back_repositories=[name.lower() for name in resolved_heads])
    body = build_answer(data, brought, missing=unresolved, completed=completed)
    store_answer(deployment, body)
    return body


def bring_changes(data: ReportIn, *, deployment: DeploymentFacts, rolled_back: Sequence[int] = (),
                  rolled_back_repositories: Sequence[str] = ()) -> Brought:
    """
    Steps 3 to 8: the report's changes resolved, attributed and stored, their reverts, presences and events. A
    rollback removes what the ``rolled_back`` deployments brought; only in ``rolled_back_repositories`` (keys) when
    the rollback names its heads.
    """
    # resolve names -> attribute -> store the changes
    listed = changes.resolve_changes(data)
    attributions = attribution.attribute(listed)
    stored = changes.store_changes(listed, attributions, deployment=deployment)
    # resolve reverts, around the report's changes and those its rollback removes
    rolled_presences, rolled_changes = presences.load_rolled_back_presences(
        data.environment, rolled_back, repository_keys=rolled_back_repositories)
    known = {change.stored_id: change for change in stored}
    known.update((change.stored_id, change) for change in rolled_changes if change.stored_id not in known)
    graph = revert_links.resolve_reverts(stored, known=known)
    # settle presences
    before = presences.load_presences(data.environment, list(graph.changes), loaded=rolled_presences)
    settlement = presences.settle_presences(before, deployment_id=deployment.id,
                                            rolled_back=[change.stored_id for change in rolled_changes],
                                            arriving=[change.stored_id for change in stored], graph=graph)
    presences.save_presences(settlement, before, deployment=deployment, graph=graph)
    # build events
    logged = events.log_events(events.build_events(settlement, deployment=deployment, before=before, graph=graph))
    return Brought(stored=tuple(stored), settlement=settlement, graph=graph, logged=tuple(logged))


def store_deployment(report: Report, *, missing: str = "") -> DeploymentFacts:
    """Insert the deployment row; ``AlreadyRecorded`` when its report id is taken."""
    data = report.data
    row = Deployment(report_id=data.id, environment=data.environment, service=data.service, release=data.release,
                     kind=data.kind, deployed_at=data.deployed_at, body_sha256=report.body_sha256,
                     source=data.source, result=data.result, missing=missing)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise AlreadyRecorded() from exc
    return DeploymentFacts.from_row(row)


def load_rolled_back(data: ReportIn, *, deployment: DeploymentFacts) -> tuple[int, ...]:
    """
    The ids of the deployments that the report rolls back, after checking that each is recorded, was to the same
    environment and is not dated after the rollback (``ValidationFailed`` otherwise); links them to ``deployment``.
    """
    if not data.rolls_back:
        return ()
    found = {d.report_id: d for d in Deployment.objects.filter(report_id__in=data.rolls_back).defer("answer")}
    problems = []
    for index, report_id in enumerate(data.rolls_back):
        rolled = found.get(report_id)
        if rolled is None:
            problems.append(Problem(field=f"rolls_back[{index}]", message=f"no deployment {report_id!r} is recorded"))
        elif rolled.environment != data.environment:
            problems.append(Problem(field=f"rolls_back[{index}]",
                                    message=f"deployment {report_id!r} was to {rolled.environment}, "
                                            f"not {data.environment}"))
        elif rolled.deployed_at > data.deployed_at:
            problems.append(Problem(field="deployed_at",
                                    message=f"the rollback is dated {data.deployed_at.isoformat()}, before "
                                            f"deployment {report_id!r} that it rolls back "
                                            f"({rolled.deployed_at.isoformat()})"))
    if problems:
        raise ValidationFailed(problems)
    ids = tuple(found[report_id].id for report_id in data.rolls_back)
    Deployment(pk=deployment.id).rolls_back.set(ids)
    return ids


def build_answer(data: ReportIn, brought: Brought, *, missing: str = "", completed: Sequence[str] = ()) -> dict:
    """
    The JSON answer to the report: its changes with their attribution (and where their merger came from), what it
    removed and kept out, its events; for an unresolved deployment, what is missing.
    """
    graph, settlement = brought.graph, brought.settlement
    answer = {
        "id": data.id,
        "environment": data.environment,
        "service": data.service,
        "release": data.release,
        "kind": data.kind,
        "source": data.source,
        "result": data.result,
        "deployed_at": data.deployed_at.isoformat().replace("+00:00", "Z"),
        "rolls_back": list(data.rolls_back),
        "heads": dict(data.heads),
        "direct_pushes": len(data.direct_pushes),
        "unresolved": missing or None,
        "completes": list(completed),
        "changes": [
            {
                "repository": change.repository,
                "pr_number": change.pr_number,
                "merge_sha": change.merge_sha,
                "author": change.author or None,
                "merged_by": change.merged_by or None,
                "merged_by_from": change.merged_by_source or None,
                "cc_change": change.is_cc_change,
                "core_committer": change.core_committer or None,
                "attribution": change.attribution,
                "revert": change.revert_rule or None,
                "reverts": [graph.changes[i].name for i in graph.reverted(change.stored_id)] if graph else [],
            }
            for change in brought.stored
        ],
        "removed": [],
        "kept_out": [],
        "events": [
            {
                "event_type": event.event_type,
                "event_id": str(event.event_id),
                "repository": event.data["change"]["repository"],
                "pr_number": event.data["change"]["pr_number"],
            }
            for event in brought.logged
        ],
    }
    if graph is not None and settlement is not None:
        answer["removed"] = [
            {"repository": graph.changes[move.change_id].repository,
             "pr_number": graph.changes[move.change_id].pr_number, "kind": move.kind,
             "by": graph.changes[move.by_change].name if move.by_change is not None else data.id}
            for move in settlement.moves if isinstance(move, presences.Removal)
        ]
        answer["kept_out"] = [
            {"repository": graph.changes[kept.change_id].repository,
             "pr_number": graph.changes[kept.change_id].pr_number,
             "reverted_by": graph.changes[kept.reverted_by].name}
            for kept in settlement.kept_out
        ]
    return answer


def store_answer(deployment: DeploymentFacts, body: dict) -> None:
    """Keep the answer with the deployment, for the same report sent again."""
    Deployment.objects.filter(pk=deployment.id).update(answer=body)
