"""
Django admin of the catalog applet: the catalog entries imported from catalog-info.yaml files (read-only: the files
are the source; re-import them to change an entry).
"""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from openedx_cc.plugins.catalog.models import CatalogEntry


@admin.register(CatalogEntry)
class CatalogEntryAdmin(SimpleHistoryAdmin):
    """What catalog-info files say about repositories."""

    list_display = ["repository", "owner", "type", "lifecycle", "release_declared", "release", "modified"]
    list_filter = ["type", "lifecycle", "owner_kind", "release_declared"]
    search_fields = ["repository_key", "declared_name", "owner", "component"]
    readonly_fields = ["repository", "declared_name", "component", "kind", "description", "owner", "owner_kind",
                       "owner_name", "type", "lifecycle", "release_declared", "release", "arch_interest_groups",
                       "links", "source", "created", "modified"]

    def has_add_permission(self, request):
        return False

    def revert_disabled(self, request, obj=None):
        return True
