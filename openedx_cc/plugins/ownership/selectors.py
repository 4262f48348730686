"""
Reading the registry: loading the facts that ``evaluation`` needs with a fixed number of queries, whatever the size
of the registry.

One ownership check costs one query (``checkquery``) -- plus one on the status history when the time asked precedes
the current status. Listings and batches use the ORM loaders below, a fixed number of queries per batch.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable

import attr
from django.db.models import Q
from django.utils import timezone

from openedx_cc.lib.repositories import RepositoryName, resolve_repository_name
from openedx_cc.lib.timeutil import as_utc
from openedx_cc.plugins.ownership import checkquery
from openedx_cc.plugins.ownership.data import PolicyData, RightData
from openedx_cc.plugins.ownership.evaluation import (
    AgreementFacts,
    PersonFacts,
    StatusVersion,
    needs_status_history,
    person_problems,
    policy_at,
)
from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Extension,
    Organization,
    ProgramPhase,
    Repository,
    RepositoryAlias,
)


def resolve_repository(
    name: str, *, default_owner: str | None = None, allow_owner_pattern: bool = False
) -> tuple[RepositoryName, Repository | None]:
    """
    Resolve ``name`` through the configured aliases and the registry's aliases.

    Returns ``(RepositoryName, Repository or None)``; one query in the usual case, two when the name is a
    registry alias. Raises ``InvalidValue`` for a malformed name.
    """
    resolved, _chain = resolve_repository_name(
        name, default_owner=default_owner, allow_owner_pattern=allow_owner_pattern
    )
    if resolved.is_owner_pattern:
        return resolved, None
    repository = Repository.objects.filter(key=resolved.key).first()
    if repository is None:
        alias = RepositoryAlias.objects.select_related("repository").filter(key=resolved.key).first()
        if alias is not None:
            repository = alias.repository
            resolved, _chain = resolve_repository_name(repository.full_name)
    if repository is not None:
        resolved = RepositoryName(owner=repository.full_name.split("/")[0], name=repository.full_name.split("/")[1])
    return resolved, repository


def right_data(right: CommitRight) -> RightData:
    """
    ``RightData`` of a ``CommitRight`` row (its repository and extension must be loaded with it).
    """
    extension = right.extension if right.extension_id else None
    return RightData(
        id=right.id,
        github_username=right.committer.github_username,
        repository=right.repository_display,
        paths=tuple(right.paths or ()),
        extension=extension.name if extension else "",
        extension_path=extension.path if extension else "",
        branches=tuple(right.branches or ()),
        valid_from=right.valid_from,
        valid_until=right.valid_until,
        revoked_at=right.revoked_at,
        source=right.source,
    )


# The columns of a right that ``RightData`` needs beside its committer's login and its repository (``owner/name`` or
# ``owner/*``), for reading thousands of rights with ``values_list`` rather than as model rows.
RIGHT_DATA_COLUMNS = ("id", "paths", "extension__name", "extension__path", "branches", "valid_from", "valid_until",
                      "revoked_at", "source")


def right_data_from_columns(github_username: str, repository: str, row: tuple) -> RightData:
    """
    ``RightData`` of a right read as ``RIGHT_DATA_COLUMNS`` (the same as ``right_data`` of its model row).
    """
    id_, paths, extension, extension_path, branches, valid_from, valid_until, revoked_at, source = row
    return RightData(
        id=id_,
        github_username=github_username,
        repository=repository,
        paths=tuple(paths or ()),
        extension=extension or "",
        extension_path=extension_path or "",
        branches=tuple(branches or ()),
        valid_from=valid_from,
        valid_until=valid_until,
        revoked_at=revoked_at,
        source=source,
    )


def load_phases() -> list:
    """
    The program phases, oldest first (a small table: the whole of it).
    """
    return list(ProgramPhase.objects.order_by("since"))


def load_policy(at: datetime) -> PolicyData:
    """
    The program policy in force at ``at``.
    """
    return policy_at(load_phases(), at)


def _current_status(committer: CoreCommitter) -> StatusVersion:
    return StatusVersion(status=committer.status, since=committer.status_since, until=committer.status_until)


def load_people(committers: Iterable[CoreCommitter], at: datetime) -> dict[int, PersonFacts]:
    """
    ``PersonFacts`` for each committer (organization already joined), with three or four queries in all:
    agreements, champions, and -- only if some committer's current status starts after ``at`` -- status history.
    """
    committers = list(committers)
    if not committers:
        return {}
    ids = [c.id for c in committers]
    org_ids = {c.organization_id for c in committers if c.organization_id}
    agreements_by_committer = defaultdict(list)
    # keyed by organization id, and read with each committer's organization_id: None (no organization) has no entry
    agreements_by_org: defaultdict[int | None, list[AgreementFacts]] = defaultdict(list)
    rows = Agreement.objects.filter(Q(committer_id__in=ids) | Q(organization_id__in=org_ids)).order_by()
    for row in rows.values_list("kind", "committer_id", "organization_id", "signed_on", "expires_on", "revoked_at"):
        kind, committer_id, org_id, signed_on, expires_on, revoked_at = row
        facts = AgreementFacts(kind=kind, signed_on=signed_on, expires_on=expires_on, revoked_at=revoked_at)
        if committer_id:
            agreements_by_committer[committer_id].append(facts)
        else:
            agreements_by_org[org_id].append(facts)
    champions = defaultdict(list)
    for committer_id, start, end in Champion.objects.filter(committer_id__in=ids).order_by().values_list(
        "committer_id", "valid_from", "valid_until"
    ):
        champions[committer_id].append((start, end))
    history = defaultdict(list)
    needing = [c.id for c in committers if needs_status_history(_current_status(c), at)]
    if needing:
        for committer_id, status, since, until in (
            CoreCommitter.history.filter(id__in=needing)
            .order_by("-history_date", "-history_id")
            .values_list("id", "status", "status_since", "status_until")
        ):
            history[committer_id].append(StatusVersion(status=status, since=since, until=until))
    people = {}
    for committer in committers:
        organization = committer.organization if committer.organization_id else None
        people[committer.id] = PersonFacts(
            github_username=committer.github_username,
            statuses=(_current_status(committer),) + tuple(history.get(committer.id, ())),
            organization_name=organization.name if organization else "",
            organization_provider=bool(organization and organization.openedx_provider),
            agreements=tuple(agreements_by_committer.get(committer.id, ())),
            organization_agreements=tuple(agreements_by_org.get(committer.organization_id, ())),
            champion_periods=tuple(champions.get(committer.id, ())),
        )
    return people


def committers_in_good_standing(committers: Iterable[CoreCommitter], at: datetime) -> set[int]:
    """
    The ids of the committers in good standing at ``at``: every condition that does not depend on a scope holds
    (status, agreements, champions -- ``evaluation.person_problems``). Three or four queries for any number.
    """
    people = load_people(committers, at)
    policy = load_policy(at)
    return {cid for cid, person in people.items() if not person_problems(person, policy, at)[0]}


def get_committer(github_username: str) -> CoreCommitter | None:
    """
    The committer with that GitHub login (case-insensitive), with their organization, or None.
    """
    return (
        CoreCommitter.objects.select_related("organization").filter(github_key=github_username.strip().lower()).first()
    )


class RegistryView:
    """
    What the import formats need to know about the registry while validating a file, loaded once (three queries, and one
    more for the committers' logins when a format asks for them).
    """

    def __init__(self) -> None:
        self._aliases = {
            key: full_name for key, full_name in RepositoryAlias.objects.values_list("key", "repository__full_name")
        }
        self._org_slugs = {slug.lower() for slug in Organization.objects.values_list("slug", flat=True)}
        self._extensions = {
            (repo_key, name.lower()) for repo_key, name in Extension.objects.values_list("repository__key", "name")
        }
        self._logins: set[str] | None = None

    def aliases_for(self, _names=None) -> dict[str, str]:
        """The registry's aliases (lower-case key -> current full name)."""
        return self._aliases

    def organization_slugs(self) -> set[str]:
        """Slugs (lower case) of the organizations already recorded."""
        return self._org_slugs

    def committer_logins(self) -> set[str]:
        """GitHub logins (lower case) of the committers already recorded (loaded on first use)."""
        if self._logins is None:
            self._logins = set(CoreCommitter.objects.values_list("github_key", flat=True))
        return self._logins

    def has_extension(self, repository: str, name: str) -> bool:
        """Whether the registry already defines extension ``name`` in ``repository``."""
        return (repository.lower(), name.lower()) in self._extensions


@attr.s(frozen=True)
class CheckFacts:
    """What one ownership check needs, loaded by ``load_check_facts``."""

    repository = attr.ib(type=RepositoryName)
    person = attr.ib(default=None)
    rights = attr.ib(type=tuple, default=())
    phases = attr.ib(type=tuple, default=())


@attr.s(frozen=True)
class _Phase:
    phase = attr.ib(type=str)
    since = attr.ib(type=datetime)
    require_nda = attr.ib(default=None)
    require_champions = attr.ib(default=None)


def load_check_facts(github_username: str, name: RepositoryName, at: datetime) -> CheckFacts:
    """
    The facts of one ownership check in one query (``checkquery``), plus one query on the status history when
    ``at`` precedes the committer's current status, and one more when the name is a registry alias of a repository
    under another owner.
    """
    user_key = github_username.strip().lower()
    rows = checkquery.fetch(user_key=user_key, repository_key=name.key, owner_key=name.owner_key)
    if rows["repository"] is not None:
        owner, repo_name = rows["repository"][1].split("/", 1)
        canonical = RepositoryName(owner=owner, name=repo_name)
        if canonical.owner_key != name.owner_key:  # a registry alias moved it to another owner
            rows = checkquery.fetch(user_key=user_key, repository_key=canonical.key, owner_key=canonical.owner_key)
        name = canonical
    phases = tuple(sorted((_Phase(**p) for p in rows["phases"]), key=lambda p: p.since))
    committer = rows["committer"]
    if committer is None:
        return CheckFacts(repository=name, phases=phases)
    current = StatusVersion(status=committer["status"], since=committer["status_since"],
                            until=committer["status_until"])
    statuses: tuple[StatusVersion, ...] = (current,)
    if needs_status_history(current, at):
        statuses += tuple(
            StatusVersion(status=status, since=since, until=until)
            for status, since, until in CoreCommitter.history.filter(id=committer["id"])
            .order_by("-history_date", "-history_id")
            .values_list("status", "status_since", "status_until")
        )
    person = PersonFacts(
        github_username=committer["github_username"],
        statuses=statuses,
        organization_name=committer["organization_name"],
        organization_provider=committer["organization_provider"],
        agreements=tuple(AgreementFacts(**a) for a in rows["agreements"]),
        organization_agreements=tuple(AgreementFacts(**a) for a in rows["org_agreements"]),
        champion_periods=tuple(rows["champions"]),
    )
    rights = tuple(
        RightData(
            id=r["id"],
            github_username=committer["github_username"],
            repository=r["repository"],
            paths=tuple(r["paths"]),
            extension=r["extension"],
            extension_path=r["extension_path"],
            branches=tuple(r["branches"]),
            valid_from=r["valid_from"],
            valid_until=r["valid_until"],
            revoked_at=r["revoked_at"],
        )
        for r in sorted(rows["rights"], key=lambda r: r["id"])
    )
    return CheckFacts(repository=name, person=person, rights=rights, phases=phases)


def at_or_now(at: datetime | None) -> datetime:
    """``at`` in UTC, or now when it is None: the moment every read of the registry is about."""
    return timezone.now() if at is None else as_utc(at)
