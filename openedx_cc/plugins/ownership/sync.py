"""
The sync engine: applies a ``RegistrySnapshot`` to the registry, for every import format.

* **Idempotent**: what is already recorded as the snapshot says is not written again -- a second run of the same
  import writes nothing, adds no history rows and emits no events.
* **All or nothing**: the whole sync runs in one transaction; events are sent only after it commits.
* **Bulk**: committers are handled in batches; each batch costs a fixed number of queries (reads of what exists,
  bulk inserts and updates with their history rows), whatever the number of rows in it.
* **Prune** (``prune=True``): the snapshot is taken as the whole registry. Rights it does not list are revoked and
  champions it does not list are ended (never deleted); agreements it does not list are revoked for the committers
  and organizations it lists. Repositories, extensions, aliases, organizations and program phases are kept.
* **Dry run** (``dry_run=True``): the report says what would change; nothing is written.

Identity of rows across imports: organizations by slug, committers by GitHub login (case-insensitive),
repositories by name, aliases by name, extensions by repository and name, agreements by holder, kind and signing
date, champions by committer and name, rights by committer, repository (or owner) and scope (paths or extension,
branches) among the rights not revoked.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Callable

from django.utils import timezone

from openedx_cc.lib.sync import DEFAULT_BATCH_SIZE, BulkWriter, SyncReport, Updates, chunks, details, fmt
from openedx_cc.plugins.ownership.data import RightChange
from openedx_cc.plugins.ownership.events import emit_ownership_events
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
from openedx_cc.plugins.ownership.snapshot import RegistrySnapshot
from openedx_cc.plugins.ownership.syncplans import AgreementPlan, ChampionPlan, RightPlan

log = logging.getLogger(__name__)


class _Sync:
    """
    One run of the sync engine over one snapshot.
    """

    def __init__(self, snapshot: RegistrySnapshot, *, prune: bool, dry_run: bool, actor, batch_size: int,
                 progress: Callable[[int, int], None] | None, reason: str):
        self.snapshot = snapshot
        self.prune = prune
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.progress = progress
        self.now = timezone.now()
        self.writer = BulkWriter(dry_run=dry_run, actor=actor, reason=reason, now=self.now)
        self.report = SyncReport(source=snapshot.source, dry_run=dry_run, notes=list(snapshot.notes))
        self.organizations: dict[str, Organization] = {}
        self.repositories: dict[str, Repository] = {}
        self.extensions: dict[tuple[str, str], Extension] = {}
        self.right_changes: list[RightChange] = []
        self.listed_keys: set[str] = set()

    def flush_right_changes(self):
        """Log the ownership events of the right changes of the batch just written (none in a dry run)."""
        if self.right_changes and not self.dry_run:
            self.report.events += len(emit_ownership_events(self.right_changes))
        self.right_changes = []

    def change(self, action: str, kind: str, label: str, text: str = ""):
        self.report.add(action, kind, label, text)

    # -- organizations ---------------------------------------------------------------------------------------------

    def sync_organizations(self):
        specs = {spec.slug.lower(): spec for spec in self.snapshot.organizations}
        referenced = {c.organization for c in self.snapshot.committers if c.organization} | set(specs)
        existing = {o.slug: o for o in Organization.objects.filter(slug__in=sorted(referenced))}
        creates, updates = [], Updates()
        for key, spec in specs.items():
            values = {"slug": key, "name": spec.name, "openedx_provider": spec.openedx_provider}
            org = existing.get(key)
            if org is None:
                org = Organization(**values, created=self.now, modified=self.now)
                creates.append(org)
                existing[key] = org
                self.change("+", "organization", key, spec.name)
            elif changed := updates.apply(org, values):
                self.change("~", "organization", key, details(changed))
        self.writer.create(Organization, creates)
        updates.write(self.writer, Organization)
        self.organizations = existing
        listed = [existing[key] for key in specs if existing[key].pk]
        current = defaultdict(list)
        for agreement in Agreement.objects.filter(organization__in=listed, kind="entity"):
            current[agreement.organization_id].append(agreement)
        plan = AgreementPlan(self)
        for key, spec in specs.items():
            org = existing[key]
            plan.diff(holder_label=key, specs=spec.agreements, rows=current.get(org.pk, []) if org.pk else [],
                      make=lambda a, org=org: Agreement(kind=a.kind, organization=org))
        plan.apply()

    # -- repositories ----------------------------------------------------------------------------------------------

    def sync_repositories(self):
        specs = {spec.full_name.lower(): spec for spec in self.snapshot.repositories}
        # key -> full name: the listed repositories (as listed), then those only the rights name
        referenced = {key: spec.full_name for key, spec in specs.items()}
        for committer in self.snapshot.committers:
            for right in committer.rights:
                if not right.repository.endswith("/*"):
                    referenced.setdefault(right.repository.lower(), right.repository)
        existing: dict[str, Repository] = {}
        keys = list(referenced)
        for chunk in chunks(keys, self.batch_size):
            existing.update({r.key: r for r in Repository.objects.filter(key__in=chunk)})
        creates, updates = [], Updates()
        for key, full_name in referenced.items():
            repo = existing.get(key)
            if repo is None:
                repo = Repository(full_name=full_name, key=key, owner=key.split("/")[0], created=self.now,
                                  modified=self.now)
                creates.append(repo)
                existing[key] = repo
                self.change("+", "repository", full_name)
            elif key in specs and (changed := updates.apply(repo, {"full_name": full_name})):
                self.change("~", "repository", full_name, details(changed))
        self.writer.create(Repository, creates)
        updates.write(self.writer, Repository)
        self.repositories = existing
        self._sync_aliases(specs)
        self._sync_extensions(specs)

    def _sync_aliases(self, specs):
        wanted = {alias.lower(): (alias, key) for key, spec in specs.items() for alias in spec.aliases}
        if not wanted:
            return
        existing = {a.key: a for a in RepositoryAlias.objects.filter(key__in=list(wanted)).select_related("repository")}
        creates, updates = [], Updates()
        for alias_key, (alias, repo_key) in wanted.items():
            repo = self.repositories[repo_key]
            row = existing.get(alias_key)
            if row is None:
                creates.append(RepositoryAlias(full_name=alias, key=alias_key, repository=repo))
                self.change("+", "alias", alias, f"-> {repo.full_name}")
            elif row.repository_id != repo.pk:
                self.change("~", "alias", alias, f"-> {row.repository.full_name} becomes -> {repo.full_name}")
                updates.apply(row, {"repository": repo})
        self.writer.create(RepositoryAlias, creates)
        updates.write(self.writer, RepositoryAlias)

    def _sync_extensions(self, specs):
        repos = [self.repositories[key] for key in self.repositories if self.repositories[key].pk]
        for chunk in chunks(repos, self.batch_size):
            for row in Extension.objects.filter(repository__in=chunk).select_related("repository"):
                self.extensions[(row.repository.key, row.name.lower())] = row
        creates: list[Extension] = []
        updates = Updates()
        for key, spec in specs.items():
            repo = self.repositories[key]
            for ext_spec in spec.extensions:
                ext = self.extensions.get((key, ext_spec.name.lower()))
                label = f"{repo.full_name}:{ext_spec.name}"
                if ext is None:
                    ext = Extension(repository=repo, name=ext_spec.name, path=ext_spec.path, created=self.now,
                                    modified=self.now)
                    creates.append(ext)
                    self.extensions[(key, ext_spec.name.lower())] = ext
                    self.change("+", "extension", label, ext_spec.path)
                elif changed := updates.apply(ext, {"name": ext_spec.name, "path": ext_spec.path}):
                    self.change("~", "extension", label, details(changed))
        self.writer.create(Extension, creates)
        updates.write(self.writer, Extension)

    # -- committers ------------------------------------------------------------------------------------------------

    def sync_committers(self):
        specs = list(self.snapshot.committers)
        total = len(specs)
        for done, batch in enumerate(chunks(specs, self.batch_size), start=1):
            self._committer_batch(batch)
            self.flush_right_changes()
            if self.progress:
                self.progress(min(done * self.batch_size, total), total)

    def _committer_batch(self, batch):
        keys = [spec.github_username.lower() for spec in batch]
        self.listed_keys.update(keys)
        existing = {
            c.github_key: c for c in CoreCommitter.objects.filter(github_key__in=keys).select_related("organization")
        }
        creates, updates = [], Updates()
        for spec in batch:
            key = spec.github_username.lower()
            org = self.organizations.get(spec.organization) if spec.organization else None
            values = {
                "github_username": spec.github_username,
                "name": spec.name,
                "organization": org,
                "status": spec.status,
                "status_since": spec.status_since,
                "status_until": spec.status_until,
            }
            if spec.email is not None:
                values["email"] = spec.email
            committer = existing.get(key)
            if committer is not None:
                for name in spec.keep_if_registered:
                    values.pop(name, None)
            if committer is None:
                committer = CoreCommitter(github_key=key, created=self.now, modified=self.now, **values)
                creates.append(committer)
                existing[key] = committer
                self.change("+", "committer", spec.github_username, spec.name)
            elif changed := updates.apply(committer, values):
                shown = {k: v for k, v in changed.items() if k != "email"}  # personal data stays out of reports
                text = details(shown) + (", email changed" if "email" in changed else "")
                self.change("~", "committer", spec.github_username, text.strip(", "))
        for committer in creates:
            committer.organization_id = committer.organization.pk if committer.organization else None
        self.writer.create(CoreCommitter, creates)
        updates.write(self.writer, CoreCommitter)

        ids = [c.pk for c in existing.values() if c.pk]
        agreements, champions, rights = defaultdict(list), defaultdict(list), defaultdict(list)
        if ids:
            for agreement in Agreement.objects.filter(committer_id__in=ids):
                agreements[agreement.committer_id].append(agreement)
            for champion in Champion.objects.filter(committer_id__in=ids):
                champions[champion.committer_id].append(champion)
            for right in CommitRight.objects.filter(committer_id__in=ids, revoked_at__isnull=True).select_related(
                "repository", "extension"
            ):
                rights[right.committer_id].append(right)
        agreement_plan, champion_plan, right_plan = AgreementPlan(self), ChampionPlan(self), RightPlan(self)
        for spec in batch:
            committer = existing[spec.github_username.lower()]
            agreement_plan.diff(
                holder_label=spec.github_username, specs=spec.agreements, rows=agreements.get(committer.pk, []),
                make=lambda a, c=committer: Agreement(kind=a.kind, committer=c),
            )
            champion_plan.diff(committer, spec.champions, champions.get(committer.pk, []), prune=self.prune)
            right_plan.diff(committer, spec.rights, rights.get(committer.pk, []), prune=self.prune)
        agreement_plan.apply()
        champion_plan.apply()
        right_plan.apply()

    def prune_unlisted(self):
        """With ``prune``: revoke the rights and end the champions of committers the snapshot does not list."""
        unlisted = [pk for pk, key in CoreCommitter.objects.values_list("pk", "github_key")
                    if key not in self.listed_keys]
        for chunk in chunks(unlisted, self.batch_size):
            right_plan, champion_plan = RightPlan(self), ChampionPlan(self)
            for right in CommitRight.objects.filter(committer_id__in=chunk, revoked_at__isnull=True).select_related(
                "committer", "repository", "extension"
            ):
                right_plan.revoke(right)
            for champion in Champion.objects.filter(committer_id__in=chunk).select_related("committer"):
                champion_plan.end(champion)
            right_plan.apply()
            champion_plan.apply()
            self.flush_right_changes()

    # -- program ---------------------------------------------------------------------------------------------------

    def sync_phases(self):
        if not self.snapshot.phases:
            return
        existing = {p.since: p for p in ProgramPhase.objects.filter(since__in=[s.since for s in self.snapshot.phases])}
        creates, updates = [], Updates()
        for spec in self.snapshot.phases:
            values = {"phase": spec.phase, "require_nda": spec.require_nda, "require_champions": spec.require_champions}
            row = existing.get(spec.since)
            label = f"{spec.phase} since {fmt(spec.since)}"
            if row is None:
                creates.append(ProgramPhase(since=spec.since, created=self.now, modified=self.now, **values))
                self.change("+", "phase", label)
            elif changed := updates.apply(row, values):
                self.change("~", "phase", label, details(changed))
        self.writer.create(ProgramPhase, creates)
        updates.write(self.writer, ProgramPhase)


def run_sync(snapshot: RegistrySnapshot, *, prune: bool = False, dry_run: bool = False, actor=None,
             batch_size: int = DEFAULT_BATCH_SIZE, progress=None, reason: str = "") -> SyncReport:
    """
    Apply ``snapshot`` inside the caller's transaction. After each batch, the ownership events of the rights it
    granted, changed or revoked are logged (``events.emit_ownership_events``), so that every batch costs the same.
    """
    sync = _Sync(snapshot, prune=prune, dry_run=dry_run, actor=actor, batch_size=batch_size, progress=progress,
                 reason=reason or f"import {snapshot.source}")
    sync.sync_organizations()
    sync.sync_repositories()
    sync.sync_phases()  # before the committers: their events say whether they are effective under the new policy
    sync.sync_committers()
    if prune:
        sync.prune_unlisted()
    return sync.report
