"""
The sync engine: applies a ``RegistrySnapshot`` to the registry, for every importer.

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

import attr
from django.utils import timezone

from openedx_cc.lib.sync import DEFAULT_BATCH_SIZE, BulkWriter, SyncReport, chunks, details, diff, fmt

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
from openedx_cc.plugins.ownership.scopes import describe_scope, scope_key
from openedx_cc.plugins.ownership.snapshot import RegistrySnapshot

log = logging.getLogger(__name__)


@attr.s(frozen=True)
class RightChange:
    """A right that was granted, changed or revoked by the sync, for the ownership events."""

    right_id = attr.ib(type=int)
    action = attr.ib(type=str)


class _Sync:  # pylint: disable=too-many-instance-attributes
    """
    One run of the sync engine over one snapshot.
    """

    def __init__(self, snapshot: RegistrySnapshot, *, prune: bool, dry_run: bool, actor, batch_size: int,
                 progress: Callable[[int, int], None] | None, reason: str, on_rights_changed=None):
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
        self.on_rights_changed = on_rights_changed

    def flush_right_changes(self):
        """Hand the right changes of the batch just written to ``on_rights_changed`` (the ownership events)."""
        if self.on_rights_changed and self.right_changes and not self.dry_run:
            self.report.events += self.on_rights_changed(self.right_changes)
        self.right_changes = []

    def change(self, action: str, kind: str, label: str, text: str = ""):
        self.report.add(action, kind, label, text)

    # -- organizations ---------------------------------------------------------------------------------------------

    def sync_organizations(self):
        specs = {spec.slug.lower(): spec for spec in self.snapshot.organizations}
        referenced = {c.organization for c in self.snapshot.committers if c.organization} | set(specs)
        existing = {o.slug: o for o in Organization.objects.filter(slug__in=sorted(referenced))}
        creates, updates = [], []
        for key, spec in specs.items():
            values = {"slug": key, "name": spec.name, "openedx_provider": spec.openedx_provider}
            org = existing.get(key)
            if org is None:
                org = Organization(**values, created=self.now, modified=self.now)
                creates.append(org)
                existing[key] = org
                self.change("+", "organization", key, spec.name)
            elif changed := diff(org, values):
                for name, (_old, new) in changed.items():
                    setattr(org, name, new)
                updates.append(org)
                self.change("~", "organization", key, details(changed))
        self.writer.create(Organization, creates)
        self.writer.update(Organization, updates, ["slug", "name", "openedx_provider"])
        self.organizations = existing
        listed = [existing[key] for key in specs if existing[key].pk]
        current = defaultdict(list)
        for agreement in Agreement.objects.filter(organization__in=listed, kind="entity"):
            current[agreement.organization_id].append(agreement)
        plan = _AgreementPlan(self)
        for key, spec in specs.items():
            org = existing[key]
            plan.diff(holder_label=key, specs=spec.agreements, rows=current.get(org.pk, []) if org.pk else [],
                      make=lambda a, org=org: Agreement(kind=a.kind, organization=org))
        plan.apply()

    # -- repositories ----------------------------------------------------------------------------------------------

    def sync_repositories(self):
        specs = {spec.full_name.lower(): spec for spec in self.snapshot.repositories}
        referenced = dict.fromkeys(specs)
        for committer in self.snapshot.committers:
            for right in committer.rights:
                if not right.repository.endswith("/*"):
                    referenced.setdefault(right.repository.lower(), right.repository)
        for key, spec in specs.items():
            referenced[key] = spec.full_name
        existing: dict[str, Repository] = {}
        keys = list(referenced)
        for chunk in chunks(keys, self.batch_size):
            existing.update({r.key: r for r in Repository.objects.filter(key__in=chunk)})
        creates, updates = [], []
        for key, full_name in referenced.items():
            repo = existing.get(key)
            if repo is None:
                repo = Repository(full_name=full_name, key=key, owner=key.split("/")[0], created=self.now,
                                  modified=self.now)
                creates.append(repo)
                existing[key] = repo
                self.change("+", "repository", full_name)
            elif key in specs and repo.full_name != full_name:
                self.change("~", "repository", full_name, f"full_name {repo.full_name} -> {full_name}")
                repo.full_name = full_name
                updates.append(repo)
        self.writer.create(Repository, creates)
        self.writer.update(Repository, updates, ["full_name"])
        self.repositories = existing
        self._sync_aliases(specs)
        self._sync_extensions(specs)

    def _sync_aliases(self, specs):
        wanted = {alias.lower(): (alias, key) for key, spec in specs.items() for alias in spec.aliases}
        if not wanted:
            return
        existing = {a.key: a for a in RepositoryAlias.objects.filter(key__in=list(wanted)).select_related("repository")}
        creates, updates = [], []
        for alias_key, (alias, repo_key) in wanted.items():
            repo = self.repositories[repo_key]
            row = existing.get(alias_key)
            if row is None:
                creates.append(RepositoryAlias(full_name=alias, key=alias_key, repository=repo))
                self.change("+", "alias", alias, f"-> {repo.full_name}")
            elif row.repository_id != repo.pk:
                self.change("~", "alias", alias, f"-> {row.repository.full_name} becomes -> {repo.full_name}")
                row.repository = repo
                updates.append(row)
        self.writer.create(RepositoryAlias, creates)
        self.writer.update(RepositoryAlias, updates, ["repository"])

    def _sync_extensions(self, specs):
        repos = [self.repositories[key] for key in self.repositories if self.repositories[key].pk]
        for chunk in chunks(repos, self.batch_size):
            for ext in Extension.objects.filter(repository__in=chunk).select_related("repository"):
                self.extensions[(ext.repository.key, ext.name.lower())] = ext
        creates, updates = [], []
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
                elif changed := diff(ext, {"name": ext_spec.name, "path": ext_spec.path}):
                    for name, (_old, new) in changed.items():
                        setattr(ext, name, new)
                    updates.append(ext)
                    self.change("~", "extension", label, details(changed))
        self.writer.create(Extension, creates)
        self.writer.update(Extension, updates, ["name", "path"])

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
        creates, updates, update_fields = [], [], set()
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
            elif changed := diff(committer, values):
                for name, (_old, new) in changed.items():
                    setattr(committer, name, new)
                updates.append(committer)
                update_fields.update(changed)
                shown = {k: v for k, v in changed.items() if k != "email"}  # personal data stays out of reports
                text = details(shown) + (", email changed" if "email" in changed else "")
                self.change("~", "committer", spec.github_username, text.strip(", "))
        for committer in creates:
            committer.organization_id = committer.organization.pk if committer.organization else None
        self.writer.create(CoreCommitter, creates)
        self.writer.update(CoreCommitter, updates, sorted(update_fields))

        ids = [c.pk for c in existing.values() if c.pk]
        agreements, champions, rights = defaultdict(list), defaultdict(list), defaultdict(list)
        if ids:
            for row in Agreement.objects.filter(committer_id__in=ids):
                agreements[row.committer_id].append(row)
            for row in Champion.objects.filter(committer_id__in=ids):
                champions[row.committer_id].append(row)
            for row in CommitRight.objects.filter(committer_id__in=ids, revoked_at__isnull=True).select_related(
                "repository", "extension"
            ):
                rights[row.committer_id].append(row)
        agreement_plan, champion_plan, right_plan = _AgreementPlan(self), _ChampionPlan(self), _RightPlan(self)
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
            right_plan, champion_plan = _RightPlan(self), _ChampionPlan(self)
            for row in CommitRight.objects.filter(committer_id__in=chunk, revoked_at__isnull=True).select_related(
                "committer", "repository", "extension"
            ):
                right_plan.revoke(row)
            for row in Champion.objects.filter(committer_id__in=chunk).select_related("committer"):
                champion_plan.end(row)
            right_plan.apply()
            champion_plan.apply()
            self.flush_right_changes()

    # -- program ---------------------------------------------------------------------------------------------------

    def sync_phases(self):
        if not self.snapshot.phases:
            return
        existing = {p.since: p for p in ProgramPhase.objects.filter(since__in=[s.since for s in self.snapshot.phases])}
        creates, updates = [], []
        for spec in self.snapshot.phases:
            values = {"phase": spec.phase, "require_nda": spec.require_nda, "require_champions": spec.require_champions}
            row = existing.get(spec.since)
            label = f"{spec.phase} since {fmt(spec.since)}"
            if row is None:
                creates.append(ProgramPhase(since=spec.since, created=self.now, modified=self.now, **values))
                self.change("+", "phase", label)
            elif changed := diff(row, values):
                for name, (_old, new) in changed.items():
                    setattr(row, name, new)
                updates.append(row)
                self.change("~", "phase", label, details(changed))
        self.writer.create(ProgramPhase, creates)
        self.writer.update(ProgramPhase, updates, ["phase", "require_nda", "require_champions"])


class _AgreementPlan:
    """Agreements of several holders: what to create, change and (with prune) revoke."""

    def __init__(self, sync: _Sync):
        self.sync = sync
        self.creates, self.updates, self.fields = [], [], set()

    def diff(self, *, holder_label, specs, rows, make):
        by_identity = {(row.kind, row.signed_on): row for row in rows}
        seen = set()
        for spec in specs:
            identity = (spec.kind, spec.signed_on)
            seen.add(identity)
            values = {"expires_on": spec.expires_on, "revoked_at": None}
            if spec.document_url is not None:
                values["document_url"] = spec.document_url
            label = f"{spec.kind} of {holder_label} signed {spec.signed_on}"
            row = by_identity.get(identity)
            if row is None:
                row = make(spec)
                row.signed_on = spec.signed_on
                row.source = self.sync.snapshot.source[:255]
                row.created = row.modified = self.sync.now
                for name, value in values.items():
                    setattr(row, name, value)
                self.creates.append(row)
                self.sync.change("+", "agreement", label, f"expires {fmt(spec.expires_on)}")
            elif changed := diff(row, values):
                for name, (_old, new) in changed.items():
                    setattr(row, name, new)
                self.updates.append(row)
                self.fields.update(changed)
                self.sync.change("~", "agreement", label, details(changed))
        if self.sync.prune:
            for identity, row in by_identity.items():
                if identity not in seen and row.revoked_at is None:
                    row.revoked_at = self.sync.now
                    self.updates.append(row)
                    self.fields.add("revoked_at")
                    self.sync.change("-", "agreement", f"{row.kind} of {holder_label} signed {row.signed_on}",
                                     "revoked: no longer listed")

    def apply(self):
        self.sync.writer.create(Agreement, self.creates)
        self.sync.writer.update(Agreement, self.updates, sorted(self.fields))


class _ChampionPlan:
    """Champions of a batch of committers."""

    def __init__(self, sync: _Sync):
        self.sync = sync
        self.creates, self.updates, self.fields = [], [], set()

    def diff(self, committer, specs, rows, *, prune):
        by_name = {row.name.lower(): row for row in rows}
        seen = set()
        for spec in specs:
            key = spec.name.lower()
            seen.add(key)
            values = {"name": spec.name, "github_username": spec.github_username, "valid_until": spec.valid_until}
            if spec.valid_from is not None:
                values["valid_from"] = spec.valid_from
            if spec.email is not None:
                values["email"] = spec.email
            row = by_name.get(key)
            label = f"{spec.name} of {committer.github_username}"
            if row is None:
                row = Champion(committer=committer, created=self.sync.now, modified=self.sync.now, **values)
                self.creates.append(row)
                self.sync.change("+", "champion", label)
            elif changed := diff(row, values):
                for name, (_old, new) in changed.items():
                    setattr(row, name, new)
                self.updates.append(row)
                self.fields.update(changed)
                self.sync.change("~", "champion", label, details({k: v for k, v in changed.items() if k != "email"}))
        if prune:
            for key, row in by_name.items():
                if key not in seen:
                    self.end(row, committer)

    def end(self, row, committer=None):
        if row.valid_until is not None and row.valid_until <= self.sync.now:
            return
        row.valid_until = self.sync.now
        self.updates.append(row)
        self.fields.add("valid_until")
        who = (committer or row.committer).github_username
        self.sync.change("-", "champion", f"{row.name} of {who}", "ended: no longer listed")

    def apply(self):
        self.sync.writer.create(Champion, self.creates)
        self.sync.writer.update(Champion, self.updates, sorted(self.fields))


class _RightPlan:
    """Rights of a batch of committers."""

    def __init__(self, sync: _Sync):
        self.sync = sync
        self.creates, self.updates, self.fields = [], [], set()
        self.changed_ids: list[tuple[CommitRight, str]] = []

    @staticmethod
    def identity_of_row(row: CommitRight):
        repo = row.repository.key if row.repository_id else f"{row.owner}/*"
        return repo, row.scope_key

    def diff(self, committer, specs, rows, *, prune):
        """
        Match the specs to the rights held, by scope. A source with history (people.yaml) can give one scope several
        periods: within a scope, a spec matches the right with the same start first, then the remaining rights in
        order of their start.
        """
        held: dict[tuple, list] = defaultdict(list)
        for row in sorted(rows, key=lambda r: (r.valid_from is not None, r.valid_from or r.created, r.pk)):
            held[self.identity_of_row(row)].append(row)
        wanted: dict[tuple, list] = defaultdict(list)
        for spec in specs:
            identity = (spec.repository.lower(),
                        scope_key(paths=spec.paths, extension_name=spec.extension, branches=spec.branches))
            wanted[identity].append(spec)
        for identity, scope_specs in wanted.items():
            available = list(held.get(identity, ()))
            pairs = []
            for spec in scope_specs:
                same_start = next((r for r in available if r.valid_from == spec.valid_from), None)
                if same_start is not None:
                    available.remove(same_start)
                pairs.append([spec, same_start])
            for pair in pairs:
                if pair[1] is None and available:
                    pair[1] = available.pop(0)
            for spec, row in pairs:
                self._apply(committer, identity, spec, row)
            if prune:
                for row in available:
                    self.revoke(row, committer)
        if prune:
            for identity, rows_held in held.items():
                if identity not in wanted:
                    for row in rows_held:
                        self.revoke(row, committer)

    def _apply(self, committer, identity, spec, row):
        values = {"valid_from": spec.valid_from, "valid_until": spec.valid_until}
        label = f"{committer.github_username} on " + describe_scope(
            repository=spec.repository, paths=spec.paths, extension_name=spec.extension, branches=spec.branches
        )
        if row is None:
            row = self._new_right(committer, spec, identity[1])
            self.creates.append(row)
            self.changed_ids.append((row, "granted"))
            self.sync.change("+", "right", label, _validity(spec.valid_from, spec.valid_until))
        elif changed := diff(row, values):
            for name, (_old, new) in changed.items():
                setattr(row, name, new)
            self.updates.append(row)
            self.fields.update(changed)
            self.changed_ids.append((row, "changed"))
            self.sync.change("~", "right", label, details(changed))

    def _new_right(self, committer, spec, key) -> CommitRight:
        repo_key = spec.repository.lower()
        owner = repo_key.split("/")[0]
        repository = None if repo_key.endswith("/*") else self.sync.repositories[repo_key]
        extension = self.sync.extensions.get((repo_key, spec.extension.lower())) if spec.extension else None
        return CommitRight(
            committer=committer,
            repository=repository,
            owner=owner,
            paths=list(spec.paths),
            extension=extension,
            branches=list(spec.branches),
            scope_key=key,
            valid_from=spec.valid_from,
            valid_until=spec.valid_until,
            source=self.sync.snapshot.source[:255],
            created=self.sync.now,
            modified=self.sync.now,
        )

    def revoke(self, row: CommitRight, committer=None):
        row.revoked_at = self.sync.now
        self.updates.append(row)
        self.fields.add("revoked_at")
        self.changed_ids.append((row, "revoked"))
        who = (committer or row.committer).github_username
        repo = row.repository.full_name if row.repository_id else f"{row.owner}/*"
        self.sync.change("-", "right", f"{who} on {repo} {row.scope_key}".rstrip(), "revoked: no longer listed")

    def apply(self):
        for row in self.creates:  # an object created in this batch must point at saved parents
            row.committer_id = row.committer.pk
            row.repository_id = row.repository.pk if row.repository is not None else None
            row.extension_id = row.extension.pk if row.extension is not None else None
        self.sync.writer.create(CommitRight, self.creates)
        self.sync.writer.update(CommitRight, self.updates, sorted(self.fields))
        self.sync.right_changes.extend(
            RightChange(right_id=row.pk, action=action) for row, action in self.changed_ids if row.pk
        )


def _validity(start, end) -> str:
    if not start and not end:
        return "no time limit"
    return " ".join(part for part in (f"from {fmt(start)}" if start else "", f"until {fmt(end)}" if end else "")
                    if part)


def run_sync(snapshot: RegistrySnapshot, *, prune: bool = False, dry_run: bool = False, actor=None,
             batch_size: int = DEFAULT_BATCH_SIZE, progress=None, reason: str = "",
             on_rights_changed=None) -> SyncReport:
    """
    Apply ``snapshot`` inside the caller's transaction. After each batch, the rights it granted, changed or revoked
    go to ``on_rights_changed`` (which returns how many events it logged), so that every batch costs the same.
    """
    sync = _Sync(snapshot, prune=prune, dry_run=dry_run, actor=actor, batch_size=batch_size, progress=progress,
                 reason=reason or f"import {snapshot.source}", on_rights_changed=on_rights_changed)
    sync.sync_organizations()
    sync.sync_repositories()
    sync.sync_phases()  # before the committers: their events say whether they are effective under the new policy
    sync.sync_committers()
    if prune:
        sync.prune_unlisted()
    return sync.report
