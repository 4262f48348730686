"""
The host's own app: like ``openedx.core.djangoapps.plugins`` in edx-platform, it connects the plugins' signal
receivers when the app registry is ready.
"""
from django.apps import AppConfig
from django.conf import settings


class HostConfig(AppConfig):
    """The host service's app."""

    name = "host"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from edx_django_utils.plugins import connect_plugin_receivers

        connect_plugin_receivers(settings.PLUGIN_PROJECT_TYPE)
