"""
openedx-cc loads into a host exactly as an Open edX service loads plugins (docs/reference/settings.rst).
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.urls import resolve, reverse
from edx_django_utils.plugins import get_plugin_apps, get_plugin_url_patterns

from openedx_cc.settings.common import EVENT_BUS_PRODUCER_CONFIG, merge_event_bus_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("project_type", ["lms.djangoapp", "cms.djangoapp"])
def test_entry_points_register_the_app_for_lms_and_cms(project_type):
    assert "openedx_cc.apps.OpenedxCCConfig" in get_plugin_apps(project_type)


def test_host_lists_the_app_only_through_the_plugin_mechanism():
    from host import settings as host_settings

    assert not [app for app in host_settings.SERVICE_APPS if app.startswith("openedx_cc")]
    assert "openedx_cc.apps.OpenedxCCConfig" in settings.INSTALLED_APPS
    assert apps.get_app_config("openedx_cc").verbose_name == "Core Committers"


def test_plugin_settings_add_the_apps_the_set_needs():
    for app in ("django_filters", "drf_spectacular", "drf_spectacular_sidecar"):
        assert app in settings.INSTALLED_APPS


def test_plugin_urls_are_mounted_under_api_cc_v1():
    patterns = get_plugin_url_patterns("lms.djangoapp")
    assert patterns, "the plugin registers URLs"
    assert reverse("openedx_cc:v1:ownership-check") == "/api/cc/v1/ownership/check/"
    assert resolve("/api/cc/v1/committers/").url_name == "committer-list"
    assert reverse("openedx_cc:v1:repository-detail", kwargs={"owner": "openedx", "name": "xblock"}) == (
        "/api/cc/v1/repositories/openedx/xblock/"
    )


def test_plugin_receivers_are_connected():
    receivers = [r for r in post_migrate._live_receivers(sender=None)[0]]
    names = {getattr(r, "__qualname__", "") for r in receivers}
    assert "ensure_toggles_exist" in names


@pytest.mark.django_db
def test_toggles_appear_in_the_waffle_admin_after_migrate():
    from waffle.models import Switch

    names = set(Switch.objects.filter(name__startswith="openedx_cc.").values_list("name", flat=True))
    assert {"openedx_cc.enabled", "openedx_cc.emit_events"} <= names
    assert not Switch.objects.filter(name__startswith="openedx_cc.", active=True).exists()


def test_event_bus_config_is_merged_never_replacing_the_hosts():
    class Settings:  # a settings module stand-in
        EVENT_BUS_PRODUCER_CONFIG = {
            "org.openedx.learning.course.enrollment.created.v1": {"enrollments": {"event_key_field": "x",
                                                                                  "enabled": True}},
            "org.openedx.core_committer.change.deployed.v1": {
                "core-committer-change-lifecycle": {"event_key_field": "change.repository", "enabled": True},
                "operator-topic": {"event_key_field": "deployment.environment", "enabled": True},
            },
        }

    merge_event_bus_config(Settings)
    merged = Settings.EVENT_BUS_PRODUCER_CONFIG
    assert merged["org.openedx.learning.course.enrollment.created.v1"]["enrollments"]["enabled"] is True
    deployed = merged["org.openedx.core_committer.change.deployed.v1"]
    assert deployed["core-committer-change-lifecycle"]["enabled"] is True  # the operator turned it on
    assert deployed["operator-topic"]["event_key_field"] == "deployment.environment"
    ownership = merged["org.openedx.core_committer.ownership.changed.v1"]
    assert ownership == {"core-committer-ownership-lifecycle": {"event_key_field": "ownership.github_username",
                                                                "enabled": False}}


def test_the_host_has_the_sets_event_bus_entries_disabled():
    for event_type, topics in EVENT_BUS_PRODUCER_CONFIG.items():
        for topic, config in topics.items():
            assert settings.EVENT_BUS_PRODUCER_CONFIG[event_type][topic] == config
            assert config["enabled"] is False


def _run_host(settings_module, code, extra_env=None):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings_module, OPENEDX_CC_HOST_DB="sqlite",
               OPENEDX_CC_HOST_SQLITE=":memory:", **(extra_env or {}))
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_cms_host_loads_the_set_too():
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.urls import reverse;"
        "assert settings.PLUGIN_PROJECT_TYPE == 'cms.djangoapp';"
        "assert 'openedx_cc.apps.OpenedxCCConfig' in settings.INSTALLED_APPS;"
        "print(reverse('openedx_cc:v1:committer-list'))"
    )
    result = _run_host("host.settings", code, {"SERVICE_VARIANT": "cms"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/api/cc/v1/committers/"


def test_any_django_service_can_list_the_app_and_include_its_urls():
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('check');"
        "from django.urls import reverse; print(reverse('openedx_cc:v1:ownership-check'))"
    )
    result = _run_host("host.plain_settings", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("/api/cc/v1/ownership/check/")
