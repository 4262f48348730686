"""
URLs of the REST API v1, under ``/api/cc/v1/``.
"""
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
    path("deployments/", views.DeploymentListView.as_view(), name="deployment-list"),
    re_path(r"^deployments/(?P<deployment_id>[^/]+)/$", views.DeploymentDetailView.as_view(),
            name="deployment-detail"),
    path("metrics/", views.MetricsView.as_view(), name="metrics"),
    path("extensions/", views.ExtensionListView.as_view(), name="extension-list"),
    path("audit/", views.AuditView.as_view(), name="audit"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
]
