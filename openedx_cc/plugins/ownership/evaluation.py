"""
The rules of effectiveness (docs/reference/glossary.rst, "effective Core Committer"), as a pure function over facts
already loaded from the database.

Loading lives in ``selectors.py``; this module does no I/O, so the same rules serve one check, a page of
repositories with their effective committers, and the attribution of a thousand changes.

A GitHub user is an effective Core Committer of a scope at time T when all of these hold:

1. their status is active at T;
2. they hold a right covering the scope, valid at T;
3. their individual agreement is signed and not expired (nor revoked) at T;
4. if their organization is an Open edX provider, its entity agreement is signed and not expired at T;
5. if the program policy at T requires an NDA, theirs is signed and not expired at T;
6. if the policy at T requires champions, they have at least that many at T.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Sequence

import attr

from openedx_cc.lib.timeutil import fmt_date
from openedx_cc.plugins.ownership.data import (
    PHASE_DEFAULTS,
    AgreementState,
    CheckedRight,
    OwnershipCheck,
    PolicyData,
    RightData,
)
from openedx_cc.plugins.ownership.scopes import (
    covers_branch,
    covers_paths,
    describe_scope,
    path_within,
    right_prefixes,
)


@attr.s(frozen=True)
class StatusVersion:
    """
    One recorded version of a committer's status: ``status`` from ``since`` (or always) until ``until``.
    """

    status = attr.ib(type=str)
    since = attr.ib(type=datetime | None, default=None)
    until = attr.ib(type=datetime | None, default=None)


@attr.s(frozen=True)
class AgreementFacts:
    """An agreement row, reduced to what the rules need."""

    kind = attr.ib(type=str)
    signed_on = attr.ib()
    expires_on = attr.ib(default=None)
    revoked_at = attr.ib(type=datetime | None, default=None)


@attr.s(frozen=True)
class PersonFacts:
    """
    Everything about a committer that does not depend on the scope asked.

    ``statuses`` lists the recorded versions of the status, newest first (the current one first); only the ones
    needed to answer about T have to be present (see ``status_at``).
    """

    github_username = attr.ib(type=str)
    statuses = attr.ib(type=tuple)
    organization_name = attr.ib(type=str, default="")
    organization_provider = attr.ib(type=bool, default=False)
    agreements = attr.ib(type=tuple, default=())
    organization_agreements = attr.ib(type=tuple, default=())
    champion_periods = attr.ib(type=tuple, default=())  # (valid_from, valid_until) pairs


def policy_at(phases: Sequence, at: datetime) -> PolicyData:
    """
    The policy in force at ``at``, from the program phases (``since`` ascending). Before the first phase begins, the
    first phase applies; with no phase recorded, the pilot's defaults apply.
    """
    chosen = None
    for phase in phases:
        if phase.since <= at:
            chosen = phase
        else:
            break
    if chosen is None and phases:
        chosen = phases[0]
    if chosen is None:
        nda, champions = PHASE_DEFAULTS["pilot"]
        return PolicyData(phase="pilot", since=None, require_nda=nda, require_champions=champions)
    nda, champions = PHASE_DEFAULTS[chosen.phase]
    return PolicyData(
        phase=chosen.phase,
        since=chosen.since,
        require_nda=nda if chosen.require_nda is None else chosen.require_nda,
        require_champions=champions if chosen.require_champions is None else chosen.require_champions,
    )


def status_at(statuses: Sequence[StatusVersion], at: datetime):
    """
    The status version that decides the status at ``at``: the newest recorded version whose period starts at or
    before ``at``. Returns ``(version, holds)`` where ``holds`` is False when that version had ended by ``at``;
    ``(None, False)`` when every version starts after ``at``.
    """
    for version in statuses:
        if version.since is None or version.since <= at:
            return version, version.until is None or at < version.until
    return None, False


def needs_status_history(current: StatusVersion, at: datetime) -> bool:
    """
    Whether the current status version cannot decide about ``at`` on its own (``at`` precedes its start).
    """
    return current.since is not None and at < current.since


def agreement_state(agreements: Iterable[AgreementFacts], kind: str, at: datetime) -> AgreementState:
    """
    The state of the ``kind`` agreement at ``at``, from all agreements of that kind of one holder.
    """
    day = at.date()
    rows = sorted((a for a in agreements if a.kind == kind), key=lambda a: a.signed_on, reverse=True)
    for row in rows:
        if row.signed_on <= day and (row.expires_on is None or day < row.expires_on) and (
            row.revoked_at is None or at < row.revoked_at
        ):
            return AgreementState(kind=kind, state="valid", signed_on=row.signed_on, expires_on=row.expires_on)
    signed_before = [r for r in rows if r.signed_on <= day]
    if signed_before:
        latest = signed_before[0]
        if latest.revoked_at is not None and at >= latest.revoked_at:
            return AgreementState(kind=kind, state="revoked", signed_on=latest.signed_on, expires_on=latest.expires_on)
        return AgreementState(kind=kind, state="expired", signed_on=latest.signed_on, expires_on=latest.expires_on)
    if rows:
        first = rows[-1]
        return AgreementState(kind=kind, state="not_yet_signed", signed_on=first.signed_on, expires_on=first.expires_on)
    return AgreementState(kind=kind, state="missing")


def champions_at(periods, at: datetime) -> int:
    """
    How many champions a committer has at ``at``.
    """
    return sum(
        1 for start, end in periods if (start is None or start <= at) and (end is None or at < end)
    )


def right_covers(right: RightData, *, repository_key: str, paths: Sequence[str], branch: str | None) -> bool:
    """
    Whether ``right`` covers the scope: the repository (or its owner, for ``owner/*`` rights), every path, the branch.
    """
    if not right.applies_to(repository_key):
        return False
    prefixes = right_prefixes(paths=right.paths, extension_path=right.extension_path or None)
    return covers_paths(prefixes, paths) and covers_branch(right.branches, branch)


def _describe(right: RightData) -> str:
    return describe_scope(
        repository=right.repository,
        paths=right.paths,
        extension_name=right.extension,
        extension_path=right.extension_path,
        branches=right.branches,
    )


def _validity_text(right: RightData) -> str:
    parts = []
    if right.valid_from:
        parts.append(f"from {fmt_date(right.valid_from)}")
    if right.valid_until:
        parts.append(f"until {fmt_date(right.valid_until)}")
    return " ".join(parts) if parts else "without time limit"


def _invalid_right_reason(right: RightData, at: datetime) -> str:
    what = f"the right on {_describe(right)}"
    if right.revoked_at is not None and at >= right.revoked_at:
        return f"{what} was revoked on {fmt_date(right.revoked_at)}"
    if right.valid_from is not None and at < right.valid_from:
        return f"{what} is not valid yet at that time: it starts on {fmt_date(right.valid_from)}"
    return f"{what} expired on {fmt_date(right.valid_until)}"


def _not_covering_reason(right: RightData, paths: Sequence[str], branch: str | None) -> str:
    what = f"the right on {_describe(right)}"
    prefixes = right_prefixes(paths=right.paths, extension_path=right.extension_path or None)
    if prefixes and not covers_paths(prefixes, paths):
        if not paths:
            return f"{what} is narrowed to part of the repository, and no path was given"
        outside = [p for p in paths if not any(path_within(p, prefix) for prefix in prefixes)]
        return f"{what} does not cover {', '.join(outside)}"
    if not branch:
        return f"{what} is limited to some branches, and no branch was given"
    return f"{what} does not cover branch {branch}"


_AGREEMENT_NAMES = {"individual": "individual contributor agreement", "nda": "NDA", "entity": "entity agreement"}


def _agreement_problem(state: AgreementState, owner: str) -> str | None:
    name = _AGREEMENT_NAMES[state.kind]
    if state.state == "valid":
        return None
    if state.state == "missing":
        return f"{owner} {name} is missing"
    if state.state == "expired":
        return f"{owner} {name} (signed {fmt_date(state.signed_on)}) expired on {fmt_date(state.expires_on)}"
    if state.state == "revoked":
        return f"{owner} {name} (signed {fmt_date(state.signed_on)}) was revoked"
    return f"{owner} {name} was not signed yet at that time (signed on {fmt_date(state.signed_on)})"


def _agreement_ok(state: AgreementState, owner: str) -> str:
    name = _AGREEMENT_NAMES[state.kind]
    expiry = f", expires {fmt_date(state.expires_on)}" if state.expires_on else ", no expiry"
    return f"{owner} {name} signed {fmt_date(state.signed_on)}{expiry}"


def person_problems(person: PersonFacts, policy: PolicyData, at: datetime) -> tuple[list[str], list[str]]:
    """
    The scope-independent conditions (1, 3-6): returns ``(problems, satisfied)`` as sentences.
    """
    problems: list[str] = []
    satisfied: list[str] = []
    version, holds = status_at(person.statuses, at)
    if version is None:
        first = person.statuses[-1] if person.statuses else None
        since = f" (status {first.status} from {fmt_date(first.since)})" if first and first.since else ""
        problems.append(f"{person.github_username} was not a Core Committer yet at that time{since}")
    elif not holds:
        problems.append(
            f"the status of {person.github_username} ({version.status}) ended on {fmt_date(version.until)}"
        )
    elif version.status != "active":
        since = f" since {fmt_date(version.since)}" if version.since else ""
        problems.append(f"the status of {person.github_username} is {version.status}{since}")
    else:
        since = f" since {fmt_date(version.since)}" if version.since else ""
        satisfied.append(f"status active{since}")

    individual = agreement_state(person.agreements, "individual", at)
    if problem := _agreement_problem(individual, "the"):
        problems.append(problem)
    else:
        satisfied.append(_agreement_ok(individual, "the"))

    if person.organization_provider:
        owner = f"{person.organization_name}'s"
        entity = agreement_state(person.organization_agreements, "entity", at)
        if problem := _agreement_problem(entity, owner):
            problems.append(f"{problem}; {person.organization_name} is an Open edX provider")
        else:
            satisfied.append(_agreement_ok(entity, owner))

    if policy.require_nda:
        nda = agreement_state(person.agreements, "nda", at)
        if problem := _agreement_problem(nda, "the"):
            problems.append(f"{problem}, and the {policy.phase} phase requires an NDA")
        else:
            satisfied.append(_agreement_ok(nda, "the") + f" (required in the {policy.phase} phase)")

    if policy.require_champions:
        count = champions_at(person.champion_periods, at)
        if count < policy.require_champions:
            problems.append(
                f"the {policy.phase} phase requires {policy.require_champions} champions; "
                f"{person.github_username} has {count}"
            )
        else:
            satisfied.append(f"{count} champions (the {policy.phase} phase requires {policy.require_champions})")
    return problems, satisfied


def evaluate(
    *,
    user: str,
    repository: str,
    person: PersonFacts | None,
    rights: Sequence[RightData],
    policy: PolicyData,
    at: datetime,
    paths: Sequence[str] = (),
    path: str | None = None,
    branch: str | None = None,
) -> OwnershipCheck:
    """
    Apply the rules to one user and one scope. ``rights`` are the user's rights on the repository or its owner.
    """
    repository_key = repository.lower()
    scope_paths = list(paths) if paths else ([path] if path else [])
    if person is None:
        return OwnershipCheck(
            allowed=False,
            user=user,
            repository=repository,
            path=path,
            branch=branch,
            at=at,
            reasons=(f"{user} is not registered as a Core Committer",),
            rights=(),
            policy=policy,
        )
    checked = tuple(
        CheckedRight(
            right=r,
            covers=right_covers(r, repository_key=repository_key, paths=scope_paths, branch=branch),
            valid=r.valid_at(at),
        )
        for r in rights
    )
    reasons: list[str] = []
    covering = [c for c in checked if c.covers]
    granting = [c for c in covering if c.valid]
    problems, satisfied = person_problems(person, policy, at)
    scope_text = repository + (f" at {', '.join(scope_paths)}" if scope_paths else "") + (
        f" on branch {branch}" if branch else ""
    )
    if not covering:
        problems.insert(0, f"no right of {person.github_username} covers {scope_text}")
        problems[1:1] = [_not_covering_reason(c.right, scope_paths, branch) for c in checked]
    elif not granting:
        problems[0:0] = [_invalid_right_reason(c.right, at) for c in covering]
    if problems:
        reasons = problems
    else:
        reasons = [
            f"right #{c.right.id} on {_describe(c.right)} covers {scope_text} ({_validity_text(c.right)})"
            for c in granting
        ] + satisfied
    return OwnershipCheck(
        allowed=not problems,
        user=person.github_username,
        repository=repository,
        path=path,
        branch=branch,
        at=at,
        reasons=tuple(reasons),
        rights=checked,
        policy=policy,
    )
