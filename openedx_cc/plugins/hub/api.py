"""
Public Python API of the hub applet (docs/reference/hub.rst): both sides of a community hub. Each name is defined in
the module that owns it (readme.rst); this module only re-exports, and offers no model.
"""
from openedx_cc.plugins.hub.toggles import hub_enabled, sharing_enabled
from openedx_cc.plugins.hub.wire import (
    EVENTS_PATH,
    FORWARDED_TYPES,
    INSTANCE_HEADER,
    MAX_BATCH_BYTES,
    MAX_EVENTS,
    SIGNATURE_HEADER,
)

__all__ = [
    "EVENTS_PATH",
    "FORWARDED_TYPES",
    "INSTANCE_HEADER",
    "MAX_BATCH_BYTES",
    "MAX_EVENTS",
    "SIGNATURE_HEADER",
    "hub_enabled",
    "sharing_enabled",
]
