"""
Writing the registry: importing snapshots, granting, changing and revoking rights, and committers' statuses. Every
write keeps the audit history and logs its ``CC_OWNERSHIP_CHANGED`` events (``events.py``), sent after commit.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from django.db import transaction

from openedx_cc.lib.history import attribute_change
from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.sync import SyncReport
from openedx_cc.lib.timeutil import as_utc
from openedx_cc.plugins.ownership import selectors
from openedx_cc.plugins.ownership.data import RightChange
from openedx_cc.plugins.ownership.events import emit_ownership_events
from openedx_cc.plugins.ownership.formats.files import FORMATS, merge, parse_file
from openedx_cc.plugins.ownership.models import CommitRight, CommitterStatus, CoreCommitter, Extension, Repository
from openedx_cc.plugins.ownership.registry import resolve_repository
from openedx_cc.plugins.ownership.scopes import normalize_branch_pattern, normalize_path, scope_key
from openedx_cc.plugins.ownership.selectors import at_or_now
from openedx_cc.plugins.ownership.snapshot import RegistrySnapshot
from openedx_cc.plugins.ownership.sync import run_sync

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def import_snapshot(
    snapshot: RegistrySnapshot,
    *,
    prune: bool = False,
    dry_run: bool = False,
    actor: AbstractBaseUser | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    reason: str = "",
) -> SyncReport:
    """
    Apply a format's snapshot to the registry (see ``sync.py``): idempotent, all or nothing, bulk, with audit
    history attributed to ``actor`` and a ``CC_OWNERSHIP_CHANGED`` event per right scope granted, changed or revoked
    (sent after the transaction commits).
    """
    kwargs = {"batch_size": batch_size} if batch_size else {}
    with transaction.atomic():
        report = run_sync(snapshot, prune=prune, dry_run=dry_run, actor=actor, progress=progress, reason=reason,
                          **kwargs)
    return report


def _period_problems(valid_from: datetime | None, valid_until: datetime | None) -> list[Problem]:
    """The problem of a right's period that ends before it starts (none for an open end)."""
    if valid_from and valid_until and as_utc(valid_until) <= as_utc(valid_from):
        return [Problem(field="valid_until", message="must be after valid_from")]
    return []


def validate_right(
    repository: str,
    *,
    paths: Sequence[str] = (),
    extension: str | None = None,
    branches: Sequence[str] = (),
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
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
    problems.extend(_period_problems(valid_from, valid_until))
    if problems:
        raise ValidationFailed(problems)
    return {"name": name, "repository": repo, "paths": clean_paths, "extension": ext, "branches": clean_branches}


def parse_import_file(
    path: str, file_format: str, *, registry: selectors.RegistryView | None = None, orgs_path: str | None = None
) -> RegistrySnapshot:
    """
    Validate one file of an ownership format (``roster``, ``people-yaml``, ``salesforce-csv``) into a snapshot;
    raises ``ValidationFailed`` with every problem of the file, each with its line and field.
    """
    return parse_file(path, file_format, registry=registry if registry is not None else selectors.RegistryView(),
                      orgs_path=orgs_path)


def merge_snapshots(snapshots: Iterable[RegistrySnapshot]) -> RegistrySnapshot:
    """One snapshot from several files' (two files describing the same committer is an error)."""
    return merge(list(snapshots))


def registry_view() -> selectors.RegistryView:
    """What the import formats need to know about the registry while validating (aliases, organizations, extensions)."""
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
    actor: AbstractBaseUser | None = None,
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
        attribute_change(right, actor=actor)
        right.save()
        emit_ownership_events([RightChange(right_id=right.id, action="granted")])
    return right


def update_right_validity(
    right: CommitRight, *, valid_from: datetime | None = None, valid_until: datetime | None = None,
    actor: AbstractBaseUser | None = None,
) -> CommitRight:
    """
    Change the period of a right (its scope never changes). Emits ``CC_OWNERSHIP_CHANGED`` (changed) if it did.
    """
    if problems := _period_problems(valid_from, valid_until):
        raise ValidationFailed(problems)
    if right.valid_from == valid_from and right.valid_until == valid_until:
        return right
    with transaction.atomic():
        right.valid_from, right.valid_until = valid_from, valid_until
        attribute_change(right, actor=actor)
        right.save()
        emit_ownership_events([RightChange(right_id=right.id, action="changed")])
    return right


def revoke_rights(rights: Iterable[CommitRight], *, at: datetime | None = None, actor: AbstractBaseUser | None = None,
                  reason: str = "") -> int:
    """
    Revoke rights (never delete them): they stop being valid at ``at`` (default now). Rights already revoked are
    left alone. Returns how many were revoked; emits ``CC_OWNERSHIP_CHANGED`` (revoked) for each.
    """
    at = at_or_now(at)
    changes = []
    with transaction.atomic():
        for right in rights:
            if right.revoked_at is not None:
                continue
            right.revoked_at = at
            attribute_change(right, actor=actor, reason=reason or "revoked")
            right.save(update_fields=["revoked_at", "modified"])
            changes.append(RightChange(right_id=right.id, action="revoked"))
        emit_ownership_events(changes)
    return len(changes)


def set_committer_status(
    committer: CoreCommitter, status: str, *, since: datetime | None = None, until: datetime | None = None,
    actor: AbstractBaseUser | None = None, reason: str = "",
) -> CoreCommitter:
    """
    Give ``committer`` a new status from ``since`` (default now). The previous status stays in the history and keeps
    answering questions about earlier times.
    """
    if status not in CommitterStatus.values:
        raise ValidationFailed([Problem(field="status", message=f"must be one of {', '.join(CommitterStatus.values)}")])
    since = at_or_now(since)
    if until is not None and as_utc(until) <= since:
        raise ValidationFailed([Problem(field="until", message="must be after since")])
    committer.status, committer.status_since, committer.status_until = status, since, until
    attribute_change(committer, actor=actor, reason=reason or f"status {status}")
    committer.save()
    return committer


def suspend_committers(
    committers: Iterable[CoreCommitter], *, actor: AbstractBaseUser | None = None, reason: str = ""
) -> int:
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
