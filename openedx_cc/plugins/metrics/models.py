"""
The operators' dashboard lives in the Django admin as the page of a model without a table (the usual way to add a
page to the admin without changing the host's AdminSite).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class MetricsDashboard(models.Model):
    """
    A page, not data: the Core Committer dashboard in the admin.

    .. no_pii: No table: it only names the dashboard page.
    """

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboard")

    def __str__(self):
        return "dashboard"
