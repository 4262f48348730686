"""
Reading the catalog: what a repository's catalog-info.yaml says about it, found by the repository's key.
"""
from __future__ import annotations

from datetime import datetime

from openedx_cc.plugins.catalog.models import CatalogEntry
from openedx_cc.plugins.ownership import api as ownership_api


def get_catalog_entry(repository_key: str) -> CatalogEntry | None:
    """
    The catalog entry of a repository, or None. ``repository_key`` is its name already resolved through the aliases
    (``ownership_api.resolve_repository(name)[0].key``), so that a caller that resolved the name once does not pay
    for it again.
    """
    return CatalogEntry.objects.filter(repository_key=repository_key).first()


def effective_committers_of_unrecorded(
    entry: CatalogEntry, at: datetime | None = None
) -> list[ownership_api.EffectiveCommitter]:
    """
    The committers effective now on a repository that only the catalog knows (the registry has no row for it, so
    no right names it): only rights on its whole owner (``owner/*``) can cover it.
    """
    return ownership_api.effective_committers_by_key([entry.repository_key], at)[entry.repository_key]
