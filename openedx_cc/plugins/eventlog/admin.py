"""
Django admin of the event log: read-only, with an action to send selected events again.
"""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.plugins.eventlog import api
from openedx_cc.plugins.eventlog.models import LoggedEvent


class SentFilter(admin.SimpleListFilter):
    """Events sent at least once, or never."""

    title = _("sent")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("yes", _("sent")), ("no", _("never sent"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(sent_at__isnull=True)
        return queryset


@admin.register(LoggedEvent)
class LoggedEventAdmin(ReadOnlyModelAdmin):
    """The durable log of every event openedx-cc emitted (or will emit)."""

    list_display = ["recorded_at", "event_type", "event_id", "sent_at", "send_count", "last_error"]
    list_filter = ["event_type", SentFilter]
    search_fields = ["event_id", "event_type"]
    date_hierarchy = "recorded_at"
    actions = ["replay"]

    @admin.action(description=_("Send the selected events again (original metadata)"), permissions=["view"])
    def replay(self, request, queryset):
        result = api.replay_events(queryset.order_by("recorded_at", "id"))
        level = messages.SUCCESS if not result.failed and not result.skipped else messages.WARNING
        self.message_user(
            request,
            _("%(sent)d sent, %(failed)d failed, %(skipped)d not sent because events are switched off.")
            % {"sent": result.sent, "failed": result.failed, "skipped": result.skipped},
            level,
        )
