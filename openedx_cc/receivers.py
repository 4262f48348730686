"""
Signal receivers of openedx-cc, connected through the Open edX plugin mechanism (``plugin_app["signals_config"]``)
and, for hosts that list the app without it, by ``OpenedxCCConfig.ready()`` with the same ``dispatch_uid``.
"""
import logging

log = logging.getLogger(__name__)


def ensure_toggles_exist(sender, app_config=None, using="default", **kwargs):
    """
    After ``migrate``, make sure every openedx-cc switch has a row in waffle (off), so operators find them all in
    the Django admin (``/admin/waffle/switch/``) without knowing their names.
    """
    if app_config is None or app_config.label != "openedx_cc":
        return
    from openedx_cc.python_api import all_toggles
    from waffle.models import Switch

    for toggle in all_toggles():
        _switch, created = Switch.objects.using(using).get_or_create(name=toggle.name, defaults={"active": False})
        if created:
            log.info("Created the waffle switch %s (off)", toggle.name)


def notify_change_reverted(signal, sender, **kwargs):
    """CC_CHANGE_REVERTED -> the notifications applet."""
    from openedx_cc.plugins.notifications import handlers

    handlers.on_change_reverted(signal, sender, **kwargs)


def notify_change_deployed(signal, sender, **kwargs):
    """CC_CHANGE_DEPLOYED -> the notifications applet."""
    from openedx_cc.plugins.notifications import handlers

    handlers.on_change_deployed(signal, sender, **kwargs)


def notify_ownership_changed(signal, sender, **kwargs):
    """CC_OWNERSHIP_CHANGED -> the notifications applet."""
    from openedx_cc.plugins.notifications import handlers

    handlers.on_ownership_changed(signal, sender, **kwargs)


def forward_to_hub(sender, event_types=frozenset(), **kwargs):
    """events_logged (after the commit that logged events) -> the hub applet, which forwards change events to a hub
    in the background."""
    from openedx_cc.plugins.hub import api as hub_api

    hub_api.on_events_logged(event_types=event_types)
