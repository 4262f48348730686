"""
``manage.py cc_process_github_deliveries [--failed] [--since ISO]`` (docs/reference/cli.rst).

Processes stored GitHub deliveries again, in the order they were received: the pending ones (never processed, e.g.
while a Celery worker was down, or left pending by a passing error such as a lock the database gave up on), and with
``--failed`` the failed ones too; then tries every unresolved GitHub deployment again. Processing is idempotent:
running it twice records nothing twice. Exits with status 1 if a delivery failed, 3 while deployment recording is
switched off (nothing is processed then).
"""
import sys

from django.core.management.base import BaseCommand

from openedx_cc.management.options import datetime_option
from openedx_cc.python_api import process_github_deliveries, recording_allowed


class Command(BaseCommand):
    """Process stored GitHub deliveries again, and retry the unresolved GitHub deployments."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="process the failed deliveries again too")
        parser.add_argument("--since", help="only deliveries received at or after this ISO datetime (with time zone)")

    def handle(self, *args, **options):
        since = datetime_option("--since", options["since"])
        if not recording_allowed():
            self.stderr.write("Deployment recording is switched off (openedx_cc.enabled, "
                              "openedx_cc.record_deployments): nothing was processed.")
            sys.exit(3)
        summary = process_github_deliveries(failed=options["failed"], since=since)
        counts = ", ".join(f"{count} {status}" for status, count in sorted(summary.statuses.items()))
        self.stdout.write(f"Deliveries processed: {counts or 'none'}.")
        self.stdout.write(f"Unresolved GitHub deployments: {summary.completed} completed, {summary.unresolved} "
                          f"still unresolved.")
        if summary.statuses.get("failed"):
            self.stderr.write("Some deliveries failed: their errors are in the admin (GitHub deliveries).")
            sys.exit(1)
