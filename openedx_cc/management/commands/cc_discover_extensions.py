"""
``manage.py cc_discover_extensions [--dry-run] [--json]``: list the Open edX extensions installed in this service
(entry points of lms.djangoapp, cms.djangoapp, xblock.v1, xblock_asides.v1, openedx.course_tab,
openedx.dynamic_partition_generator, openedx.learning_context, openedx.block_structure_transformer and the groups in
``OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS``), with their distribution, version and repository, and record them as
extensions of their repositories (``--dry-run`` only lists them).
"""
import json

from django.core.management.base import BaseCommand

from openedx_cc.python_api import discover_extensions, record_discovery


class Command(BaseCommand):
    """Discover the installed Open edX extensions and record them."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is installed; record nothing")
        parser.add_argument("--json", action="store_true", help="print the list as JSON")

    def handle(self, *args, **options):
        found = discover_extensions()
        if options["json"]:
            self.stdout.write(json.dumps([
                {"group": f.group, "name": f.name, "entry_point": f.value, "distribution": f.distribution,
                 "version": f.version, "declared_repository": f.declared_repository or None,
                 "repository": f.repository or None} for f in found
            ], indent=2))
        else:
            for f in found:
                where = f.repository or "(no GitHub repository in its metadata)"
                alias = f" (declared {f.declared_repository})" if f.declared_repository and \
                    f.declared_repository.lower() != f.repository.lower() else ""
                self.stdout.write(f"{f.group:40} {f.name:30} {f.distribution} {f.version}  {where}{alias}")
        if options["dry_run"]:
            return
        report = record_discovery(found)
        for change in report.changes:
            self.stderr.write(str(change))
        for note in report.notes:
            self.stderr.write(f"note: {note}")
        self.stderr.write(f"{len(found)} extension(s) installed; changed {report.summary()}.")
