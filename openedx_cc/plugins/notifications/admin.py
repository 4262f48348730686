"""
Django admin of the notifications applet: CCs' preferences, and the log of messages (read-only, with a retry
action).
"""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.admin import LargeTableMixin
from openedx_cc.plugins.notifications import api
from openedx_cc.plugins.notifications.models import NotificationLog, NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """What a Core Committer wants to hear about."""

    list_display = ["github_username", "notify_on_deploy"]
    search_fields = ["github_key"]
    list_filter = ["notify_on_deploy"]


@admin.register(NotificationLog)
class NotificationLogAdmin(LargeTableMixin, admin.ModelAdmin):
    """Every message that was (or should have been) sent."""

    list_display = ["created", "kind", "recipient", "recipient_role", "status", "attempts", "last_error"]
    list_filter = ["kind", "status", "recipient_role"]
    search_fields = ["recipient", "dedupe_key", "subject"]
    date_hierarchy = "created"
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected messages again"), permissions=["view"])
    def retry(self, request, queryset):
        counts = api.send_notifications(list(queryset.values_list("id", flat=True)))
        self.message_user(request, _("%(sent)d sent, %(failed)d failed.") % counts,
                          messages.SUCCESS if not counts["failed"] else messages.WARNING)
