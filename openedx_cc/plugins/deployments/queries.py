"""
Reading recorded deployments (docs/reference/rest.rst, ``GET deployments/``): who may see which, as querysets for the
REST layer, which never names the models.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch

from openedx_cc.plugins.deployments.models import Deployment, DeploymentSpan
from openedx_cc.plugins.ownership import api as ownership_api

if TYPE_CHECKING:
    from django.db.models import QuerySet


# ``user`` is Any: it is the host's user model, whose ``is_staff`` AbstractBaseUser does not declare.
def deployments_visible_to(user: Any) -> QuerySet[Deployment] | None:
    """
    The deployments ``user`` may see: all of them for staff; for a Core Committer linked to ``user``, those that
    carried one of their own changes; None for anybody else.
    """
    if user is not None and user.is_authenticated and user.is_staff:
        return Deployment.objects.all()
    login = ownership_api.committer_login_for_user(user)
    if login is None:
        return None
    return Deployment.objects.filter(changes__core_committer__iexact=login).distinct()


def deployments_to_show(user: Any) -> QuerySet[Deployment] | None:
    """
    ``deployments_visible_to(user)`` as the API shows them, newest first, with what they roll back and their changes
    loaded, without their stored answers (an answer grows with the deployment's changes); None for nobody.
    """
    queryset = deployments_visible_to(user)
    if queryset is None:
        return None
    without_answers = Deployment.objects.defer("answer")
    return queryset.defer("answer").prefetch_related(Prefetch("rolls_back", queryset=without_answers), "changes")\
        .order_by("-deployed_at", "-id")


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
