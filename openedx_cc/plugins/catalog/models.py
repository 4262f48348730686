"""
Models of the catalog applet: what Backstage ``catalog-info.yaml`` files (OEP-55) say about repositories.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.history import AuditHistory


class CatalogEntry(models.Model):
    """
    The catalog-info of one repository: its owner, type, lifecycle and release annotation, as the file says (values
    off the documented lists are kept as written).

    .. no_pii: Public catalog data of repositories (owners are GitHub teams or logins).
    """

    repository = models.CharField(max_length=140, help_text=_("owner/name, through the repository aliases."))
    repository_key = models.CharField(max_length=140, unique=True, editable=False)
    declared_name = models.CharField(max_length=140, help_text=_("owner/name as the file declares it."))
    component = models.CharField(max_length=200, help_text=_("metadata.name"))
    kind = models.CharField(max_length=50, default="Component")
    description = models.TextField(blank=True, default="")
    owner = models.CharField(max_length=200, blank=True, default="", help_text=_("spec.owner as written."))
    owner_kind = models.CharField(max_length=16, blank=True, default="", help_text=_("group or user"))
    owner_name = models.CharField(max_length=200, blank=True, default="")
    type = models.CharField(max_length=100, blank=True, default="")
    lifecycle = models.CharField(max_length=100, blank=True, default="")
    release_declared = models.BooleanField(default=False, help_text=_("Whether openedx.org/release is present."))
    release = models.CharField(max_length=200, null=True, blank=True,
                               help_text=_("openedx.org/release; empty when declared null."))
    arch_interest_groups = models.JSONField(default=list, blank=True)
    links = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=500, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        ordering = ["repository_key"]
        verbose_name_plural = _("catalog entries")

    def __str__(self):
        return self.repository
