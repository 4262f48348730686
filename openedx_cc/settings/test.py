"""
Test settings of openedx-cc: what ``common`` adds, for the host's test settings.
"""
from typing import Any

from openedx_cc.settings.common import add_required_apps, merge_event_bus_config


def plugin_settings(settings: Any) -> None:
    """
    Add the set's settings to the host's test settings module.
    """
    add_required_apps(settings)
    merge_event_bus_config(settings)
