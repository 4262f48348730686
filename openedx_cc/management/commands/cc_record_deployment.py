"""
``manage.py cc_record_deployment FILE`` (docs/reference/report-format.rst): record a deployment report from a JSON file,
for CD pipelines that prefer a command to an HTTP call. Same validation and same result as ``POST
/api/cc/v1/deployments/`` (without the signature: whoever runs the command is trusted). Prints the JSON answer.

Exit status: 0 when recorded (or already recorded identically), 1 on invalid input, 2 when a different report
was recorded under that id, 3 while deployment recording is switched off.
"""
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.python_api import RecordingBusy, RecordOutcome, record_deployment, recording_allowed

# The exit status of each outcome (a conflict: a different report was recorded under that id).
_EXIT_STATUS = {RecordOutcome.RECORDED: 0, RecordOutcome.ALREADY_RECORDED: 0, RecordOutcome.CONFLICT: 2}


class Command(BaseCommand):
    """Record a deployment report from a JSON file."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", help="the report, a JSON file ('-' for standard input)")

    def handle(self, *args, **options):
        if not recording_allowed():
            self.stderr.write("Deployment recording is switched off (openedx_cc.enabled, "
                              "openedx_cc.record_deployments); nothing was recorded.")
            sys.exit(3)
        try:
            raw = sys.stdin.buffer.read() if options["file"] == "-" else Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror}") from exc
        try:
            result = record_deployment(raw)
        except RecordingBusy as exc:
            raise CommandError(str(exc)) from exc
        except ValidationFailed as exc:
            self.stdout.write(json.dumps({"errors": [p.as_dict() for p in exc.problems]}, indent=2))
            for problem in exc.problems:
                self.stderr.write(f"error: {problem}")
            sys.exit(1)
        self.stdout.write(json.dumps(result.body, indent=2))
        if _EXIT_STATUS[result.outcome]:
            sys.exit(_EXIT_STATUS[result.outcome])
