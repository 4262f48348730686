"""
``manage.py cc_export_deployments --format devlake [--since ISO]`` (docs/reference/cli.rst): the recorded
deployments, oldest first, one JSON document per line on standard output, as Apache DevLake's deployment webhook
takes them, so that a site running DevLake can feed it (``... | while read -r line; do curl ... -d "$line"; done``).
"""
import json

from django.core.management.base import BaseCommand

from openedx_cc.management.options import datetime_option
from openedx_cc.plugins.deployments.api import devlake_deployments


class Command(BaseCommand):
    """Write the recorded deployments in another tool's format."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--format", dest="export_format", required=True, choices=["devlake"],
                            help="devlake: Apache DevLake's deployment webhook, one JSON document per line")
        parser.add_argument("--since", help="only deployments deployed at or after this ISO datetime (with time zone)")

    def handle(self, *args, **options):
        since = datetime_option("--since", options["since"])
        for document in devlake_deployments(since=since):
            self.stdout.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
