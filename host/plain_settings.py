"""
A Django service that is not LMS/CMS: it lists the app in INSTALLED_APPS and includes ``openedx_cc.urls`` itself
(docs/reference/settings.rst), without the plugin mechanism.
"""
from host.settings import *  # noqa: F401,F403

INSTALLED_APPS = SERVICE_APPS + [  # noqa: F405
    "openedx_cc",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
ROOT_URLCONF = "host.plain_urls"
