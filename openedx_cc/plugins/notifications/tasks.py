"""
The Celery task of the notifications applet, where the host runs Celery (LMS and CMS do).
"""
try:
    from celery import shared_task
except ImportError:  # pragma: no cover - depends on the host
    shared_task = None

from openedx_cc.plugins.notifications.sending import send_notifications


if shared_task is not None:

    @shared_task(name="openedx_cc.send_notifications", ignore_result=True)
    def send_notifications_task(ids):
        """Send logged notifications (they stay logged, failed or pending, if this fails)."""
        return send_notifications(ids)
else:  # pragma: no cover
    send_notifications_task = None
