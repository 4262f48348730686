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


def effective_committers_of_unrecorded(entry: CatalogEntry, at: datetime | None = None) -> list:
    """
    The committers effective now on a repository that only the catalog knows (the registry has no row for it, so
    no right names it): only rights on its whole owner (``owner/*``) can cover it.
    """
    # An unsaved stand-in: id 0 is never a row's id, so only the owner-wide rights match it.
    stand_in = ownership_api.Repository(id=0, full_name=entry.repository, key=entry.repository_key,
                                        owner=entry.repository_key.split("/", 1)[0])
    return ownership_api.effective_committers([stand_in], at).get(0, [])
