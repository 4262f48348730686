"""
The catalog-info importer, on the real catalog-info.yaml files of openedx repositories and on broken ones.
"""
import shutil

import pytest

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.catalog.models import CatalogEntry
from openedx_cc.python_api import import_files
from tests.conftest import REAL

pytestmark = pytest.mark.django_db

CATALOG_FILES = sorted(REAL.glob("*catalog-info.yaml"))


@pytest.mark.parametrize("path", CATALOG_FILES, ids=[p.name for p in CATALOG_FILES])
def test_every_real_catalog_file_imports(path):
    report = import_files([str(path)])
    assert CatalogEntry.objects.count() == 1
    assert report.counts() == {"+ catalog entry": 1}
    assert not import_files([str(path)]).changed


def entry(name):
    import_files([str(REAL / name)])
    return CatalogEntry.objects.get()


def test_quirks_are_kept_as_written_and_reported():
    learning = entry("openedx-learning__catalog-info.yaml")
    assert (learning.repository, learning.declared_name) == ("openedx/openedx-core", "openedx/openedx-learning")
    assert (learning.owner, learning.owner_kind, learning.owner_name) == ("axim-engineering", "group",
                                                                          "axim-engineering")
    assert (learning.type, learning.lifecycle) == ("other", "unknown")
    report = import_files([str(REAL / "edx-ora2__catalog-info.yaml")])
    assert any("type 'xblock' is not one of service, website, library; kept as written" in n for n in report.notes)


def test_release_annotation_null_and_absent_are_kept_apart():
    repo_tools = entry("repo-tools__catalog-info.yaml")
    assert (repo_tools.release_declared, repo_tools.release) == (True, None)
    CatalogEntry.objects.all().delete()
    xblock = entry("XBlock__catalog-info.yaml")
    assert (xblock.release_declared, xblock.release) == (False, None)
    CatalogEntry.objects.all().delete()
    credentials = entry("credentials__catalog-info.yaml")
    assert (credentials.release_declared, credentials.release) == (True, "master")
    assert (credentials.owner_kind, credentials.owner_name) == ("user", "jajjibhai008")


def test_interest_groups_links_and_quoted_owners():
    proposals = entry("open-edx-proposals__catalog-info.yaml")
    assert proposals.repository == "openedx/openedx-proposals"
    assert proposals.arch_interest_groups == ["feanil", "sarina"]
    assert proposals.links[0]["title"] == "OEP Index"
    CatalogEntry.objects.all().delete()
    frontend = entry("frontend-platform__catalog-info.yaml")
    assert (frontend.owner_kind, frontend.owner_name) == ("group", "committers-frontend")


def test_a_directory_is_imported_whole_or_not_at_all(tmp_path):
    for name in ("XBlock__catalog-info.yaml", "edx-toggles__catalog-info.yaml", "repo-tools__catalog-info.yaml"):
        shutil.copy(REAL / name, tmp_path / name)
    report = import_files([str(tmp_path)])
    assert report.counts() == {"+ catalog entry": 3}
    shutil.copy(REAL / "openedx-webhooks__testfixture_openedx_credentials_catalog-info.yaml", tmp_path / "a.yaml")
    shutil.copy(REAL / "openedx-webhooks__testfixture_openedx_credentials_catalog-info.yaml",
                tmp_path / "b_catalog-info.yaml")
    shutil.copy(REAL / "credentials__catalog-info.yaml", tmp_path / "c_catalog-info.yaml")
    with pytest.raises(ValidationFailed) as info:
        import_files([str(tmp_path)], prune=True)
    assert "openedx/credentials is also described in" in str(info.value)
    assert CatalogEntry.objects.count() == 3


def test_prune_removes_entries_no_longer_described(tmp_path):
    import_files([str(REAL / "XBlock__catalog-info.yaml"), str(REAL / "repo-tools__catalog-info.yaml")])
    report = import_files([str(REAL / "XBlock__catalog-info.yaml")], prune=True)
    assert report.counts() == {"- catalog entry": 1}
    assert list(CatalogEntry.objects.values_list("repository", flat=True)) == ["openedx/XBlock"]


@pytest.mark.parametrize("text, field, line, message", [
    ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  description: x\nspec: {owner: user:a}\n",
     "metadata.name", 3, "required field is missing"),
    ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\n", "", 5, "not valid YAML"),
    ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: 'not a/valid/name'}\n",
     "metadata.name", 3, "does not name a repository"),
])
def test_broken_catalog_files(tmp_path, text, field, line, message):
    path = tmp_path / "catalog-info.yaml"
    path.write_text(text)
    with pytest.raises(ValidationFailed) as info:
        import_files([str(path)])
    problem = info.value.problems[0]
    assert (problem.field, problem.line, problem.file) == (field, line, str(path)), str(problem)
    assert message in problem.message
    assert CatalogEntry.objects.count() == 0
