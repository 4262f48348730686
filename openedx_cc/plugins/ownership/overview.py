"""
The registry seen as a whole, for listings, dashboards, audits and notifications: agreement states and good standing
of committers, effective committers of repositories, what expires soon, whom to contact, and the summary. Each read
costs a fixed number of queries, whatever the size of the registry.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from itertools import chain
from typing import Any, Iterable, Sequence

from django.db.models import Count

from openedx_cc.plugins.ownership import selectors
from openedx_cc.plugins.ownership.data import (
    AgreementState,
    CommitterName,
    CommitterState,
    Contact,
    EffectiveCommitter,
    ExpiringItem,
    RegistrySummary,
    RightData,
    right_applies_to,
)
from openedx_cc.plugins.ownership.evaluation import agreement_state, champions_at, person_problems
from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Organization,
    Repository,
)
from openedx_cc.plugins.ownership.registry import committers_with_rights
from openedx_cc.plugins.ownership.selectors import at_or_now


def committer_states(committers: Iterable[CoreCommitter], at: datetime | None = None) -> dict[int, CommitterState]:
    """
    For each committer: the state of each agreement, the number of champions, and the scope-independent problems
    (empty when the committer is in good standing). A fixed number of queries for any number of committers.
    """
    at = at_or_now(at)
    committers = list(committers)
    people = selectors.load_people(committers, at)
    policy = selectors.load_policy(at)
    states = {}
    for committer in committers:
        person = people[committer.id]
        agreements = {
            "individual": agreement_state(person.agreements, "individual", at),
            "nda": agreement_state(person.agreements, "nda", at)
            if policy.require_nda or any(a.kind == "nda" for a in person.agreements)
            else AgreementState(kind="nda", state="not_required"),
            "entity": agreement_state(person.organization_agreements, "entity", at)
            if person.organization_provider
            else AgreementState(kind="entity", state="not_required"),
        }
        problems, _ok = person_problems(person, policy, at)
        states[committer.id] = CommitterState(
            agreements=agreements, champions=champions_at(person.champion_periods, at), problems=tuple(problems)
        )
    return states


def effective_committers(
    repositories: Sequence[Repository], at: datetime | None = None
) -> dict[int, list[EffectiveCommitter]]:
    """
    For each repository, the committers effective on it (or on part of it) at ``at``, with their valid rights.
    A fixed number of queries for any number of repositories.
    """
    repositories = list(repositories)
    by_key = effective_committers_by_key([r.key for r in repositories], at)
    return {r.id: by_key[r.key] for r in repositories}


# The columns of a right read to decide where it applies: its committer, and its repository's ``owner/name`` (None
# for a whole-owner right) or owner.
_WHERE_COLUMNS = ("committer_id", "repository__full_name", "owner")

# A valid right of a committer in good standing, as ``_effective_rights`` gives it: its position in the order of the
# rights' ids, its committer's id, its repository as ``CommitRight.repository_display`` writes it (``owner/name`` or
# ``owner/*``), and the columns asked for.
_Right = tuple[int, int, str, tuple[Any, ...]]


def _effective_rights(
    keys: list[str], at: datetime, columns: Sequence[str]
) -> tuple[dict[int, CoreCommitter], dict[str, list[_Right]]]:
    """
    The one home of "who is effective on (part of) each repository", for ``effective_committers_by_key`` and
    ``effective_committer_names_by_key``: for each key (lower-case ``owner/name``), the valid rights of committers
    in good standing that apply to it, in the order of their ids (lists shared between keys: read them only); and
    the committers by id. The rights are read as columns (``values_list``), not as model rows: a registry holds a
    hundred thousand of them, and a model row and a ``RightData`` of each cost more than the rules applied to them.
    Six queries (seven when some committer's current status began after ``at``), whatever the number of rights.
    """
    rows = list(CommitRight.objects.on_repositories(keys).valid_at(at).order_by("id")
                .values_list(*_WHERE_COLUMNS, *columns))
    # By the ids the rights name (MariaDB would run a subquery of the rights once per committer); thousands of
    # committers share a few hundred organizations: each organization is loaded once.
    committers = {c.id: c for c in CoreCommitter.objects.prefetch_related("organization")
                  .defer("email", "user_id", "created", "modified").filter(id__in=sorted({row[0] for row in rows}))}
    good = selectors.committers_in_good_standing(committers.values(), at)
    # The candidates, by the repository key their rights name (``owner/*`` for owner-wide rights) and then by the
    # repository as written, so that each key looks at its own candidates only and the rule of where a right applies
    # (``right_applies_to``) is asked once per repository, not once per right.
    candidates: dict[str, dict[str, list[_Right]]] = {}
    for index, row in enumerate(rows):
        committer_id, full_name, owner = row[:3]
        if committer_id in good:
            repository = f"{owner}/*" if full_name is None else full_name
            candidates.setdefault(repository.lower(), {}).setdefault(repository, []).append(
                (index, committer_id, repository, row[3:]))
    result: dict[str, list[_Right]] = {}
    for key in keys:
        near = {**candidates.get(key, {}), **candidates.get(f"{key.split('/', 1)[0]}/*", {})}
        groups = [rights for repository, rights in near.items() if right_applies_to(repository, key)]
        # positions are unique: the tuples sort by position alone
        result[key] = groups[0] if len(groups) == 1 else sorted(chain.from_iterable(groups))
    return committers, result


def _by_login(committer_ids: Iterable[int], committers: dict[int, CoreCommitter]) -> list[int]:
    return sorted(committer_ids, key=lambda committer_id: committers[committer_id].github_key)


def effective_committers_by_key(keys: Sequence[str], at: datetime | None = None) -> dict[str, list[EffectiveCommitter]]:
    """
    ``effective_committers`` by repository key (``owner/name``, lower case), for repositories the registry may not
    record: only rights on their whole owner (``owner/*``) can cover those.
    """
    keys = list(keys)
    if not keys:
        return {}
    committers, rights_by_key = _effective_rights(keys, at_or_now(at), selectors.RIGHT_DATA_COLUMNS)
    data: dict[int, RightData] = {}  # by position: an owner-wide right applies to many keys
    result: dict[str, list[EffectiveCommitter]] = {}
    for key, rights in rights_by_key.items():
        per_committer: dict[int, list[RightData]] = defaultdict(list)
        for index, committer_id, repository, row in rights:
            if index not in data:
                data[index] = selectors.right_data_from_columns(committers[committer_id].github_username,
                                                                repository, row)
            per_committer[committer_id].append(data[index])
        result[key] = [
            EffectiveCommitter(github_username=committers[cid].github_username, name=committers[cid].name,
                               rights=tuple(per_committer[cid]))
            for cid in _by_login(per_committer, committers)
        ]
    return result


def effective_committer_names_by_key(keys: Sequence[str], at: datetime | None = None) -> dict[str, list[CommitterName]]:
    """
    The committers of ``effective_committers_by_key``, sorted the same way, by login and name only: for listings of
    names (``entities.yaml``), without building a ``RightData`` of every right of a large registry.
    """
    keys = list(keys)
    if not keys:
        return {}
    committers, rights_by_key = _effective_rights(keys, at_or_now(at), ())
    names = {cid: CommitterName(github_username=c.github_username, name=c.name) for cid, c in committers.items()}
    return {key: [names[cid] for cid in _by_login({right[1] for right in rights}, committers)]
            for key, rights in rights_by_key.items()}


def expiring_items(*, within_days: int = 30, at: datetime | None = None) -> list[ExpiringItem]:
    """
    Rights, agreements and NDAs (and organizations' entity agreements) that end within ``within_days`` of ``at``
    (default now), and are not revoked. Two queries.
    """
    at = at_or_now(at)
    horizon = at + timedelta(days=within_days)
    items = []
    for right in CommitRight.objects.filter(revoked_at__isnull=True, valid_until__gte=at,
                                            valid_until__lte=horizon).select_related("committer", "repository",
                                                                                     "extension"):
        assert right.valid_until is not None  # filtered on
        items.append(ExpiringItem(kind="right", holder=right.committer.github_username,
                                  description=right.describe(), ends=right.valid_until))
    for agreement in Agreement.objects.filter(revoked_at__isnull=True, expires_on__gte=at.date(),
                                              expires_on__lte=horizon.date()).select_related("committer",
                                                                                             "organization"):
        assert agreement.expires_on is not None  # filtered on
        holder = agreement.holder
        assert holder is not None  # a saved agreement has its holder (a check constraint)
        items.append(ExpiringItem(kind=agreement.kind,
                                  holder=holder.slug if isinstance(holder, Organization) else holder.github_username,
                                  description=f"signed {agreement.signed_on}",
                                  ends=agreement.expires_on))
    return sorted(items, key=lambda i: (str(i.ends), i.holder))


def contacts_for(logins: Iterable[str], at: datetime | None = None) -> dict[str, Contact]:
    """
    ``{login in lower case: Contact}`` for the registered committers among ``logins``. Two queries.
    """
    at = at_or_now(at)
    keys = sorted({login.lower() for login in logins if login})
    committers = {c.id: c for c in CoreCommitter.objects.filter(github_key__in=keys)}
    champions = defaultdict(list)
    for committer_id, name, email, start, end in Champion.objects.filter(committer_id__in=list(committers)).values_list(
        "committer_id", "name", "email", "valid_from", "valid_until"
    ):
        if email and champions_at([(start, end)], at):
            champions[committer_id].append((name, email))
    return {
        c.github_key: Contact(github_username=c.github_username, name=c.name, email=c.email,
                              champions=tuple(champions.get(c.id, ())))
        for c in committers.values()
    }


def registry_summary(*, at: datetime | None = None, within_days: int = 30, limit: int = 50) -> RegistrySummary:
    """
    Counts of committers by status and organization, how many are effective, the repositories without an
    effective Core Committer, and what expires within ``within_days``. A fixed number of queries.
    """
    at = at_or_now(at)
    by_status = tuple(CoreCommitter.objects.order_by("status").values_list("status").annotate(n=Count("id")))
    by_org = tuple(
        (name or "", n) for name, n in CoreCommitter.objects.order_by("organization__name")
        .values_list("organization__name").annotate(n=Count("id"))
    )
    good = selectors.committers_in_good_standing(committers_with_rights(), at)
    valid = CommitRight.objects.valid_at(at).filter(committer_id__in=sorted(good))
    covered_ids = set(valid.exclude(repository__isnull=True).values_list("repository_id", flat=True))
    covered_owners = set(valid.filter(repository__isnull=True).values_list("owner", flat=True))
    effective = valid.values("committer_id").distinct().count()
    uncovered = Repository.objects.exclude(id__in=covered_ids).exclude(owner__in=covered_owners).order_by("key")
    return RegistrySummary(
        by_status=by_status,
        by_organization=by_org,
        committers=sum(n for _s, n in by_status),
        effective=effective,
        repositories=Repository.objects.count(),
        without_effective=tuple(uncovered.values_list("full_name", flat=True)[:limit]),
        without_effective_count=uncovered.count(),
        expiring=tuple(expiring_items(within_days=within_days, at=at)),
    )
