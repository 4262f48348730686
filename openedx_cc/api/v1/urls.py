"""
URLs of the REST API v1, under ``/api/cc/v1/``.
"""
from django.db import transaction
from django.urls import path, re_path

from . import views

app_name = "v1"

urlpatterns = [
    path("committers/", views.CommitterListView.as_view(), name="committer-list"),
    re_path(r"^committers/(?P<github_username>[A-Za-z0-9-]{1,39})/$", views.CommitterDetailView.as_view(),
            name="committer-detail"),
    path("repositories/", views.RepositoryListView.as_view(), name="repository-list"),
    re_path(r"^repositories/(?P<owner>[^/]+)/(?P<name>[^/]+)/$", views.RepositoryDetailView.as_view(),
            name="repository-detail"),
    path("ownership/check/", views.OwnershipCheckView.as_view(), name="ownership-check"),
    # Recording a report manages its own transactions (it records a report again after losing a race), so it must
    # not run inside the request's transaction of a service with ATOMIC_REQUESTS (as the LMS and CMS have).
    path("deployments/", transaction.non_atomic_requests(views.DeploymentListView.as_view()), name="deployment-list"),
    # "heads" is no report id (docs/reference/report-format.rst): its route comes before the deployments'
    path("deployments/heads/", views.DeploymentHeadsView.as_view(), name="deployment-heads"),
    # a report id may contain "/" (docs/reference/report-format.rst), so the detail route takes the rest of the path
    re_path(r"^deployments/(?P<deployment_id>.+)/$", views.DeploymentDetailView.as_view(),
            name="deployment-detail"),
    # Processing a delivery records deployments, which manage their own transactions (as above).
    path("github/", transaction.non_atomic_requests(views.GitHubDeliveryView.as_view()), name="github-delivery"),
    # Receiving a batch manages its own transaction (it runs it again after losing a race), as above.
    path("hub/events/", transaction.non_atomic_requests(views.HubEventsView.as_view()), name="hub-events"),
    path("hub/changes/", views.HubChangesView.as_view(), name="hub-changes"),
    path("metrics/", views.MetricsView.as_view(), name="metrics"),
    path("extensions/", views.ExtensionListView.as_view(), name="extension-list"),
    path("audit/", views.AuditView.as_view(), name="audit"),
    path("backstage/entities.yaml", views.BackstageEntitiesView.as_view(), name="backstage-entities"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
]
