"""``python -m openedx_cc.reporter``: the same as the ``openedx-cc-report`` console script."""
import sys

from openedx_cc.reporter.cli import main

sys.exit(main())
