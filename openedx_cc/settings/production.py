"""
Production settings of openedx-cc: the same additions as ``common``, applied again after the operator's
configuration (YAML) was loaded, so that the operator's ``EVENT_BUS_PRODUCER_CONFIG`` entries are kept and only the
missing ones are filled in.
"""
from typing import Any

from openedx_cc.settings.common import add_required_apps, merge_event_bus_config


def plugin_settings(settings: Any) -> None:
    """
    Add the set's settings to the host's production settings module.
    """
    add_required_apps(settings)
    merge_event_bus_config(settings)
