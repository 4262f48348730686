"""
Django admin of the deployments applet: read-only views of what pipelines reported, how each change was attributed,
what it reverts, and where it is deployed. Deployment records are facts: nothing here edits them.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.plugins.deployments.models import Change, Deployment, DeploymentHead, DirectPush, MergedPullRequest
from openedx_cc.plugins.deployments.models import Presence


class DeploymentHeadInline(admin.TabularInline):
    """Where the deployment put each repository."""

    model = DeploymentHead
    extra = 0
    fields = ["repository", "sha"]
    readonly_fields = fields  # type: ignore[assignment]  # see PresenceInline
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DirectPushInline(admin.TabularInline):
    """Deployed commits of no pull request, credited to nobody."""

    model = DirectPush
    extra = 0
    fields = ["repository", "sha", "title"]
    readonly_fields = fields  # type: ignore[assignment]  # see PresenceInline
    can_delete = False
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyModelAdmin):
    """Deployments reported by CD pipelines, by openedx-cc-report and by GitHub."""

    list_display = ["report_id", "environment", "service", "release", "kind", "source", "result", "resolved",
                    "deployed_at", "received_at"]
    list_filter = ["environment", "kind", "source", "result", "service"]
    search_fields = ["report_id", "release", "environment"]
    date_hierarchy = "deployed_at"
    readonly_fields = ["report_id", "environment", "service", "release", "kind", "source", "result", "missing",
                       "completed_by", "deployed_at", "received_at", "body_sha256", "changes_carried", "answer",
                       "rolls_back"]
    inlines = [DeploymentHeadInline, DirectPushInline]

    @admin.display(description=_("resolved"), boolean=True)
    def resolved(self, obj):
        """Whether the deployment's changes are known (a GitHub deployment may wait for its pushes)."""
        return not obj.missing

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.defer("answer")  # the stored answer grows with the changes; the list needs none
        return queryset

    @admin.display(description=_("changes carried"))
    def changes_carried(self, obj):
        """A link to the deployment's changes, listed in pages: a release can carry thousands."""
        count = obj.changes.count()
        url = reverse("admin:openedx_cc_change_changelist") + f"?deployments__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, ngettext("%d change", "%d changes", count) % count)


class PresenceInline(admin.TabularInline):
    """Where a change is deployed."""

    model = Presence
    fk_name = "change"
    extra = 0
    fields = ["environment", "present", "deployed_by", "removed_by", "removed_kind", "removed_by_change"]
    # The same list (of names) as fields; the stubs type the two as lists of different items (fields may also hold
    # groups of names), which no one list is.
    readonly_fields = fields  # type: ignore[assignment]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Change)
class ChangeAdmin(ReadOnlyModelAdmin):
    """Changes (merged pull requests) with their attribution and reverts."""

    list_display = ["__str__", "title", "merged_by", "author", "is_cc_change", "core_committer", "merged_at",
                    "revert_rule"]
    list_filter = ["is_cc_change", "repository", "revert_rule"]
    search_fields = ["change_key", "title", "merge_sha", "author", "merged_by", "core_committer"]
    date_hierarchy = "merged_at"
    inlines = [PresenceInline]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "deployments__id__exact" or super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.defer("body", "paths", "revert_references")
        return queryset
    readonly_fields = ["repository", "pr_number", "title", "url", "merge_sha", "author", "merged_by",
                       "merged_by_source", "merged_at",
                       "paths", "is_cc_change", "core_committer", "attribution", "revert_rule", "revert_references",
                       "reverts", "body"]
    exclude = ["change_key", "repository_key", "title_key"]


@admin.register(Presence)
class PresenceAdmin(ReadOnlyModelAdmin):
    """Where each change is deployed now, and how it left an environment."""

    list_display = ["change", "environment", "present", "deployed_by", "removed_by", "removed_kind"]
    list_filter = ["environment", "present", "removed_kind"]
    search_fields = ["change__change_key", "change__title"]
    list_select_related = ["change", "deployed_by", "removed_by"]

    def get_queryset(self, request):
        # one row of a deployment is enough to name it: not its stored answer, nor a change's body, per presence
        return super().get_queryset(request).defer("deployed_by__answer", "removed_by__answer", "change__body",
                                                   "change__paths", "change__revert_references")


@admin.register(MergedPullRequest)
class MergedPullRequestAdmin(ReadOnlyModelAdmin):
    """Merged pull requests as GitHub described them: who fills merged_by when a report leaves it empty."""

    list_display = ["__str__", "title", "author", "merged_by", "merged_at", "base_ref", "merge_sha"]
    list_filter = ["repository"]
    search_fields = ["repository_key", "title", "merge_sha", "author", "merged_by"]
    date_hierarchy = "merged_at"
    exclude = ["repository_key"]
