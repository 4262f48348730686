"""
The public in-process Python API of openedx-cc, for other plugins and for the code of the host service.

The REST API is ``openedx_cc.api`` (docs/reference/rest.rst); this module is its Python counterpart (the naming is
recorded in docs/decisions/0002-python-api-and-rest-package-names.rst). Each applet's own ``api`` module has the
details; this module gathers what other code needs.
"""
from datetime import datetime

from openedx_cc.imports import import_files, supported_import_formats
from openedx_cc.lib.toggles import ENABLED, is_enabled
from openedx_cc.plugins.catalog import api as catalog_api
from openedx_cc.plugins.catalog.api import MAX_AUDIT_DAYS, AuditReport, Finding, discover_extensions, record_discovery
from openedx_cc.plugins.deployments.api import (
    RecordingBusy,
    RecordOutcome,
    RecordResult,
    record_deployment,
    recording_allowed,
    unresolved_deployments,
)
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.plugins.eventlog.api import emit_events_enabled, logged_events, replay_events
from openedx_cc.plugins.eventlog.toggles import EMIT_EVENTS
from openedx_cc.plugins.github.api import ProcessingSummary
from openedx_cc.plugins.hub.api import ForwardingResult, hub_config, sharing_enabled
from openedx_cc.plugins.hub.api import forward_pending as forward_to_hub
from openedx_cc.plugins.hub.toggles import HUB, SHARE_WITH_HUB
from openedx_cc.plugins.hub.api import (
    InstanceData,
    InstanceError,
    IssuedSecret,
    list_instances,
    register_instance,
    revoke_instance,
    rotate_instance_secret,
)
from openedx_cc.plugins.github.api import process_again as process_github_deliveries
from openedx_cc.plugins.notifications.api import notify_expiries, retry_notifications
from openedx_cc.plugins.notifications.toggles import NOTIFY
from openedx_cc.plugins.ownership.api import (
    OwnershipCheck,
    PolicyData,
    RightData,
    check_ownership,
    effective_committers,
    get_committer,
    grant_right,
    import_snapshot,
    policy_in_force,
    resolve_repository,
    revoke_rights,
    set_committer_status,
    suspend_committers,
)

def audit(*, days: int = 30, at: datetime | None = None) -> AuditReport:
    """
    What needs an operator's action (``manage.py cc_audit``, ``GET audit/``): the registry's staleness audit and the
    deployments whose changes are not resolved yet.
    """
    unresolved = [
        Finding("unresolved_deployments", item.deployment_id,
                f"{item.repository} at {item.sha[:12]} in {item.environment} "
                f"({item.deployed_at:%Y-%m-%d %H:%M} UTC): {item.missing}")
        for item in unresolved_deployments()
    ]
    return catalog_api.audit(days=days, at=at, also=unresolved)


__all__ = [
    "AuditReport",
    "InstanceData",
    "InstanceError",
    "IssuedSecret",
    "list_instances",
    "register_instance",
    "revoke_instance",
    "rotate_instance_secret",
    "OwnershipCheck",
    "PolicyData",
    "ProcessingSummary",
    "RecordOutcome",
    "RecordResult",
    "RecordingBusy",
    "RightData",
    "all_toggles",
    "audit",
    "MAX_AUDIT_DAYS",
    "discover_extensions",
    "check_ownership",
    "effective_committers",
    "emit_events_enabled",
    "ForwardingResult",
    "forward_to_hub",
    "hub_config",
    "sharing_enabled",
    "get_committer",
    "grant_right",
    "import_files",
    "import_snapshot",
    "is_enabled",
    "logged_events",
    "policy_in_force",
    "process_github_deliveries",
    "record_deployment",
    "record_discovery",
    "notify_expiries",
    "retry_notifications",
    "recording_allowed",
    "replay_events",
    "resolve_repository",
    "revoke_rights",
    "set_committer_status",
    "supported_import_formats",
    "suspend_committers",
]


def all_toggles():
    """
    Every switch of the set, in the order docs/reference/settings.rst lists them.
    """
    return [ENABLED, RECORD_DEPLOYMENTS, EMIT_EVENTS, NOTIFY, SHARE_WITH_HUB, HUB]
