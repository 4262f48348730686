"""
The registry seen as a whole, for listings, dashboards, audits and notifications: agreement states and good standing
of committers, effective committers of repositories, what expires soon, whom to contact, and the summary. Each read
costs a fixed number of queries, whatever the size of the registry.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from django.db.models import Count, ForeignKey, Model

from openedx_cc.plugins.ownership import selectors
from openedx_cc.plugins.ownership.data import (
    AgreementState,
    CommitterState,
    Contact,
    EffectiveCommitter,
    ExpiringItem,
    RegistrySummary,
    RightData,
)
from openedx_cc.plugins.ownership.evaluation import agreement_state, champions_at, person_problems
from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Extension,
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


def _attach(rights: list[CommitRight], name: str, related: Iterable[Model]) -> None:
    """Set the ``name`` foreign key of each right from ``related`` (each row loaded once, shared by its rights)."""
    field = CommitRight._meta.get_field(name)
    assert isinstance(field, ForeignKey)
    by_id = {obj.pk: obj for obj in related}
    for right in rights:
        target = getattr(right, field.attname)
        if target is not None:
            field.set_cached_value(right, by_id[target])


def effective_committers_by_key(keys: Sequence[str], at: datetime | None = None) -> dict[str, list[EffectiveCommitter]]:
    """
    ``effective_committers`` by repository key (``owner/name``, lower case), for repositories the registry may not
    record: only rights on their whole owner (``owner/*``) can cover those.
    """
    at = at_or_now(at)
    keys = list(keys)
    if not keys:
        return {}
    # The rights valid at ``at``; their committers, organizations, repositories and extensions are loaded once each
    # (prefetched, not joined: thousands of rights share a few committers and repositories).
    applying = CommitRight.objects.on_repositories(keys).valid_at(at)
    rights = list(applying.defer("scope_key", "created", "modified"))
    _attach(rights, "committer", CoreCommitter.objects.select_related("organization")
            .filter(id__in=applying.values("committer_id")))
    _attach(rights, "repository", Repository.objects.filter(id__in=applying.values("repository_id")))
    _attach(rights, "extension", Extension.objects.filter(id__in=applying.values("extension_id")))
    committers = {r.committer_id: r.committer for r in rights}
    good = selectors.committers_in_good_standing(committers.values(), at)
    # The valid rights of committers in good standing, in the order of the query, indexed by the repository they
    # name (or its owner, for owner/* rights) so that each key looks at its candidates only, not at every right.
    candidates: dict[str, list[tuple[int, int, RightData]]] = defaultdict(list)
    for index, right in enumerate(rights):
        if right.committer_id not in good:
            continue
        data = selectors.right_data(right)
        candidates[data.repository.lower()].append((index, right.committer_id, data))
    result: dict[str, list[EffectiveCommitter]] = {}
    for key in keys:
        per_committer = defaultdict(list)
        near = candidates.get(key, []) + candidates.get(f"{key.split('/', 1)[0]}/*", [])
        for _index, committer_id, data in sorted(near, key=lambda item: item[0]):
            if data.applies_to(key):
                per_committer[committer_id].append(data)
        result[key] = [
            EffectiveCommitter(github_username=committers[cid].github_username, name=committers[cid].name,
                               rights=tuple(rs))
            for cid, rs in sorted(per_committer.items(), key=lambda item: committers[item[0]].github_key)
        ]
    return result


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
