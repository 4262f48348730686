"""
The recorded deployments in other tools' formats: ``devlake_deployments`` writes each as Apache DevLake's deployment
webhook takes it (docs/reference/cli.rst, "cc_export_deployments"), so that a site running DevLake can feed it from
openedx-cc.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from openedx_cc.lib.timeutil import iso_utc
from openedx_cc.lib.environments import PRODUCTION, STAGING, environment_class
from openedx_cc.plugins.deployments.models import Deployment, DeploymentResult

# DevLake's environments; openedx-cc's are free names, classed as what is forwarded to a hub is
# (openedx_cc/lib/environments.py): production, staging, and other -- DevLake's TESTING.
_DEVLAKE_ENVIRONMENTS = {PRODUCTION: "PRODUCTION", STAGING: "STAGING"}


def devlake_environment(name: str, classes: dict[str, str] | None = None) -> str:
    """The DevLake environment (PRODUCTION, STAGING or TESTING) of an environment name."""
    return _DEVLAKE_ENVIRONMENTS.get(environment_class(name, classes), "TESTING")


def _commit(repository: str, sha: str, message: str, ref: str) -> dict[str, str]:
    return {"repoUrl": f"https://github.com/{repository}", "commitSha": sha, "commitMsg": message, "refName": ref}


def devlake_deployment(deployment: Deployment) -> dict[str, Any]:
    """One deployment as DevLake's deployment webhook takes it (its changes, heads and direct pushes loaded)."""
    ref = deployment.release
    commits = [_commit(change.repository, change.merge_sha, change.title, ref) for change in deployment.changes.all()]
    commits += [_commit(push.repository, push.sha, push.title, ref) for push in deployment.direct_pushes.all()]
    if not commits:  # a rollback, or a deployment that only moved heads: the commits it put there
        commits = [_commit(head.repository, head.sha, "", ref) for head in deployment.heads.all()]
    return {
        "id": deployment.report_id,
        "displayTitle": f"{deployment.service or 'deployment'} to {deployment.environment}"
                        + (f" ({deployment.release})" if deployment.release else ""),
        "result": "FAILURE" if deployment.result == DeploymentResult.FAILURE else "SUCCESS",
        "environment": devlake_environment(deployment.environment),
        "startedDate": iso_utc(deployment.deployed_at),
        "finishedDate": iso_utc(deployment.deployed_at),
        "deploymentCommits": commits,
    }


def devlake_deployments(*, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """
    Every recorded deployment (deployed at or after ``since``), oldest first, as DevLake's deployment webhook takes
    it; read in chunks, a fixed number of queries per chunk.
    """
    queryset = Deployment.objects.defer("answer").order_by("deployed_at", "id").prefetch_related(
        "changes", "direct_pushes", "heads")
    if since is not None:
        queryset = queryset.filter(deployed_at__gte=since)
    for deployment in queryset.iterator(chunk_size=500):
        yield devlake_deployment(deployment)
