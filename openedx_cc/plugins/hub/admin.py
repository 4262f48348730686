"""
Django admin of the hub applet.

Instance side: the events forwarded to the hub (read-only), with a summary at the top -- pending, failing, sent, not
picked up yet, and the last error of the oldest failing event -- and "Forward now" (a button, and an action), which
makes the same bounded attempt as ``cc_forward_to_hub``.
"""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.plugins.hub.forwarding import ForwardingResult, forward_pending, forwarding_summary
from openedx_cc.plugins.hub.models import ForwardedEvent


@admin.register(ForwardedEvent)
class ForwardedEventAdmin(ReadOnlyModelAdmin):
    """The change events of the event log on their way to the hub, in log order."""

    change_list_template = "openedx_cc/admin/hub/forwardedevent_change_list.html"
    list_display = ["position", "event_type", "event_id", "recorded_at", "status", "attempts", "short_error",
                    "last_attempt_at", "next_attempt_at", "sent_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id"]
    date_hierarchy = "recorded_at"
    actions = ["forward_now"]

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error if len(obj.last_error) <= 120 else obj.last_error[:119] + "…"

    def has_forward_permission(self, request):
        return bool(request.user.is_active and request.user.is_staff and self.has_view_permission(request))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("forward-now/", self.admin_site.admin_view(self.forward_now_view), name="%s_%s_forward_now" % info),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        context = dict(extra_context or {})
        if request.method == "GET":
            info = self.opts.app_label, self.opts.model_name
            context.update(forwarding=forwarding_summary(), can_forward=self.has_forward_permission(request),
                           forward_url=reverse("admin:%s_%s_forward_now" % info, current_app=self.admin_site.name))
        return super().changelist_view(request, extra_context=context)

    def forward_now_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_forward_permission(request):
            raise PermissionDenied
        self._forward(request)
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse("admin:%s_%s_changelist" % info, current_app=self.admin_site.name))

    @admin.action(description=_("Forward now (every pending event, oldest first, whatever is selected)"),
                  permissions=["forward"])
    def forward_now(self, request, queryset):
        self._forward(request)

    def _forward(self, request):
        result: ForwardingResult = forward_pending(respect_backoff=False)
        text = _("%(sent)d event(s) sent to the hub (%(duplicates)d it already had), %(failed)d failed, "
                 "%(pending)d still pending.") % {"sent": result.sent, "duplicates": result.duplicates,
                                                  "failed": result.failed, "pending": result.pending}
        if result.error:
            text = f"{text} Not everything was forwarded: {result.error}."
        self.message_user(request, text, messages.SUCCESS if result.complete else messages.WARNING)
