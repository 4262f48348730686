"""
``manage.py cc_retry_notifications [--failed-only]``: send again the notifications that failed (a mail server
down, a broken template fixed since) and those still pending. Exits with status 1 if some still fail.
"""
import sys

from django.core.management.base import BaseCommand

from openedx_cc.python_api import retry_notifications


class Command(BaseCommand):
    """Send failed and pending openedx-cc notifications again."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--failed-only", action="store_true", help="leave pending messages alone")

    def handle(self, *args, **options):
        counts = retry_notifications(include_pending=not options["failed_only"])
        self.stdout.write(f"{counts['sent']} sent, {counts['failed']} failed.")
        if counts["failed"]:
            sys.exit(1)
