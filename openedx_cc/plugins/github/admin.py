"""
Django admin of the GitHub intake: the deliveries as GitHub sent them and what became of each (read-only, with an
action that processes the selected ones again), the pushes, and GitHub's deployments with their statuses.
"""
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.plugins.deployments.api import recording_allowed
from openedx_cc.plugins.github.deliveries import process_again
from openedx_cc.plugins.github.models import GitHubDelivery, GitHubDeployment, GitHubDeploymentStatus, GitHubPush
from openedx_cc.plugins.github.processing import raw_body

_BODY_PREVIEW_BYTES = 200_000


@admin.register(GitHubDelivery)
class GitHubDeliveryAdmin(ReadOnlyModelAdmin):
    """Every delivery GitHub made, and what processing made of it."""

    list_display = ["received_at", "event", "action", "repository", "delivery_id", "status", "short_detail",
                    "attempts"]
    list_filter = ["status", "event"]
    search_fields = ["delivery_id", "repository"]
    date_hierarchy = "received_at"
    actions = ["process_selected_again"]
    exclude = ["body"]
    readonly_fields = ["delivery_id", "event", "action", "repository", "received_at", "status", "detail", "attempts",
                       "processed_at", "body_size", "body_preview"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.defer("body")
        return queryset

    @admin.display(description=_("error or reason"))
    def short_detail(self, obj):
        return obj.detail if len(obj.detail) <= 120 else obj.detail[:119] + "…"

    @admin.display(description=_("body"))
    def body_preview(self, obj):
        raw = raw_body(obj)
        text = raw[:_BODY_PREVIEW_BYTES].decode("utf-8", errors="replace")
        more = _(" (%(shown)d of %(size)d bytes shown)") % {"shown": _BODY_PREVIEW_BYTES, "size": len(raw)} \
            if len(raw) > _BODY_PREVIEW_BYTES else ""
        return format_html('<pre style="white-space: pre-wrap; max-height: 40em; overflow: auto">{}</pre>{}',
                           text, more)

    def has_process_permission(self, request):
        return bool(request.user.is_active and request.user.is_staff)

    @admin.action(description=_("Process the selected deliveries again"), permissions=["process"])
    def process_selected_again(self, request, queryset):
        if not recording_allowed():
            self.message_user(request, _("Deployment recording is switched off (openedx_cc.enabled, "
                                         "openedx_cc.record_deployments): nothing was processed."), messages.ERROR)
            return
        summary = process_again(ids=list(queryset.values_list("id", flat=True)))
        counts = ", ".join(f"{count} {status}" for status, count in sorted(summary.statuses.items())) or "none"
        level = messages.WARNING if summary.statuses.get("failed") else messages.SUCCESS
        self.message_user(request, _("Processed again: %(counts)s. Unresolved deployments completed: %(completed)d, "
                                     "still unresolved: %(unresolved)d.")
                          % {"counts": counts, "completed": summary.completed, "unresolved": summary.unresolved},
                          level)


@admin.register(GitHubPush)
class GitHubPushAdmin(ReadOnlyModelAdmin):
    """The pushes that make up the branches' history, as far as the set knows it."""

    list_display = ["pushed_at", "repository", "ref", "short_before", "short_after", "forced", "commits_listed",
                    "pusher"]
    list_filter = ["forced", "repository"]
    search_fields = ["before", "after", "ref", "repository_key"]
    date_hierarchy = "pushed_at"
    exclude = ["repository_key"]

    @admin.display(description=_("before"))
    def short_before(self, obj):
        return obj.before[:12]

    @admin.display(description=_("after"))
    def short_after(self, obj):
        return obj.after[:12]


class GitHubDeploymentStatusInline(admin.TabularInline):
    """The statuses GitHub gave a deployment."""

    model = GitHubDeploymentStatus
    extra = 0
    fields = ["created_at", "state", "description", "github_id"]
    readonly_fields = fields  # type: ignore[assignment]  # the same names; the stubs type the two lists differently
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GitHubDeployment)
class GitHubDeploymentAdmin(ReadOnlyModelAdmin):
    """GitHub's deployments, their latest status, and what the set recorded of them."""

    list_display = ["created_at", "report_id", "environment", "short_sha", "ref", "state", "recorded", "detail"]
    list_filter = ["state", "recorded", "environment"]
    search_fields = ["report_id", "sha", "ref", "repository_key"]
    date_hierarchy = "created_at"
    inlines = [GitHubDeploymentStatusInline]
    exclude = ["repository_key"]

    @admin.display(description=_("sha"))
    def short_sha(self, obj):
        return obj.sha[:12]
