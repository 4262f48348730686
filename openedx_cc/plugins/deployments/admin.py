"""
Django admin of the deployments applet: read-only views of what pipelines reported, how each change was attributed,
what it reverts, and where it is deployed. Deployment records are facts: nothing here edits them.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.plugins.deployments.models import Change, DeployedChange, Deployment, Presence


class DeployedChangeInline(admin.TabularInline):
    """The changes a deployment carried."""

    model = DeployedChange
    extra = 0
    fields = ["change", "cc_change", "core_committer"]
    readonly_fields = fields
    can_delete = False

    @admin.display(boolean=True, description=_("CC change"))
    def cc_change(self, obj):
        return obj.change.is_cc_change

    @admin.display(description=_("core committer"))
    def core_committer(self, obj):
        return obj.change.core_committer

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("change")


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyModelAdmin):
    """Deployments reported by CD pipelines."""

    list_display = ["report_id", "environment", "service", "release", "kind", "deployed_at", "received_at"]
    list_filter = ["environment", "kind", "service"]
    search_fields = ["report_id", "release", "environment"]
    date_hierarchy = "deployed_at"
    inlines = [DeployedChangeInline]
    readonly_fields = ["report_id", "environment", "service", "release", "kind", "deployed_at", "received_at",
                       "body_sha256", "result", "rolls_back"]


class PresenceInline(admin.TabularInline):
    """Where a change is deployed."""

    model = Presence
    fk_name = "change"
    extra = 0
    fields = ["environment", "present", "deployed_by", "removed_by", "removed_kind", "removed_by_change"]
    readonly_fields = fields
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
    readonly_fields = ["repository", "pr_number", "title", "url", "merge_sha", "author", "merged_by", "merged_at",
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
