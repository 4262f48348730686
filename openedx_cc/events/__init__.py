"""
The openedx-events signals of openedx-cc and their data classes (docs/reference/events.rst).

Subscribe in another plugin as to any Open edX event::

    from openedx_cc.events import CC_CHANGE_REVERTED

    @receiver(CC_CHANGE_REVERTED)
    def on_revert(signal, sender, change, deployment, revert, metadata, **kwargs):
        ...
"""
from openedx_cc.events.data import CCChangeData, CCDeploymentData, CCOwnershipData, CCRevertData
from openedx_cc.events.signals import ALL_SIGNALS, CC_CHANGE_DEPLOYED, CC_CHANGE_REVERTED, CC_OWNERSHIP_CHANGED

__all__ = [
    "ALL_SIGNALS",
    "CC_CHANGE_DEPLOYED",
    "CC_CHANGE_REVERTED",
    "CC_OWNERSHIP_CHANGED",
    "CCChangeData",
    "CCDeploymentData",
    "CCOwnershipData",
    "CCRevertData",
]
