"""
A Django admin for rows that record facts (what a pipeline reported, what was sent): operators see them, nobody
adds, edits or deletes them through the admin.
"""
from django.contrib import admin


class LargeTableMixin:
    """
    For tables that grow without bound (deployments, changes, presences, the event log, notifications): pages of
    100 rows, and no second ``COUNT(*)`` of the whole table for the "N total" link, which is slow at millions of
    rows on MySQL.
    """

    list_per_page = 100
    show_full_result_count = False


class ReadOnlyModelAdmin(LargeTableMixin, admin.ModelAdmin):
    """No adding, editing or deleting; viewing follows the usual permissions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
