"""
Django admin of the ownership registry, for site operators.

Every model keeps a read-only audit history (who changed what, when). Writes that matter to the program -- granting,
changing and revoking rights, suspending committers -- go through ``api`` so that they are validated and emit
``CC_OWNERSHIP_CHANGED``; the scope of an existing right is read-only (a different scope is a different right).
"""
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from openedx_cc.lib.history import attribute_change
from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.ownership import api
from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Extension,
    Organization,
    ProgramPhase,
    Repository,
    RepositoryAlias,
)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """The audit history is for reading: reverting from it would bypass validation and events."""

    def revert_disabled(self, request, obj=None):
        return True


class RegistryAdmin(ReadOnlyHistoryAdmin):
    """
    Rows that decide effectiveness (statuses, rights, agreements and NDAs, champions, policies, and what rights point
    at) are never deleted, not even by a superuser: deleting one would change the answer for the past and leave no
    event, notification or audit trace (ADR 5). Operators revoke, end or suspend instead, which all three follow.
    """

    def has_delete_permission(self, request, obj=None):
        return False


class ExpiringAgreementFilter(admin.SimpleListFilter):
    """Agreements that expire soon, or have expired."""

    title = _("agreement expiry")
    parameter_name = "expiry"
    field_prefix = ""

    def lookups(self, request, model_admin):
        return [
            ("30", _("expiring within 30 days")),
            ("90", _("expiring within 90 days")),
            ("expired", _("expired")),
        ]

    def _q(self, **kwargs):
        return Q(**{f"{self.field_prefix}{key}": value for key, value in kwargs.items()})

    def queryset(self, request, queryset):
        today = timezone.now().date()
        value = self.value()
        if value in {"30", "90"}:
            horizon = today + timedelta(days=int(value))
            return queryset.filter(
                self._q(expires_on__gte=today, expires_on__lte=horizon, revoked_at__isnull=True)
            ).distinct()
        if value == "expired":
            return queryset.filter(self._q(expires_on__lt=today)).distinct()
        return queryset


class CommitterExpiringAgreementFilter(ExpiringAgreementFilter):
    """Committers with an agreement that expires soon, or has expired."""

    field_prefix = "agreements__"


class RevokedFilter(admin.SimpleListFilter):
    """Rights that are revoked or not."""

    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", _("not revoked")), ("yes", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


# Links to agreement documents are https unless written otherwise (Django 6 default, chosen now).
URL_FIELDS: dict[type[models.Field], dict[str, str]] = {models.URLField: {"assume_scheme": "https"}}


class AgreementInline(admin.TabularInline):
    """Agreements of a committer."""

    formfield_overrides = URL_FIELDS
    model = Agreement
    fk_name = "committer"
    extra = 0
    can_delete = False  # revoke instead (RegistryAdmin)
    fields = ["kind", "signed_on", "expires_on", "revoked_at", "document_url", "source"]
    readonly_fields = ["source"]


class OrganizationAgreementInline(AgreementInline):
    """Entity agreements of an organization."""

    fk_name = "organization"


class ChampionInline(admin.TabularInline):
    """Champions of a committer."""

    model = Champion
    extra = 0
    can_delete = False  # end instead (RegistryAdmin)
    fields = ["name", "email", "github_username", "valid_from", "valid_until"]


# Every field of the rights inline is read-only. Each attribute gets its own list of these names: the stubs type
# ``fields`` and ``readonly_fields`` differently.
_RIGHT_INLINE_FIELDS = ("scope", "valid_from", "valid_until", "revoked_at", "source")


class CommitRightInline(admin.TabularInline):
    """Rights of a committer (read-only here; grant, change and revoke them on the rights page)."""

    model = CommitRight
    extra = 0
    can_delete = False
    show_change_link = True
    fields = list(_RIGHT_INLINE_FIELDS)
    readonly_fields = list(_RIGHT_INLINE_FIELDS)

    @admin.display(description=_("scope"))
    def scope(self, obj):
        return obj.describe()

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("repository", "extension")


