"""
The hub's admin: the instances (never a secret) with their refusals, notes and event counts, and the revoke action;
the hub page of changes (where deployed, where and how removed) in a fixed number of queries; the events read-only.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openedx_cc.plugins.hub import api as hub_api
from openedx_cc.plugins.hub.models import HubChange, HubEvent, HubInstance
from tests.plugins.hub.hub_builders import batch, event, register, signature

pytestmark = pytest.mark.django_db


def _receive(name, secret, events):
    raw = batch(events)
    return hub_api.receive_batch(raw, name, signature(raw, secret))


@pytest.fixture
def reported():
    secret = register("edx-prod", contact="ops@edx.example.org")
    _receive("edx-prod", secret, [event(pr=101), event(pr=101, reverted="rollback"), event(pr=102, cc="pdpinch")])
    other = register("stage-co")
    _receive("stage-co", other, [event(pr=101, environment_class="staging")])
    hub_api.rotate_instance_secret("stage-co")
    with pytest.raises(hub_api.InstanceRefused):
        _receive("stage-co", other, [event(pr=103)])
    return secret


def test_the_instances_with_their_state_and_no_secret(admin_client, reported):
    response = admin_client.get(reverse("admin:openedx_cc_hubinstance_changelist"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "ops@edx.example.org" in text and "from before a rotation" in text
    assert reported not in text
    row = HubInstance.objects.get(name="edx-prod")
    detail = admin_client.get(reverse("admin:openedx_cc_hubinstance_change", args=[row.pk])).content.decode()
    assert reported not in detail and row.secret_salt not in detail
    assert admin_client.get(reverse("admin:openedx_cc_hubinstance_add")).status_code == 403


def test_the_revoke_action(admin_client, reported):
    row = HubInstance.objects.get(name="edx-prod")
    response = admin_client.post(reverse("admin:openedx_cc_hubinstance_changelist"),
                                 {"action": "revoke_selected", "_selected_action": [row.pk]}, follow=True)
    assert "Revoked: edx-prod." in response.content.decode()
    assert HubInstance.objects.get(name="edx-prod").revoked_at is not None
    assert HubInstance.objects.get(name="stage-co").revoked_at is None


def test_the_hub_page_of_changes(admin_client, reported):
    url = reverse("admin:openedx_cc_hubchange_changelist")
    text = admin_client.get(url).content.decode()
    assert "openedx/openedx-platform#101" in text
    assert "edx-prod (production)" in text and "stage-co (staging)" in text
    assert "edx-prod (production): rollback" in text
    assert "pdpinch" in admin_client.get(url, {"core_committer_key": "pdpinch"}).content.decode()
    assert admin_client.get(url, {"q": "102"}).status_code == 200
    change = HubChange.objects.get(pr_number=101)
    detail = admin_client.get(reverse("admin:openedx_cc_hubchange_change", args=[change.pk]))
    assert detail.status_code == 200 and "rollback" in detail.content.decode()


def test_the_hub_page_reads_a_fixed_number_of_queries(admin_client, reported):
    url = reverse("admin:openedx_cc_hubchange_changelist")
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    secret = register("more")
    _receive("more", secret, [event(pr=n, reverted="revert") for n in range(200, 240)])
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(few) == len(many)


def test_the_events_are_read_only(admin_client, reported):
    url = reverse("admin:openedx_cc_hubevent_changelist")
    assert admin_client.get(url).status_code == 200
    event_row = HubEvent.objects.first()
    assert admin_client.get(reverse("admin:openedx_cc_hubevent_change", args=[event_row.pk])).status_code == 200
    assert admin_client.get(reverse("admin:openedx_cc_hubevent_add")).status_code == 403
