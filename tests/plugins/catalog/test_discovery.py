"""
Extension discovery: a small fixture plugin is built into a wheel, installed, and found with its repository.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from openedx_cc.plugins.catalog import discovery
from openedx_cc.plugins.ownership.models import Extension, Repository
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

REPOSITORY = "openedx/openedx-cc-fixture-plugin"


@pytest.fixture(scope="module")
def fixture_wheel(tmp_path_factory):
    """The fixture plugin built into a wheel (from a copy, so the source tree stays clean)."""
    work = tmp_path_factory.mktemp("fixture-plugin")
    source = work / "src"
    shutil.copytree(FIXTURES / "fixture_plugin", source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(work / "dist"), str(source)], check=True, capture_output=True)
    wheels = list((work / "dist").glob("*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.fixture
def installed(fixture_wheel, tmp_path, monkeypatch):
    """The wheel installed (pip install --target) on sys.path."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(fixture_wheel)], check=True, capture_output=True)
    monkeypatch.syspath_prepend(str(target))
    return target


def test_the_fixture_plugin_is_found_with_its_repository(installed, capsys):
    call_command("cc_discover_extensions")
    out = capsys.readouterr()
    assert "openedx-cc-fixture-plugin 1.2.3" in out.out
    assert f"{REPOSITORY} (declared edx/openedx-cc-fixture-plugin)" in out.out
    assert "fixture-cli" not in out.out  # console_scripts is not an extension
    repository = Repository.objects.get(key=REPOSITORY)
    extensions = {e.name: e for e in Extension.objects.filter(repository=repository)}
    assert set(extensions) == {"xblock.v1:fixture_block", "openedx.course_tab:fixture_tab"}
    block = extensions["xblock.v1:fixture_block"]
    assert (block.installed, block.distribution, block.version, block.entry_point, block.path) == (
        True, "openedx-cc-fixture-plugin", "1.2.3", "openedx_cc_fixture_plugin.block:FixtureBlock",
        "openedx_cc_fixture_plugin/")
    assert block.declared_repository == "edx/openedx-cc-fixture-plugin"
    call_command("cc_discover_extensions")
    assert "changed nothing" in capsys.readouterr().err  # idempotent


def test_the_other_installed_extensions_are_found_too(installed):
    found = {(g, n): repo for g, n, _v, _d, _ver, repo in discovery.installed_entry_points()}
    assert found[("lms.djangoapp", "openedx_cc")] == "openedx/openedx-cc"
    assert ("xblock.v1", "fixture_block") in found


def test_an_uninstalled_extension_is_marked(installed, monkeypatch):
    call_command("cc_discover_extensions")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(installed)])
    call_command("cc_discover_extensions")
    assert not Extension.objects.filter(repository__key=REPOSITORY, installed=True).exists()


def test_operators_can_add_groups(installed, settings):
    settings.OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS = ["console_scripts", "pytest11"]
    groups = discovery.entry_point_groups()
    assert "pytest11" in groups and "console_scripts" not in groups


def test_the_staff_endpoint_lists_what_is_installed(installed, api_client, staff_user, plain_user, enabled):
    api_client.force_authenticate(plain_user)
    assert api_client.get("/api/cc/v1/extensions/").status_code == 403
    api_client.force_authenticate(staff_user)
    listing = api_client.get("/api/cc/v1/extensions/").json()
    fixture = [e for e in listing if e["distribution"] == "openedx-cc-fixture-plugin"]
    assert {e["name"] for e in fixture} == {"fixture_block", "fixture_tab"}
    assert fixture[0]["repository"] == REPOSITORY


def test_the_repository_page_shows_what_this_service_runs_and_who_owns_it(installed, api_client, staff_user,
                                                                           enabled):
    call_command("cc_discover_extensions")
    api_client.force_authenticate(staff_user)
    page = api_client.get(f"/api/cc/v1/repositories/{REPOSITORY}/").json()
    assert {(e["name"], e["installed"], e["version"]) for e in page["extensions"]} == {
        ("xblock.v1:fixture_block", True, "1.2.3"), ("openedx.course_tab:fixture_tab", True, "1.2.3")}
    assert page["effective_committers"] == []
    old_name = api_client.get("/api/cc/v1/repositories/edx/openedx-cc-fixture-plugin/").json()
    assert old_name["full_name"] == REPOSITORY


def test_repository_urls_in_metadata():
    class Meta(dict):
        def get_all(self, key):
            return self.get(key + "*")

    assert discovery.repository_from_metadata(Meta({"Project-URL*": ["Docs, https://docs.example.org",
                                                                     "Source, https://github.com/openedx/XBlock.git"]
                                                    })) == "openedx/XBlock"
    assert discovery.repository_from_metadata(Meta({"Home-page": "https://github.com/edx/edx-ora2/tree/master"})) \
        == "edx/edx-ora2"
    assert discovery.repository_from_metadata(Meta({"Home-page": "https://example.org"})) == ""
    assert Path(discovery.__file__).exists()
