"""
URLs of openedx-cc. The Open edX plugin mechanism mounts them at the root of LMS/CMS; any other service can
``path("", include("openedx_cc.urls"))``. The REST API lives under ``/api/cc/v1/`` (docs/reference/rest.rst).
"""
from django.urls import include, path

app_name = "openedx_cc"

urlpatterns = [
    path("api/cc/", include("openedx_cc.api.urls")),
]
