"""
Attribution of changes to Core Committers (docs/reference/report-format.rst): a change is a CC change when its merger,
else its author, is an effective Core Committer of the change's scope (its repository and paths) at ``merged_at``.

``attribute`` asks the ownership applet every question of a report at once; ``attribution_for`` decides one change
from the two answers, a pure function.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import attr

from openedx_cc.plugins.ownership import api as ownership_api


@attr.s(frozen=True, auto_attribs=True)
class Attribution:
    """Who is credited with a change (``core_committer``, "" for nobody) and why, in a sentence for people."""

    core_committer: str
    reason: str

    @property
    def is_cc_change(self) -> bool:
        """Whether a Core Committer is credited."""
        return bool(self.core_committer)


def attribution_for(change, *, merger, author) -> Attribution:
    """
    The attribution of ``change`` (anything with ``repository``, ``paths``, ``merged_by``, ``author`` and
    ``merged_at``) given the ownership answers (``allowed``, ``reasons``) for its merger and its author; an answer is
    None for a login the report left empty (the sender could not tell it).
    """
    scope = change.repository + (" at " + ", ".join(change.paths) if change.paths else " (no paths listed)")
    if merger is not None and merger.allowed:
        return Attribution(change.merged_by, f"merged by {change.merged_by}, an effective Core Committer of {scope} "
                                             f"at {change.merged_at:%Y-%m-%d %H:%M} UTC: {merger.reasons[0]}")
    merged = (f"merged by {change.merged_by}, who was not an effective Core Committer of {scope} "
              f"({merger.reasons[0]})" if merger is not None else "merger unknown")
    if author is not None and author.allowed:
        return Attribution(change.author, f"{merged}; authored by {change.author}, who was: {author.reasons[0]}")
    who = []
    if merger is not None:
        who.append(f"merged_by {change.merged_by}: {merger.reasons[0]}")
    else:
        who.append("merger unknown")
    if author is None:
        who.append("author unknown")
    elif change.author.lower() != change.merged_by.lower():
        who.append(f"author {change.author}: {author.reasons[0]}")
    return Attribution("", f"not a Core Committer change of {scope} at {change.merged_at:%Y-%m-%d %H:%M} UTC "
                           f"({'; '.join(who)})")


def attribute(changes: Sequence) -> tuple[Attribution, ...]:
    """The attribution of each change, in order, from one batch of ownership checks (a fixed number of queries)."""
    questions, index = [], []
    for position, change in enumerate(changes):
        for login in dict.fromkeys(login for login in (change.merged_by, change.author) if login):
            questions.append(ownership_api.ScopeQuestion(github_username=login, repository=change.repository,
                                                          paths=tuple(change.paths), at=change.merged_at))
            index.append((position, login))
    answers: dict[int, dict] = defaultdict(dict)
    for (position, login), answer in zip(index, ownership_api.check_ownership_many(questions), strict=True):
        answers[position][login.lower()] = answer
    return tuple(
        attribution_for(change, merger=answers[position].get(change.merged_by.lower()),
                        author=answers[position].get(change.author.lower()))
        for position, change in enumerate(changes)
    )
