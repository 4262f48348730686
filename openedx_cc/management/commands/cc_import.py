"""
``manage.py cc_import PATH... [--format FORMAT] [--dry-run] [--prune]`` (docs/reference/roster-format.rst).

Reads every file, validates everything, and only then applies the result to the registry in one transaction:
on any error nothing is written and the command exits with status 1 after listing every problem with its file,
line and field. Running the same import twice changes nothing the second time.
"""
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.python_api import import_files, supported_import_formats


class Command(BaseCommand):
    """Import roster files into the Core Committer registry."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files to import")
        parser.add_argument(
            "--format", choices=supported_import_formats(), default=None,
            help="the files' format (default: detected from each file)",
        )
        parser.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
        parser.add_argument(
            "--prune", action="store_true",
            help="take the files as the whole registry: revoke rights and end champions they no longer list",
        )
        parser.add_argument("--actor", default=None, help="username recorded as the author in the audit history")
        parser.add_argument("--quiet-changes", action="store_true", help="print the summary only, not each change")

    def handle(self, *args, **options):
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"--actor: no user named {options['actor']!r}")

        def progress(done, total):
            if total >= 1000:
                self.stderr.write(f"  {done}/{total} committers", ending="\n")

        try:
            report = import_files(
                options["paths"], file_format=options["format"], prune=options["prune"],
                dry_run=options["dry_run"], actor=actor, progress=progress,
            )
        except ValidationFailed as exc:
            for problem in exc.problems:
                self.stderr.write(f"error: {problem}")
            self.stderr.write(f"{len(exc.problems)} problem(s) found; nothing was imported.")
            sys.exit(1)
        verb = "would change" if report.dry_run else "changed"
        if not options["quiet_changes"]:
            for change in report.changes:
                self.stdout.write(str(change))
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        self.stdout.write(f"{report.source}: {verb} {report.summary()}; {report.events} event(s) logged.")
