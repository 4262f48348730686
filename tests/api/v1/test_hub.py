"""
The hub's endpoints (docs/reference/hub.rst): ``POST hub/events/`` authenticated by the instance's signature only,
``GET hub/changes/`` for staff and for a Core Committer's own changes; both 404 while this service is no hub.
"""
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.hub import api as hub_api
from openedx_cc.plugins.hub.models import HubChange, HubEvent, HubInstance
from openedx_cc.plugins.hub.toggles import HUB
from openedx_cc.plugins.hub.wire import MAX_BATCH_BYTES
from openedx_cc.plugins.ownership.models import CoreCommitter
from tests.plugins.hub.hub_builders import batch, event, post, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub_on(enabled):
    """``openedx_cc.enabled`` and ``openedx_cc.hub`` on."""
    with override_waffle_switch(HUB, True):
        yield


CHANGES = "/api/cc/v1/hub/changes/"


@pytest.fixture
def secret():
    return register("edx-prod")


@pytest.fixture
def signed(client, secret):
    """Post events signed by edx-prod."""
    return lambda events, **kwargs: post(client, batch(events), secret=secret, **kwargs)


@pytest.fixture
def as_staff(api_client, staff_user):
    api_client.force_authenticate(staff_user)
    return api_client


# -- POST hub/events/ ------------------------------------------------------------------------------------------------


def test_a_batch_is_accepted(hub_on, signed):
    response = signed([event(pr=1), event(pr=1, reverted="rollback")])
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 2, "duplicates": 0, "unknown": []}
    assert signed([event(pr=2)]).json() == {"accepted": 1, "duplicates": 0, "unknown": []}


def test_the_same_batch_again_answers_duplicates(hub_on, client, secret):
    raw = batch([event(pr=1), event(pr=2)])
    assert post(client, raw, secret=secret).json() == {"accepted": 2, "duplicates": 0, "unknown": []}
    assert post(client, raw, secret=secret).json() == {"accepted": 0, "duplicates": 2, "unknown": []}


@pytest.mark.parametrize("switches", [{"enabled": False, "hub": True}, {"enabled": True, "hub": False},
                                      {"enabled": False, "hub": False}])
def test_404_while_this_service_is_no_hub(client, secret, switches):
    from openedx_cc.lib.toggles import ENABLED

    with override_waffle_switch(ENABLED, switches["enabled"]), override_waffle_switch(HUB, switches["hub"]):
        assert post(client, batch([event()]), secret=secret).status_code == 404
        assert client.get(CHANGES).status_code == 404
    assert not HubEvent.objects.exists()


@pytest.mark.parametrize("kwargs, reason", [
    ({"instance": "nobody"}, "no instance named 'nobody'"),
    ({"instance": None}, "the X-CC-Instance header is missing"),
    ({"secret": None}, "the X-CC-Signature-256 header is missing"),
    ({"secret": "f" * 64}, "signature does not match"),
    ({"headers": {"HTTP_X_CC_SIGNATURE_256": "sha256=zz"}}, "64 hexadecimal digits"),
])
def test_401_for_an_unknown_instance_or_a_bad_signature(hub_on, client, secret, kwargs, reason):
    options = {"secret": secret, **kwargs}
    response = post(client, batch([event()]), **options)
    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert response["WWW-Authenticate"] == 'HMAC-SHA256 header="X-CC-Signature-256"'
    assert not HubEvent.objects.exists()


def test_401_for_a_revoked_instance_and_the_refusal_is_on_its_row(hub_on, signed):
    hub_api.revoke_instance("edx-prod")
    response = signed([event()])
    assert response.status_code == 401 and "was revoked" in response.json()["detail"]
    assert "was revoked" in HubInstance.objects.get().last_refusal


def test_401_after_a_rotation_explained(hub_on, signed):
    hub_api.rotate_instance_secret("edx-prod")
    response = signed([event()])
    assert response.status_code == 401
    assert "from before a rotation" in response.json()["detail"]
    assert "from before a rotation" in HubInstance.objects.get().last_refusal


def test_400_names_the_fields_and_stores_nothing(hub_on, signed):
    bad = event(pr=2)
    bad["data"]["change"]["merged_at"] = "2026-11-20 12:00"  # no time zone
    response = signed([event(pr=1), bad])
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["events[1].data.change.merged_at"]
    assert not HubEvent.objects.exists() and not HubChange.objects.exists()


def test_400_for_more_than_500_events(hub_on, signed):
    response = signed([event(pr=n) for n in range(1, 502)])
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "events", "message": (
        "a batch holds at most 500 events; this one holds 501: send it in smaller batches")}]
    assert not HubEvent.objects.exists()


def test_413_over_the_size_limit_declared_or_read(hub_on, client, secret):
    raw = b'{"events": [], "pad": "' + b"x" * MAX_BATCH_BYTES + b'"}'
    response = post(client, raw, secret=secret)
    assert response.status_code == 413
    assert f"the batch is larger than {MAX_BATCH_BYTES} bytes" in response.json()["errors"][0]["message"]
    declared = post(client, b'{"events": []}', secret=secret,
                    headers={"CONTENT_LENGTH": str(MAX_BATCH_BYTES + 1)})
    assert declared.status_code == 413


def test_unknown_types_are_answered(hub_on, signed):
    newer = event(pr=3)
    newer["event_type"] = "org.openedx.core_committer.change.deployed.v2"
    assert signed([event(pr=1), newer]).json() == {"accepted": 1, "duplicates": 0, "unknown": [newer["event_id"]]}


