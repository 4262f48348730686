"""
URLs of a service that includes openedx-cc by hand.
"""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("openedx_cc.urls")),
]
