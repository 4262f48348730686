"""
Public Python API of the deployments applet: recording what a CD pipeline deployed (docs/reference/report-format.rst).

``record_deployment`` validates a report completely, writes it all or nothing, attributes each change to the
effective Core Committer (merger first, then author) at ``merged_at``, detects reverts, keeps track of where each
change is deployed, and emits ``CC_CHANGE_DEPLOYED`` / ``CC_CHANGE_REVERTED`` through the event log after the
transaction commits. The report ``id`` is the idempotency key. Its cost in SQL queries does not grow with the
number of changes.

This module only re-exports; each concern has its module (see readme.rst). The models stay inside the applet.
"""
from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.plugins.deployments.data import HeadData, MergedPullRequestData, UnresolvedDeployment
from openedx_cc.plugins.deployments.exports import devlake_deployments
from openedx_cc.plugins.deployments.heads import current_heads, head_history, unresolved_deployments
from openedx_cc.plugins.deployments.pullrequests import merged_pull_requests_by_sha, remember_merged_pull_requests
from openedx_cc.plugins.deployments.queries import (
    change_fates,
    changes_removed_by,
    deployment_spans,
    deployments_for_metrics,
    deployments_to_show,
    deployments_visible_to,
    no_deployments,
)
from openedx_cc.plugins.deployments.recording import (
    RecordingBusy,
    RecordOutcome,
    RecordResult,
    complete_deployment,
    record_deployment,
    recording_allowed,
)
from openedx_cc.plugins.deployments.report import MAX_REPORT_BYTES, parse_report
from openedx_cc.plugins.deployments.signature import SIGNATURE_HEADER, SignatureError, verify_signature
from openedx_cc.plugins.deployments.toggles import recording_enabled

__all__ = [
    "HeadData",
    "MAX_REPORT_BYTES",
    "MergedPullRequestData",
    "UnresolvedDeployment",
    "change_fates",
    "changes_removed_by",
    "complete_deployment",
    "current_heads",
    "devlake_deployments",
    "head_history",
    "merged_pull_requests_by_sha",
    "remember_merged_pull_requests",
    "unresolved_deployments",
    "Problem",
    "RecordOutcome",
    "RecordResult",
    "RecordingBusy",
    "SIGNATURE_HEADER",
    "SignatureError",
    "ValidationFailed",
    "deployment_spans",
    "deployments_for_metrics",
    "deployments_to_show",
    "deployments_visible_to",
    "no_deployments",
    "parse_report",
    "record_deployment",
    "recording_allowed",
    "recording_enabled",
    "verify_signature",
]
