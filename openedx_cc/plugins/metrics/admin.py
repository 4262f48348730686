"""
The operators' dashboard, a page of the Django admin: the registry at a glance and the change-failure metrics as
charts over time, rendered on the server.
"""
from urllib.parse import urlencode

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.metrics import charts
from openedx_cc.plugins.metrics.api import compute_metrics
from openedx_cc.plugins.metrics.models import MetricsDashboard
from openedx_cc.plugins.ownership import api as ownership_api

_DORA_LABELS = {
    "deployment_frequency": _("Deployment frequency"),
    "lead_time_for_changes": _("Lead time for changes"),
    "change_failure_rate": _("Change failure rate (by deployments)"),
    "failed_deployment_recovery_time": _("Failed deployment recovery time"),
    "rework_rate": _("Rework rate"),
}


def _duration(seconds: int) -> str:
    """A duration for reading: the two largest units among days, hours and minutes (seconds under a minute)."""
    if seconds < 60:
        return f"{seconds} s"
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
    return " ".join(parts[:2])


def _dora_text(name: str, value) -> str:
    if value is None:
        return "\u2013"
    if name == "deployment_frequency":
        return str(_("%(days)s days per week")) % {"days": value}
    if name in ("change_failure_rate", "rework_rate"):
        return f"{value * 100:.1f} %"
    return _duration(value)


def dora_rows(metrics: dict) -> list[dict]:
    """The DORA figures as the dashboard's table shows them: a label, then each block's text and band."""
    return [
        {"name": name, "label": label,
         "cells": [{"block": block, "text": _dora_text(name, metrics[block]["dora"][name]["value"]),
                    "band": metrics[block]["dora"][name]["band"]} for block in ("cc_changes", "all_changes")]}
        for name, label in _DORA_LABELS.items()
    ]


def dashboard_context(params) -> dict:
    """
    Everything the dashboard shows, for the given metrics filters. Invalid filters are reported on the page, with no
    figures (never the unfiltered figures in their place); the registry part does not depend on them.
    """
    errors = []
    wanted = {k: v for k, v in params.items() if k in {"since", "until", "environment", "release", "repository"} and v}
    try:
        metrics = compute_metrics(include=("by_repository", "by_month"), **wanted)  # the breakdowns it draws
    except ValidationFailed as exc:
        errors = exc.problems
        metrics = None
    summary = ownership_api.registry_summary()
    charts_drawn = []
    if metrics is not None:
        months = [row["month"] for row in metrics["by_month"]]
        charts_drawn.append(charts.line_chart(
            "cfr-by-month", _("Change failure rate by month"), months,
            {"CC changes": [row["cc_changes"]["change_failure_rate"] for row in metrics["by_month"]],
             "All changes": [row["all_changes"]["change_failure_rate"] for row in metrics["by_month"]]},
            percent=True,
        ))
        top = sorted(metrics["by_repository"], key=lambda r: (-r["all_changes"]["deployed"], r["repository"]))[:10]
        charts_drawn.append(charts.bar_chart(
            "deploys-by-repository", _("Deploys and reverts by repository"), [r["repository"] for r in top],
            {"Deployed": [r["all_changes"]["deployed"] for r in top],
             "Reverted": [r["all_changes"]["reverted"] for r in top],
             "Rolled back": [r["all_changes"]["rolled_back"] for r in top]},
        ))
    organizations = charts.bar_chart("committers-by-organization", _("Core Committers by organization"),
                                     [name or str(_("(none)")) for name, _n in summary.by_organization],
                                     {"Core Committers": [n for _name, n in summary.by_organization]})
    return {
        "metrics": metrics, "dora": dora_rows(metrics) if metrics is not None else [],
        "summary": summary, "charts": charts_drawn + [organizations], "errors": errors,
        "filters": wanted, "query": urlencode(wanted), "now": timezone.now(),
    }


@admin.register(MetricsDashboard)
class MetricsDashboardAdmin(ReadOnlyModelAdmin):
    """The dashboard page (staff)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def changelist_view(self, request, extra_context=None):
        context = dict(self.admin_site.each_context(request), title=_("Core Committers dashboard"),
                       opts=self.model._meta, **dashboard_context(request.GET))
        return TemplateResponse(request, "openedx_cc/admin/dashboard.html", context)
