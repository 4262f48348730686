"""
Reading recorded deployments (docs/reference/rest.rst, ``GET deployments/``): who may see which, as querysets for the
REST layer, which never names the models.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q

from openedx_cc.plugins.deployments.models import DeployedChange, Deployment, DeploymentKind, DeploymentSpan, Presence
from openedx_cc.plugins.ownership import api as ownership_api

if TYPE_CHECKING:
    from django.db.models import QuerySet


# ``user`` is Any: it is the host's user model, whose ``is_staff`` AbstractBaseUser does not declare.
def deployments_visible_to(user: Any) -> QuerySet[Deployment] | None:
    """
    The deployments ``user`` may see: all of them for staff; for a Core Committer linked to ``user``, those that
    brought one of their own changes and those that removed one (a revert, a rollback); None for anybody else.
    """
    if user is not None and user.is_authenticated and user.is_staff:
        return Deployment.objects.all()
    login = ownership_api.committer_login_for_user(user)
    if login is None:
        return None
    removed_own = DeploymentSpan.objects.filter(core_committer__iexact=login, removed_by__isnull=False)\
        .values("removed_by")
    return Deployment.objects.filter(Q(changes__core_committer__iexact=login) | Q(pk__in=removed_own)).distinct()


def deployments_to_show(user: Any) -> QuerySet[Deployment] | None:
    """
    ``deployments_visible_to(user)`` as the API shows them, newest first, with what they roll back and their changes
    loaded, without their stored answers (an answer grows with the deployment's changes); None for nobody.
    """
    queryset = deployments_visible_to(user)
    if queryset is None:
        return None
    without_answers = Deployment.objects.defer("answer")
    return queryset.defer("answer").select_related("completed_by").prefetch_related(
        Prefetch("rolls_back", queryset=without_answers), "changes", "heads", "direct_pushes",
    ).order_by("-deployed_at", "-id")


def no_deployments() -> QuerySet[Deployment]:
    """An empty queryset of deployments (for the schema generator)."""
    return Deployment.objects.none()


def deployment_spans() -> QuerySet[DeploymentSpan]:
    """
    Every presence of a change in an environment, as a period (``DeploymentSpan``: ``change``, ``environment``,
    ``deployed_at``, ``release``, ``repository_key``, ``is_cc_change``, ``core_committer``, ``removed_at``,
    ``removed_kind``, ``seconds_to_removal``), as a queryset for the metrics to filter and aggregate.
    """
    return DeploymentSpan.objects.all()


def deployments_for_metrics() -> QuerySet[Deployment]:
    """
    Every recorded deployment (``Deployment``: ``environment``, ``release``, ``kind``, ``result``, ``deployed_at``),
    as a queryset for the DORA metrics to filter and aggregate, annotated with ``only_reworks``: true for a rollback,
    and for a deployment whose every change reverts another change (a revert-only deployment).
    """
    brought = DeployedChange.objects.filter(deployment=OuterRef("pk"))
    only_reworks = Q(kind=DeploymentKind.ROLLBACK) | (
        Exists(brought.filter(change__reverts__isnull=False)) & ~Exists(brought.filter(change__reverts__isnull=True)))
    return Deployment.objects.annotate(only_reworks=ExpressionWrapper(only_reworks, output_field=BooleanField()))


def _removal(span: DeploymentSpan) -> dict[str, Any]:
    return {
        "kind": span.removed_kind,
        "by_deployment": span.removed_by.report_id if span.removed_by else None,
        "at": span.removed_at,
    }


def change_fates(deployment: Deployment) -> dict[int, dict[str, Any]]:
    """
    What became of each change of ``deployment`` in its environment, by change id: whether it is there now
    (``present``), each time it left after that deployment (``removals``: ``kind`` revert or rollback,
    ``by_deployment``, ``at``) and, if it is gone, the change that reverted it last (``reverted_by``). Two queries.
    """
    fates: dict[int, dict[str, Any]] = {}
    change_ids = [change.pk for change in deployment.changes.all()]
    presences = Presence.objects.filter(environment=deployment.environment, change_id__in=change_ids)\
        .select_related("removed_by_change")\
        .only("change_id", "present", "removed_by_change__repository", "removed_by_change__pr_number")
    for presence in presences:
        by = presence.removed_by_change
        fates[presence.change_id] = {"present": presence.present, "removals": [],
                                     "reverted_by": None if presence.present or by is None else str(by)}
    spans = DeploymentSpan.objects.filter(environment=deployment.environment, change_id__in=change_ids,
                                          removed_by__isnull=False, removed_at__gte=deployment.deployed_at)\
        .select_related("removed_by").only("change_id", "removed_kind", "removed_at", "removed_by__report_id")\
        .order_by("removed_at", "id")
    for span in spans:
        fates.setdefault(span.change_id, {"present": False, "removals": [], "reverted_by": None})["removals"]\
            .append(_removal(span))
    return fates


def changes_removed_by(deployment: Deployment, *, login: str | None = None) -> list[dict[str, Any]]:
    """
    The changes that ``deployment`` removed from its environment (reverted, or rolled back), with the Core
    Committer credited; only those of ``login`` when given. One query.
    """
    spans = DeploymentSpan.objects.filter(removed_by=deployment).select_related("change", "deployed_by")\
        .only("removed_kind", "removed_at", "core_committer", "change__repository", "change__pr_number",
              "change__title", "change__url", "deployed_by__report_id").order_by("change__repository_key",
                                                                                 "change__pr_number")
    if login is not None:
        spans = spans.filter(core_committer__iexact=login)
    return [{"repository": span.change.repository, "pr_number": span.change.pr_number, "title": span.change.title,
             "url": span.change.url, "core_committer": span.core_committer, "kind": span.removed_kind,
             "brought_by": span.deployed_by.report_id, "at": span.removed_at}
            for span in spans]
