"""
Extensions found installed in this service (catalog's discovery): recording them in the registry as extensions of
their repositories, and marking those no longer installed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openedx_cc.lib.sync import BulkWriter, SyncReport, Updates
from openedx_cc.plugins.ownership.data import DiscoveredExtension
from openedx_cc.plugins.ownership.models import Extension, Repository

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def record_discovered_extensions(
    found: Sequence[DiscoveredExtension], *, actor: AbstractBaseUser | None = None
) -> SyncReport:
    """
    Record what discovery found installed as extensions of their repositories (creating repositories as needed),
    and mark the previously discovered extensions that are no longer installed. Idempotent; one transaction.
    """
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
        creates, updates, seen = [], Updates(), set()
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
            elif changed := updates.apply(extension, values, touch={"discovered_at": now}):
                report.add("~", "extension", label, ", ".join(sorted(changed)))
        for key, extension in existing.items():
            if key not in seen and extension.installed:
                extension.installed = False
                updates.add(extension, "installed")
                report.add("-", "extension", f"{extension.repository.full_name}:{extension.name}",
                           "no longer installed")
        writer.create(Extension, creates)
        updates.write(writer, Extension)
    return report