def test_no_session_and_no_csrf_for_signed_batches(hub_on, secret, staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert post(client, batch([event()]), secret=secret).status_code == 200
    assert post(client, batch([event()]), secret=None).status_code == 401  # a session is no signature


# -- GET hub/changes/ ------------------------------------------------------------------------------------------------


@pytest.fixture
def reported(hub_on, secret, client):
    """Two instances reported changes of two Core Committers."""
    other = register("stage-co")
    post(client, batch([
        event(pr=101), event(pr=101, reverted="revert"), event(pr=102, cc="felipemontoya"),
        event(pr=7, repository="edx/xblock", cc="felipemontoya", environment_class="staging"),
    ]), secret=secret)
    post(client, batch([event(pr=101, environment_class="staging"),
                        event(pr=101, environment_class="staging", reverted="rollback")]),
         instance="stage-co", secret=other)


def test_staff_read_where_each_change_went(as_staff, reported):
    body = as_staff.get(CHANGES).json()
    assert body["count"] == 3
    change = next(c for c in body["results"] if c["pr_number"] == 101)
    assert change["repository"] == "openedx/openedx-platform" and change["core_committer"] == "bradenmacdonald"
    assert sorted((d["instance"], d["environment_class"]) for d in change["deployed"]) == [
        ("edx-prod", "production"), ("stage-co", "staging")]
    assert sorted((r["instance"], r["environment_class"], r["kind"]) for r in change["removed"]) == [
        ("edx-prod", "production", "revert"), ("stage-co", "staging", "rollback")]
    assert all(d["first_deployed_at"].endswith("Z") or "+00:00" in d["first_deployed_at"] for d in change["deployed"])
    xblock = next(c for c in body["results"] if c["pr_number"] == 7)
    assert xblock["repository"] == "openedx/xblock" and xblock["removed"] == []


def test_filters(as_staff, reported):
    def numbers(**params):
        response = as_staff.get(CHANGES, params)
        assert response.status_code == 200, response.content
        return sorted(c["pr_number"] for c in response.json()["results"])

    assert numbers(user="FelipeMontoya") == [7, 102]
    assert numbers(repository="edx/edx-platform") == [101, 102]
    assert numbers(repository="openedx/xblock", user="felipemontoya") == [7]
    assert numbers(since=(timezone.now() + timedelta(minutes=1)).isoformat()) == []
    assert numbers(since=(timezone.now() - timedelta(minutes=1)).isoformat()) == [7, 101, 102]


@pytest.mark.parametrize("params, field", [
    ({"user": "not a login"}, "user"), ({"repository": "no-owner"}, "repository"),
    ({"since": "2026-11-20"}, "since"), ({"since": "yesterday"}, "since"),
])
def test_400_for_a_bad_filter(as_staff, hub_on, params, field):
    response = as_staff.get(CHANGES, params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_core_committer_reads_their_own_changes_only(api_client, reported, pilot, plain_user):
    CoreCommitter.objects.filter(github_key="felipemontoya").update(user=plain_user)
    api_client.force_authenticate(plain_user)
    body = api_client.get(CHANGES).json()
    assert sorted(c["pr_number"] for c in body["results"]) == [7, 102]
    assert api_client.get(CHANGES, {"user": "felipemontoya"}).status_code == 200
    assert api_client.get(CHANGES, {"user": "bradenmacdonald"}).status_code == 403


def test_others_get_403_and_anonymous_callers_are_refused(api_client, reported, plain_user):
    assert api_client.get(CHANGES).status_code in {401, 403}
    api_client.force_authenticate(plain_user)
    response = api_client.get(CHANGES)
    assert response.status_code == 403 and "Core Committers" in response.json()["detail"]


def test_pages(as_staff, reported):
    first = as_staff.get(CHANGES, {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    second = as_staff.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None


def _many(client, instances, per_instance):
    """``instances`` instances, each reporting ``per_instance`` changes deployed and removed."""
    for index in range(instances):
        name = f"inst-{instances}-{index}"
        secret = register(name)
        events = []
        for pr in range(1, per_instance + 1):
            events += [event(pr=pr), event(pr=pr, environment_class="staging"),
                       event(pr=pr, reverted="revert" if index % 2 else "rollback")]
        assert post(client, batch(events), instance=name, secret=secret).status_code == 200


def test_a_fixed_number_of_queries_whatever_the_number_of_instances_and_events(as_staff, hub_on, client):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = as_staff.get(CHANGES, {"page_size": 500})
            assert response.status_code == 200
        return len(queries), response.json()

    _many(client, 2, 3)
    count()  # the first request also reads the switches into waffle's cache
    small, body = count()
    assert body["count"] == 3 and len(body["results"][0]["removed"]) == 2
    HubEvent.objects.all().delete()
    HubChange.objects.all().delete()
    _many(client, 6, 40)
    large, body = count()
    assert body["count"] == 40 and len(body["results"][0]["deployed"]) == 12
    assert small == large


def test_the_schema_describes_the_hub(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--urlconf", "openedx_cc.urls", "--file", str(out))
    text = out.read_text()
    assert "/api/cc/v1/hub/events/" in text and "/api/cc/v1/hub/changes/" in text
    assert "first_deployed_at" in text and "duplicates" in text


def test_an_answer_is_the_contracts_json(hub_on, signed):
    assert set(json.loads(signed([event()]).content)) == {"accepted", "duplicates", "unknown"}
