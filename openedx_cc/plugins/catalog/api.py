"""
Public Python API of the catalog applet: catalog-info imports, extension discovery, and the staleness audit.
"""
from __future__ import annotations

from datetime import datetime

import attr
from django.db import transaction
from django.utils import timezone

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.sync import BulkWriter, SyncReport, Updates, details
from openedx_cc.plugins.catalog import discovery
from openedx_cc.plugins.catalog.entries import effective_committers_of_unrecorded, get_catalog_entry
from openedx_cc.plugins.catalog.importer import CatalogSnapshot, catalog_files, is_catalog_info, parse_catalog_file
from openedx_cc.plugins.catalog.models import CatalogEntry
from openedx_cc.plugins.ownership import api as ownership_api

__all__ = [
    "AuditReport",
    "CatalogSnapshot",
    "Finding",
    "audit",
    "catalog_files",
    "discover_extensions",
    "effective_committers_of_unrecorded",
    "get_catalog_entry",
    "is_catalog_info",
    "parse_catalog_files",
    "record_discovery",
    "sync_catalog",
]


def parse_catalog_files(paths) -> CatalogSnapshot:
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
    resolved, seen = [], {}
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


def sync_catalog(snapshot: CatalogSnapshot, *, prune: bool = False, dry_run: bool = False, actor=None,
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
                    row._history_user = actor  # pylint: disable=protected-access
                    row.delete()
    return report


def discover_extensions(paths=None) -> list[ownership_api.DiscoveredExtension]:
    """
    The extensions installed in this service (entry points of the Open edX plugin groups), with their distribution,
    version and repository (through the aliases). ``paths`` replaces ``sys.path`` (for tests).
    """
    found = discovery.installed_entry_points(paths=paths)
    declared = sorted({item[5] for item in found if item[5]})
    names = {}
    for name in declared:
        try:
            names.update(ownership_api.resolve_repository_names([name]))
        except InvalidValue:
            names[name] = ""
    return [
        ownership_api.DiscoveredExtension(group=group, name=name, value=value, distribution=distribution,
                                          version=version, declared_repository=repo,
                                          repository=names.get(repo, "") if repo else "")
        for group, name, value, distribution, version, repo in found
    ]


def record_discovery(found, *, actor=None) -> SyncReport:
    """Record discovered extensions as extensions of their repositories (see ownership ``record_...``)."""
    report = ownership_api.record_discovered_extensions(found, actor=actor)
    unknown = sorted({f"{f.distribution} ({f.group}:{f.name})" for f in found if not f.repository})
    if unknown:
        report.notes.append(f"{len(unknown)} installed extension(s) name no GitHub repository and were not recorded: "
                            + ", ".join(unknown))
    return report


# -- the staleness audit --------------------------------------------------------------------------------------------


@attr.s(frozen=True)
class Finding:
    """One thing an operator should look at."""

    section = attr.ib(type=str)
    subject = attr.ib(type=str)
    message = attr.ib(type=str)

    def as_dict(self) -> dict:
        """JSON form."""
        return {"subject": self.subject, "message": self.message}


SECTIONS = {
    "unowned_extensions": "Installed extensions whose repository has no effective Core Committer",
    "expiring": "Rights, agreements and NDAs that expire soon",
    "lost_effectiveness": "Core Committers with rights who are not effective now",
    "missing_champions": "Core Committers without the champions the program phase requires",
    "aliased_names": "Repository names that only resolve through an alias",
    "catalog_owners": "Catalog owners that disagree with the recorded Core Committers",
}


@attr.s(frozen=True)
class AuditReport:
    """The staleness audit: findings by section, and whether anything needs action."""

    generated_at = attr.ib(type=datetime)
    days = attr.ib(type=int)
    findings = attr.ib(type=tuple)
    expiring_items = attr.ib(type=tuple, default=())  # the ExpiringItem objects behind the "expiring" section

    @property
    def needs_action(self) -> bool:
        """Whether there is any finding."""
        return bool(self.findings)

    def by_section(self) -> dict[str, list[Finding]]:
        """Findings grouped by section, every section present."""
        grouped = {name: [] for name in SECTIONS}
        for finding in self.findings:
            grouped[finding.section].append(finding)
        return grouped

    def as_dict(self) -> dict:
        """JSON form (``GET /api/cc/v1/audit/``)."""
        return {
            "generated_at": self.generated_at.isoformat().replace("+00:00", "Z"),
            "days": self.days,
            "needs_action": self.needs_action,
            "sections": {
                name: {"title": SECTIONS[name], "findings": [f.as_dict() for f in findings]}
                for name, findings in self.by_section().items()
            },
        }


# The audit looks at most ten years ahead (the REST API and the command both take this bound).
MAX_AUDIT_DAYS = 3650


def audit(*, days: int = 30, at: datetime | None = None) -> AuditReport:
    """
    What keeps the registry from going stale: unowned installed extensions, expiries within ``days``, committers
    who lost effectiveness (and why), missing champions, names that only resolve through an alias, and catalog
    owners that disagree with the recorded Core Committers. A fixed number of queries.
    """
    at = at or timezone.now()
    findings: list[Finding] = []
    installed = list(ownership_api.get_installed_extensions())
    catalog = list(CatalogEntry.objects.all())
    repo_keys = {e.repository.key for e in installed} | {c.repository_key for c in catalog}
    repositories = list(ownership_api.get_repositories_by_keys(repo_keys))
    effective = ownership_api.effective_committers(repositories, at)
    by_key = {r.key: effective.get(r.id, []) for r in repositories}
    for extension in installed:
        if not by_key.get(extension.repository.key):
            findings.append(Finding("unowned_extensions", extension.repository.full_name,
                                    f"{extension.name} ({extension.distribution} {extension.version}) is installed "
                                    f"and {extension.repository.full_name} has no effective Core Committer"))
    expiring = ownership_api.expiring_items(within_days=days, at=at)
    for item in expiring:
        label = {"right": "right", "individual": "individual agreement", "nda": "NDA",
                 "entity": "entity agreement"}[item.kind]
        when = item.ends.date() if isinstance(item.ends, datetime) else item.ends
        findings.append(Finding("expiring", item.holder, f"{label} {item.description} ends on {when}"))
    committers = list(ownership_api.committers_with_rights())
    states = ownership_api.committer_states(committers, at)
    policy = ownership_api.policy_in_force(at)
    for committer in committers:
        state = states[committer.id]
        champion_problems = [p for p in state.problems if "champions" in p]
        other = [p for p in state.problems if "champions" not in p]
        if other:
            findings.append(Finding("lost_effectiveness", committer.github_username, "; ".join(other)))
        if champion_problems and policy.require_champions:
            findings.append(Finding("missing_champions", committer.github_username, champion_problems[0]))
    for extension in installed:
        declared = extension.declared_repository
        if declared and declared.lower() != extension.repository.key:
            findings.append(Finding("aliased_names", declared, f"{extension.distribution} still names {declared}, "
                                                               f"now {extension.repository.full_name}"))
    for entry in catalog:
        if entry.declared_name.lower() != entry.repository_key:
            findings.append(Finding("aliased_names", entry.declared_name,
                                    f"catalog-info ({entry.source}) names {entry.declared_name}, "
                                    f"now {entry.repository}"))
    for entry in catalog:
        ccs = by_key.get(entry.repository_key, [])
        logins = {c.github_username.lower() for c in ccs}
        if entry.owner_kind == "user" and entry.owner_name.lower() not in logins:
            findings.append(Finding("catalog_owners", entry.repository,
                                    f"catalog owner user:{entry.owner_name} is not an effective Core Committer of "
                                    f"{entry.repository}" + (f" (they are: {', '.join(sorted(logins))})" if logins
                                                             else " (it has none)")))
        elif entry.owner_kind == "group" and entry.owner_name.lower().startswith("committers-") and not ccs:
            findings.append(Finding("catalog_owners", entry.repository,
                                    f"catalog owner group:{entry.owner_name} names committers, but no effective Core "
                                    f"Committer of {entry.repository} is recorded"))
        elif not entry.owner:
            findings.append(Finding("catalog_owners", entry.repository, "the catalog-info names no owner"))
    ordered = sorted(findings, key=lambda f: (list(SECTIONS).index(f.section), f.subject.lower(), f.message))
    return AuditReport(generated_at=at, days=days, findings=tuple(ordered), expiring_items=tuple(expiring))

