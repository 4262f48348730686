"""
REST API v1 (docs/reference/rest.rst).
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.plugins.ownership.models import Champion, CoreCommitter

pytestmark = pytest.mark.django_db

BASE = "/api/cc/v1/"


@pytest.fixture
def as_user(api_client, plain_user, enabled):
    api_client.force_authenticate(plain_user)
    return api_client


@pytest.fixture
def as_staff(api_client, staff_user, enabled):
    api_client.force_authenticate(staff_user)
    return api_client


@pytest.mark.parametrize("path", ["committers/", "committers/bradenmacdonald/", "repositories/",
                                  "repositories/openedx/xblock/", "ownership/check/?user=a&repository=b/c",
                                  "schema/", "docs/"])
def test_every_endpoint_answers_404_while_the_set_is_disabled(api_client, staff_user, pilot, path):
    api_client.force_authenticate(staff_user)
    assert api_client.get(BASE + path).status_code == 404


@pytest.mark.parametrize("path", ["committers/", "repositories/", "ownership/check/?user=a&repository=b/c",
                                  "schema/"])
def test_reading_needs_an_authenticated_user(api_client, enabled, path):
    assert api_client.get(BASE + path).status_code in {401, 403}


def test_check_allowed(as_user, pilot):
    response = as_user.get(BASE + "ownership/check/", {"user": "BradenMacDonald", "repository": "edx/edx-platform",
                                                       "path": "lms/urls.py"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"allowed", "user", "repository", "path", "at", "reasons", "rights"}
    assert body["allowed"] is True
    assert body["repository"] == "openedx/openedx-platform"
    assert body["path"] == "lms/urls.py"
    assert body["reasons"][0].startswith("right #")
    assert body["rights"][0]["covers_scope"] is True and body["rights"][0]["valid_at"] is True


def test_check_denied_with_reasons_and_history(as_user, pilot):
    response = as_user.get(BASE + "ownership/check/", {"user": "regisb", "repository": "openedx/xblock"})
    assert response.json()["allowed"] is False
    assert response.json()["reasons"] == ["no right of regisb covers openedx/xblock"]
    past = as_user.get(BASE + "ownership/check/", {"user": "regisb", "repository": "openedx/edx-toggles",
                                                   "at": "2019-01-01T00:00:00Z"}).json()
    assert past["allowed"] is False and past["at"].startswith("2019-01-01T00:00:00")
    assert "was not a Core Committer yet" in " ".join(past["reasons"])


@pytest.mark.parametrize("params, field, message", [
    ({"user": "a", "repository": "not-a-repo"}, "repository", "has no owner"),
    ({"user": "a", "repository": "a/b", "at": "2026-01-01T00:00:00"}, "at", "no time zone"),
    ({"user": "a", "repository": "a/b", "at": "next tuesday"}, "at", "not an ISO 8601 datetime"),
    ({"user": "a", "repository": "a/b", "path": "/etc/passwd"}, "path", "absolute path"),
    ({"repository": "a/b"}, "user", "required"),
    ({"user": "a", "repository": "openedx\n/xblock"}, "repository", "not a valid GitHub owner"),  # docs/decisions/0012
    ({"user": "a", "repository": "openedx/xblock\n"}, "repository", "not a valid GitHub repository name"),
    ({"user": "bradenmacdonald\n", "repository": "openedx/xblock"}, "user", "not a valid GitHub login"),
])
def test_check_bad_input_is_400_with_the_field(as_user, params, field, message):
    response = as_user.get(BASE + "ownership/check/", params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors


def test_committers_list_is_paginated_filtered_and_hides_personal_data(as_user, pilot):
    CoreCommitter.objects.filter(github_key="pdpinch").update(email="peter@example.org")
    body = as_user.get(BASE + "committers/", {"page_size": 4}).json()
    assert body["count"] == 9 and len(body["results"]) == 4 and body["next"]
    first = body["results"][0]
    assert first["github_username"] == "bradenmacdonald"
    assert first["organization"] == {"slug": "opencraft", "name": "OpenCraft", "openedx_provider": True}
    assert first["in_good_standing"] is True and first["champion_count"] == 2
    assert first["agreements"]["individual"]["state"] == "valid"
    assert "email" not in first and "champions" not in first
    assert {r["repository"] for r in first["rights"]} >= {"openedx/xblock", "openedx/openedx-platform"}
    mine = as_user.get(BASE + "committers/", {"organization": "OpenCraft"}).json()
    assert {c["github_username"] for c in mine["results"]} == {"bradenmacdonald", "symbolist", "pomegranited"}
    by_repo = as_user.get(BASE + "committers/", {"repository": "edx/edx-platform"}).json()
    assert {c["github_username"] for c in by_repo["results"]} == {"ziafazal", "bradenmacdonald", "felipemontoya",
                                                                  "pdpinch"}


def test_staff_see_emails_and_champions(as_staff, pilot):
    CoreCommitter.objects.filter(github_key="pdpinch").update(email="peter@example.org")
    Champion.objects.filter(committer__github_key="pdpinch").update(email="champion@example.org")
    body = as_staff.get(BASE + "committers/pdpinch/").json()
    assert body["email"] == "peter@example.org"
    assert {c["name"] for c in body["champions"]} == {"Dave Ormsbee", "Kyle McCormick"}
    assert [c["email"] for c in body["champions"]] == ["champion@example.org"] * 2


def test_a_committer_sees_their_own_email(api_client, enabled, pilot, plain_user):
    CoreCommitter.objects.filter(github_key="pdpinch").update(email="peter@example.org", user=plain_user)
    Champion.objects.filter(committer__github_key="pdpinch").update(email="champion@example.org")
    api_client.force_authenticate(plain_user)
    own = api_client.get(BASE + "committers/PDPinch/").json()
    assert own["email"] == "peter@example.org"
    assert {c["name"] for c in own["champions"]} == {"Dave Ormsbee", "Kyle McCormick"}
    assert all("email" not in c for c in own["champions"])  # the champions' addresses are theirs, not the CC's
    other = api_client.get(BASE + "committers/regisb/").json()
    assert "email" not in other and "champions" not in other


def test_unknown_committer_is_404(as_user, pilot):
    assert as_user.get(BASE + "committers/nobody/").status_code == 404


def test_repositories_with_effective_committers(as_user, pilot):
    body = as_user.get(BASE + "repositories/edx/edx-platform/").json()
    assert body["full_name"] == "openedx/openedx-platform"
    assert {c["github_username"] for c in body["effective_committers"]} == {
        "ziafazal", "bradenmacdonald", "felipemontoya", "pdpinch"}
    listing = as_user.get(BASE + "repositories/", {"q": "xblock"}).json()
    assert {r["full_name"] for r in listing["results"]} == {"openedx/xblock", "openedx/xblock-sdk",
                                                            "openedx/xblock-utils", "openedx/xblock-lti-consumer"}
    assert as_user.get(BASE + "repositories/openedx/nothing-here/").status_code == 404


def test_list_queries_do_not_grow_with_the_page(as_user, pilot):
    def count(path, size):
        with CaptureQueriesContext(connection) as queries:
            assert as_user.get(BASE + path, {"page_size": size}).status_code == 200
        return len(queries)

    count("committers/", 1)  # the first request also reads the switch into waffle's cache
    assert count("committers/", 2) == count("committers/", 9)
    assert count("repositories/", 2) == count("repositories/", 20)


def test_schema_and_docs(as_user):
    schema = as_user.get(BASE + "schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/cc/v1/ownership/check/", "/api/cc/v1/committers/", "/api/cc/v1/repositories/"} <= set(
        document["paths"])
    docs = as_user.get(BASE + "docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()


def test_no_endpoint_writes(as_staff, pilot):
    for path in ("committers/", "committers/pdpinch/", "repositories/", "ownership/check/"):
        assert as_staff.post(BASE + path, {}).status_code == 405


def test_the_openapi_document_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--urlconf", "openedx_cc.urls", "--file", str(out))
    text = out.read_text()
    for path in ("/api/cc/v1/deployments/", "/api/cc/v1/metrics/", "/api/cc/v1/audit/", "/api/cc/v1/extensions/",
                 "/api/cc/v1/github/"):
        assert path in text
