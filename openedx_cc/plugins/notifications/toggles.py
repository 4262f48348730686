"""
The switch of the notifications applet (docs/reference/settings.rst).
"""
from edx_toggles.toggles import WaffleSwitch

from openedx_cc.lib.toggles import is_enabled

# .. toggle_name: openedx_cc.notify
# .. toggle_implementation: WaffleSwitch
# .. toggle_default: False
# .. toggle_description: Lets openedx-cc email Core Committers, their champions and the site operators
#   (OPENEDX_CC_OPERATOR_EMAILS) about reverts and rollbacks of CC changes, deployments (for CCs who opted in),
#   ownership changes and expiries found by the audit. Never learners. While it is off nothing is sent and nothing is
#   queued.
# .. toggle_use_cases: open_edx
# .. toggle_creation_date: 2026-11-25
# .. toggle_warning: Checked outside requests too (event receivers, Celery), hence a switch.
# .. toggle_tickets: https://github.com/openedx/openedx-cc/issues/5
NOTIFY = WaffleSwitch("openedx_cc.notify", __name__)


def notifications_enabled() -> bool:
    """Whether openedx-cc may send notifications now."""
    # bool(): WaffleSwitch is untyped (edx-toggles ships no stubs), is_enabled() returns a bool.
    return is_enabled() and bool(NOTIFY.is_enabled())
