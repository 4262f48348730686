"""
The step "resolve reverts" of the ingest, in three parts:

* ``find_revert_links``: the recorded changes that each reverting change of the report names (read; the matching
  is ``reverts.find_originals``, pure);
* ``store_revert_links``: the write of those links;
* ``load_revert_graph``: what the changes revert in turn, down to ``MAX_REVERT_DEPTH``, and which recorded changes
  revert them (reads): the ``RevertGraph`` that presences are settled with.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence

from django.db.models import Q

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.plugins.deployments.facts import ChangeFacts, RevertGraph
from openedx_cc.plugins.deployments.models import Change
from openedx_cc.plugins.deployments.reverts import MAX_REVERT_DEPTH, Reference, find_originals, title_key
from openedx_cc.plugins.ownership import api as ownership_api

_Links = Change.reverts.through
RevertLink = tuple[ChangeFacts, ChangeFacts]  # (the reverting change, the change it reverts)


def resolve_reverts(changes: Sequence[ChangeFacts], *, known: Mapping[int, ChangeFacts]) -> RevertGraph:
    """
    The revert graph around the report's stored ``changes``, starting from the ``known`` changes (the report's and
    those its rollback removes), with the links the report's reverts name stored first.
    """
    links = find_revert_links(changes)
    store_revert_links(links)
    return load_revert_graph(links, known=known)


def find_revert_links(changes: Sequence[ChangeFacts]) -> tuple[RevertLink, ...]:
    """The recorded changes that each reverting change names (a sha or a pull request wins over a title)."""
    detected = [c for c in changes if c.revert_references]
    if not detected:
        return ()
    shas, prs, titles = set(), set(), set()
    for change in detected:
        for ref in change.revert_references:
            if ref.kind == "sha":
                shas.add(ref.value)
            elif ref.kind == "pr":
                prs.add(_pr_key(change, ref))
            else:
                titles.add(title_key(ref.value))
    query = Q(pk__in=[])
    if shas:
        # full shas match exactly; abbreviated ones (7+ hex digits) by prefix, narrowed in Python below
        query |= Q(merge_sha__in=[s for s in shas if len(s) >= 40])
        for sha in (s for s in shas if len(s) < 40):
            query |= Q(merge_sha__startswith=sha)
    if prs:
        query |= Q(change_key__in=sorted(prs))
    if titles:
        query |= Q(title_key__in=sorted(titles), repository_key__in=sorted({c.repository_key for c in detected}))
    candidates = [ChangeFacts.from_row(row) for row in Change.objects.filter(query)]
    return tuple((change, original) for change in detected
                 for original in find_originals(change, candidates, pr_key=_pr_key))


def store_revert_links(links: Sequence[RevertLink]) -> None:
    """Write the links (those recorded before are kept as they are)."""
    if links:
        _Links.objects.bulk_create([_Links(from_change_id=change.id, to_change_id=original.id)
                                    for change, original in links], ignore_conflicts=True)


def load_revert_graph(links: Sequence[RevertLink], *, known: Mapping[int, ChangeFacts]) -> RevertGraph:
    """The graph of the new ``links`` and of the recorded links around them and the ``known`` changes."""
    by_id = dict(known)
    reverts: dict[int, list[int]] = defaultdict(list)
    reverted_by: dict[int, list[int]] = defaultdict(list)
    for change, original in links:
        reverts[change.stored_id].append(original.stored_id)
        reverted_by[original.stored_id].append(change.stored_id)
        by_id.setdefault(original.stored_id, original)
    frontier = set(by_id)
    seen: set[int] = set()
    for _depth in range(MAX_REVERT_DEPTH):
        todo = frontier - seen
        if not todo:
            break
        seen |= todo
        frontier = set()
        for row in _Links.objects.filter(from_change_id__in=todo).select_related("to_change"):
            if row.to_change_id not in reverts[row.from_change_id]:
                reverts[row.from_change_id].append(row.to_change_id)
            if row.to_change_id not in by_id:
                by_id[row.to_change_id] = ChangeFacts.from_row(row.to_change)
            frontier.add(row.to_change_id)
    # and the other way: which recorded changes revert these (a change stays out where its revert is deployed)
    for row in _Links.objects.filter(to_change_id__in=list(by_id)).select_related("from_change"):
        if row.from_change_id not in reverted_by[row.to_change_id]:
            reverted_by[row.to_change_id].append(row.from_change_id)
        if row.from_change_id not in by_id:
            by_id[row.from_change_id] = ChangeFacts.from_row(row.from_change)
    return RevertGraph(by_id, reverts, reverted_by)


def _pr_key(change: ChangeFacts, ref: Reference) -> str:
    """The ``change_key`` of the pull request that ``ref`` names, its repository resolved through the aliases."""
    repository = ref.repository or change.repository
    try:
        repository = ownership_api.resolve_repository_names([repository])[repository]
    except InvalidValue:
        pass
    return f"{repository.lower()}#{ref.value}"
