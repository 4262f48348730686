"""
``manage.py cc_audit [--days N] [--json]``: the staleness audit of the registry -- installed extensions whose
repository has no effective Core Committer; rights, agreements and NDAs expiring within N days (default 30); Core
Committers who lost effectiveness, and why; missing champions; repository names that only resolve through an
alias; catalog owners that disagree with the recorded Core Committers.

Exits with status 1 when anything needs action, so it can run as a scheduled job.
"""
import json
import sys

from django.core.management.base import BaseCommand

from openedx_cc.python_api import MAX_AUDIT_DAYS, audit, notify_expiries


class Command(BaseCommand):
    """Report what keeps the Core Committer registry from being current."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="report expiries within this many days (default 30)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--notify", action="store_true",
                            help="email the expiries to the Core Committers and the operators (once each; "
                                 "needs the openedx_cc.notify switch)")

    def handle(self, *args, **options):
        if not 0 <= options["days"] <= MAX_AUDIT_DAYS:
            self.stderr.write(f"--days must be between 0 and {MAX_AUDIT_DAYS}, not {options['days']}")
            sys.exit(2)
        report = audit(days=options["days"])
        if options["notify"]:
            sent = notify_expiries(report.expiring_items)
            self.stderr.write(f"{len(sent)} expiry notification(s) queued.")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            for section in report.as_dict()["sections"].values():
                findings = section["findings"]
                self.stdout.write(f"{section['title']} ({len(findings)})")
                for finding in findings:
                    self.stdout.write(f"  - {finding['subject']}: {finding['message']}")
            self.stdout.write("needs action" if report.needs_action else "nothing needs action")
        if report.needs_action:
            sys.exit(1)
