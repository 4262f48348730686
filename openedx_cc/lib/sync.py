"""
The shared machinery of every import: what changed (``Change``, ``SyncReport``), field diffs, and bulk writes that
keep the audit history (``BulkWriter``). The ownership and catalog applets plan their syncs on top of it.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

import attr
from django.db import connection

DEFAULT_BATCH_SIZE = 500


@attr.s(frozen=True)
class Change:
    """
    One change the sync made (or, in a dry run, would make). ``action`` is ``+`` (created), ``~`` (changed) or
    ``-`` (revoked / ended).
    """

    action = attr.ib(type=str)
    kind = attr.ib(type=str)
    label = attr.ib(type=str)
    details = attr.ib(type=str, default="")

    def __str__(self):
        return f"{self.action} {self.kind} {self.label}" + (f": {self.details}" if self.details else "")


@attr.s
class SyncReport:
    """
    What a sync changed, what it noted, and how many events it logged.
    """

    source = attr.ib(type=str)
    dry_run = attr.ib(type=bool, default=False)
    changes = attr.ib(factory=list)
    notes = attr.ib(factory=list)
    events = attr.ib(type=int, default=0)

    @property
    def changed(self) -> bool:
        """Whether anything changed."""
        return bool(self.changes)

    def add(self, action: str, kind: str, label: str, details_text: str = ""):
        """Record one change."""
        self.changes.append(Change(action=action, kind=kind, label=label, details=details_text))

    def merge(self, other: "SyncReport"):
        """Add another report's changes, notes and events to this one."""
        self.changes.extend(other.changes)
        self.notes.extend(n for n in other.notes if n not in self.notes)
        self.events += other.events

    def counts(self) -> dict[str, int]:
        """``{"+ right": 3, "~ committer": 1, ...}``."""
        return dict(Counter(f"{c.action} {c.kind}" for c in self.changes))

    def summary(self) -> str:
        """The counts in one line, for people: ``"2 + right, 1 ~ committer"``, or ``"nothing"``."""
        return ", ".join(f"{n} {k}" for k, n in sorted(self.counts().items())) or "nothing"


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class BulkWriter:
    """
    Bulk inserts and updates with their audit-history rows, or nothing in a dry run.
    """

    def __init__(self, *, dry_run: bool, actor=None, reason: str = "", now: datetime):
        self.dry_run = dry_run
        self.actor = actor
        self.reason = reason[:100]
        self.now = now

    def create(self, model, objs: list) -> list:
        """Insert ``objs`` (their keys already set) and their '+' history rows."""
        if not objs or self.dry_run:
            return objs
        if connection.features.can_return_rows_from_bulk_insert:
            objs = model.objects.bulk_create(objs, batch_size=DEFAULT_BATCH_SIZE)
        else:  # MySQL 8 returns no ids from a bulk insert: insert one by one, still without per-row history
            for obj in objs:
                obj.skip_history_when_saving = True
                obj.save()
                del obj.skip_history_when_saving
        if hasattr(model, "history"):
            model.history.bulk_history_create(
                objs, batch_size=DEFAULT_BATCH_SIZE, default_user=self.actor, default_change_reason=self.reason,
                default_date=self.now,
            )
        return objs

    def update(self, model, objs: list, fields: list[str]):
        """Update ``fields`` of ``objs`` and add their '~' history rows."""
        if not objs or self.dry_run:
            return
        has_modified = any(f.name == "modified" for f in model._meta.fields)
        fields = sorted(set(fields) | ({"modified"} if has_modified else set()))
        if "modified" in fields:
            for obj in objs:
                obj.modified = self.now
        model.objects.bulk_update(objs, fields, batch_size=DEFAULT_BATCH_SIZE)
        if hasattr(model, "history"):
            model.history.bulk_history_create(
                objs, batch_size=DEFAULT_BATCH_SIZE, update=True, default_user=self.actor,
                default_change_reason=self.reason, default_date=self.now,
            )


def diff(obj, values: dict) -> dict:
    """The fields of ``obj`` whose values differ from ``values`` ({field: (old, new)})."""
    return {name: (getattr(obj, name), value) for name, value in values.items() if getattr(obj, name) != value}


@attr.s
class Updates:
    """
    The rows of one model a sync changes, and the union of their changed fields, for one ``BulkWriter.update``:
    the one place of "diff a row against what the source says, set what differs, and queue it".
    """

    rows = attr.ib(factory=list)
    fields = attr.ib(factory=set)

    def apply(self, obj, values: dict, *, touch: dict | None = None) -> dict:
        """
        Set on ``obj`` the ``values`` that differ from its own (and, if any did, ``touch`` too) and queue it.
        Returns what differed (``{field: (old, new)}``, empty when nothing did), as ``diff`` does.
        """
        changed = diff(obj, values)
        if changed:
            for name, (_old, new) in changed.items():
                setattr(obj, name, new)
            for name, value in (touch or {}).items():
                setattr(obj, name, value)
            self.add(obj, *changed, *(touch or ()))
        return changed

    def add(self, obj, *fields: str):
        """Queue ``obj`` with ``fields`` already set on it."""
        self.rows.append(obj)
        self.fields.update(fields)

    def write(self, writer: "BulkWriter", model):
        """Write the queued rows (and their history) with ``writer``."""
        writer.update(model, self.rows, sorted(self.fields))


def fmt(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value)


def details(changes: dict) -> str:
    """``name old -> new, ...`` of a ``diff``."""
    return ", ".join(f"{name} {fmt(old)} -> {fmt(new)}" for name, (old, new) in changes.items())


