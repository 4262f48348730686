"""
The Celery task of the hub applet, where the host runs Celery (LMS and CMS do): forwarding to the hub in a worker.
"""
import logging
from datetime import datetime

from django.utils import timezone

try:
    from celery import shared_task
except ImportError:  # pragma: no cover - depends on the host
    shared_task = None

from openedx_cc.plugins.hub.forwarding import forward_pending

log = logging.getLogger(__name__)

# How many times a run that could not forward everything is tried again, each after the backoff its failure set
# (2 s doubling to 10 minutes, full jitter: about 25 minutes of trying on average, at most about 47). After
# that the events wait for the next logged change event or the next ``cc_forward_to_hub``.
MAX_RETRIES = 12


def seconds_until(moment: datetime, *, minimum: float = 1.0) -> float:
    """How long from now until ``moment``, at least ``minimum`` seconds."""
    return max(minimum, (moment - timezone.now()).total_seconds())


if shared_task is not None:

    @shared_task(bind=True, name="openedx_cc.forward_to_hub", ignore_result=True, max_retries=MAX_RETRIES)
    def forward_to_hub_task(self):
        """Forward the pending change events to the hub; while it fails, try again after the backoff."""
        result = forward_pending()
        if result.retry_at is None:
            return
        if self.request.retries >= MAX_RETRIES:
            log.warning("Gave up forwarding to the hub for now after %d retries (%d event(s) pending): %s",
                        self.request.retries, result.pending, result.error)
            return
        raise self.retry(countdown=seconds_until(result.retry_at))
else:  # pragma: no cover
    forward_to_hub_task = None
