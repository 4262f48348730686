"""
Public Python API of the notifications applet: who hears about what, and the log of every message. Each name is
defined in ``delivery`` (who hears about what, queueing), ``sending`` (rendering, mailing, retrying) or
``toggles`` (readme.rst).
"""
from openedx_cc.plugins.notifications.delivery import (
    notify_change_deployed,
    notify_change_reverted,
    notify_expiries,
    notify_hub_removal,
    notify_ownership_changed,
)
from openedx_cc.plugins.notifications.sending import retry_notifications, send_notifications
from openedx_cc.plugins.notifications.toggles import notifications_enabled

__all__ = [
    "notifications_enabled",
    "notify_change_deployed",
    "notify_change_reverted",
    "notify_expiries",
    "notify_hub_removal",
    "notify_ownership_changed",
    "retry_notifications",
    "send_notifications",
]
