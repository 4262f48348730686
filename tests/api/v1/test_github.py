"""
POST /api/cc/v1/github/ (docs/reference/rest.rst, "GitHub intake"): the switches, the size limit, the secret and the
signature come before anything is stored; a ping and a known delivery are 200, a new delivery 202.
"""
import json

import pytest
from django.test import Client
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.plugins.github.models import GitHubDelivery
from tests.plugins.github import builders as b

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/cc/v1/github/"


@pytest.fixture
def intake(enabled):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        yield


def test_404_while_the_set_is_disabled(client):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        assert b.deliver(client, "ping", b.real("ping")).status_code == 404
    assert not GitHubDelivery.objects.exists()


def test_503_with_retry_after_while_recording_is_switched_off(client, enabled):
    response = b.deliver(client, "ping", b.real("ping"))
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "openedx_cc.record_deployments" in response.json()["errors"][0]["message"]
    assert not GitHubDelivery.objects.exists()


@pytest.mark.parametrize("secret", [None, "  "])
def test_503_saying_so_when_the_secret_is_unset(client, intake, settings, secret):
    settings.OPENEDX_CC_GITHUB_WEBHOOK_SECRET = secret
    response = b.deliver(client, "ping", b.real("ping"))
    assert response.status_code == 503
    assert "OPENEDX_CC_GITHUB_WEBHOOK_SECRET is not set" in response.json()["errors"][0]["message"]
    assert not GitHubDelivery.objects.exists()


@pytest.mark.parametrize("kwargs", [
    {"sign": False},
    {"secret": "another-secret"},
    {"secret": "test-webhook-secret"},  # the deployment reports' secret signs no delivery
    {"headers": {"HTTP_X_HUB_SIGNATURE_256": "sha256=nothex"}},
    {"headers": {"HTTP_X_HUB_SIGNATURE": "sha1=0000000000000000000000000000000000000000"}, "sign": False},
])
def test_401_and_nothing_stored_for_a_missing_or_wrong_signature(client, intake, kwargs):
    response = b.deliver(client, "push", b.push(b.sha("A"), [(b.sha("B"), "x")]), **kwargs)
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'HMAC-SHA256 header="X-Hub-Signature-256"'
    assert not GitHubDelivery.objects.exists()


def test_a_body_signed_then_changed_is_401(client, intake):
    raw = json.dumps(b.real("ping")).encode()
    response = b.deliver(client, "ping", raw=raw + b" ", headers={"HTTP_X_HUB_SIGNATURE_256": b.signature(raw)})
    assert response.status_code == 401
    assert not GitHubDelivery.objects.exists()


def test_413_over_25_megabytes(client, intake):
    raw = b'{"zen": "' + b"x" * (25 * 1024 * 1024) + b'"}'
    response = b.deliver(client, "ping", raw=raw)
    assert response.status_code == 413
    assert "larger than 26214400 bytes" in response.json()["errors"][0]["message"]
    declared = b.deliver(client, "ping", raw=b"{}", headers={"CONTENT_LENGTH": str(30 * 1024 * 1024)})
    assert declared.status_code == 413
    assert not GitHubDelivery.objects.exists()


def test_a_large_delivery_under_the_limit_is_stored(client, intake):
    document = b.push(b.sha("A"), [(b.sha(f"c{n}"), "x" * 2000) for n in range(2048)])
    raw = json.dumps(document).encode()
    assert 4_000_000 < len(raw) < 25 * 1024 * 1024
    response = b.deliver(client, "push", raw=raw)
    assert response.status_code == 202
    row = GitHubDelivery.objects.get()
    assert row.body_size == len(raw) and len(bytes(row.body)) < len(raw) / 5  # kept compressed


@pytest.mark.parametrize("headers, field", [
    ({"HTTP_X_GITHUB_EVENT": ""}, "X-GitHub-Event"),
    ({"HTTP_X_GITHUB_EVENT": "Push; drop"}, "X-GitHub-Event"),
    ({"HTTP_X_GITHUB_DELIVERY": ""}, "X-GitHub-Delivery"),
    ({"HTTP_X_GITHUB_DELIVERY": "x" * 101}, "X-GitHub-Delivery"),
])
def test_400_and_nothing_stored_without_the_event_or_delivery_headers(client, intake, headers, field):
    response = b.deliver(client, "push", b.real("push"), headers=headers)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not GitHubDelivery.objects.exists()


def test_a_ping_is_200_and_kept(client, intake):
    response = b.deliver(client, "ping", b.real("ping"), delivery="ping-1")
    assert response.status_code == 200
    assert response.json() == {"delivery": "ping-1", "event": "ping", "action": "", "status": "processed",
                               "detail": ""}
    assert GitHubDelivery.objects.get().status == "processed"
    assert b.deliver(client, "ping", b.real("ping"), delivery="ping-1").status_code == 200


def test_a_new_delivery_is_202_and_a_known_one_200(client, intake):
    first = b.deliver(client, "deployment", b.real("deployment"), delivery="d-1")
    assert (first.status_code, first.json()["action"]) == (202, "created")
    again = b.deliver(client, "deployment", b.real("deployment"), delivery="d-1")
    assert (again.status_code, again.json()["status"]) == (200, "processed")
    assert GitHubDelivery.objects.count() == 1


def test_no_session_or_csrf_is_needed_even_for_a_logged_in_browser(intake, admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    assert b.deliver(browser, "ping", b.real("ping")).status_code == 200


def test_only_post(api_client, staff_user, intake):
    api_client.force_authenticate(staff_user)
    assert api_client.get(URL).status_code == 405


def test_the_schema_documents_the_endpoint(api_client, staff_user, enabled):
    api_client.force_authenticate(staff_user)
    document = api_client.get("/api/cc/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = document["paths"][URL]["post"]
    assert set(operation["responses"]) == {"200", "202", "400", "401", "413", "503"}
    assert "X-Hub-Signature-256" in operation["summary"]
