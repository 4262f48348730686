"""
A Django admin for rows that record facts (what a pipeline reported, what was sent): operators see them, nobody
adds, edits or deletes them through the admin.
"""
from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """No adding, editing or deleting; viewing follows the usual permissions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