@admin.register(Organization)
class OrganizationAdmin(RegistryAdmin):
    """Organizations of Core Committers."""

    list_display = ["slug", "name", "openedx_provider", "committer_count"]
    list_filter = ["openedx_provider"]
    search_fields = ["slug", "name"]
    inlines = [OrganizationAgreementInline]

    @admin.display(description=_("committers"))
    def committer_count(self, obj):
        return obj.committers.count()


@admin.register(CoreCommitter)
class CoreCommitterAdmin(RegistryAdmin):
    """Core Committers, with their rights, agreements and champions."""

    list_display = ["github_username", "name", "organization", "status", "status_since", "status_until"]
    list_filter = ["status", "organization", CommitterExpiringAgreementFilter]
    search_fields = ["github_username", "github_key", "name", "email"]
    list_select_related = ["organization"]
    readonly_fields = ["github_key", "created", "modified"]
    raw_id_fields = ["user"]
    inlines = [CommitRightInline, AgreementInline, ChampionInline]
    actions = ["suspend", "revoke_all_rights"]

    def save_model(self, request, obj, form, change):
        attribute_change(obj, actor=request.user)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Suspend the selected committers (from now on)"))
    def suspend(self, request, queryset):
        count = api.suspend_committers(queryset, actor=request.user, reason="suspended in the admin")
        self.message_user(
            request, ngettext("%d committer suspended.", "%d committers suspended.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Revoke every right of the selected committers"))
    def revoke_all_rights(self, request, queryset):
        rights = CommitRight.objects.filter(committer__in=queryset, revoked_at__isnull=True).select_related(
            "committer"
        )
        count = api.revoke_rights(rights, actor=request.user, reason="revoked in the admin")
        self.message_user(
            request, ngettext("%d right revoked.", "%d rights revoked.", count) % count, messages.SUCCESS
        )


class CommitRightForm(forms.ModelForm):
    """
    Validates a new right through the ownership API, so that the admin refuses exactly what the API refuses.
    """

    class Meta:
        model = CommitRight
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk or self.errors:
            return cleaned
        assert cleaned is not None  # ModelForm.clean returns its cleaned_data (the stubs allow None for overrides)
        repository, owner = cleaned.get("repository"), (cleaned.get("owner") or "").strip().lower()
        if repository is None and not owner:
            raise forms.ValidationError(_("Choose a repository, or give an owner for a right on all its repositories."))
        extension = cleaned.get("extension")
        try:
            api.validate_right(
                repository.full_name if repository else f"{owner}/*",
                paths=cleaned.get("paths") or (),
                extension=extension.name if extension else None,
                branches=cleaned.get("branches") or (),
                valid_from=cleaned.get("valid_from"),
                valid_until=cleaned.get("valid_until"),
            )
        except ValidationFailed as exc:
            for problem in exc.problems:
                field = problem.field.split("[")[0]
                self.add_error(field if field in self.fields else None, problem.message)
        return cleaned


@admin.register(CommitRight)
class CommitRightAdmin(RegistryAdmin):
    """Commit rights. New rights and changed periods go through the ownership API (validated, with events)."""

    list_display = ["committer", "scope", "valid_from", "valid_until", "revoked_at", "source"]
    ordering = ["committer__github_key", "owner", "repository__key", "scope_key"]
    list_filter = [RevokedFilter, "owner", "committer__organization", "committer__status"]
    search_fields = ["committer__github_key", "committer__name", "repository__key", "owner", "extension__name"]
    list_select_related = ["committer", "repository", "extension"]
    raw_id_fields = ["committer", "repository", "extension"]
    actions = ["revoke"]
    form = CommitRightForm
    scope_fields = ["committer", "repository", "owner", "paths", "extension", "branches"]

    @admin.display(description=_("scope"))
    def scope(self, obj):
        return obj.describe()

    def get_readonly_fields(self, request, obj=None):
        readonly = ["scope_key", "revoked_at", "source", "created", "modified"]
        if obj is not None:
            readonly = self.scope_fields + readonly
        return readonly

    def save_model(self, request, obj, form, change):
        if change:
            previous = CommitRight.objects.get(pk=obj.pk)
            api.update_right_validity(previous, valid_from=obj.valid_from, valid_until=obj.valid_until,
                                      actor=request.user)
            return
        repository = obj.repository.full_name if obj.repository_id else f"{obj.owner.lower()}/*"
        created = api.grant_right(
            obj.committer,
            repository,
            paths=obj.paths or (),
            extension=obj.extension.name if obj.extension_id else None,
            branches=obj.branches or (),
            valid_from=obj.valid_from,
            valid_until=obj.valid_until,
            source=f"admin:{request.user.get_username()}",
            actor=request.user,
        )
        obj.pk = created.pk
        obj.owner = created.owner

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "owner" in form.base_fields:
            form.base_fields["owner"].required = False
            form.base_fields["owner"].help_text = _(
                "Only for a right on every repository of an owner: leave the repository empty and give the owner."
            )
        return form

    @admin.action(description=_("Revoke the selected rights (from now on)"))
    def revoke(self, request, queryset):
        count = api.revoke_rights(queryset.select_related("committer"), actor=request.user,
                                  reason="revoked in the admin")
        self.message_user(
            request, ngettext("%d right revoked.", "%d rights revoked.", count) % count, messages.SUCCESS
        )


