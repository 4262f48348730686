"""
openedx-cc: the Core Committer program's plugin set for Open edX services.

The package is one Django app (``openedx_cc``) made of small applets under ``openedx_cc.plugins`` (see
docs/decisions/0001-applets-of-one-django-app.rst). Code outside the package uses:

* ``openedx_cc.python_api`` -- the public, in-process Python API;
* ``openedx_cc.events`` -- the openedx-events signals and their data classes;
* ``/api/cc/v1/`` -- the REST API (``openedx_cc.api``).
"""

__version__ = "0.1.0"
