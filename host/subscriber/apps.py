"""
The subscriber app: connects its receivers when Django is ready.
"""
from django.apps import AppConfig


class SubscriberConfig(AppConfig):
    """An example subscriber of openedx-cc's events."""

    name = "host.subscriber"
    label = "openedx_cc_example_subscriber"

    def ready(self):
        from host.subscriber import receivers  # noqa: F401
