"""
``GET /api/cc/v1/backstage/entities.yaml`` (contract §13, docs/reference/rest.rst "Backstage"): the registry as
Backstage entities, checked by Backstage's own entity validation.
"""
import re

import pytest
import yaml
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from openedx_cc.plugins.catalog import api as catalog_api
from tests.backstage.validation import validate
from tests.factories import RepositoryFactory, RightFactory, effective_committer

pytestmark = pytest.mark.django_db

URL = "/api/cc/v1/backstage/entities.yaml"
NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def _entities(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/yaml")
    return [doc for doc in yaml.safe_load_all(response.content.decode("utf-8")) if doc is not None]


@pytest.fixture
def as_staff(api_client, staff_user, enabled):
    api_client.force_authenticate(staff_user)
    return api_client


def test_the_pilot_as_groups_and_users(as_staff, pilot, tmp_path):
    entities = _entities(as_staff.get(URL))
    groups = {e["metadata"]["name"]: e for e in entities if e["kind"] == "Group"}
    users = {e["metadata"]["name"]: e for e in entities if e["kind"] == "User"}
    assert len(groups) + len(users) == len(entities)
    platform = groups["core-committers-openedx-openedx-platform"]
    assert platform["spec"]["type"] == "core-committers"
    assert platform["spec"]["children"] == []
    assert {"bradenmacdonald", "ziafazal", "felipemontoya"} <= set(platform["spec"]["members"])
    assert users["bradenmacdonald"]["spec"]["profile"] == {"displayName": "Braden MacDonald"}
    assert "core-committers-openedx-xblock" in users["bradenmacdonald"]["spec"]["memberOf"]
    assert "omarithawi" in users  # lower-cased login
    # members and memberOf tell the same story, and every member is a User of the document
    pairs = {(g, m) for g, group in groups.items() for m in group["spec"]["members"]}
    assert pairs == {(g, u) for u, user in users.items() for g in user["spec"]["memberOf"]}
    assert all(group["spec"]["members"] for group in groups.values())
    for entity in entities:
        assert entity["apiVersion"] == "backstage.io/v1alpha1"
        assert NAME.match(entity["metadata"]["name"]) and len(entity["metadata"]["name"]) <= 63
        assert entity["metadata"]["annotations"]["backstage.io/managed-by-location"] == f"url:http://testserver{URL}"
    validate(entities, tmp_path)


def test_only_effective_committers_are_listed(as_staff, pilot):
    from openedx_cc.plugins.ownership import api as ownership_api

    entities = _entities(as_staff.get(URL))
    users = {e["metadata"]["name"] for e in entities if e["kind"] == "User"}
    repositories = list(ownership_api.get_repositories())
    effective = ownership_api.effective_committers(repositories)
    expected = {c.github_username.lower() for committers in effective.values() for c in committers}
    assert users == expected
    groups = {e["metadata"]["name"] for e in entities if e["kind"] == "Group"}
    assert len(groups) == sum(1 for committers in effective.values() if committers)


def test_nothing_personal_beyond_login_and_name(as_staff, pilot):
    from openedx_cc.plugins.ownership.models import CoreCommitter

    CoreCommitter.objects.update(email="someone@example.org")
    body = as_staff.get(URL).content.decode("utf-8")
    assert "@" not in body
    for entity in _entities(as_staff.get(URL)):
        if entity["kind"] == "User":
            assert set(entity["spec"]) <= {"memberOf", "profile"}
            assert set(entity["spec"].get("profile", {})) <= {"displayName"}


def test_odd_and_long_repository_names(as_staff, tmp_path):
    long_name = "a-repository-whose-name-is-far-too-long-for-a-backstage-entity-name"
    someone = effective_committer(github_username="Some-One")
    for full_name in ("openedx/Odd+Name!", f"openedx/{long_name}", "openedx/dots.and_underscores.",
                      "openedx/foo-bar", "openedx-foo/bar"):
        repository = RepositoryFactory(full_name=full_name)
        RightFactory(committer=someone, repository=repository, owner=repository.owner)
    effective_committer(repository=RepositoryFactory(full_name="openedx/second"), github_username="Other_Login")
    entities = _entities(as_staff.get(URL))
    names = [e["metadata"]["name"] for e in entities if e["kind"] == "Group"]
    assert "core-committers-openedx-odd-name" in names
    assert "core-committers-openedx-dots.and_underscores" in names
    long_group = catalog_api.group_name(f"openedx/{long_name}")
    assert long_group in names and len(long_group) == 63
    assert long_group == catalog_api.group_name(f"OpenEdX/{long_name}")  # stable, case-insensitive
    assert re.search(r"-[0-9a-f]{8}$", long_group)
    # openedx/foo-bar and openedx-foo/bar would share a name: both get their hash suffix
    clashing = [n for n in names if n.startswith("core-committers-openedx-foo-bar")]
    assert len(clashing) == 2 and all(re.search(r"-[0-9a-f]{8}$", n) for n in clashing)
    assert len(set(names)) == len(names)
    validate(entities, tmp_path)


@pytest.mark.parametrize(("text", "expected"), [
    ("Some-One", "some-one"),
    ("core-committers-a/b c", "core-committers-a-b-c"),
    ("-._x._-", "x"),
    ("core-committers-openedx-ends-with-dot.", "core-committers-openedx-ends-with-dot"),
])
def test_entity_names(text, expected):
    assert catalog_api.backstage_entities  # re-exported
    from openedx_cc.plugins.catalog.backstage import entity_name

    assert entity_name(text) == expected


def test_long_names_are_hashed_stably():
    from openedx_cc.plugins.catalog.backstage import entity_name

    text = "x" * 100
    name = entity_name(text)
    assert len(name) == 63 and name == entity_name(text) and name != entity_name("x" * 101)
    assert NAME.match(name)
    assert NAME.match(entity_name("!!!"))  # nothing left but the hash


@override_settings(OPENEDX_CC_BACKSTAGE_TOKEN="s3cret-token")
def test_the_right_token_reads_without_a_session(api_client, enabled, pilot):
    response = api_client.get(URL, {"token": "s3cret-token"})
    entities = _entities(response)
    assert entities
    assert "s3cret-token" not in response.content.decode("utf-8")


@override_settings(OPENEDX_CC_BACKSTAGE_TOKEN="s3cret-token")
@pytest.mark.parametrize("token", ["wrong", "s3cret-toke", "s3cret-token-", "é"])
def test_a_wrong_token_is_refused_with_nothing_listed(api_client, staff_user, enabled, pilot, token):
    for client_user in (None, staff_user):
        api_client.force_authenticate(client_user)
        response = api_client.get(URL, {"token": token})
        assert response.status_code == 403
        assert b"core-committers" not in response.content and b"bradenmacdonald" not in response.content


@pytest.mark.parametrize("setting", [None, "", "   "])
def test_unset_token_means_staff_only(api_client, staff_user, enabled, pilot, setting):
    with override_settings(OPENEDX_CC_BACKSTAGE_TOKEN=setting):
        for token in ("", "   ", "anything"):
            response = api_client.get(URL, {"token": token})
            assert response.status_code in (401, 403)
            assert b"bradenmacdonald" not in response.content
        api_client.force_authenticate(staff_user)
        assert _entities(api_client.get(URL, {"token": "anything"}))


def test_plain_users_and_anonymous_are_refused(api_client, plain_user, enabled, pilot):
    assert api_client.get(URL).status_code in (401, 403)
    api_client.force_authenticate(plain_user)
    response = api_client.get(URL)
    assert response.status_code == 403
    assert b"bradenmacdonald" not in response.content


def test_404_while_the_set_is_disabled(api_client, staff_user, pilot):
    api_client.force_authenticate(staff_user)
    with override_settings(OPENEDX_CC_BACKSTAGE_TOKEN="t"):
        assert api_client.get(URL).status_code == 404
        assert api_client.get(URL, {"token": "t"}).status_code == 404


def test_in_the_openapi_schema(as_staff):
    schema = yaml.safe_load(as_staff.get("/api/cc/v1/schema/").content)
    operation = schema["paths"]["/api/cc/v1/backstage/entities.yaml"]["get"]
    assert "application/yaml" in operation["responses"]["200"]["content"]


def _grow(repositories, committers_per_repository):
    for _ in range(repositories):
        repository = RepositoryFactory()
        first = effective_committer(repository=repository)
        for _ in range(committers_per_repository - 1):
            effective_committer(repository=repository)
        RightFactory(committer=first, repository=RepositoryFactory(), owner="openedx")


def test_constant_queries(as_staff):
    def count():
        with CaptureQueriesContext(connection) as queries:
            _entities(as_staff.get(URL))
        return len(queries)

    count()  # the first request reads the openedx_cc.enabled switch into the cache
    _grow(2, 1)
    small = count()
    _grow(20, 4)
    assert count() == small


def test_the_validator_refuses_what_backstage_refuses(tmp_path):
    bad = {"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": "ends-with-"},
           "spec": {"type": "core-committers", "children": []}}
    with pytest.raises(pytest.fail.Exception, match="metadata.name"):
        validate([bad], tmp_path)
