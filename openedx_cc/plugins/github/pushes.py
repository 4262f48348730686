"""
The branches' history: each push GitHub delivers is kept with the commits it listed (``record_push``), and the
pushes a question needs are loaded as a ``resolution.History`` (``load_history``), in a number of queries that does
not grow with the number of pushes or commits.

A push lists at most 2,048 commits (GitHub's limit for webhooks); the set keeps the last ``MAX_KEPT_COMMITS`` of them
and always the push's ``after`` last, so that the chain of links is never broken by what it leaves out.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attr
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from openedx_cc.plugins.github.models import GitHubPush, GitHubPushedCommit
from openedx_cc.plugins.github.payloads import PushEvent
from openedx_cc.plugins.github.resolution import History, PushedCommit, PushFacts

MAX_KEPT_COMMITS = 2048
MAX_TITLE_CHARS = 255
# The pushes that may lie on a range were all pushed after the first push that names one of its ends; GitHub's push
# times are whole seconds from its own clocks, so a margin keeps pushes of the same moment in.
_WINDOW_MARGIN = timedelta(days=1)


def _title(text: str) -> str:
    return text[:MAX_TITLE_CHARS]


def pushed_commits(event: PushEvent) -> list[PushedCommit]:
    """The commits of a push to keep, oldest first, ``after`` last: at most ``MAX_KEPT_COMMITS`` + 1."""
    commits = [PushedCommit(sha=commit.id, title=_title(commit.title)) for commit in event.commits]
    kept = commits[-MAX_KEPT_COMMITS:]
    if not kept or kept[-1].sha != event.after:
        head = event.head_commit
        kept.append(PushedCommit(sha=event.after,
                                 title=_title(head.title) if head is not None and head.id == event.after else ""))
    return kept


def record_push(event: PushEvent, *, repository: str, delivery_id: int | None, received_at: datetime) -> bool:
    """
    Keep a push to a branch (the caller resolved the repository's name). Returns False when the same push (same
    branch, same ``before`` and ``after``) was kept before, from this delivery or another hook's.
    """
    key = repository.lower()
    commits = pushed_commits(event)
    with transaction.atomic():
        push, created = GitHubPush.objects.get_or_create(
            repository_key=key, ref=event.ref, before=event.before, after=event.after,
            defaults={
                "repository": repository, "forced": event.forced, "created": event.created,
                "pusher": (event.pusher.name if event.pusher is not None else "")[:100],
                "pushed_at": event.repository.pushed_at or received_at, "commits_listed": len(event.commits),
                "commits_kept": len(commits), "delivery_id": delivery_id,
            },
        )
        if created:
            GitHubPushedCommit.objects.bulk_create(
                [GitHubPushedCommit(push=push, repository_key=key, sha=commit.sha, position=position,
                                    title=commit.title) for position, commit in enumerate(commits)],
                batch_size=500,
            )
    return created


def load_history(repository: str, ends: Iterable[str]) -> History:
    """
    The pushes of ``repository`` that may link the commits ``ends`` (a range's two ends, or more): those pushed since
    the first push that names one of them, as a commit it brought or as where it started. Three queries.
    """
    key = repository.lower()
    shas = sorted({sha.lower() for sha in ends})
    firsts = [
        GitHubPushedCommit.objects.filter(repository_key=key, sha__in=shas).aggregate(at=Min("push__pushed_at"))["at"],
        GitHubPush.objects.filter(repository_key=key, before__in=shas).aggregate(at=Min("pushed_at"))["at"],
    ]
    known = [first for first in firsts if first is not None]
    if not known:
        return History()
    rows = GitHubPushedCommit.objects.filter(repository_key=key, push__pushed_at__gte=min(known) - _WINDOW_MARGIN)\
        .order_by("push_id", "position")\
        .values_list("push_id", "sha", "title", "push__ref", "push__before", "push__after", "push__forced",
                     "push__recorded_at")
    pushes: list[PushFacts] = []
    commits: list[PushedCommit] = []
    current = None
    for push_id, sha, title, ref, before, after, forced, recorded_at in rows:
        if current is not None and current.id != push_id:
            pushes.append(attr.evolve(current, commits=tuple(commits)))
            commits = []
        if current is None or current.id != push_id:
            current = PushFacts(id=push_id, ref=ref, before=before, after=after, forced=forced,
                                recorded_at=recorded_at or timezone.now(), commits=())
        commits.append(PushedCommit(sha=sha, title=title))
    if current is not None:
        pushes.append(attr.evolve(current, commits=tuple(commits)))
    return History(pushes=tuple(pushes))
