"""
The ownership event: building and logging ``CC_OWNERSHIP_CHANGED`` for the rights that were granted, changed or
revoked (by the write services of ``services.py`` and by the sync engine of ``sync.py``, which both call down into
this module). Events are written to the event log now and sent after the transaction commits (``eventlog``).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from django.utils import timezone

from openedx_cc.events import CC_OWNERSHIP_CHANGED, CCOwnershipData
from openedx_cc.plugins.eventlog import api as eventlog_api
from openedx_cc.plugins.ownership import selectors
from openedx_cc.plugins.ownership.data import RightChange, RightData
from openedx_cc.plugins.ownership.evaluation import right_covers
from openedx_cc.plugins.ownership.models import CommitRight


def _event_scopes(right: RightData) -> list[tuple[str, list[str]]]:
    """
    The scopes an ownership event names for a right, with the paths that scope means: ("", []) for the whole
    repository, (extension name, [its path]), or one (prefix, [prefix]) per path.
    """
    if right.extension:
        return [(right.extension, [right.extension_path])]
    if right.paths:
        return [(p, [p]) for p in right.paths]
    return [("", [])]


def emit_ownership_events(changes: Sequence[RightChange]) -> list:
    """
    Log (and, after commit, send) one ``CC_OWNERSHIP_CHANGED`` per scope of each changed right, with ``effective``
    computed after the change from all of the user's rights. A fixed number of queries for any number of changes.
    Returns the logged events.
    """
    if not changes:
        return []
    now = timezone.now()
    ids = [c.right_id for c in changes]
    changed = {
        r.id: r
        for r in CommitRight.objects.filter(id__in=ids).select_related("committer__organization", "repository",
                                                                       "extension")
    }
    committers = {r.committer_id: r.committer for r in changed.values()}
    all_rights = defaultdict(list)
    for right in CommitRight.objects.filter(committer_id__in=list(committers)).select_related(
        "committer", "repository", "extension"
    ):
        all_rights[right.committer_id].append(selectors.right_data(right))
    good = selectors.committers_in_good_standing(committers.values(), now)
    events = []
    for change in changes:
        changed_right = changed.get(change.right_id)
        if changed_right is None:
            continue
        data = selectors.right_data(changed_right)
        repository_key = data.repository.lower()
        for scope, scope_paths in _event_scopes(data):
            effective = changed_right.committer_id in good and any(
                other.valid_at(now) and right_covers(other, repository_key=repository_key, paths=scope_paths,
                                                     branch=None if not data.branches else data.branches[0])
                for other in all_rights[changed_right.committer_id]
            )
            events.append(
                eventlog_api.PendingEvent(
                    signal=CC_OWNERSHIP_CHANGED,
                    data={
                        "ownership": CCOwnershipData(
                            github_username=changed_right.committer.github_username,
                            repository=data.repository,
                            scope=scope,
                            action=change.action,
                            effective=effective,
                            changed_at=now,
                        )
                    },
                    time=now,
                )
            )
    return eventlog_api.emit_events(events)
