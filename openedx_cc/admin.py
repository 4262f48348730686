"""
Django admin of openedx-cc: each applet registers its own models.
"""
from openedx_cc.plugins.catalog import admin as catalog_admin  # noqa: F401
from openedx_cc.plugins.deployments import admin as deployments_admin  # noqa: F401
from openedx_cc.plugins.eventlog import admin as eventlog_admin  # noqa: F401
from openedx_cc.plugins.github import admin as github_admin  # noqa: F401
from openedx_cc.plugins.hub import admin as hub_admin  # noqa: F401
from openedx_cc.plugins.metrics import admin as metrics_admin  # noqa: F401
from openedx_cc.plugins.notifications import admin as notifications_admin  # noqa: F401
from openedx_cc.plugins.ownership import admin as ownership_admin  # noqa: F401
