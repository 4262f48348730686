"""
Public Python API of the ownership registry.

Everything outside this applet -- the REST API, the admin, management commands, the other applets -- goes through
these functions (and the data classes of ``data.py``). The central question is answered by ``check_ownership``:
*is GitHub user U an effective Core Committer of repository R (path P, branch B) at time T, and why (not)?*
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable, Sequence

import attr
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from openedx_cc.events import CC_OWNERSHIP_CHANGED, CCOwnershipData
from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.repositories import configured_aliases, resolve_repository_name
from openedx_cc.lib.timeutil import as_utc
from openedx_cc.plugins.eventlog import api as eventlog_api
from openedx_cc.plugins.ownership import selectors
from openedx_cc.plugins.ownership.data import (
    PHASE_DEFAULTS,
    AgreementState,
    CheckedRight,
    OwnershipCheck,
    PolicyData,
    RightData,
)
from openedx_cc.plugins.ownership.evaluation import (
    agreement_state,
    champions_at,
    evaluate,
    person_problems,
    policy_at,
    right_covers,
)
from openedx_cc.plugins.ownership.models import (
    Agreement,
    AgreementKind,
    Champion,
    CommitRight,
    CommitterStatus,
    CoreCommitter,
    Extension,
    Organization,
    Phase,
    ProgramPhase,
    Repository,
    RepositoryAlias,
)
from openedx_cc.plugins.ownership.importers.files import FORMATS, merge, parse_file
from openedx_cc.plugins.ownership.importers.people import find_orgs_file, looks_like_orgs, looks_like_people
from openedx_cc.plugins.ownership.importers.roster import is_roster
from openedx_cc.plugins.ownership.importers.salesforce import looks_like_salesforce
from openedx_cc.plugins.ownership.scopes import normalize_branch_pattern, normalize_path, scope_key
from openedx_cc.plugins.ownership.snapshot import RegistrySnapshot
from openedx_cc.plugins.ownership.sync import RightChange, SyncReport, run_sync

__all__ = [
    # data
    "AgreementState",
    "CheckedRight",
    "EffectiveCommitter",
    "OwnershipCheck",
    "PolicyData",
    "RightData",
    "PHASE_DEFAULTS",
    # models exposed for the admin and the REST layer's querysets
    "Agreement",
    "AgreementKind",
    "Champion",
    "CommitRight",
    "CommitterStatus",
    "CoreCommitter",
    "Extension",
    "Organization",
    "Phase",
    "ProgramPhase",
    "Repository",
    "RepositoryAlias",
    # reading
    "check_ownership",
    "check_ownership_many",
    "committer_states",
    "effective_committers",
    "get_committer",
    "get_committers",
    "get_repositories",
    "get_repository",
    "policy_in_force",
    "resolve_repository",
    # writing
    "grant_right",
    "find_orgs_file",
    "import_snapshot",
    "is_roster",
    "looks_like_orgs",
    "looks_like_people",
    "looks_like_salesforce",
    "merge_snapshots",
    "parse_import_file",
    "registry_view",
    "supported_import_formats",
    "revoke_rights",
    "set_committer_status",
    "suspend_committers",
    "update_right_validity",
    "validate_right",
    # helpers for other applets
    "DiscoveredExtension",
    "ExpiringItem",
    "ScopeQuestion",
    "Contact",
    "RegistrySummary",
    "committers_with_rights",
    "registry_summary",
    "contacts_for",
    "expiring_items",
    "record_discovered_extensions",
    "committer_login_for_user",
    "normalize_path",
    "resolve_repository_names",
]


# -- reading ---------------------------------------------------------------------------------------------------------


def resolve_repository(name: str, *, default_owner: str | None = None, allow_owner_pattern: bool = False):
    """
    Resolve a repository name through every alias. Returns ``(RepositoryName, Repository or None)``.

    Raises ``InvalidValue`` (with the reason) for a name that is not ``owner/name``.
    """
    return selectors.resolve_repository(name, default_owner=default_owner, allow_owner_pattern=allow_owner_pattern)


def _at(at: datetime | None) -> datetime:
    return timezone.now() if at is None else as_utc(at)


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
    at = _at(at)
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
    if problems:
        raise ValidationFailed(problems)
    facts = selectors.load_check_facts(github_username, name, at)
    return evaluate(
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


@attr.s(frozen=True)
class ScopeQuestion:
    """One question of ``check_ownership_many``: user, repository (already resolved), paths, time."""

    github_username = attr.ib(type=str)
    repository = attr.ib(type=str)
    paths = attr.ib(type=tuple, default=())
    at = attr.ib(type=datetime, default=None)


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
    repo_keys = {q.repository.lower() for q in questions}
    owners = {key.split("/")[0] for key in repo_keys}
    rights_by_committer = defaultdict(list)
    if committers:
        rows = (
            CommitRight.objects.filter(committer_id__in=[c.id for c in committers.values()])
            .filter(Q(repository__key__in=sorted(repo_keys)) | Q(repository__isnull=True, owner__in=sorted(owners)))
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
    earliest = min(_at(q.at) for q in questions)
    people = selectors.load_people(committers.values(), earliest)
    answers = []
    for question in questions:
        at = _at(question.at)
        committer = committers.get(question.github_username.lower())
        key = question.repository.lower()
        rights = [r for r in rights_by_committer.get(committer.id, ()) if _on_repository(r, key)] if committer else []
        answers.append(
            evaluate(
                user=question.github_username,
                repository=question.repository,
                person=people.get(committer.id) if committer else None,
                rights=rights,
                policy=policy_at(phases, at),
                at=at,
                paths=list(question.paths),
            )
        )
    return answers


def _on_repository(right: RightData, repository_key: str) -> bool:
    repo = right.repository.lower()
    return repo == repository_key or (repo.endswith("/*") and repository_key.split("/")[0] == repo[:-2])


def resolve_repository_names(names: Iterable[str]) -> dict[str, str]:
    """
    Resolve many repository names at once through every alias (one query for the registry's aliases).

    Returns ``{name as given: canonical owner/name}``; raises ``InvalidValue`` for a malformed name.
    """
    names = list(dict.fromkeys(names))
    configured = configured_aliases()
    first = {name: resolve_repository_name(name, aliases=configured)[0] for name in names}
    keys = {resolved.key for resolved in first.values()}
    registry = {
        alias_key: full_name
        for alias_key, full_name in RepositoryAlias.objects.filter(key__in=sorted(keys)).values_list(
            "key", "repository__full_name"
        )
    }
    known = {key: full_name for key, full_name in Repository.objects.filter(key__in=sorted(keys)).values_list(
        "key", "full_name")}
    out = {}
    for name, resolved in first.items():
        if resolved.key in registry:
            resolved = resolve_repository_name(registry[resolved.key], aliases=configured)[0]
        out[name] = known.get(resolved.key, resolved.full_name)
    return out


def committer_login_for_user(user) -> str | None:
    """The GitHub login of the Core Committer linked to ``user`` (a user of this service), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return CoreCommitter.objects.filter(user=user).values_list("github_username", flat=True).first()


def policy_in_force(at: datetime | None = None) -> PolicyData:
    """
    The program policy (phase, NDA and champions required) at ``at`` (default: now).
    """
    return selectors.load_policy(_at(at))


def get_committer(github_username: str) -> CoreCommitter | None:
    """
    The committer with that GitHub login (case-insensitive), or None.
    """
    return selectors.get_committer(github_username)


def get_committers() -> QuerySet:
    """
    All committers, with what a listing shows (organization, rights, agreements, champions) prefetched.
    """
    return CoreCommitter.objects.select_related("organization").prefetch_related(
        Prefetch(
            "rights",
            queryset=CommitRight.objects.select_related("repository", "extension").order_by("owner", "id"),
        ),
        "champions",
    )


def get_repositories() -> QuerySet:
    """
    All repositories, with their aliases and extensions prefetched.
    """
    return Repository.objects.prefetch_related("aliases", "extensions")


def get_repository(name: str) -> Repository | None:
    """
    The repository recorded under ``name`` or one of its aliases, or None. Raises ``InvalidValue`` for a bad name.
    """
    return resolve_repository(name)[1]


@attr.s(frozen=True)
class CommitterState:
    """Agreement states and effectiveness (scope aside) of a committer at a moment."""

    agreements = attr.ib(type=dict)
    champions = attr.ib(type=int)
    problems = attr.ib(type=tuple)

    @property
    def in_good_standing(self) -> bool:
        """Whether every condition that does not depend on a scope holds (status, agreements, champions)."""
        return not self.problems


def committer_states(committers: Iterable[CoreCommitter], at: datetime | None = None) -> dict[int, CommitterState]:
    """
    For each committer: the state of each agreement, the number of champions, and the scope-independent problems
    (empty when the committer is in good standing). A fixed number of queries for any number of committers.
    """
    at = _at(at)
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


@attr.s(frozen=True)
class EffectiveCommitter:
    """A committer who is effective on (part of) a repository, with the rights that make them so."""

    github_username = attr.ib(type=str)
    name = attr.ib(type=str)
    rights = attr.ib(type=tuple)

    @property
    def whole_repository(self) -> bool:
        """Whether one of the rights covers the whole repository."""
        return any(r.is_whole_repository for r in self.rights)


def effective_committers(repositories: Sequence[Repository], at: datetime | None = None) -> dict[int, list]:
    """
    For each repository, the committers effective on it (or on part of it) at ``at``, with their valid rights.
    A fixed number of queries for any number of repositories.
    """
    at = _at(at)
    repositories = list(repositories)
    if not repositories:
        return {}
    owners = sorted({r.owner for r in repositories})
    rights = list(
        CommitRight.objects.filter(
            Q(repository__in=repositories) | Q(repository__isnull=True, owner__in=owners)
        ).select_related("committer__organization", "repository", "extension")
    )
    committers = {r.committer_id: r.committer for r in rights}
    people = selectors.load_people(committers.values(), at)
    policy = selectors.load_policy(at)
    good = {cid for cid, person in people.items() if not person_problems(person, policy, at)[0]}
    result: dict[int, list] = {}
    for repository in repositories:
        per_committer = defaultdict(list)
        for right in rights:
            if right.committer_id not in good:
                continue
            data = selectors.right_data(right)
            if data.valid_at(at) and _on_repository(data, repository.key):
                per_committer[right.committer_id].append(data)
        result[repository.id] = [
            EffectiveCommitter(github_username=committers[cid].github_username, name=committers[cid].name,
                               rights=tuple(rs))
            for cid, rs in sorted(per_committer.items(), key=lambda item: committers[item[0]].github_key)
        ]
    return result


# -- writing ---------------------------------------------------------------------------------------------------------


def import_snapshot(
    snapshot: RegistrySnapshot,
    *,
    prune: bool = False,
    dry_run: bool = False,
    actor=None,
    batch_size: int | None = None,
    progress=None,
    reason: str = "",
) -> SyncReport:
    """
    Apply an importer's snapshot to the registry (see ``sync.py``): idempotent, all or nothing, bulk, with audit
    history attributed to ``actor`` and a ``CC_OWNERSHIP_CHANGED`` event per right scope granted, changed or revoked
    (sent after the transaction commits).
    """
    kwargs = {"batch_size": batch_size} if batch_size else {}
    with transaction.atomic():
        report = run_sync(
            snapshot, prune=prune, dry_run=dry_run, actor=actor, progress=progress, reason=reason,
            on_rights_changed=lambda changes: len(_emit_ownership_events(changes)), **kwargs
        )
    return report


def validate_right(
    repository: str,
    *,
    paths: Sequence[str] = (),
    extension: str | None = None,
    branches: Sequence[str] = (),
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> dict:
    """
    Validate the scope and period of a right to grant, without writing anything.

    Returns the cleaned arguments (``name``, ``repository``, ``paths``, ``extension``, ``branches``); raises
    ``ValidationFailed`` naming each bad field: a malformed repository name, a path outside the repository, a bad
    branch pattern, paths and an extension together, an extension the repository does not define, or a period that
    ends before it starts.
    """
    problems = []
    try:
        name, repo = resolve_repository(repository, allow_owner_pattern=True)
    except InvalidValue as exc:
        raise ValidationFailed([Problem(field="repository", message=str(exc))]) from exc
    clean_paths = []
    for i, value in enumerate(paths):
        try:
            clean_paths.append(normalize_path(value, prefix=True))
        except InvalidValue as exc:
            problems.append(Problem(field=f"paths[{i}]", message=str(exc)))
    clean_branches = []
    for i, value in enumerate(branches):
        try:
            clean_branches.append(normalize_branch_pattern(value))
        except InvalidValue as exc:
            problems.append(Problem(field=f"branches[{i}]", message=str(exc)))
    if clean_paths and extension:
        problems.append(Problem(field="extension", message="give either paths or an extension, not both"))
    ext = None
    if extension:
        if repo is None:
            problems.append(Problem(field="extension", message=f"{name.full_name} defines no extensions"))
        else:
            ext = Extension.objects.filter(repository=repo, name__iexact=extension).first()
            if ext is None:
                problems.append(Problem(field="extension", message=f"{extension!r} is not defined in {repo.full_name}"))
    if valid_from and valid_until and as_utc(valid_until) <= as_utc(valid_from):
        problems.append(Problem(field="valid_until", message="must be after valid_from"))
    if problems:
        raise ValidationFailed(problems)
    return {"name": name, "repository": repo, "paths": clean_paths, "extension": ext, "branches": clean_branches}


def parse_import_file(path: str, file_format: str, *, registry=None, orgs_path: str | None = None):
    """
    Validate one file of an ownership format (``roster``, ``people-yaml``, ``salesforce-csv``) into a snapshot;
    raises ``ValidationFailed`` with every problem of the file, each with its line and field.
    """
    return parse_file(path, file_format, registry=registry if registry is not None else selectors.RegistryView(),
                      orgs_path=orgs_path)


def merge_snapshots(snapshots) -> RegistrySnapshot:
    """One snapshot from several files' (two files describing the same committer is an error)."""
    return merge(list(snapshots))


def registry_view():
    """What importers need to know about the registry while validating (aliases, organizations, extensions)."""
    return selectors.RegistryView()


def supported_import_formats() -> tuple[str, ...]:
    """The ``--format`` values ``import_files`` understands."""
    return FORMATS


def grant_right(
    committer: CoreCommitter,
    repository: str,
    *,
    paths: Sequence[str] = (),
    extension: str | None = None,
    branches: Sequence[str] = (),
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    source: str = "api",
    actor=None,
) -> CommitRight:
    """
    Grant ``committer`` a right on ``repository`` (``owner/name`` or ``owner/*``), optionally narrowed to ``paths``
    or to ``extension`` and limited to ``branches``, valid from ``valid_from`` until ``valid_until``.

    Raises ``ValidationFailed`` as ``validate_right`` does, or when the committer already holds a right with the
    same scope. Emits ``CC_OWNERSHIP_CHANGED`` (granted) after commit.
    """
    clean = validate_right(repository, paths=paths, extension=extension, branches=branches, valid_from=valid_from,
                           valid_until=valid_until)
    name, repo, ext = clean["name"], clean["repository"], clean["extension"]
    key = scope_key(paths=clean["paths"], extension_name=ext.name if ext else "", branches=clean["branches"])
    with transaction.atomic():
        if repo is None and not name.is_owner_pattern:
            repo = Repository(full_name=name.full_name)
            repo.save()
        duplicate = CommitRight.objects.filter(
            committer=committer, repository=repo, owner=name.owner_key, scope_key=key, revoked_at__isnull=True
        ).exists()
        if duplicate:
            raise ValidationFailed([Problem(field="repository", message="the committer already holds this right")])
        right = CommitRight(
            committer=committer,
            repository=repo,
            owner=name.owner_key,
            paths=clean["paths"],
            extension=ext,
            branches=clean["branches"],
            scope_key=key,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source[:255],
        )
        if actor is not None:
            right._history_user = actor  # pylint: disable=protected-access
        right.save()
        _emit_ownership_events([RightChange(right_id=right.id, action="granted")])
    return right


def update_right_validity(right: CommitRight, *, valid_from=None, valid_until=None, actor=None) -> CommitRight:
    """
    Change the period of a right (its scope never changes). Emits ``CC_OWNERSHIP_CHANGED`` (changed) if it did.
    """
    if valid_from and valid_until and as_utc(valid_until) <= as_utc(valid_from):
        raise ValidationFailed([Problem(field="valid_until", message="must be after valid_from")])
    if right.valid_from == valid_from and right.valid_until == valid_until:
        return right
    with transaction.atomic():
        right.valid_from, right.valid_until = valid_from, valid_until
        if actor is not None:
            right._history_user = actor  # pylint: disable=protected-access
        right.save()
        _emit_ownership_events([RightChange(right_id=right.id, action="changed")])
    return right


def revoke_rights(rights: Iterable[CommitRight], *, at: datetime | None = None, actor=None, reason: str = "") -> int:
    """
    Revoke rights (never delete them): they stop being valid at ``at`` (default now). Rights already revoked are
    left alone. Returns how many were revoked; emits ``CC_OWNERSHIP_CHANGED`` (revoked) for each.
    """
    at = _at(at)
    changes = []
    with transaction.atomic():
        for right in rights:
            if right.revoked_at is not None:
                continue
            right.revoked_at = at
            if actor is not None:
                right._history_user = actor  # pylint: disable=protected-access
            right._change_reason = reason or "revoked"  # pylint: disable=protected-access
            right.save(update_fields=["revoked_at", "modified"])
            changes.append(RightChange(right_id=right.id, action="revoked"))
        _emit_ownership_events(changes)
    return len(changes)


def set_committer_status(
    committer: CoreCommitter, status: str, *, since: datetime | None = None, until: datetime | None = None,
    actor=None, reason: str = "",
) -> CoreCommitter:
    """
    Give ``committer`` a new status from ``since`` (default now). The previous status stays in the history and keeps
    answering questions about earlier times.
    """
    if status not in CommitterStatus.values:
        raise ValidationFailed([Problem(field="status", message=f"must be one of {', '.join(CommitterStatus.values)}")])
    since = _at(since)
    if until is not None and as_utc(until) <= since:
        raise ValidationFailed([Problem(field="until", message="must be after since")])
    committer.status, committer.status_since, committer.status_until = status, since, until
    if actor is not None:
        committer._history_user = actor  # pylint: disable=protected-access
    committer._change_reason = reason or f"status {status}"  # pylint: disable=protected-access
    committer.save()
    return committer


def suspend_committers(committers: Iterable[CoreCommitter], *, actor=None, reason: str = "") -> int:
    """
    Suspend committers from now on (those already suspended are left alone). Returns how many were suspended.
    """
    count = 0
    with transaction.atomic():
        for committer in committers:
            if committer.status == CommitterStatus.SUSPENDED:
                continue
            set_committer_status(committer, CommitterStatus.SUSPENDED, actor=actor, reason=reason or "suspended")
            count += 1
    return count


# -- extension discovery and staleness -------------------------------------------------------------------------------


@attr.s(frozen=True)
class DiscoveredExtension:
    """An entry point found installed in this service, with the repository its distribution names."""

    group = attr.ib(type=str)
    name = attr.ib(type=str)
    value = attr.ib(type=str)
    distribution = attr.ib(type=str)
    version = attr.ib(type=str)
    declared_repository = attr.ib(type=str, default="")  # owner/name as the distribution's metadata says
    repository = attr.ib(type=str, default="")  # through the aliases; "" when the metadata names none

    @property
    def extension_name(self) -> str:
        """The name it is recorded under in its repository: ``group:name``."""
        return f"{self.group}:{self.name}"

    @property
    def path(self) -> str:
        """The package directory of the entry point's module, as a path prefix in the repository (a guess)."""
        module = self.value.split(":", 1)[0].strip()
        parts = [p for p in module.split(".") if p]
        return "/".join(parts[:-1] or parts) + "/"


def record_discovered_extensions(found, *, actor=None) -> SyncReport:
    """
    Record what discovery found installed as extensions of their repositories (creating repositories as needed),
    and mark the previously discovered extensions that are no longer installed. Idempotent; one transaction.
    """
    from openedx_cc.lib.sync import BulkWriter, diff  # pylint: disable=import-outside-toplevel

    now = timezone.now()
    report = SyncReport(source="extension discovery")
    writer = BulkWriter(dry_run=False, actor=actor, reason="cc_discover_extensions", now=now)
    with transaction.atomic():
        keyed = {item.repository.lower(): item.repository for item in found if item.repository}
        repos = {r.key: r for r in Repository.objects.filter(key__in=sorted(keyed))}
        new_repos = [Repository(full_name=name, key=key, owner=key.split("/")[0]) for key, name in keyed.items()
                     if key not in repos]
        for repo in writer.create(Repository, new_repos):
            repos[repo.key] = repo
            report.add("+", "repository", repo.full_name)
        existing = {(e.repository_id, e.name.lower()): e for e in Extension.objects.filter(
            Q(repository__in=list(repos.values())) | Q(installed=True))}
        creates, updates, fields, seen = [], [], set(), set()
        for item in found:
            if not item.repository:
                continue
            repo = repos[item.repository.lower()]
            values = {"entry_point_group": item.group, "entry_point": item.value, "distribution": item.distribution,
                      "version": item.version, "declared_repository": item.declared_repository, "installed": True}
            key = (repo.pk, item.extension_name.lower())
            seen.add(key)
            extension = existing.get(key)
            label = f"{repo.full_name}:{item.extension_name}"
            if extension is None:
                creates.append(Extension(repository=repo, name=item.extension_name, path=item.path,
                                         discovered_at=now, **values))
                report.add("+", "extension", label, f"{item.distribution} {item.version}")
            elif changed := diff(extension, values):
                for name, (_old, new) in changed.items():
                    setattr(extension, name, new)
                extension.discovered_at = now
                updates.append(extension)
                fields.update(changed, {"discovered_at": None})
                report.add("~", "extension", label, ", ".join(sorted(changed)))
        for key, extension in existing.items():
            if key not in seen and extension.installed:
                extension.installed = False
                updates.append(extension)
                fields.add("installed")
                report.add("-", "extension", f"{extension.repository.full_name}:{extension.name}",
                           "no longer installed")
        writer.create(Extension, creates)
        writer.update(Extension, updates, sorted(fields))
    return report


@attr.s(frozen=True)
class ExpiringItem:
    """A right or an agreement that ends soon: what it is, whose, and when it ends."""

    kind = attr.ib(type=str)  # "right", "individual", "nda", "entity"
    holder = attr.ib(type=str)  # GitHub login, or organization slug for entity agreements
    description = attr.ib(type=str)
    ends = attr.ib()  # datetime (rights) or date (agreements)


def expiring_items(*, within_days: int = 30, at: datetime | None = None) -> list[ExpiringItem]:
    """
    Rights, agreements and NDAs (and organizations' entity agreements) that end within ``within_days`` of ``at``
    (default now), and are not revoked. Two queries.
    """
    from datetime import timedelta  # pylint: disable=import-outside-toplevel

    from openedx_cc.plugins.ownership.scopes import describe_right  # pylint: disable=import-outside-toplevel

    at = _at(at)
    horizon = at + timedelta(days=within_days)
    items = []
    for right in CommitRight.objects.filter(revoked_at__isnull=True, valid_until__gte=at,
                                            valid_until__lte=horizon).select_related("committer", "repository",
                                                                                     "extension"):
        items.append(ExpiringItem(kind="right", holder=right.committer.github_username,
                                  description=describe_right(right), ends=right.valid_until))
    for agreement in Agreement.objects.filter(revoked_at__isnull=True, expires_on__gte=at.date(),
                                              expires_on__lte=horizon.date()).select_related("committer",
                                                                                             "organization"):
        holder = agreement.organization.slug if agreement.kind == "entity" else agreement.committer.github_username
        items.append(ExpiringItem(kind=agreement.kind, holder=holder,
                                  description=f"signed {agreement.signed_on}",
                                  ends=agreement.expires_on))
    return sorted(items, key=lambda i: (str(i.ends), i.holder))


@attr.s(frozen=True)
class Contact:
    """How to reach a Core Committer and their champions (emails are personal data: for notifications only)."""

    github_username = attr.ib(type=str)
    name = attr.ib(type=str)
    email = attr.ib(type=str, default="")
    champions = attr.ib(type=tuple, default=())  # (name, email) of the current champions with an email


def contacts_for(logins, at: datetime | None = None) -> dict[str, Contact]:
    """
    ``{login in lower case: Contact}`` for the registered committers among ``logins``. Two queries.
    """
    at = _at(at)
    keys = sorted({login.lower() for login in logins if login})
    committers = {c.id: c for c in CoreCommitter.objects.filter(github_key__in=keys)}
    champions = defaultdict(list)
    for committer_id, name, email, start, end in Champion.objects.filter(committer_id__in=list(committers)).values_list(
        "committer_id", "name", "email", "valid_from", "valid_until"
    ):
        if email and (start is None or start <= at) and (end is None or at < end):
            champions[committer_id].append((name, email))
    return {
        c.github_key: Contact(github_username=c.github_username, name=c.name, email=c.email,
                              champions=tuple(champions.get(c.id, ())))
        for c in committers.values()
    }


@attr.s(frozen=True)
class RegistrySummary:
    """The registry at a glance, for the operators' dashboard."""

    by_status = attr.ib(type=tuple)  # (status, count)
    by_organization = attr.ib(type=tuple)  # (organization name, count), committers without one as ""
    committers = attr.ib(type=int)
    effective = attr.ib(type=int)  # committers in good standing with at least one valid right
    repositories = attr.ib(type=int)
    without_effective = attr.ib(type=tuple)  # full names of repositories no effective CC covers (first ``limit``)
    without_effective_count = attr.ib(type=int)
    expiring = attr.ib(type=tuple)  # ExpiringItem


def registry_summary(*, at: datetime | None = None, within_days: int = 30, limit: int = 50) -> RegistrySummary:
    """
    Counts of committers by status and organization, how many are effective, the repositories without an
    effective Core Committer, and what expires within ``within_days``. A fixed number of queries.
    """
    from django.db.models import Count  # pylint: disable=import-outside-toplevel

    at = _at(at)
    by_status = tuple(CoreCommitter.objects.order_by("status").values_list("status").annotate(n=Count("id")))
    by_org = tuple(
        (name or "", n) for name, n in CoreCommitter.objects.order_by("organization__name")
        .values_list("organization__name").annotate(n=Count("id"))
    )
    committers = list(committers_with_rights())
    states = committer_states(committers, at)
    good = [c.id for c in committers if states[c.id].in_good_standing]
    valid_now = (Q(valid_from__isnull=True) | Q(valid_from__lte=at)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)) & (Q(revoked_at__isnull=True) | Q(revoked_at__gt=at))
    valid = CommitRight.objects.filter(valid_now, committer_id__in=good)
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


def committers_with_rights() -> QuerySet:
    """Active committers who hold at least one right that is not revoked."""
    return (
        CoreCommitter.objects.filter(status=CommitterStatus.ACTIVE, rights__revoked_at__isnull=True)
        .select_related("organization").distinct().order_by("github_key")
    )


# -- events ----------------------------------------------------------------------------------------------------------


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


def _emit_ownership_events(changes: Sequence[RightChange]) -> list:
    """
    Log (and, after commit, send) one ``CC_OWNERSHIP_CHANGED`` per scope of each changed right, with ``effective``
    computed after the change from all of the user's rights. A fixed number of queries for any number of changes.
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
    people = selectors.load_people(committers.values(), now)
    policy = selectors.load_policy(now)
    good = {cid for cid, person in people.items() if not person_problems(person, policy, now)[0]}
    events = []
    for change in changes:
        right = changed.get(change.right_id)
        if right is None:
            continue
        data = selectors.right_data(right)
        repository_key = data.repository.lower()
        for scope, scope_paths in _event_scopes(data):
            effective = right.committer_id in good and any(
                other.valid_at(now) and right_covers(other, repository_key=repository_key, paths=scope_paths,
                                                     branch=None if not data.branches else data.branches[0])
                for other in all_rights[right.committer_id]
            )
            events.append(
                eventlog_api.PendingEvent(
                    signal=CC_OWNERSHIP_CHANGED,
                    data={
                        "ownership": CCOwnershipData(
                            github_username=right.committer.github_username,
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

