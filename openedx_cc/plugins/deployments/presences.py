"""
The presence ledger (docs/reference/report-format.rst, docs/reference/glossary.rst): where each change is deployed now
(``Presence`` rows), and each of its presences there as a period (``DeploymentSpan`` rows).

* ``load_rolled_back_presences`` and ``load_presences`` read where the changes an ingest knows are before the report;
* ``settle_presences`` (pure) moves them: a rollback removes what the rolled-back deployments brought, each change
  of the report arrives in merge order, a revert arriving removes what it reverts, a revert leaving re-applies what
  it had removed. What the report *announces* is the net effect per change: a change that arrives and leaves within
  one report (a change and its revert deployed together) was never there, and a change whose revert is deployed in
  the environment stays out;
* ``save_presences`` writes the net effect: where each change is, and the periods opened and closed.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

import attr

from openedx_cc.lib.bulk import update_in_groups
from openedx_cc.plugins.deployments.facts import ChangeFacts, DeploymentFacts, RevertGraph, frozen_mapping
from openedx_cc.plugins.deployments.models import DeploymentSpan, Presence
from openedx_cc.plugins.deployments.reverts import MAX_REVERT_DEPTH

# A presence loads the deployment that brought it without that deployment's stored answer: the answer grows with the
# deployment's changes, and decoding it once per presence made rollbacks quadratic (docs/decisions/0012).
_DEPLOYMENT_ANSWER = ("deployed_by__answer",)


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class Place:
    """Where one change is in the environment: present or not, brought by, removed by (a deployment, a change)."""

    present: bool
    deployed_by: int
    removed_by: int | None = None
    removed_kind: str = ""
    removed_by_change: int | None = None


@attr.s(frozen=True, auto_attribs=True)
class OpenSpan:
    """The presence of a change in the environment that no deployment has ended yet (an open ``DeploymentSpan``)."""

    id: int
    deployed_at: datetime


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    """``tuple`` as a converter that mypy can type (its attrs plugin leaves the type variable of ``tuple`` unsolved)."""
    return tuple(items)


@attr.s(frozen=True, kw_only=True)
class Presences:
    """
    The stored presences of some changes in one environment, by change id: their ``places``, their row ids, the
    deployments that brought them (``brought_by``: deployment id -> facts) and their open spans.
    """

    places = attr.ib(type=Mapping[int, Place], converter=frozen_mapping, factory=dict)
    row_ids = attr.ib(type=Mapping[int, int], converter=frozen_mapping, factory=dict)
    brought_by = attr.ib(type=Mapping[int, DeploymentFacts], converter=frozen_mapping, factory=dict)
    open_spans = attr.ib(type=Mapping[int, OpenSpan], converter=frozen_mapping, factory=dict)


@attr.s(frozen=True, auto_attribs=True)
class Arrival:
    """A change the report brought to the environment."""

    change_id: int


@attr.s(frozen=True, auto_attribs=True)
class Removal:
    """A change the report removed: ``kind`` "revert" (by ``by_change``) or "rollback"; ``brought_by`` a deployment."""

    change_id: int
    kind: str
    by_change: int | None
    brought_by: int


@attr.s(frozen=True, auto_attribs=True)
class KeptOut:
    """A change of the report that stays out: ``reverted_by``, which reverts it, is deployed in the environment."""

    change_id: int
    reverted_by: int


@attr.s(frozen=True, kw_only=True)
class Settlement:
    """
    The net effect of a report on the presences it touched: their final ``places`` (by change id), the order it
    touched them in, the ``moves`` (arrivals and removals interleaved, in the order the report touched the changes,
    which the events follow) and the changes it kept out.
    """

    places = attr.ib(type=Mapping[int, Place], converter=frozen_mapping)
    touched = attr.ib(type=tuple[int, ...], converter=_tuple)
    moves = attr.ib(type=tuple[Arrival | Removal, ...], converter=_tuple)
    kept_out = attr.ib(type=tuple[KeptOut, ...], converter=_tuple)


def load_rolled_back_presences(environment: str, rolled_back: Sequence[int], *,
                               repository_keys: Sequence[str] = ()) -> tuple[Presences, tuple[ChangeFacts, ...]]:
    """
    The changes that the rolled-back deployments (ids) brought to ``environment`` and that are still there, in merge
    order, with their presences; only those of ``repository_keys`` when given (a rollback that names its heads rolls
    back those repositories, not the others a rolled-back deployment also brought).
    """
    if not rolled_back:
        return Presences(), ()
    query = Presence.objects.filter(environment=environment, deployed_by__in=rolled_back, present=True)
    if repository_keys:
        query = query.filter(change__repository_key__in=list(repository_keys))
    rows = list(
        query.select_related("deployed_by", "change").defer(*_DEPLOYMENT_ANSWER)
        .order_by("change__merged_at", "change_id")
    )
    return _presences(rows), tuple(ChangeFacts.from_row(row.change) for row in rows)


def load_presences(environment: str, change_ids: Sequence[int], *, loaded: Presences) -> Presences:
    """Add to ``loaded`` the presences of the other ``change_ids`` in ``environment``, and their open spans."""
    wanted = [change_id for change_id in change_ids if change_id not in loaded.places]
    rows = Presence.objects.filter(environment=environment, change_id__in=wanted).select_related("deployed_by")\
        .defer(*_DEPLOYMENT_ANSWER)
    more = _presences(rows)
    spans = DeploymentSpan.objects.filter(environment=environment, change_id__in=list(change_ids),
                                          removed_at__isnull=True).values_list("change_id", "id", "deployed_at")
    return Presences(
        places={**loaded.places, **more.places}, row_ids={**loaded.row_ids, **more.row_ids},
        brought_by={**loaded.brought_by, **more.brought_by},
        open_spans={change_id: OpenSpan(span_id, deployed_at) for change_id, span_id, deployed_at in spans},
    )


def _presences(rows) -> Presences:
    return Presences(
        places={row.change_id: Place(present=row.present, deployed_by=row.deployed_by_id, removed_by=row.removed_by_id,
                                     removed_kind=row.removed_kind, removed_by_change=row.removed_by_change_id)
                for row in rows},
        row_ids={row.change_id: row.id for row in rows},
        brought_by={row.deployed_by_id: DeploymentFacts.from_row(row.deployed_by) for row in rows},
    )


def settle_presences(before: Presences, *, deployment_id: int, rolled_back: Sequence[int], arriving: Sequence[int],
                     graph: RevertGraph) -> Settlement:
    """
    Move the changes of ``before`` (the places the report starts from): remove the ``rolled_back`` ones, then bring
    the ``arriving`` ones in merge order; ``graph`` says what reverts what. Pure: returns the net effect.
    """
    places = dict(before.places)
    initial: dict[int, Place | None] = {}  # change id -> where it was before the report (None: never there)
    kept_out: list[KeptOut] = []

    def touch(change_id):
        if change_id not in initial:
            initial[change_id] = places.get(change_id)

    def revert_in_place(change_id):
        """A change that reverts ``change_id`` and is deployed in this environment now, if any."""
        return next((rid for rid in graph.reverting(change_id) if places.get(rid) and places[rid].present), None)

    def bring(change_id, depth=0):
        """The change reaches the environment (deployed, or re-applied because its revert was undone)."""
        place = places.get(change_id)
        if place is not None and place.present:
            return
        reverting = revert_in_place(change_id)
        if reverting is not None:  # its revert is deployed here: the change stays out
            kept_out.append(KeptOut(change_id, reverting))
            return
        touch(change_id)
        places[change_id] = Place(present=True, deployed_by=deployment_id)
        if depth < MAX_REVERT_DEPTH:
            for original_id in graph.reverted(change_id):
                remove(original_id, kind="revert", by_change=change_id, depth=depth + 1)

    def remove(change_id, *, kind, by_change=None, depth=0):
        """The change leaves the environment, reverted by ``by_change`` or rolled back."""
        place = places.get(change_id)
        if place is None or not place.present:
            return
        touch(change_id)
        places[change_id] = attr.evolve(place, present=False, removed_by=deployment_id, removed_kind=kind,
                                        removed_by_change=by_change)
        if depth < MAX_REVERT_DEPTH:  # undoing a revert re-applies what it had removed here
            for original_id in graph.reverted(change_id):
                original = places.get(original_id)
                if original is not None and not original.present and original.removed_by_change == change_id:
                    bring(original_id, depth=depth + 1)

    for change_id in rolled_back:
        remove(change_id, kind="rollback")
    for change_id in sorted(arriving, key=lambda i: (graph.changes[i].merged_at, graph.changes[i].pr_number)):
        bring(change_id)
    moves: list[Arrival | Removal] = []
    for change_id, was in initial.items():
        now = places[change_id]
        if was is None or not was.present:  # it was not there
            if now.present:
                moves.append(Arrival(change_id))
        elif not now.present:
            moves.append(Removal(change_id, now.removed_kind, now.removed_by_change, was.deployed_by))
        else:  # left and came back within the report: nothing changed
            places[change_id] = attr.evolve(now, deployed_by=was.deployed_by)
    return Settlement(places={change_id: places[change_id] for change_id in initial}, touched=initial,
                      moves=moves, kept_out=kept_out)


def save_presences(settlement: Settlement, before: Presences, *, deployment: DeploymentFacts,
                   graph: RevertGraph) -> None:
    """Write the settled presences: open a period for each arrival and close the open period of each removal."""
    new: list[Presence] = []
    old: list[Presence] = []
    for change_id in settlement.touched:
        place = settlement.places[change_id]
        row = Presence(pk=before.row_ids.get(change_id), change_id=change_id, environment=deployment.environment,
                       present=place.present, deployed_by_id=place.deployed_by, removed_by_id=place.removed_by,
                       removed_kind=place.removed_kind, removed_by_change_id=place.removed_by_change)
        (old if row.pk is not None else new).append(row)
    Presence.objects.bulk_create(new)
    update_in_groups(Presence, old, ["present", "deployed_by", "removed_by", "removed_kind", "removed_by_change"])
    opened, closed = [], []
    for move in settlement.moves:
        if isinstance(move, Arrival):
            change = graph.changes[move.change_id]
            opened.append(DeploymentSpan(
                change_id=change.stored_id, environment=deployment.environment, deployed_by_id=deployment.id,
                deployed_at=deployment.deployed_at, release=deployment.release,
                repository_key=change.repository_key, is_cc_change=change.is_cc_change,
                core_committer=change.core_committer,
            ))
        elif (span := before.open_spans.get(move.change_id)) is not None:
            closed.append(DeploymentSpan(
                pk=span.id, removed_by_id=deployment.id, removed_at=deployment.deployed_at, removed_kind=move.kind,
                seconds_to_removal=max(0, int((deployment.deployed_at - span.deployed_at).total_seconds())),
            ))
    DeploymentSpan.objects.bulk_create(opened)
    update_in_groups(DeploymentSpan, closed, ["removed_by", "removed_at", "removed_kind", "seconds_to_removal"])

