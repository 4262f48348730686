"""
Versioned URLs of the REST API.
"""
from django.urls import include, path

urlpatterns = [
    path("v1/", include("openedx_cc.api.v1.urls")),
]
