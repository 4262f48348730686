"""
Helpers of the end-to-end tests of the GitHub intake: deliver GitHub's deliveries through the endpoint (processing
runs in the process, after each delivery's commit) and read back what was recorded.
"""
from openedx_cc.plugins.deployments.api import record_deployment, unresolved_deployments
from openedx_cc.plugins.deployments.models import Deployment
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.github.models import GitHubDelivery
from tests.plugins.github import builders as b

DEPLOYED = "org.openedx.core_committer.change.deployed.v1"
REVERTED = "org.openedx.core_committer.change.reverted.v1"
EVENTS = {"pull_request", "push", "deployment", "deployment_status"}


def send(client, event, document, **kwargs):
    """Deliver and check that GitHub got a 2xx."""
    response = b.deliver(client, event, document, **kwargs)
    assert response.status_code in (200, 202), response.content
    return response


def seed(head, *, repository=b.REPOSITORY, environment="production", at="2026-11-20T10:00:00Z", report_id="seed"):
    """A report that put ``repository`` at ``head`` in ``environment`` (where the next GitHub deployment starts)."""
    return record_deployment({"id": report_id, "environment": environment, "deployed_at": at,
                              "heads": {repository: head}})


def deployment(report_id):
    return Deployment.objects.get(report_id=report_id)


def changes_of(report_id):
    """The pull request numbers a deployment carried."""
    return sorted(deployment(report_id).changes.values_list("pr_number", flat=True))


def direct_pushes_of(report_id):
    return [push.sha for push in deployment(report_id).direct_pushes.all()]


def missing_of(report_id):
    """What an unresolved deployment misses ("" once resolved)."""
    return deployment(report_id).missing


def unresolved_ids():
    return sorted(item.deployment_id for item in unresolved_deployments())


def change_events(event_type=DEPLOYED):
    return LoggedEvent.objects.filter(event_type=event_type).order_by("id")


def event_changes(event_type=DEPLOYED):
    """(pr_number, the deployment that brought the change, or for a revert: that removed it) of each change event."""
    return [(event.data["change"]["pr_number"],
             event.data["revert"]["by_deployment_id"] if event_type == REVERTED else
             event.data["deployment"]["deployment_id"])
            for event in change_events(event_type)]


def statuses():
    return dict(GitHubDelivery.objects.values_list("delivery_id", "status"))
