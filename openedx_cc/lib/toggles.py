"""
The global switch of openedx-cc (docs/reference/settings.rst). Each plugin keeps its own switch beside its code; this
one gates the whole set.
"""
from edx_toggles.toggles import WaffleSwitch

# .. toggle_name: openedx_cc.enabled
# .. toggle_implementation: WaffleSwitch
# .. toggle_default: False
# .. toggle_description: Turns the whole openedx-cc plugin set on. While it is off the set is dormant: every REST
#   endpoint under /api/cc/ answers 404, no event is sent and no notification goes out. The Django admin keeps
#   working so that operators can prepare the registry before turning it on.
# .. toggle_use_cases: open_edx
# .. toggle_creation_date: 2026-11-25
# .. toggle_tickets: https://github.com/openedx/openedx-cc/issues/2
ENABLED = WaffleSwitch("openedx_cc.enabled", __name__)


def is_enabled() -> bool:
    """
    Return whether the openedx-cc plugin set is turned on.
    """
    return bool(ENABLED.is_enabled())
