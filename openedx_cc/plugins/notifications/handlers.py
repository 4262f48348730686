"""
Receivers of openedx-cc's own events, as any subscribing plugin would write them; connected through
``plugin_app["signals_config"]`` (see ``openedx_cc/receivers.py``). Thin: they hand over to ``api``, and never raise.
"""
import logging

from openedx_cc.plugins.notifications import api

log = logging.getLogger(__name__)


def _safely(func, **kwargs):
    try:
        func(**kwargs)
    except Exception:
        log.exception("openedx-cc notifications failed to handle an event")


def on_change_reverted(signal, sender, change, deployment, revert, metadata, **kwargs):
    """CC_CHANGE_REVERTED."""
    _safely(api.notify_change_reverted, change=change, deployment=deployment, revert=revert, metadata=metadata)


def on_change_deployed(signal, sender, change, deployment, metadata, **kwargs):
    """CC_CHANGE_DEPLOYED."""
    _safely(api.notify_change_deployed, change=change, deployment=deployment, metadata=metadata)


def on_ownership_changed(signal, sender, ownership, metadata, **kwargs):
    """CC_OWNERSHIP_CHANGED."""
    _safely(api.notify_ownership_changed, ownership=ownership, metadata=metadata)
