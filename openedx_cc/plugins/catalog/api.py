"""
Public Python API of the catalog applet: catalog-info imports (``sync``, the format in ``catalog_info``), extension
discovery (``discovery``), catalog entries (``entries``) and the staleness audit (``audit``, its report in ``data``)
and the registry as Backstage entities (``backstage``).
This module only gathers; each name is defined in the module that owns its concern (readme.rst).
"""
from openedx_cc.plugins.catalog.audit import MAX_AUDIT_DAYS, audit
from openedx_cc.plugins.catalog.backstage import backstage_entities, backstage_entities_yaml, group_name, user_name
from openedx_cc.plugins.catalog.data import SECTIONS, AuditReport, Finding
from openedx_cc.plugins.catalog.discovery import discover_extensions, record_discovery
from openedx_cc.plugins.catalog.entries import effective_committers_of_unrecorded, get_catalog_entry
from openedx_cc.plugins.catalog.catalog_info import CatalogSnapshot, catalog_files, is_catalog_info
from openedx_cc.plugins.catalog.sync import parse_catalog_files, sync_catalog

__all__ = [
    "MAX_AUDIT_DAYS",
    "SECTIONS",
    "AuditReport",
    "CatalogSnapshot",
    "Finding",
    "audit",
    "backstage_entities",
    "backstage_entities_yaml",
    "catalog_files",
    "discover_extensions",
    "effective_committers_of_unrecorded",
    "get_catalog_entry",
    "group_name",
    "is_catalog_info",
    "parse_catalog_files",
    "record_discovery",
    "sync_catalog",
    "user_name",
]
