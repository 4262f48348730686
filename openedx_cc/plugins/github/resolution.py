"""
What a GitHub deployment brought to its environment, decided from the recorded pushes alone: pure functions over a
``History`` (the pushes loaded by ``pushes.load_history``), with no database access.

GitHub's push payloads name no parent commits. A push says that a branch moved from ``before`` to ``after`` and lists
the commits it brought, oldest first; the set reads each push as a chain of links ``before -> c1 -> c2 -> ... ->
after`` (docs/decisions/0014-github-intake.rst). Ancestry is what these links connect. The first link of a forced push
is no ancestry (the branch was rewritten), so it is never followed; a range that only a forced push connects is
unresolved, and says so.

The commits a deployment brought are the ancestors of its commit that are not ancestors of the environment's previous
head (as ``git log previous..target`` counts them). Among them, the merge commits of merged pull requests are its
changes; the last commit a push brought (its head, within the range) that is the merge commit of no pull request is a
direct push, credited to nobody -- unless its message names a pull request whose delivery may still be on its way
(``PULL_REQUEST_GRACE``), in which case the range waits for it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import attr

from openedx_cc.plugins.github.payloads import ZERO_SHA

# GitHub sends the pull_request "closed" delivery within seconds of the push of its merge commit. A commit whose
# message names a pull request that the set has not heard of waits this long for it, then counts as a direct push
# (a cherry-pick of a pull request merged elsewhere names one too).
PULL_REQUEST_GRACE = timedelta(hours=1)
# The merge button's message names its pull request; a squash merge's subject ends in "(#N)" (which, in a commit
# that is not the head of its push, more often refers to an issue).
_MERGE_BUTTON = re.compile(r"^Merge pull request #(\d+) from ")
_SQUASH_SUFFIX = re.compile(r"\(#(\d+)\)\s*$")


@attr.s(frozen=True, auto_attribs=True)
class PushedCommit:
    """A commit a push listed: its sha and the first line of its message."""

    sha: str
    title: str = ""


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class PushFacts:
    """A recorded push: the branch moved from ``before`` to ``after`` bringing ``commits`` (the last is ``after``)."""

    id: int
    ref: str
    before: str
    after: str
    forced: bool
    recorded_at: datetime
    commits: tuple[PushedCommit, ...]


@attr.s(frozen=True, auto_attribs=True)
class Link:
    """``child`` has ``parent`` before it in push ``push_id``; ``forced`` for the first link of a forced push."""

    parent: str
    child: str
    push_id: int
    forced: bool


@attr.s(frozen=True, auto_attribs=True)
class History:
    """The recorded pushes of one repository that a question needs, and the links they make."""

    pushes: tuple[PushFacts, ...] = ()

    def links(self) -> Iterable[Link]:
        """Every link of every push, in order."""
        for push in self.pushes:
            parent = push.before if push.before != ZERO_SHA else None
            for index, commit in enumerate(push.commits):
                if parent is not None and parent != commit.sha:
                    yield Link(parent=parent, child=commit.sha, push_id=push.id, forced=push.forced and index == 0)
                parent = commit.sha

    def parents(self, *, forced: bool = False) -> dict[str, set[str]]:
        """``{commit: its parents}`` along the links (the first links of forced pushes only when ``forced``)."""
        out: dict[str, set[str]] = {}
        for link in self.links():
            if forced or not link.forced:
                out.setdefault(link.child, set()).add(link.parent)
        return out

    def known(self, sha: str) -> bool:
        """Whether a recorded push names ``sha`` (as a commit it brought, or as where it started)."""
        return any(push.before == sha or any(c.sha == sha for c in push.commits) for push in self.pushes)


def ancestors(parents: Mapping[str, set[str]], sha: str) -> set[str]:
    """``sha`` and every commit the links lead back to from it."""
    seen = {sha}
    stack = [sha]
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _roots(parents: Mapping[str, set[str]], reached: set[str]) -> list[str]:
    """The commits of ``reached`` that no link leads back from (where the recorded history stops)."""
    return sorted(sha for sha in reached if not parents.get(sha))


@attr.s(frozen=True, auto_attribs=True)
class Range:
    """The commits a deployment brought (``previous..target``) and the heads of the pushes that brought them."""

    commits: frozenset[str]
    heads: tuple[tuple[PushFacts, PushedCommit], ...]  # per push, its last commit in the range


@attr.s(frozen=True, auto_attribs=True)
class Unresolvable:
    """Why a range cannot be told from the recorded pushes, for people."""

    reason: str


def short(sha: str) -> str:
    """The abbreviated sha people read."""
    return sha[:12]


def find_range(history: History, previous: str, target: str) -> Range | Unresolvable:
    """
    The commits between ``previous`` (excluded) and ``target`` (included), when the links lead from ``target`` back
    to ``previous`` without crossing a forced push; otherwise why not.
    """
    parents = history.parents()
    reached = ancestors(parents, target)
    if previous not in reached:
        if not history.known(target):
            return Unresolvable(f"no recorded push brought {short(target)}: the pushes that lead to it have not "
                                f"arrived")
        if previous in ancestors(history.parents(forced=True), target):
            forced = sorted({push.ref for push in history.pushes if push.forced})
            return Unresolvable(f"a force-push ({', '.join(forced)}) lies between {short(previous)} and "
                                f"{short(target)}: the pushes no longer tell what the deployment brought")
        roots = ", ".join(short(sha) for sha in _roots(parents, reached)[:3])
        return Unresolvable(f"the recorded pushes lead back from {short(target)} to {roots}, not to the previous "
                            f"head {short(previous)}: the pushes in between have not arrived")
    commits = frozenset(reached - ancestors(parents, previous))
    heads = []
    for push in history.pushes:
        inside = [commit for commit in push.commits if commit.sha in commits]
        if inside:
            heads.append((push, inside[-1]))
    return Range(commits=commits, heads=tuple(heads))


def is_ancestor(history: History, older: str, newer: str) -> bool:
    """Whether the links lead from ``newer`` back to ``older`` (another commit), never across a forced push."""
    return older != newer and older in ancestors(history.parents(), newer)


def named_pull_request(title: str, *, head: bool) -> int | None:
    """
    The pull request a commit's first line says it merged: the merge button's "Merge pull request #N from ...", or,
    for the head of a push, a squash merge's "... (#N)".
    """
    match = _MERGE_BUTTON.search(title) or (_SQUASH_SUFFIX.search(title) if head else None)
    return int(match.group(1)) if match else None


@attr.s(frozen=True, auto_attribs=True)
class DirectPush:
    """A commit deployed that belongs to no pull request (credited to nobody)."""

    sha: str
    title: str


@attr.s(frozen=True, auto_attribs=True)
class Settled:
    """What a range brought: the merge shas of its changes, and its direct pushes."""

    merge_shas: tuple[str, ...]
    direct_pushes: tuple[DirectPush, ...]


def settle(commits_range: Range, merge_shas: Iterable[str], *, now: datetime,
           grace: timedelta = PULL_REQUEST_GRACE) -> Settled | Unresolvable:
    """
    The changes (``merge_shas``: those of the known merged pull requests, lower case) and the direct pushes of a
    range; unresolved while a commit of the range names a pull request whose delivery may still come.
    """
    merged = {sha for sha in merge_shas if sha in commits_range.commits}
    # A head that another push of the range lists before its own head was brought by that push (a branch merged
    # with a merge commit lists the branch's commits): it is no push of its own.
    interior: dict[str, set[int]] = {}
    for push, _head in commits_range.heads:
        for commit in push.commits[:-1]:
            interior.setdefault(commit.sha, set()).add(push.id)
    waiting = []
    for push, head in commits_range.heads:
        if now - push.recorded_at >= grace:
            continue
        for listed in push.commits:
            if listed.sha not in commits_range.commits or listed.sha in merged:
                continue
            number = named_pull_request(listed.title, head=listed.sha == head.sha)
            if number is not None:
                waiting.append(f"#{number} ({short(listed.sha)})")
    if waiting:
        return Unresolvable(f"waiting for the pull_request deliveries of {', '.join(sorted(set(waiting)))}, "
                            f"merged by commits of the range")
    direct: dict[str, DirectPush] = {}
    for push, head in commits_range.heads:
        if head.sha in merged or head.sha in direct or interior.get(head.sha, set()) - {push.id}:
            continue
        direct[head.sha] = DirectPush(sha=head.sha, title=head.title)
    return Settled(merge_shas=tuple(sorted(merged)), direct_pushes=tuple(direct.values()))


@attr.s(frozen=True, auto_attribs=True)
class PreviousHead:
    """A head the environment had: the deployment that put ``sha`` there."""

    deployment_id: str
    sha: str


def rolled_back(history: History, earlier: Sequence[PreviousHead], target: str) -> list[str]:
    """
    The deployments that a return to ``target`` undoes: the latest of ``earlier`` (oldest first) whose heads descend
    from ``target``, back to the first that does not. Oldest first.
    """
    parents = history.parents()
    undone = []
    for head in reversed(earlier):
        if head.sha == target or target not in ancestors(parents, head.sha):
            break
        undone.append(head.deployment_id)
    return list(reversed(undone))
