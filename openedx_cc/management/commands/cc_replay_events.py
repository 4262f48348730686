"""
``manage.py cc_replay_events [--since ISO] [--until ISO] [--type EVENT_TYPE] [--unsent]`` (docs/reference/events.rst).

Sends logged openedx-cc events again, in the order they were recorded, with their original metadata (same
``metadata.id``), to in-process receivers and -- where the operator enabled their topics -- the event bus. Use it
after the bus was down, or for events recorded while ``openedx_cc.emit_events`` was off. Subscribers de-duplicate
on ``metadata.id``. Exits with status 1 if an event could not be sent or events are switched off.
"""
import sys

from django.core.management.base import BaseCommand

from openedx_cc.management.options import datetime_option
from openedx_cc.python_api import logged_events, replay_events


class Command(BaseCommand):
    """Send logged openedx-cc events again with their original metadata."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only events recorded at or after this ISO datetime (with time zone)")
        parser.add_argument("--until", help="only events recorded before this ISO datetime (with time zone)")
        parser.add_argument("--type", dest="event_type", help="only events of this type, e.g. "
                            "org.openedx.core_committer.change.deployed.v1")
        parser.add_argument("--unsent", action="store_true", help="only events that were never sent")

    def handle(self, *args, **options):
        events = logged_events(
            since=datetime_option("--since", options["since"]), until=datetime_option("--until", options["until"]),
            event_type=options["event_type"], unsent_only=options["unsent"],
        )
        result = replay_events(events)
        self.stdout.write(f"{result.sent} event(s) sent, {result.failed} failed, "
                          f"{result.skipped} not sent because events are switched off.")
        if result.skipped:
            self.stderr.write("Turn on the openedx_cc.enabled and openedx_cc.emit_events switches to send events.")
        if result.failed or result.skipped:
            sys.exit(1)
