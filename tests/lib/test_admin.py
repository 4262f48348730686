"""
The admins of recorded facts (deployments, changes, presences, the event log, the dashboard) let nobody, not even a
superuser, add, edit or delete a row.
"""
import pytest
from django.contrib import admin
from django.test import RequestFactory

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.plugins.deployments.models import Change, Deployment, Presence
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.metrics.models import MetricsDashboard


@pytest.mark.parametrize("model", [Deployment, Change, Presence, LoggedEvent, MetricsDashboard])
def test_facts_are_read_only_even_for_a_superuser(model, admin_user, admin_client):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ReadOnlyModelAdmin)
    request = RequestFactory().get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    if model is not MetricsDashboard:  # the dashboard replaces the change list; it has no add page at all
        meta = model._meta
        assert admin_client.get(f"/admin/{meta.app_label}/{meta.model_name}/add/").status_code == 403