@admin.register(Agreement)
class AgreementAdmin(RegistryAdmin):
    """Contributor agreements and NDAs."""

    formfield_overrides = URL_FIELDS
    list_display = ["kind", "committer", "organization", "signed_on", "expires_on", "revoked_at"]
    list_filter = ["kind", ExpiringAgreementFilter]
    search_fields = ["committer__github_key", "committer__name", "organization__slug", "organization__name"]
    list_select_related = ["committer", "organization"]
    raw_id_fields = ["committer", "organization"]
    date_hierarchy = "signed_on"

    def save_model(self, request, obj, form, change):
        attribute_change(obj, actor=request.user)
        super().save_model(request, obj, form, change)


@admin.register(Champion)
class ChampionAdmin(RegistryAdmin):
    """Champions of Core Committers."""

    list_display = ["name", "committer", "valid_from", "valid_until"]
    ordering = ["committer__github_key", "name"]
    search_fields = ["name", "committer__github_key"]
    list_select_related = ["committer"]
    raw_id_fields = ["committer"]


class RepositoryAliasInline(admin.TabularInline):
    """Former names of a repository."""

    model = RepositoryAlias
    extra = 0
    fields = ["full_name"]


class ExtensionInline(admin.TabularInline):
    """Extensions of a repository."""

    model = Extension
    extra = 0
    can_delete = False  # rights may be narrowed to it (RegistryAdmin)
    fields = ["name", "path"]


@admin.register(Repository)
class RepositoryAdmin(RegistryAdmin):
    """Repositories, with their aliases and extensions."""

    list_display = ["full_name", "owner", "extension_count"]
    list_filter = ["owner"]
    search_fields = ["key", "aliases__key"]
    readonly_fields = ["key", "owner"]
    inlines = [RepositoryAliasInline, ExtensionInline]

    @admin.display(description=_("extensions"))
    def extension_count(self, obj):
        return obj.extensions.count()


@admin.register(Extension)
class ExtensionAdmin(RegistryAdmin):
    """Extensions of repositories."""

    list_display = ["name", "repository", "path"]
    ordering = ["repository__key", "name"]
    search_fields = ["name", "repository__key", "path"]
    list_select_related = ["repository"]
    raw_id_fields = ["repository"]


@admin.register(RepositoryAlias)
class RepositoryAliasAdmin(ReadOnlyHistoryAdmin):
    """Former names of repositories."""

    list_display = ["full_name", "repository"]
    search_fields = ["key", "repository__key"]
    list_select_related = ["repository"]
    raw_id_fields = ["repository"]


@admin.register(ProgramPhase)
class ProgramPhaseAdmin(RegistryAdmin):
    """Phases of the program and their policy (phase defaults, or the operator's overrides)."""

    list_display = ["phase", "since", "require_nda", "require_champions", "policy"]
    list_filter = ["phase"]

    @admin.display(description=_("policy in force"))
    def policy(self, obj):
        nda, champions = api.PHASE_DEFAULTS[obj.phase]
        nda = nda if obj.require_nda is None else obj.require_nda
        champions = champions if obj.require_champions is None else obj.require_champions
        return _("NDA %(nda)s, %(champions)d champions") % {
            "nda": _("required") if nda else _("not required"),
            "champions": champions,
        }
