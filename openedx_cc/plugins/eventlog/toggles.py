"""
The switch that lets openedx-cc send its openedx-events (docs/reference/settings.rst).
"""
from edx_toggles.toggles import WaffleSwitch

from openedx_cc.lib.toggles import is_enabled

# .. toggle_name: openedx_cc.emit_events
# .. toggle_implementation: WaffleSwitch
# .. toggle_default: False
# .. toggle_description: Lets openedx-cc send its openedx-events (CC_CHANGE_DEPLOYED, CC_CHANGE_REVERTED,
#   CC_OWNERSHIP_CHANGED) to in-process receivers and, where EVENT_BUS_PRODUCER_CONFIG enables their topics, to the
#   event bus. While it is off (or openedx_cc.enabled is off) events are still written to the durable event log and
#   can be sent later with ``manage.py cc_replay_events``.
# .. toggle_use_cases: open_edx
# .. toggle_creation_date: 2026-11-25
# .. toggle_warning: Checked outside requests too (management commands, Celery, event consumers), hence a switch.
# .. toggle_tickets: https://github.com/openedx/openedx-cc/issues/2
EMIT_EVENTS = WaffleSwitch("openedx_cc.emit_events", __name__)


def emit_events_enabled() -> bool:
    """
    Return whether openedx-cc may send events now (the set is enabled and event emission is on).
    """
    # bool(): WaffleSwitch is untyped (edx-toggles ships no stubs), is_enabled() returns a bool.
    return is_enabled() and bool(EMIT_EVENTS.is_enabled())
