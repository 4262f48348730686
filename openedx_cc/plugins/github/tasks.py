"""
The Celery task of the GitHub intake, where the host runs Celery (LMS and CMS do).
"""
try:
    from celery import shared_task
except ImportError:  # pragma: no cover - depends on the host
    shared_task = None

from openedx_cc.plugins.github.processing import process_deliveries


if shared_task is not None:

    @shared_task(name="openedx_cc.process_github_deliveries", ignore_result=True)
    def process_github_deliveries_task(ids):
        """Process stored GitHub deliveries (a failure, or a passing error, stays on each delivery for the command)."""
        process_deliveries(ids)
else:  # pragma: no cover
    process_github_deliveries_task = None
