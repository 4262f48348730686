"""
Bulk writes that stay proportional to the rows they touch.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence, TypeVar

from django.db.models import ForeignObjectRel, Model

_Row = TypeVar("_Row", bound=Model)

# Above this many distinct value combinations, grouped UPDATEs would cost more queries than ``bulk_update``'s batches.
MAX_GROUPS = 50
_IDS_PER_QUERY = 500  # well under SQLite's 999 parameters


def update_in_groups(model: type[_Row], objects: Sequence[_Row], fields: Sequence[str]) -> None:
    """
    Save ``fields`` of ``objects`` (rows of ``model`` that exist): one ``UPDATE ... WHERE id IN (...)`` per distinct
    combination of values, when there are few; else ``bulk_update``.

    Django's ``bulk_update`` builds a ``CASE WHEN`` expression per row and field, which costs seconds for a few
    thousand rows; the rows an ingest closes (a rollback, a revert) mostly share their values.
    """
    if not objects:
        return
    attnames = [_attname(model, name) for name in fields]
    groups: dict[tuple[object, ...], list[object]] = defaultdict(list)
    for obj in objects:
        groups[tuple(getattr(obj, attname) for attname in attnames)].append(obj.pk)
    if len(groups) > MAX_GROUPS:
        model._default_manager.bulk_update(objects, fields)
        return
    for values, ids in groups.items():
        for start in range(0, len(ids), _IDS_PER_QUERY):
            model._default_manager.filter(pk__in=ids[start:start + _IDS_PER_QUERY]).update(
                **dict(zip(attnames, values, strict=True)))


def _attname(model: type[Model], name: str) -> str:
    """The column attribute of the field ``name`` (``repository_id`` for ``repository``)."""
    field = model._meta.get_field(name)
    if isinstance(field, ForeignObjectRel):  # what bulk_update says of a field that is no column of this table
        raise ValueError("bulk_update() can only be used with concrete fields.")
    return field.attname
