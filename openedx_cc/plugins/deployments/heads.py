"""
Where each repository stands in each environment: the commit each deployment put there (its ``heads``), the latest
one per (environment, repository) that ``GET deployments/heads/`` shows, and the deployments whose changes are not
resolved yet (recorded from GitHub with their heads but without their changes; docs/reference/report-format.rst).
"""
from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.plugins.deployments.data import HeadData, UnresolvedDeployment
from openedx_cc.plugins.deployments.facts import DeploymentFacts
from openedx_cc.plugins.deployments.models import Deployment, DeploymentHead
from openedx_cc.plugins.deployments.report import ReportIn
from openedx_cc.plugins.ownership import api as ownership_api


def resolve_heads(data: ReportIn) -> dict[str, str]:
    """The report's heads under their resolved repository names; ``ValidationFailed`` when two name one repository."""
    if not data.heads:
        return {}
    names = ownership_api.resolve_repository_names(data.heads)
    heads: dict[str, str] = {}
    given: dict[str, str] = {}
    problems = []
    for name, sha in data.heads.items():
        repository = names[name]
        key = repository.lower()
        if key in given:
            problems.append(Problem(field=f"heads.{name}",
                                    message=f"names {repository}, as does heads.{given[key]}"))
            continue
        given[key] = name
        heads[repository] = sha
    if problems:
        raise ValidationFailed(problems)
    return heads


def store_heads(heads: dict[str, str], *, deployment: DeploymentFacts) -> None:
    """Keep the commit that ``deployment`` put in its environment for each repository."""
    DeploymentHead.objects.bulk_create([
        DeploymentHead(deployment_id=deployment.id, environment=deployment.environment, repository=repository,
                       repository_key=repository.lower(), sha=sha, deployed_at=deployment.deployed_at)
        for repository, sha in heads.items()
    ])


def complete_covered(heads: dict[str, str], *, deployment: DeploymentFacts) -> list[str]:
    """
    Mark as completed by ``deployment`` the unresolved deployments of its environment that put one of the same
    heads there: the report says what they brought. Returns their ids.
    """
    if not heads:
        return []
    same_head = Q()
    for repository, sha in heads.items():
        same_head |= Q(heads__repository_key=repository.lower(), heads__sha=sha)
    covered = Deployment.objects.filter(same_head, environment=deployment.environment).exclude(missing="")\
        .exclude(pk=deployment.id).distinct()
    ids = list(covered.values_list("id", "report_id"))
    if ids:
        Deployment.objects.filter(pk__in=[pk for pk, _r in ids]).update(missing="", completed_by_id=deployment.id)
    return [report_id for _pk, report_id in ids]


def _head(row: DeploymentHead) -> HeadData:
    return HeadData(repository=row.repository, sha=row.sha, deployment_id=row.deployment.report_id,
                    deployed_at=row.deployed_at)


def current_heads(environment: str) -> dict[str, HeadData]:
    """The latest head of each repository in ``environment`` (by deployment time), by repository name."""
    latest = DeploymentHead.objects.filter(environment=environment, repository_key=OuterRef("repository_key"))\
        .order_by("-deployed_at", "-id").values("id")[:1]
    rows = DeploymentHead.objects.filter(environment=environment, id=Subquery(latest))\
        .select_related("deployment").only("repository", "sha", "deployed_at", "deployment__report_id")\
        .order_by("repository_key")
    return {row.repository: _head(row) for row in rows}


def head_history(environment: str, repository: str) -> list[HeadData]:
    """Each head that deployments put ``repository`` at in ``environment``, oldest first."""
    key = ownership_api.resolve_repository_names([repository])[repository].lower()
    rows = DeploymentHead.objects.filter(environment=environment, repository_key=key)\
        .select_related("deployment").only("repository", "sha", "deployed_at", "deployment__report_id")\
        .order_by("deployed_at", "id")
    return [_head(row) for row in rows]


def unresolved_deployments(*, repository: str | None = None) -> list[UnresolvedDeployment]:
    """The deployments whose changes are not resolved yet, oldest first, one entry per repository head."""
    rows = DeploymentHead.objects.exclude(deployment__missing="").select_related("deployment")\
        .only("repository", "sha", "environment", "deployed_at", "deployment__report_id", "deployment__missing")\
        .order_by("deployed_at", "id")
    if repository is not None:
        key = ownership_api.resolve_repository_names([repository])[repository].lower()
        rows = rows.filter(repository_key=key)
    return [UnresolvedDeployment(deployment_id=row.deployment.report_id, environment=row.environment,
                                 repository=row.repository, sha=row.sha, deployed_at=row.deployed_at,
                                 missing=row.deployment.missing)
            for row in rows]
