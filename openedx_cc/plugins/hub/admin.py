"""
Django admin of the hub applet, for each side of a hub.

On a hub: the registered instances (never a secret: the hub stores none) with what each was last accepted and
refused for, and an action that revokes them; the changes the instances reported, as "the hub page": where each was
deployed and where, how and when it was removed; the events received, read-only.

On an instance: the events forwarded to the hub (read-only), with a summary at the top -- pending, failing, sent, not
picked up yet, and the last error of the oldest failing event -- and "Forward now" (a button, and an action), which
makes the same bounded attempt as ``cc_forward_to_hub``.
"""
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.plugins.hub.instances import revoke_instance
from openedx_cc.plugins.hub.models import HubChange, HubEvent, HubEventKind, HubInstance
from openedx_cc.plugins.hub.reads import hub_change_fates

# -- the hub side ----------------------------------------------------------------------------------------------------
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from openedx_cc.plugins.hub.forwarding import ForwardingResult, forward_pending, forwarding_summary
from openedx_cc.plugins.hub.models import ForwardedEvent


@admin.register(HubInstance)
class HubInstanceAdmin(admin.ModelAdmin):
    """
    The instances registered with this hub. They are registered with ``manage.py cc_hub_instance add`` (which prints
    the secret once), not here; here operators read how each fares, edit its contact, and revoke it.
    """

    list_display = ["name", "contact", "created_at", "revoked_at", "last_accepted_at", "last_refused_at",
                    "short_refusal", "max_clock_skew_seconds", "deployed_events", "reverted_events"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "contact"]
    readonly_fields = ["name", "created_at", "revoked_at", "secret_rotated_at", "last_accepted_at", "last_refused_at",
                       "last_refusal", "max_clock_skew_seconds", "notes", "deployed_events", "reverted_events"]
    fields = ["name", "contact", *readonly_fields[1:]]
    actions = ["revoke_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            deployed_count=Count("events", filter=Q(events__kind=HubEventKind.DEPLOYED)),
            reverted_count=Count("events", filter=Q(events__kind=HubEventKind.REVERTED)),
        )

    def has_add_permission(self, request):
        return False  # cc_hub_instance add: the secret is printed once, on the command line

    def has_delete_permission(self, request, obj=None):
        return False  # what an instance sent stays; revoke it instead

    @admin.display(description=_("last refusal"))
    def short_refusal(self, obj):
        return obj.last_refusal if len(obj.last_refusal) <= 120 else obj.last_refusal[:119] + "…"

    @admin.display(description=_("deployed events"), ordering="deployed_count")
    def deployed_events(self, obj):
        return obj.deployed_count

    @admin.display(description=_("reverted events"), ordering="reverted_count")
    def reverted_events(self, obj):
        return obj.reverted_count

    def has_revoke_permission(self, request):
        return bool(request.user.is_active and request.user.is_staff and
                    self.has_change_permission(request))

    @admin.action(description=_("Revoke the selected instances (their later batches are refused)"),
                  permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        names = list(queryset.filter(revoked_at__isnull=True).values_list("name", flat=True))
        for name in names:
            revoke_instance(name)
        self.message_user(request, _("Revoked: %(names)s.") % {"names": ", ".join(names) or _("none")},
                          messages.SUCCESS)


def _places(items, *, removed: bool) -> str:
    if not items:
        return "-"
    if removed:
        return format_html_join(mark_safe("<br>"), "{} ({}): {} {}",
                                ((i["instance"], i["environment_class"], i["kind"], f"{i['at']:%Y-%m-%d %H:%M}")
                                 for i in items))
    return format_html_join(mark_safe("<br>"), "{} ({}) {}",
                            ((i["instance"], i["environment_class"], f"{i['first_deployed_at']:%Y-%m-%d %H:%M}")
                             for i in items))


class _HubEventInline(admin.TabularInline):
    model = HubEvent
    fk_name = "change"
    extra = 0
    can_delete = False
    fields = ["instance", "kind", "environment_class", "deployed_at", "revert_kind", "reverted_at", "time",
              "received_at", "event_id"]
    readonly_fields = ["instance", "kind", "environment_class", "deployed_at", "revert_kind", "reverted_at", "time",
                       "received_at", "event_id"]
    ordering = ["received_at", "id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("instance")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HubChange)
class HubChangeAdmin(ReadOnlyModelAdmin):
    """
    The hub page: each change the instances reported, where it was deployed and where, how and when it was removed
    (from the events below each change; the list reads them in three queries per page).
    """

    list_display = ["__str__", "core_committer", "first_reported_at", "deployed_in", "removed_in"]
    list_filter = ["core_committer_key", "repository_key", "events__environment_class", "events__kind"]
    search_fields = ["repository_key", "core_committer_key", "title", "merge_sha", "=pr_number"]
    date_hierarchy = "first_reported_at"
    exclude = ["repository_key", "core_committer_key"]
    readonly_fields = ["repository", "pr_number", "title", "url", "merge_sha", "core_committer", "merged_at",
                       "first_reported_at", "deployed_in", "removed_in"]
    inlines = [_HubEventInline]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)  # evaluates the page once: the rows the list shows carry their fate
        for row, fate in zip(rows, hub_change_fates(rows).values(), strict=True):
            row.hub_fate = fate
        return changelist

    def _fate(self, obj):
        fate = getattr(obj, "hub_fate", None)
        return fate if fate is not None else hub_change_fates([obj])[obj.pk]

    @admin.display(description=_("deployed in (first)"))
    def deployed_in(self, obj):
        return _places(self._fate(obj)["deployed"], removed=False)

    @admin.display(description=_("removed in"))
    def removed_in(self, obj):
        return _places(self._fate(obj)["removed"], removed=True)


@admin.register(HubEvent)
class HubEventAdmin(ReadOnlyModelAdmin):
    """Every event the instances sent, as the hub stored it."""

    list_display = ["received_at", "instance", "change", "kind", "environment_class", "deployed_at", "revert_kind",
                    "reverted_at", "time", "event_id"]
    list_filter = ["kind", "environment_class", "instance"]
    search_fields = ["=event_id", "change__repository_key", "change__core_committer_key"]
    date_hierarchy = "received_at"
    list_select_related = ["instance", "change"]


# -- the instance side ----------------------------------------------------------------------------------------------



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
