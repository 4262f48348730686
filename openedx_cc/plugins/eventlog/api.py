"""
Public Python API of the eventlog applet: the one path by which openedx-cc emits its events (``outbox``), and the
events' data (``data``). Each name is defined in the module that owns it (readme.rst).
"""
from openedx_cc.plugins.eventlog.data import PendingEvent, SendResult
from openedx_cc.plugins.eventlog.outbox import emit_event, emit_events, events_logged, logged_events, replay_events
from openedx_cc.plugins.eventlog.toggles import emit_events_enabled

__all__ = [
    "PendingEvent",
    "SendResult",
    "emit_event",
    "emit_events",
    "emit_events_enabled",
    "events_logged",
    "logged_events",
    "replay_events",
]
