"""
Whether work can be handed to Celery in this process: the applets that queue work after a commit (notifications, the
GitHub intake) ask this, and do the work in the process when it says no.
"""
from __future__ import annotations

try:
    from celery import current_app
except ImportError:  # pragma: no cover - depends on the host
    current_app = None


def celery_ready() -> bool:
    """Whether a Celery app with a broker (or eager execution) is configured in this process."""
    if current_app is None:
        return False
    conf = current_app.conf
    return bool(conf.task_always_eager or conf.broker_url)
