"""
What one repository deployed: the range from the environment's previous head to the new one, checked for its
direction, and its first-parent commits sorted into changes and direct pushes.

The notes it returns (direct pushes, unknown authors, fields cut to the report's limits) are for the person reading
the pipeline's log; the command prints them on standard error.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from openedx_cc.reporter.git import Commit, Person, Repository
from openedx_cc.reporter.pullrequests import (
    NO_AUTHORS,
    UNKNOWN,
    AuthorLogin,
    AuthorMap,
    Change,
    DirectPush,
    author_commit,
    author_login,
    pull_request_subject,
    read_change,
    split_message,
)
from openedx_cc.reporter.report import MAX_BODY_CHARS, MAX_PATHS, MAX_TITLE_CHARS, any_refused_path

DEPLOY = "deploy"
ROLLBACK = "rollback"
MISSING_BRANCH = AuthorLogin(login="", how="missing", name="", email="")


class RangeError(Exception):
    """The refs given do not make a range the report can describe (e.g. ``--from`` is not an ancestor of ``--to``)."""


@dataclass(frozen=True)
class Deployed:
    """What one repository deployed: the heads before (``previous``) and after (``head``), what came in between."""

    repository: str
    previous: str
    head: str
    changes: tuple[Change, ...]
    direct_pushes: tuple[DirectPush, ...]
    notes: tuple[str, ...]


# One first-parent commit as read: the commit, its subject, its change if it names a pull request (its author still
# to find), and the notes on what the report's limits cut from it.
_Entry = tuple[Commit, str, Change | None, list[str]]


def read_deployed(repo: Repository, *, repository: str, previous: str, head: str, kind: str = DEPLOY,
                  authors: AuthorMap = NO_AUTHORS) -> Deployed:
    """
    The changes and direct pushes that moving ``repository`` from ``previous`` to ``head`` (full shas) deployed.

    A deploy moves forward (``previous`` is an ancestor of ``head``), a rollback back (``head`` is an ancestor of
    ``previous``); either may stay where it is. A rollback lists no changes: the server removes what the deployments
    it rolls back brought (docs/reference/cli.rst).
    """
    if previous == head:
        return Deployed(repository=repository, previous=previous, head=head, changes=(), direct_pushes=(), notes=())
    if kind == ROLLBACK:
        if not repo.is_ancestor(head, previous):
            raise RangeError(f"{repo.path}: --to {head[:12]} is not an ancestor of --from {previous[:12]}: a rollback "
                             "goes back along the history it deployed")
        return Deployed(repository=repository, previous=previous, head=head, changes=(), direct_pushes=(), notes=())
    entries, found = _read_log(repo, repository=repository, previous=previous, head=head)
    # The usual case needs no ancestry query: previous is the first parent of the oldest commit of the range. No
    # commit at all: everything in head is in previous already, head is behind it.
    if not entries or (entries[-1][0].parents[:1] != (previous,) and not repo.is_ancestor(previous, head)):
        raise RangeError(f"{repo.path}: --from {previous[:12]} is not an ancestor of --to {head[:12]}: a deploy moves "
                         "forward (a rollback is --kind rollback --rolls-back ID...)")
    entries.reverse()
    notes: list[str] = []
    changes: list[Change] = []
    pushes: list[DirectPush] = []
    merged: dict[int, str] = {}
    for commit, subject, draft, limits in entries:
        if draft is not None and draft.pr_number in merged:
            notes.append(f"{repository}: pull request #{draft.pr_number} is named again by {commit.sha[:12]} (merged "
                         f"by {merged[draft.pr_number][:12]}): counted as a direct push")
            draft = None
        if draft is None:
            pushes.append(DirectPush(repository=repository, sha=commit.sha, title=subject))
            notes.append(f"{repository}: direct push {commit.sha[:12]} {subject}")
        else:
            merged[draft.pr_number] = commit.sha
            notes.extend(limits)
            changes.append(draft._replace(author=_author(commit, found, authors)))
    notes.extend(_author_notes(repository, changes))
    return Deployed(repository=repository, previous=previous, head=head, changes=tuple(changes),
                    direct_pushes=tuple(pushes), notes=tuple(notes))


def _read_log(repo: Repository, *, repository: str, previous: str,
              head: str) -> tuple[list[_Entry], Mapping[str, Person]]:
    """
    The first-parent commits of ``previous..head``, newest first, each drafted as git writes the log, and the authors
    of the merged branches, asked for as the log names them: this work and the second git process run while git
    writes the rest of the log.
    """
    reader = repo.author_reader()
    entries: list[_Entry] = []
    try:
        for commit in repo.first_parent_log(previous, head):
            subject = split_message(commit.message)[0]
            mention = pull_request_subject(subject)
            draft, limits = None, list[str]()
            if mention is not None:
                draft = _fit(read_change(commit, mention, repository=repository, author=UNKNOWN), limits)
                if author_commit(commit) != commit.sha:
                    reader.ask(author_commit(commit))
            entries.append((commit, subject, draft, limits))
    except BaseException:
        reader.close()
        raise
    return entries, reader.wait()


def _author(commit: Commit, found: Mapping[str, Person], authors: AuthorMap) -> AuthorLogin:
    source = author_commit(commit)
    if source == commit.sha:
        return author_login(Person(name=commit.author_name, email=commit.author_email), authors)
    if source in found:
        return author_login(found[source], authors)
    return MISSING_BRANCH  # a shallow clone that stops at the merged branch


def _fit(change: Change, notes: list[str]) -> Change:
    """The change within the report's limits; what had to give is noted."""
    label = f"{change.repository}#{change.pr_number}"
    title, body, paths = change.title, change.body, change.paths
    if len(title) > MAX_TITLE_CHARS:
        title = title[:MAX_TITLE_CHARS]
        notes.append(f"{label}: title cut to {MAX_TITLE_CHARS} characters")
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS]
        notes.append(f"{label}: body cut to {MAX_BODY_CHARS} characters")
    if len(paths) > MAX_PATHS or any_refused_path(paths):
        why = f"more than {MAX_PATHS}" if len(paths) > MAX_PATHS else "a path the report format refuses among the"
        notes.append(f"{label}: {why} files changed: sent without paths (only whole-repository rights cover it)")
        paths = ()
    if (title, body, paths) == (change.title, change.body, change.paths):
        return change
    return change._replace(title=title, body=body, paths=paths)


def _author_notes(repository: str, changes: list[Change]) -> list[str]:
    """One note per author without a login: who, and which pull requests they were left out of."""
    unknown: dict[tuple[str, str, str], list[int]] = {}
    for change in changes:
        if not change.author.login:
            key = (change.author.how, change.author.name, change.author.email)
            unknown.setdefault(key, []).append(change.pr_number)
    notes = []
    for (how, name, email), numbers in unknown.items():
        prs = ", ".join(f"#{n}" for n in numbers)
        if how == "missing":
            notes.append(f"{repository}: the merged branch's commit is not in the clone (a shallow clone?): author "
                         f"left out of attribution: {prs}")
            continue
        what = "a bot, left out of attribution" if how == "bot" else "unknown GitHub login (add it to --authors)"
        notes.append(f"{repository}: author {name} <{email}>: {what}: {prs}")
    return notes
