"""
The system checks (openedx_cc/checks.py): what an operator can get wrong is named, with the setting and the fix,
by ``manage.py check`` -- also before ``migrate`` and in a host that lacks an app, never as a traceback.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def _ids(**overrides):
    with override_settings(**overrides):
        return sorted(message.id for message in checks.run_checks(tags=["openedx_cc"]))


def _messages(**overrides):
    with override_settings(**overrides):
        return {message.id: message for message in checks.run_checks(tags=["openedx_cc"])}


def test_the_test_host_is_clean():
    assert _ids() == []


def test_a_missing_webhook_secret_is_a_warning():
    message = _messages(OPENEDX_CC_WEBHOOK_SECRET=None)["openedx_cc.W001"]
    assert message.level == checks.WARNING
    assert "OPENEDX_CC_WEBHOOK_SECRET" in message.msg and "503" in message.msg


@pytest.mark.parametrize("secret", ["", "   "])
def test_a_blank_webhook_secret_is_an_error(secret):
    message = _messages(OPENEDX_CC_WEBHOOK_SECRET=secret)["openedx_cc.E001"]
    assert message.level == checks.ERROR
    assert "blank" in message.msg


def test_a_webhook_secret_of_the_wrong_type_is_an_error():
    assert _ids(OPENEDX_CC_WEBHOOK_SECRET=12345) == ["openedx_cc.E002"]


@pytest.mark.parametrize("aliases, expected", [
    (["edx/x", "openedx/x"], "expected a mapping"),
    ({"edx-platform": "openedx/openedx-platform"}, "'edx-platform' has no owner"),
    ({"a/b": "https://github.com/c/d"}, "is a URL"),
    ({"a/*": "c/d"}, "owner/* on both sides or on neither"),
    ({"a/b": "c/d", "c/d": "a/b"}, "the repository aliases loop: a/b -> c/d -> a/b"),
    # A loop through a built-in rename: openedx/openedx-platform -> edx/edx-platform -> (edx/*) openedx/...
    ({"openedx/openedx-platform": "edx/edx-platform"}, "loop"),
])
def test_malformed_repository_aliases_are_named(aliases, expected):
    with override_settings(OPENEDX_CC_REPOSITORY_ALIASES=aliases):
        found = [m for m in checks.run_checks(tags=["openedx_cc"]) if m.id in {"openedx_cc.E002", "openedx_cc.E003"}]
    assert len(found) == 1, found
    assert "OPENEDX_CC_REPOSITORY_ALIASES" in found[0].msg
    assert expected in found[0].msg


@pytest.mark.parametrize("aliases", [
    {"a/b": "c/d", "c/d": "e/f", "e/f": "a/b"},
    # names that lead into the loop are not part of it, and do not report it again
    {"x/y": "c/d", "z/1": "c/d", "z/2": "e/f", "c/d": "e/f", "e/f": "c/d"},
])
def test_a_loop_is_reported_once_without_what_leads_into_it(aliases):
    with override_settings(OPENEDX_CC_REPOSITORY_ALIASES=aliases):
        found = checks.run_checks(tags=["openedx_cc"])
    assert [message.id for message in found] == ["openedx_cc.E003"]
    assert "x/y" not in found[0].msg and "z/" not in found[0].msg


def test_every_malformed_alias_is_named_not_only_the_first():
    with override_settings(OPENEDX_CC_REPOSITORY_ALIASES={"one": "a/b", "c/d": "two", "e/f": "g/h"}):
        found = checks.run_checks(tags=["openedx_cc"])
    assert len(found) == 2
    assert "'one' has no owner" in found[0].msg and "'two' has no owner" in found[1].msg


def test_names_that_differ_only_in_case_are_reported():
    with override_settings(OPENEDX_CC_REPOSITORY_ALIASES={"myorg/Old": "myorg/new", "MyOrg/old": "myorg/other"}):
        found = checks.run_checks(tags=["openedx_cc"])
    assert [message.id for message in found] == ["openedx_cc.E003"]
    assert "'MyOrg/old' and 'myorg/Old' are the same repository" in found[0].msg


def test_valid_aliases_pass():
    assert _ids(OPENEDX_CC_REPOSITORY_ALIASES={"myorg/*": "openedx/*", "openedx/old": "openedx/new"}) == []


def test_operator_emails_must_be_addresses():
    found = _messages(OPENEDX_CC_OPERATOR_EMAILS=["ops@example.org", "not an address"])
    assert list(found) == ["openedx_cc.E004"]
    assert "OPENEDX_CC_OPERATOR_EMAILS[1] is 'not an address'" in found["openedx_cc.E004"].msg


def test_operator_emails_as_one_string_is_a_type_error():
    message = _messages(OPENEDX_CC_OPERATOR_EMAILS="ops@example.org")["openedx_cc.E002"]
    assert "OPENEDX_CC_OPERATOR_EMAILS is str" in message.msg and "a list of email addresses" in message.msg


def test_extension_groups_must_be_names():
    assert _ids(OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS="xblock.v1") == ["openedx_cc.E002"]
    assert _ids(OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS=["xblock.v1", ""]) == ["openedx_cc.E002"]


def test_a_missing_request_cache_middleware_is_a_warning(settings):
    middleware = [m for m in settings.MIDDLEWARE if "RequestCacheMiddleware" not in m]
    assert _ids(MIDDLEWARE=middleware) == ["openedx_cc.W002"]


HOST_WITHOUT_APPS = """
from host.settings import *
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("waffle", "simple_history")]
OPENEDX_CC_WEBHOOK_SECRET = ""
OPENEDX_CC_OPERATOR_EMAILS = ["ops@example.org", "ops"]
OPENEDX_CC_REPOSITORY_ALIASES = {"openedx/a": "openedx/b", "openedx/b": "openedx/a"}
"""


def test_manage_py_check_names_everything_before_migrate_and_without_a_traceback(tmp_path):
    """
    A host that lacks two apps, before any ``migrate`` (the database file does not exist): ``manage.py check``
    fails with the set's errors, naming each app and setting, and no traceback.
    """
    (tmp_path / "broken_host.py").write_text(HOST_WITHOUT_APPS)
    database = tmp_path / "never-created.sqlite3"
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}", DJANGO_SETTINGS_MODULE="broken_host",
               OPENEDX_CC_HOST_DB="sqlite", OPENEDX_CC_HOST_SQLITE=str(database))
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    for expected in [
        "(openedx_cc.E005) openedx-cc needs the app 'waffle'",
        "(openedx_cc.E005) openedx-cc needs the app 'simple_history'",
        "HINT: Add 'waffle' to INSTALLED_APPS.",
        "(openedx_cc.E001) OPENEDX_CC_WEBHOOK_SECRET is blank",
        "(openedx_cc.E004) OPENEDX_CC_OPERATOR_EMAILS[1] is 'ops'",
        "(openedx_cc.E003) OPENEDX_CC_REPOSITORY_ALIASES: the repository aliases loop: "
        "openedx/a -> openedx/b -> openedx/a",
    ]:
        assert expected in output
    assert not database.exists()


GOOD_HUB = {"url": "https://hub.example.org", "instance": "acme", "secret": "from-the-hub"}


@pytest.mark.parametrize("hub", [None, GOOD_HUB, {**GOOD_HUB, "url": "https://example.org/lms/"},
                                 {**GOOD_HUB, "url": "http://127.0.0.1:8000"}, {**GOOD_HUB, "url": "http://localhost"}])
def test_a_usable_hub_setting_passes(hub):
    assert _ids(OPENEDX_CC_HUB=hub) == []


@pytest.mark.parametrize("hub, expected", [
    ("https://hub.example.org", 'OPENEDX_CC_HUB is str, expected a mapping {"url", "instance", "secret"}'),
    ({"url": "https://hub.example.org", "instance": "acme"}, "OPENEDX_CC_HUB lacks 'secret'"),
    ({**GOOD_HUB, "secrets": "x"}, "OPENEDX_CC_HUB has unknown keys secrets"),
    ({**GOOD_HUB, "url": "hub.example.org"}, "is not an http(s) URL"),
    ({**GOOD_HUB, "url": "https://user:pw@hub.example.org"}, "no credentials, query or fragment"),
    ({**GOOD_HUB, "url": "https://hub.example.org:99999"}, "is not a URL: Port out of range"),
    ({**GOOD_HUB, "instance": ""}, "OPENEDX_CC_HUB['instance'] is ''"),
    ({**GOOD_HUB, "instance": "acmé"}, "printable ASCII"),
    ({**GOOD_HUB, "secret": "  "}, "OPENEDX_CC_HUB['secret'] is blank"),
])
def test_a_malformed_hub_setting_is_named(hub, expected):
    found = _messages(OPENEDX_CC_HUB=hub)
    assert list(found) == ["openedx_cc.E006"]
    assert expected in found["openedx_cc.E006"].msg
    assert "from-the-hub" not in found["openedx_cc.E006"].msg


def test_a_hub_in_clear_over_the_network_is_a_warning():
    message = _messages(OPENEDX_CC_HUB={**GOOD_HUB, "url": "http://hub.example.org"})["openedx_cc.W003"]
    assert message.level == checks.WARNING and "plain http" in message.msg


@pytest.mark.parametrize("classes, expected", [
    (["prod"], "OPENEDX_CC_HUB_ENVIRONMENT_CLASSES is list, expected a mapping"),
    ({"live": "prod"}, "OPENEDX_CC_HUB_ENVIRONMENT_CLASSES['live'] is 'prod', expected one of production, staging, "
                       "other"),
])
def test_malformed_environment_classes_are_named(classes, expected):
    found = _messages(OPENEDX_CC_HUB_ENVIRONMENT_CLASSES=classes)
    assert list(found) == ["openedx_cc.E007"] and expected in found["openedx_cc.E007"].msg


def test_environment_classes_that_map_names_pass():
    assert _ids(OPENEDX_CC_HUB_ENVIRONMENT_CLASSES={"live": "production", "qa": "staging", "sandbox": "other"}) == []
