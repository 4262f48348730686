"""
The plans of the sync engine (``sync.py``) for the rows a committer or an organization holds -- agreements,
champions, rights: within one batch, match what the snapshot lists to the rows held, decide what to create, change
and (with prune) revoke or end, then write it in bulk. Each plan reports every change to the sync's report.
"""
from __future__ import annotations

from collections import defaultdict

from openedx_cc.lib.sync import Updates, details, fmt
from openedx_cc.plugins.ownership.data import RightChange
from openedx_cc.plugins.ownership.models import Agreement, Champion, CommitRight
from openedx_cc.plugins.ownership.scopes import describe_scope, scope_key


class AgreementPlan:
    """Agreements of several holders: what to create, change and (with prune) revoke."""

    def __init__(self, sync):
        self.sync = sync
        self.creates, self.updates = [], Updates()

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
            elif changed := self.updates.apply(row, values):
                self.sync.change("~", "agreement", label, details(changed))
        if self.sync.prune:
            for identity, row in by_identity.items():
                if identity not in seen and row.revoked_at is None:
                    row.revoked_at = self.sync.now
                    self.updates.add(row, "revoked_at")
                    self.sync.change("-", "agreement", f"{row.kind} of {holder_label} signed {row.signed_on}",
                                     "revoked: no longer listed")

    def apply(self):
        self.sync.writer.create(Agreement, self.creates)
        self.updates.write(self.sync.writer, Agreement)


class ChampionPlan:
    """Champions of a batch of committers."""

    def __init__(self, sync):
        self.sync = sync
        self.creates, self.updates = [], Updates()

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
            elif changed := self.updates.apply(row, values):
                self.sync.change("~", "champion", label, details({k: v for k, v in changed.items() if k != "email"}))
        if prune:
            for key, row in by_name.items():
                if key not in seen:
                    self.end(row, committer)

    def end(self, row, committer=None):
        if row.valid_until is not None and row.valid_until <= self.sync.now:
            return
        row.valid_until = self.sync.now
        self.updates.add(row, "valid_until")
        who = (committer or row.committer).github_username
        self.sync.change("-", "champion", f"{row.name} of {who}", "ended: no longer listed")

    def apply(self):
        self.sync.writer.create(Champion, self.creates)
        self.updates.write(self.sync.writer, Champion)


class RightPlan:
    """Rights of a batch of committers."""

    def __init__(self, sync):
        self.sync = sync
        self.creates, self.updates = [], Updates()
        self.changed_ids: list[tuple[CommitRight, str]] = []

    @staticmethod
    def identity_of_row(row: CommitRight):
        repo = row.repository.key if row.repository is not None else f"{row.owner}/*"
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
        elif changed := self.updates.apply(row, values):
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
        self.updates.add(row, "revoked_at")
        self.changed_ids.append((row, "revoked"))
        who = (committer or row.committer).github_username
        repo = row.repository.full_name if row.repository is not None else f"{row.owner}/*"
        self.sync.change("-", "right", f"{who} on {repo} {row.scope_key}".rstrip(), "revoked: no longer listed")

    def apply(self):
        for row in self.creates:  # an object created in this batch must point at saved parents
            row.committer_id = row.committer.pk
            row.repository_id = row.repository.pk if row.repository is not None else None
            row.extension_id = row.extension.pk if row.extension is not None else None
        self.sync.writer.create(CommitRight, self.creates)
        self.updates.write(self.sync.writer, CommitRight)
        self.sync.right_changes.extend(
            RightChange(right_id=row.pk, action=action) for row, action in self.changed_ids if row.pk
        )


def _validity(start, end) -> str:
    if not start and not end:
        return "no time limit"
    return " ".join(part for part in (f"from {fmt(start)}" if start else "", f"until {fmt(end)}" if end else "")
                    if part)
