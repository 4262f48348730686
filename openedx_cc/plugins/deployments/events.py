"""
The events of a report (docs/reference/events.rst): ``CC_CHANGE_DEPLOYED`` for each Core Committer change that arrived
in the environment, ``CC_CHANGE_REVERTED`` for each that left it, built from the settled presences (``build_events``,
pure) and written to the event log, to be sent after the transaction commits (``log_events``).
"""
from __future__ import annotations

from typing import Sequence

from openedx_cc.events import CC_CHANGE_DEPLOYED, CC_CHANGE_REVERTED, CCChangeData, CCDeploymentData, CCRevertData
from openedx_cc.plugins.deployments.facts import ChangeFacts, DeploymentFacts, RevertGraph
from openedx_cc.plugins.deployments.presences import Arrival, Presences, Settlement
from openedx_cc.plugins.eventlog import api as eventlog_api


def deployment_data(deployment: DeploymentFacts) -> CCDeploymentData:
    """The event payload of a deployment."""
    return CCDeploymentData(
        deployment_id=deployment.report_id,
        environment=deployment.environment,
        service=deployment.service,
        release=deployment.release,
        deployed_at=deployment.deployed_at,
    )


def change_data(change: ChangeFacts) -> CCChangeData:
    """The event payload of a change."""
    return CCChangeData(
        repository=change.repository,
        pr_number=change.pr_number,
        title=change.title,
        url=change.url,
        merge_sha=change.merge_sha,
        author=change.author,
        merged_by=change.merged_by,
        core_committer=change.core_committer,
        merged_at=change.merged_at,
    )


def build_events(settlement: Settlement, *, deployment: DeploymentFacts, before: Presences,
                 graph: RevertGraph) -> tuple[eventlog_api.PendingEvent, ...]:
    """The events of the report's moves of Core Committer changes, in the order of the moves."""
    events = []
    for move in settlement.moves:
        change = graph.changes[move.change_id]
        if not change.is_cc_change:
            continue
        if isinstance(move, Arrival):
            data = {"change": change_data(change), "deployment": deployment_data(deployment)}
        else:
            by_change = graph.changes[move.by_change] if move.by_change is not None else None
            data = {
                "change": change_data(change),
                "deployment": deployment_data(before.brought_by[move.brought_by]),
                # None for a rollback: openedx-events makes a field nullable by its default of None, and its Avro
                # schema wants the bare type (int, str) in attr.ib(type=...), which is what mypy checks against.
                "revert": CCRevertData(
                    kind=move.kind,
                    by_deployment_id=deployment.report_id,
                    revert_pr_number=by_change.pr_number if by_change else None,  # type: ignore[arg-type]
                    revert_merge_sha=by_change.merge_sha if by_change else None,  # type: ignore[arg-type]
                    reverted_at=deployment.deployed_at,
                ),
            }
        events.append(eventlog_api.PendingEvent(signal=CC_CHANGE_DEPLOYED if isinstance(move, Arrival)
                                                else CC_CHANGE_REVERTED, data=data, time=deployment.deployed_at))
    return tuple(events)


def log_events(events: Sequence[eventlog_api.PendingEvent]) -> list:
    """Write the events to the event log; they are sent after the transaction commits."""
    return eventlog_api.emit_events(list(events))
