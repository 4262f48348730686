"""
Settings openedx-cc adds to every host (the plugin mechanism's ``common`` settings).

The set adds only what a stock LMS/CMS lacks and never replaces a host's value: a few apps it needs, and its
entries of ``EVENT_BUS_PRODUCER_CONFIG`` (disabled until an operator enables them). Its own settings
(``OPENEDX_CC_*``) have defaults in ``openedx_cc.lib.conf`` and are read lazily.

Each function takes the host's settings module (typed ``Any``: the plugin mechanism passes a module whose settings are
attributes that it may lack, and tests pass any object with such attributes).
"""
import copy
from typing import Any

# Apps the set needs beyond what LMS and CMS already install (docs/reference/settings.rst).
REQUIRED_APPS = [
    "django_filters",  # list filters of the REST API (browsable-API templates)
    "drf_spectacular",  # the OpenAPI schema and the docs page templates
    "drf_spectacular_sidecar",  # Swagger UI assets, served locally
]

# Contract section 5: topics and keys of the events on the event bus, off unless the operator turns them on.
CHANGE_TOPIC = "core-committer-change-lifecycle"
OWNERSHIP_TOPIC = "core-committer-ownership-lifecycle"
EVENT_BUS_PRODUCER_CONFIG: dict[str, dict[str, dict[str, object]]] = {
    "org.openedx.core_committer.change.deployed.v1": {
        CHANGE_TOPIC: {"event_key_field": "change.repository", "enabled": False},
    },
    "org.openedx.core_committer.change.reverted.v1": {
        CHANGE_TOPIC: {"event_key_field": "change.repository", "enabled": False},
    },
    "org.openedx.core_committer.ownership.changed.v1": {
        OWNERSHIP_TOPIC: {"event_key_field": "ownership.github_username", "enabled": False},
    },
}


def add_required_apps(settings: Any) -> None:
    """
    Append the apps the set needs to ``INSTALLED_APPS`` when the host does not have them yet.
    """
    apps = list(getattr(settings, "INSTALLED_APPS", []))
    for app in REQUIRED_APPS:
        if app not in apps:
            apps.append(app)
    settings.INSTALLED_APPS = apps


def merge_event_bus_config(settings: Any) -> None:
    """
    Add the set's ``EVENT_BUS_PRODUCER_CONFIG`` entries to the host's: an event type or topic the host already
    configures keeps the host's values; only what is missing is filled in.
    """
    merged = copy.deepcopy(getattr(settings, "EVENT_BUS_PRODUCER_CONFIG", None) or {})
    for event_type, topics in EVENT_BUS_PRODUCER_CONFIG.items():
        host_topics = merged.setdefault(event_type, {})
        for topic, config in topics.items():
            entry = host_topics.setdefault(topic, {})
            for key, value in config.items():
                entry.setdefault(key, value)
    settings.EVENT_BUS_PRODUCER_CONFIG = merged


def plugin_settings(settings: Any) -> None:
    """
    Add the set's settings to the host's settings module.
    """
    add_required_apps(settings)
    merge_event_bus_config(settings)
