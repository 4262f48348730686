"""
The shared machinery of every import: what changed (``Change``, ``SyncReport``), field diffs, and bulk writes that
keep the audit history (``BulkWriter``). The ownership and catalog applets plan their syncs on top of it.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence, TypeVar

import attr
from django.db import connection
from django.db.models import Model

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

DEFAULT_BATCH_SIZE = 500
# Attributes that only some models have, set by name: django-simple-history's per-instance switch of its post-save
# history row, and the ``modified`` timestamp of models that keep one.
_SKIP_HISTORY = "skip_history_when_saving"
_MODIFIED = "modified"

_Item = TypeVar("_Item")
_Row = TypeVar("_Row", bound=Model)


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

    def __str__(self) -> str:
        return f"{self.action} {self.kind} {self.label}" + (f": {self.details}" if self.details else "")


@attr.s
class SyncReport:
    """
    What a sync changed, what it noted, and how many events it logged.
    """

    source = attr.ib(type=str)
    dry_run = attr.ib(type=bool, default=False)
    changes: list[Change] = attr.ib(factory=list)
    notes: list[str] = attr.ib(factory=list)
    events = attr.ib(type=int, default=0)

    @property
    def changed(self) -> bool:
        """Whether anything changed."""
        return bool(self.changes)

    def add(self, action: str, kind: str, label: str, details_text: str = "") -> None:
        """Record one change."""
        self.changes.append(Change(action=action, kind=kind, label=label, details=details_text))

    def merge(self, other: SyncReport) -> None:
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


def chunks(items: Sequence[_Item], size: int) -> Iterator[Sequence[_Item]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class BulkWriter:
    """
    Bulk inserts and updates with their audit-history rows, or nothing in a dry run. Rows are written through the
    model's default manager (``objects`` for every model of openedx-cc).
    """

    def __init__(self, *, dry_run: bool, actor: AbstractBaseUser | None = None, reason: str = "",
                 now: datetime) -> None:
        self.dry_run = dry_run
        self.actor = actor
        self.reason = reason[:100]
        self.now = now

    def create(self, model: type[_Row], objs: list[_Row]) -> list[_Row]:
        """Insert ``objs`` (their keys already set) and their '+' history rows."""
        if not objs or self.dry_run:
            return objs
        if connection.features.can_return_rows_from_bulk_insert:
            objs = model._default_manager.bulk_create(objs, batch_size=DEFAULT_BATCH_SIZE)
        else:  # MySQL 8 returns no ids from a bulk insert: insert one by one, still without per-row history
            for obj in objs:
                setattr(obj, _SKIP_HISTORY, True)
                obj.save()
                delattr(obj, _SKIP_HISTORY)
        history = getattr(model, "history", None)  # the AuditHistory manager of the audited models
        if history is not None:
            history.bulk_history_create(
                objs, batch_size=DEFAULT_BATCH_SIZE, default_user=self.actor, default_change_reason=self.reason,
                default_date=self.now,
            )
        return objs

    def update(self, model: type[_Row], objs: list[_Row], fields: list[str]) -> None:
        """Update ``fields`` of ``objs`` and add their '~' history rows."""
        if not objs or self.dry_run:
            return
        has_modified = any(f.name == _MODIFIED for f in model._meta.fields)
        fields = sorted(set(fields) | ({_MODIFIED} if has_modified else set()))
        if _MODIFIED in fields:
            for obj in objs:
                setattr(obj, _MODIFIED, self.now)
        model._default_manager.bulk_update(objs, fields, batch_size=DEFAULT_BATCH_SIZE)
        history = getattr(model, "history", None)  # the AuditHistory manager of the audited models
        if history is not None:
            history.bulk_history_create(
                objs, batch_size=DEFAULT_BATCH_SIZE, update=True, default_user=self.actor,
                default_change_reason=self.reason, default_date=self.now,
            )


def diff(obj: object, values: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    """The fields of ``obj`` whose values differ from ``values`` ({field: (old, new)})."""
    return {name: (getattr(obj, name), value) for name, value in values.items() if getattr(obj, name) != value}


@attr.s
class Updates:
    """
    The rows of one model a sync changes, and the union of their changed fields, for one ``BulkWriter.update``:
    the one place of "diff a row against what the source says, set what differs, and queue it".
    """

    rows: list[Model] = attr.ib(factory=list)
    fields: set[str] = attr.ib(factory=set)

    def apply(
        self, obj: Model, values: Mapping[str, object], *, touch: Mapping[str, object] | None = None
    ) -> dict[str, tuple[object, object]]:
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

    def add(self, obj: Model, *fields: str) -> None:
        """Queue ``obj`` with ``fields`` already set on it."""
        self.rows.append(obj)
        self.fields.update(fields)

    def write(self, writer: BulkWriter, model: type[Model]) -> None:
        """Write the queued rows (and their history) with ``writer``."""
        writer.update(model, self.rows, sorted(self.fields))


def fmt(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value)


def details(changes: Mapping[str, tuple[object, object]]) -> str:
    """``name old -> new, ...`` of a ``diff``."""
    return ", ".join(f"{name} {fmt(old)} -> {fmt(new)}" for name, (old, new) in changes.items())


