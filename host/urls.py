"""
URLs of the host: the admin, and whatever the plugins register -- as LMS does in lms/urls.py.
"""
from django.conf import settings
from django.contrib import admin
from django.urls import path
from edx_django_utils.plugins import get_plugin_url_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
]
urlpatterns.extend(get_plugin_url_patterns(settings.PLUGIN_PROJECT_TYPE))
