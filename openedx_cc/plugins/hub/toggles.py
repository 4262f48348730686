"""
The switches of the hub applet (docs/reference/settings.rst): one for each side of a hub.
"""
from edx_toggles.toggles import WaffleSwitch

from openedx_cc.lib.toggles import is_enabled

# .. toggle_name: openedx_cc.share_with_hub
# .. toggle_implementation: WaffleSwitch
# .. toggle_default: False
# .. toggle_description: Forwards the fate of CC changes (every CC_CHANGE_DEPLOYED and CC_CHANGE_REVERTED in the event
#   log, reduced to the fields docs/reference/hub.rst lists) to the community hub named by the setting
#   OPENEDX_CC_HUB, after each commit, in log order, retried with backoff while the hub is unreachable. While it is
#   off nothing is forwarded: the events wait in the event log and are forwarded once it is on.
# .. toggle_use_cases: open_edx
# .. toggle_creation_date: 2026-12-02
# .. toggle_warning: Also needs the setting OPENEDX_CC_HUB (url, instance name and secret from the hub's operators)
#   and openedx_cc.enabled.
# .. toggle_tickets: https://github.com/openedx/openedx-cc/issues/13
SHARE_WITH_HUB = WaffleSwitch("openedx_cc.share_with_hub", __name__)

# .. toggle_name: openedx_cc.hub
# .. toggle_implementation: WaffleSwitch
# .. toggle_default: False
# .. toggle_description: Makes this service a community hub: registered instances (manage.py cc_hub_instance) post
#   the fate of CC changes to POST /api/cc/v1/hub/events/, GET /api/cc/v1/hub/changes/ reads it, and a production
#   revert or rollback reported by any instance notifies the Core Committer, their champions and the hub's
#   operators. While it is off the hub endpoints answer 404.
# .. toggle_use_cases: open_edx
# .. toggle_creation_date: 2026-12-02
# .. toggle_warning: Also needs openedx_cc.enabled; the notifications need openedx_cc.notify.
# .. toggle_tickets: https://github.com/openedx/openedx-cc/issues/13
HUB = WaffleSwitch("openedx_cc.hub", __name__)


def sharing_enabled() -> bool:
    """Whether this service forwards to a hub now: the set and the switch are on (the forwarder checks the setting)."""
    return is_enabled() and bool(SHARE_WITH_HUB.is_enabled())


def hub_enabled() -> bool:
    """Whether this service is a hub now: the set and the switch are on."""
    return is_enabled() and bool(HUB.is_enabled())
