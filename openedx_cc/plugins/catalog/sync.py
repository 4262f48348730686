"""
Validating catalog-info files together (every problem of every file at once, names through the aliases, one file per
repository) and applying them to the catalog: idempotent, all or nothing, with history.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Sequence

import attr
from django.db import transaction
from django.utils import timezone

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.history import attribute_change
from openedx_cc.lib.sync import BulkWriter, SyncReport, Updates, details
from openedx_cc.plugins.catalog.catalog_info import CatalogSnapshot, catalog_files, parse_catalog_file
from openedx_cc.plugins.catalog.models import CatalogEntry
from openedx_cc.plugins.ownership import api as ownership_api

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def parse_catalog_files(paths: Sequence[str | os.PathLike[str]]) -> CatalogSnapshot:
    """
    Validate catalog-info files (directories are searched for ``*catalog-info.yaml``); every problem of every file
    is reported together. Repository names go through the aliases; two files describing one repository are an
    error.
    """
    files = [f for path in paths for f in catalog_files(str(path))]
    entries, notes, problems = [], [], []
    for path in files:
        try:
            found, file_notes = parse_catalog_file(path)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        entries.extend(found)
        notes.extend(file_notes)
    if not files:
        problems.append(Problem(field="", message="no catalog-info.yaml file found", file=", ".join(map(str, paths))))
    if problems:
        raise ValidationFailed(problems)
    try:
        names = ownership_api.resolve_repository_names(e.declared_name for e in entries)
    except InvalidValue as exc:  # pragma: no cover - names were parsed already
        raise ValidationFailed([Problem(field="metadata.name", message=str(exc))]) from exc
    resolved = []
    seen: dict[str, str] = {}  # repository key -> the file that describes it
    for entry in entries:
        repository = names[entry.declared_name]
        if repository.lower() in seen:
            problems.append(Problem(field="metadata.name", message=f"{repository} is also described in "
                                                                   f"{seen[repository.lower()]}", file=entry.source))
            continue
        seen[repository.lower()] = entry.source
        if repository.lower() != entry.declared_name.lower():
            notes.append(f"{entry.source}: {entry.declared_name} is now {repository}")
        resolved.append(attr.evolve(entry, repository=repository))
    if problems:
        raise ValidationFailed(problems)
    return CatalogSnapshot(source=", ".join(files), entries=tuple(resolved), notes=tuple(notes))


_FIELDS = ["repository", "declared_name", "component", "kind", "description", "owner", "owner_kind", "owner_name",
           "type", "lifecycle", "release_declared", "release", "arch_interest_groups", "links", "source"]


def sync_catalog(snapshot: CatalogSnapshot, *, prune: bool = False, dry_run: bool = False,
                 actor: AbstractBaseUser | None = None,
                 reason: str = "") -> SyncReport:
    """
    Apply catalog entries (idempotent, all or nothing, with history). ``prune`` deletes the entries of repositories
    the files no longer describe.
    """
    now = timezone.now()
    report = SyncReport(source=snapshot.source, dry_run=dry_run, notes=list(snapshot.notes))
    writer = BulkWriter(dry_run=dry_run, actor=actor, reason=reason or f"import {snapshot.source}", now=now)
    with transaction.atomic():
        keys = [e.repository.lower() for e in snapshot.entries]
        existing = {e.repository_key: e for e in CatalogEntry.objects.filter(repository_key__in=keys)}
        creates, updates = [], Updates()
        for spec in snapshot.entries:
            values = {name: getattr(spec, name) for name in _FIELDS}
            values["arch_interest_groups"] = list(values["arch_interest_groups"])
            values["links"] = [dict(link) for link in values["links"]]
            row = existing.get(spec.repository.lower())
            if row is None:
                creates.append(CatalogEntry(repository_key=spec.repository.lower(), created=now, modified=now,
                                            **values))
                report.add("+", "catalog entry", spec.repository, f"owner {spec.owner or '-'}")
            elif changed := updates.apply(row, values):
                report.add("~", "catalog entry", spec.repository, details(changed))
        writer.create(CatalogEntry, creates)
        updates.write(writer, CatalogEntry)
        if prune:
            stale = CatalogEntry.objects.exclude(repository_key__in=keys)
            for row in stale:
                report.add("-", "catalog entry", row.repository, "no longer described")
            if not dry_run:
                for row in stale:
                    attribute_change(row, actor=actor)
                    row.delete()
    return report
