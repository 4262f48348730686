"""
Django application configuration and Open edX plugin wiring of openedx-cc.
"""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The event definitions must exist before the ``openedx_events`` app validates EVENT_BUS_PRODUCER_CONFIG in its own
# ready(), which runs before ours because plugin apps come late in INSTALLED_APPS (see docs/decisions/0003).
import openedx_cc.events  # noqa: F401

_PROJECT_TYPES = ("lms.djangoapp", "cms.djangoapp")
_SETTINGS_TYPES = ("common", "production", "test")

# Receivers connected through the plugin mechanism, in ``openedx_cc/receivers.py``. The list is data so that
# ``ready()`` can connect the very same receivers (same dispatch_uid) in a host that lists the app in INSTALLED_APPS
# without the plugin mechanism.
_RECEIVERS = [
    {
        "receiver_func_name": "ensure_toggles_exist",
        "signal_path": "django.db.models.signals.post_migrate",
        "dispatch_uid": "openedx_cc.receivers.ensure_toggles_exist",
    },
    # The notifications applet subscribes to the set's own events, as any other plugin would.
    {
        "receiver_func_name": "notify_change_reverted",
        "signal_path": "openedx_cc.events.signals.CC_CHANGE_REVERTED",
        "dispatch_uid": "openedx_cc.receivers.notify_change_reverted",
    },
    {
        "receiver_func_name": "notify_change_deployed",
        "signal_path": "openedx_cc.events.signals.CC_CHANGE_DEPLOYED",
        "dispatch_uid": "openedx_cc.receivers.notify_change_deployed",
    },
    {
        "receiver_func_name": "notify_ownership_changed",
        "signal_path": "openedx_cc.events.signals.CC_OWNERSHIP_CHANGED",
        "dispatch_uid": "openedx_cc.receivers.notify_ownership_changed",
    },
    # The hub applet forwards what the event log holds, after the commit that logged it (docs/decisions/0017).
    {
        "receiver_func_name": "forward_to_hub",
        "signal_path": "openedx_cc.plugins.eventlog.api.events_logged",
        "dispatch_uid": "openedx_cc.receivers.forward_to_hub",
    },
]


class OpenedxCCConfig(AppConfig):
    """
    The openedx-cc app: ownership registry, deployments, events, notifications and metrics of Core Committers.
    """

    name = "openedx_cc"
    label = "openedx_cc"
    verbose_name = _("Core Committers")
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            project_type: {
                "namespace": "openedx_cc",
                "regex": r"^",
                "relative_path": "urls",
            }
            for project_type in _PROJECT_TYPES
        },
        "settings_config": {
            project_type: {
                settings_type: {"relative_path": f"settings.{settings_type}"} for settings_type in _SETTINGS_TYPES
            }
            for project_type in _PROJECT_TYPES
        },
        "signals_config": {
            project_type: {"relative_path": "receivers", "receivers": _RECEIVERS} for project_type in _PROJECT_TYPES
        },
    }

    def ready(self):
        """
        Register the system checks, and connect the receivers (a no-op repeat when the plugin mechanism already did).
        """
        from django.utils.module_loading import import_string

        from openedx_cc import checks, receivers  # noqa: F401

        for config in _RECEIVERS:
            signal = import_string(config["signal_path"])
            signal.connect(
                getattr(receivers, config["receiver_func_name"]),
                dispatch_uid=config["dispatch_uid"],
            )
