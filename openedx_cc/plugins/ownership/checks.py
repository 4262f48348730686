"""
The central question of the registry: *is GitHub user U an effective Core Committer of repository R (path P,
branch B) at time T, and why (not)?* -- for one question (``check_ownership``, one query) or a batch
(``check_ownership_many``, a fixed number of queries).

Each step can be read alone: the question is validated here, ``selectors`` loads the facts, ``evaluation``
decides as a pure function. Every answer then goes through the ``OwnershipCheckRequested`` filter
(``openedx_cc.filters``), which configured pipeline steps may use to refuse a grant or add reasons; with no step
configured it costs one settings lookup per check (or per batch).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Sequence

import attr

from openedx_cc.filters import OwnershipCheckRequested
from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.repositories import configured_aliases, resolve_repository_name
from openedx_cc.plugins.ownership import selectors
from openedx_cc.plugins.ownership.data import OwnershipCheck, RightData, ScopeQuestion
from openedx_cc.plugins.ownership.evaluation import evaluate, policy_at
from openedx_cc.plugins.ownership.models import CommitRight, CoreCommitter
from openedx_cc.plugins.ownership.scopes import normalize_branch_pattern, normalize_path
from openedx_cc.plugins.ownership.selectors import at_or_now


def check_ownership(
    github_username: str,
    repository: str,
    *,
    path: str | None = None,
    paths: Sequence[str] = (),
    branch: str | None = None,
    at: datetime | None = None,
) -> OwnershipCheck:
    """
    Is ``github_username`` an effective Core Committer of ``repository`` (narrowed to ``path`` or to every one of
    ``paths``, on ``branch``) at ``at`` (default: now)? The answer carries the reasons, and the user's rights on that
    repository with whether each covers the scope and is valid.

    One query in the usual case (two when ``at`` precedes the committer's current status), whatever the size of
    the registry. Raises ``ValidationFailed`` for a
    malformed repository name, path or branch.
    """
    at = at_or_now(at)
    problems = []
    try:
        name, _chain = resolve_repository_name(repository, aliases=configured_aliases())
    except InvalidValue as exc:
        problems.append(Problem(field="repository", message=str(exc)))
        name = None
    scope_paths = []
    for field, value in [("path", path)] + [(f"paths[{i}]", p) for i, p in enumerate(paths)]:
        if value is None:
            continue
        try:
            scope_paths.append(normalize_path(value))
        except InvalidValue as exc:
            problems.append(Problem(field=field, message=str(exc)))
    if branch is not None:
        try:
            branch = normalize_branch_pattern(branch)
        except InvalidValue as exc:
            problems.append(Problem(field="branch", message=str(exc)))
    if problems or name is None:
        raise ValidationFailed(problems)
    facts = selectors.load_check_facts(github_username, name, at)
    answer = evaluate(
        user=github_username,
        repository=facts.repository.full_name,
        person=facts.person,
        rights=facts.rights,
        policy=policy_at(facts.phases, at),
        at=at,
        paths=scope_paths,
        path=scope_paths[0] if path else None,
        branch=branch,
    )
    return _filtered(answer, scope_paths) if OwnershipCheckRequested.has_pipeline() else answer


def check_ownership_many(questions: Sequence[ScopeQuestion]) -> list[OwnershipCheck]:
    """
    ``check_ownership`` for many questions at once, with a fixed number of queries for the whole batch (for the
    attribution of a deployment's changes). Repository names must already be resolved (``resolve_repository``).
    """
    if not questions:
        return []
    logins = {q.github_username.lower() for q in questions}
    committers = {
        c.github_key: c
        for c in CoreCommitter.objects.select_related("organization").filter(github_key__in=sorted(logins))
    }
    rights_by_committer = defaultdict(list)
    if committers:
        rows = (
            CommitRight.objects.filter(committer_id__in=[c.id for c in committers.values()])
            .on_repositories(q.repository for q in questions)
            .order_by("id")
            .values_list("id", "committer_id", "committer__github_username", "repository__full_name", "owner",
                         "paths", "extension__name", "extension__path", "branches", "valid_from", "valid_until",
                         "revoked_at")
        )
        for (right_id, committer_id, login, full_name, owner, paths, ext_name, ext_path, branches, valid_from,
             valid_until, revoked_at) in rows:
            rights_by_committer[committer_id].append(RightData(
                id=right_id, github_username=login, repository=full_name or f"{owner}/*", paths=tuple(paths or ()),
                extension=ext_name or "", extension_path=ext_path or "", branches=tuple(branches or ()),
                valid_from=valid_from, valid_until=valid_until, revoked_at=revoked_at,
            ))
    phases = selectors.load_phases()
    earliest = min(at_or_now(q.at) for q in questions)
    people = selectors.load_people(committers.values(), earliest)
    filtering = OwnershipCheckRequested.has_pipeline()
    answers = []
    for question in questions:
        at = at_or_now(question.at)
        committer = committers.get(question.github_username.lower())
        key = question.repository.lower()
        rights = [r for r in rights_by_committer.get(committer.id, ()) if r.applies_to(key)] if committer else []
        answer = evaluate(
            user=question.github_username,
            repository=question.repository,
            person=people.get(committer.id) if committer else None,
            rights=rights,
            policy=policy_at(phases, at),
            at=at,
            paths=list(question.paths),
        )
        answers.append(_filtered(answer, question.paths) if filtering else answer)
    return answers


def _filtered(answer: OwnershipCheck, paths: Sequence[str]) -> OwnershipCheck:
    """``answer`` after the ``OwnershipCheckRequested`` pipeline: ``allowed`` and ``reasons`` as the steps left them."""
    check = OwnershipCheckRequested.run_filter(check={
        "user": answer.user,
        "repository": answer.repository,
        "path": answer.path if answer.path is not None else (paths[0] if len(paths) == 1 else None),
        "paths": list(paths),
        "at": answer.at.isoformat() if answer.at else None,
        "allowed": answer.allowed,
        "reasons": list(answer.reasons),
    })
    # The filter never grants what the set refused; checked again here so that no step can widen the answer.
    return attr.evolve(answer, allowed=answer.allowed and check["allowed"], reasons=tuple(check["reasons"]))
