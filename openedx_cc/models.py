"""
The models of every openedx-cc applet, gathered so Django finds them in the ``openedx_cc`` app.

Never import models from here: outside an applet, use its ``api`` functions (or its ``models_api``, where a foreign
key needs a model).
"""
from openedx_cc.plugins.catalog.models import CatalogEntry  # noqa: F401
from openedx_cc.plugins.deployments.models import Change, DeployedChange, Deployment, Presence  # noqa: F401
from openedx_cc.plugins.eventlog.models import LoggedEvent  # noqa: F401
from openedx_cc.plugins.github.models import (  # noqa: F401
    GitHubDelivery,
    GitHubDeployment,
    GitHubDeploymentStatus,
    GitHubPush,
    GitHubPushedCommit,
)
from openedx_cc.plugins.hub.models import ForwardedEvent, HubChange, HubEvent, HubInstance  # noqa: F401
from openedx_cc.plugins.metrics.models import MetricsDashboard  # noqa: F401
from openedx_cc.plugins.notifications.models import NotificationLog, NotificationPreference  # noqa: F401
from openedx_cc.plugins.ownership.models import (  # noqa: F401
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Extension,
    Organization,
    ProgramPhase,
    Repository,
    RepositoryAlias,
)
