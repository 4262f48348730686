"""
The admin of forwarding: the events on their way (read-only), a summary with the last error at the top, and
"Forward now".
"""
import pytest
from django.contrib import admin
from django.test import RequestFactory

from openedx_cc.lib.admin import ReadOnlyModelAdmin
from openedx_cc.plugins.hub import forwarding
from openedx_cc.plugins.hub.models import ForwardedEvent
from tests.plugins.hub.conftest import ids, log_deployed

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/openedx_cc/forwardedevent/"


def test_the_events_on_their_way_are_read_only(admin_user, admin_client):
    model_admin = admin.site._registry[ForwardedEvent]
    assert isinstance(model_admin, ReadOnlyModelAdmin)
    request = RequestFactory().get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request) and not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_the_summary_shows_the_counts_and_the_last_error(admin_client, sharing):
    log_deployed(3)
    sharing.script = [(401, {"detail": "unknown or revoked instance"})]
    forwarding.forward_pending()
    log_deployed(2, first=10)
    page = admin_client.get(CHANGELIST).content.decode()
    assert f"Hub: <strong>{sharing.url} as acme</strong>" in page
    assert "hub-given-secret" not in page
    assert "<strong>0</strong> pending" in page and "<strong>3</strong> failing" in page
    assert "<strong>2</strong> logged but not picked up yet" in page
    assert "the hub refused this instance or its signature (401: unknown or revoked instance)" in page
    assert "next try after" in page
    assert admin_client.get(f"{CHANGELIST}?status__exact=failing").status_code == 200


def test_forward_now_sends_everything_pending(admin_client, sharing):
    logged = log_deployed(3)
    assert admin_client.get(f"{CHANGELIST}forward-now/").status_code == 405
    response = admin_client.post(f"{CHANGELIST}forward-now/", follow=True)
    assert response.redirect_chain[-1][0] == CHANGELIST
    page = response.content.decode()
    assert "3 event(s) sent to the hub (0 it already had), 0 failed, 0 still pending." in page
    assert "<strong>3</strong> sent" in page
    assert sharing.received_ids == ids(logged)


def test_forward_now_is_also_an_action_and_says_why_it_failed(admin_client, sharing):
    log_deployed(2)
    forwarding.enrol_pending()
    sharing.script = [503]
    response = admin_client.post(CHANGELIST, {"action": "forward_now", "_selected_action": [
        ForwardedEvent.objects.first().pk]}, follow=True)
    assert "0 event(s) sent to the hub (0 it already had), 2 failed, 2 still pending. Not everything was forwarded: " \
        "the hub answered 503: scripted 503." in response.content.decode()


def test_forward_now_needs_staff(client, plain_user, sharing):
    client.force_login(plain_user)
    assert client.post(f"{CHANGELIST}forward-now/").status_code == 302  # to the admin's login
    assert not sharing.requests
