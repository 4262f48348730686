"""
``manage.py cc_forward_to_hub [--since ISO]`` (docs/reference/cli.rst; docs/how-to/join-a-hub.rst).

Forwards the change events of the event log that the hub has not accepted yet, oldest first, in one bounded attempt:
each request times out within 10 seconds, a failing batch stops the run, and the backoff of earlier failures is not
waited for. Exits with status 0 when the hub accepted every pending event, 1 otherwise, saying why (sharing switched
off, OPENEDX_CC_HUB missing or malformed, the hub refused the instance, its signature or the batch, the hub could not
be reached).
"""
import sys

from django.core.management.base import BaseCommand

from openedx_cc.management.options import datetime_option
from openedx_cc.python_api import forward_to_hub


class Command(BaseCommand):
    """Forward the pending change events to the community hub now."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only events logged at or after this ISO datetime (with time zone); "
                            "older pending events are left for a later run")

    def handle(self, *args, **options):
        since = datetime_option("--since", options["since"])
        result = forward_to_hub(since=since, respect_backoff=False)
        also = []
        if result.duplicates:
            also.append(f"{result.duplicates} the hub already had")
        if result.unknown:
            also.append(f"{result.unknown} of a type the hub does not know")
        self.stdout.write(f"{result.sent} event(s) sent to the hub{' (' + ', '.join(also) + ')' if also else ''}, "
                          f"{result.failed} failed, {result.pending} still pending.")
        if result.error:
            self.stderr.write(f"Not everything was forwarded: {result.error}.")
        elif result.pending:
            self.stderr.write("More events were logged during the run: run it again.")
        if not result.complete:
            sys.exit(1)
