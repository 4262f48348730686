"""
The openedx-events signals of openedx-cc (docs/reference/events.rst).

Naming follows openedx-events ADR 2: ``org.openedx.<subdomain>.<subject>.<action>.v<major>``, with the subdomain
``core_committer`` (docs/decisions/0003-event-naming-and-emission.rst). Creating an ``OpenEdxPublicSignal`` registers
it, so this module must be imported when the app registry loads (``openedx_cc.apps`` does it at module level).

openedx-cc sends these signals only after the database transaction that caused them commits, and logs each one
first in its durable event log (``python manage.py cc_replay_events`` re-sends logged events with their original
metadata). Subscribers should de-duplicate on ``metadata.id``.
"""
from openedx_events.tooling import OpenEdxPublicSignal

from openedx_cc.events.data import CCChangeData, CCDeploymentData, CCOwnershipData, CCRevertData

# .. event_type: org.openedx.core_committer.change.deployed.v1
# .. event_name: CC_CHANGE_DEPLOYED
# .. event_key_field: change.repository
# .. event_description: Emitted after a deployment report is recorded, once per Core Committer change and
#   environment when the change first reaches that environment, and again only if it reaches it again after
#   being reverted or rolled back there.
# .. event_data: CCChangeData, CCDeploymentData
# .. event_trigger_repository: openedx/openedx-cc
# .. event_warning: Sent after the transaction commits and only while the openedx_cc.emit_events switch is on;
#   events recorded while it was off can be re-sent with ``manage.py cc_replay_events``. De-duplicate on
#   ``metadata.id``: a replay re-sends the original metadata.
CC_CHANGE_DEPLOYED = OpenEdxPublicSignal(
    event_type="org.openedx.core_committer.change.deployed.v1",
    data={
        "change": CCChangeData,
        "deployment": CCDeploymentData,
    },
)

# .. event_type: org.openedx.core_committer.change.reverted.v1
# .. event_name: CC_CHANGE_REVERTED
# .. event_key_field: change.repository
# .. event_description: Emitted when a deployed Core Committer change leaves an environment: a revert pull
#   request of it was deployed there (kind "revert"), or a rollback report removed the deployment that had
#   brought it there (kind "rollback").
# .. event_data: CCChangeData, CCDeploymentData, CCRevertData
# .. event_trigger_repository: openedx/openedx-cc
# .. event_warning: Sent after the transaction commits and only while the openedx_cc.emit_events switch is on.
#   ``deployment`` is the deployment that had brought the change; ``revert.by_deployment_id`` the one that
#   removed it. De-duplicate on ``metadata.id``.
CC_CHANGE_REVERTED = OpenEdxPublicSignal(
    event_type="org.openedx.core_committer.change.reverted.v1",
    data={
        "change": CCChangeData,
        "deployment": CCDeploymentData,
        "revert": CCRevertData,
    },
)

# .. event_type: org.openedx.core_committer.ownership.changed.v1
# .. event_name: CC_OWNERSHIP_CHANGED
# .. event_key_field: ownership.github_username
# .. event_description: Emitted when a commit right of a Core Committer is granted, revoked or changed (in the
#   admin, through an import, or through the Python API); one event per scope of the right.
# .. event_data: CCOwnershipData
# .. event_trigger_repository: openedx/openedx-cc
# .. event_warning: Sent after the transaction commits and only while the openedx_cc.emit_events switch is on.
#   ``effective`` tells whether the user is an effective Core Committer of that scope after the change.
CC_OWNERSHIP_CHANGED = OpenEdxPublicSignal(
    event_type="org.openedx.core_committer.ownership.changed.v1",
    data={
        "ownership": CCOwnershipData,
    },
)

ALL_SIGNALS = (CC_CHANGE_DEPLOYED, CC_CHANGE_REVERTED, CC_OWNERSHIP_CHANGED)
