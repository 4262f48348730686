"""
Reading the catalog: what a repository's catalog-info.yaml says about it, found by any of the repository's names.
"""
from __future__ import annotations

from datetime import datetime

from openedx_cc.plugins.catalog.models import CatalogEntry
from openedx_cc.plugins.ownership import api as ownership_api


def get_catalog_entry(name: str) -> CatalogEntry | None:
    """
    The catalog entry of the repository ``name`` (``owner/name``, through the aliases), or None. Raises
    ``InvalidValue`` for a malformed name.
    """
    repository = ownership_api.resolve_repository_names([name])[name]
    return CatalogEntry.objects.filter(repository_key=repository.lower()).first()


def effective_committers_of_unrecorded(
    entry: CatalogEntry, at: datetime | None = None
) -> list[ownership_api.EffectiveCommitter]:
    """
    The committers effective now on a repository that only the catalog knows (the registry has no row for it, so
    no right names it): only rights on its whole owner (``owner/*``) can cover it.
    """
    return ownership_api.effective_committers_by_key([entry.repository_key], at)[entry.repository_key]
