"""
A Django admin for rows that record facts (what a pipeline reported, what was sent): operators see them, nobody
adds, edits or deletes them through the admin.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

if TYPE_CHECKING:
    from django.http import HttpRequest

    # django-stubs makes ModelAdmin generic in its model; Django's class takes no parameter at run time.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class LargeTableMixin:
    """
    For tables that grow without bound (deployments, changes, presences, the event log, notifications): pages of
    100 rows, and no second ``COUNT(*)`` of the whole table for the "N total" link, which is slow at millions of
    rows on MySQL.
    """

    list_per_page = 100
    show_full_result_count = False


class ReadOnlyModelAdmin(LargeTableMixin, _ModelAdmin):
    """No adding, editing or deleting; viewing follows the usual permissions."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
