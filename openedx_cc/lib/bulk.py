"""
Bulk writes that stay proportional to the rows they touch.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

# Above this many distinct value combinations, grouped UPDATEs would cost more queries than ``bulk_update``'s batches.
MAX_GROUPS = 50
_IDS_PER_QUERY = 500  # well under SQLite's 999 parameters


def update_in_groups(model, objects: Sequence, fields: Sequence[str]) -> None:
    """
    Save ``fields`` of ``objects`` (rows of ``model`` that exist): one ``UPDATE ... WHERE id IN (...)`` per distinct
    combination of values, when there are few; else ``bulk_update``.

    Django's ``bulk_update`` builds a ``CASE WHEN`` expression per row and field, which costs seconds for a few
    thousand rows; the rows an ingest closes (a rollback, a revert) mostly share their values.
    """
    if not objects:
        return
    attnames = [model._meta.get_field(name).attname for name in fields]
    groups: dict[tuple, list] = defaultdict(list)
    for obj in objects:
        groups[tuple(getattr(obj, attname) for attname in attnames)].append(obj.pk)
    if len(groups) > MAX_GROUPS:
        model.objects.bulk_update(objects, fields)
        return
    for values, ids in groups.items():
        for start in range(0, len(ids), _IDS_PER_QUERY):
            model.objects.filter(pk__in=ids[start:start + _IDS_PER_QUERY]).update(
                **dict(zip(attnames, values, strict=True)))
