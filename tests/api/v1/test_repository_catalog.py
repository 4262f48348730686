"""
``GET repositories/<owner>/<name>/`` with the repository's catalog-info entry, and for a repository that only its
catalog-info.yaml made known (docs/decisions/0006).
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.plugins.catalog.api import audit, parse_catalog_files, sync_catalog
from tests.factories import RepositoryFactory, RightFactory, effective_committer

pytestmark = pytest.mark.django_db

BASE = "/api/cc/v1/"

CATALOG_INFO = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: '{name}'
  description: "Only the catalog knows it"
spec:
  owner: group:committers-{name}
  type: 'library'
  lifecycle: 'production'
"""


@pytest.fixture
def as_user(api_client, plain_user, enabled):
    api_client.force_authenticate(plain_user)
    return api_client


def _import_catalog(tmp_path, name):
    path = tmp_path / f"{name}__catalog-info.yaml"
    path.write_text(CATALOG_INFO.format(name=name), encoding="utf-8")
    sync_catalog(parse_catalog_files([path]))


def test_a_repository_known_only_from_its_catalog_info_is_shown(as_user, tmp_path):
    _import_catalog(tmp_path, "catalog-only")
    answer = as_user.get(BASE + "repositories/OpenEdx/Catalog-Only/")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "full_name": "openedx/catalog-only", "owner": "openedx", "aliases": [], "extensions": [],
        "effective_committers": [],
        "catalog": {"owner": "group:committers-catalog-only", "type": "library", "lifecycle": "production",
                    "release": None, "source": str(tmp_path / "catalog-only__catalog-info.yaml")},
    }
    assert as_user.get(BASE + "repositories/openedx/nothing-known/").status_code == 404


def test_owner_wide_rights_cover_a_repository_known_only_from_its_catalog(as_user, tmp_path):
    _import_catalog(tmp_path, "catalog-only")
    everywhere = effective_committer(github_username="owner-wide")
    RightFactory(committer=everywhere, repository=None, owner="openedx")
    elsewhere = effective_committer(github_username="elsewhere")
    RightFactory(committer=elsewhere, repository=None, owner="someone-else")
    body = as_user.get(BASE + "repositories/openedx/catalog-only/").json()
    assert [c["github_username"] for c in body["effective_committers"]] == ["owner-wide"]
    assert body["effective_committers"][0]["whole_repository"] is True
    # the staleness audit agrees: the catalog owner group names committers, and the repository has one
    assert not [f for f in audit(days=30).findings if f.section == "catalog_owners"]


def test_a_recorded_repository_carries_its_catalog_entry_or_null(as_user, tmp_path):
    RepositoryFactory(full_name="openedx/with-catalog")
    RepositoryFactory(full_name="openedx/without-catalog")
    _import_catalog(tmp_path, "with-catalog")
    body = as_user.get(BASE + "repositories/openedx/with-catalog/").json()
    assert body["full_name"] == "openedx/with-catalog"
    assert body["catalog"]["owner"] == "group:committers-with-catalog"
    assert body["catalog"]["lifecycle"] == "production" and body["catalog"]["type"] == "library"
    assert as_user.get(BASE + "repositories/openedx/without-catalog/").json()["catalog"] is None


def test_the_name_is_resolved_once(as_user, tmp_path):
    """The registry's aliases are read once per request, for the repository and its catalog entry alike."""
    _import_catalog(tmp_path, "catalog-only")
    RepositoryFactory(full_name="openedx/with-catalog")
    _import_catalog(tmp_path, "with-catalog")
    for path in ("repositories/openedx/catalog-only/", "repositories/openedx/with-catalog/"):
        with CaptureQueriesContext(connection) as queries:
            assert as_user.get(BASE + path).status_code == 200
        alias_reads = [q["sql"] for q in queries.captured_queries if "repositoryalias" in q["sql"].lower()]
        assert len(alias_reads) == 1, alias_reads
