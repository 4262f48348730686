"""
A host that has what LMS has and the demo host lacks (lms/envs/common.py): history tables without the date index,
edx-drf-extensions' JWT and session authentication as the REST framework defaults, LMS's other REST framework
defaults, and a cache that every process of the service shares (Redis here, as Tutor configures it).

Used by tests/integration/test_lms_like_host.py in separate processes (``--settings host.lms_settings``), since these
settings shape the models and the cache at start-up.

Environment: ``OPENEDX_CC_HOST_CACHE_URL`` (default ``redis://127.0.0.1:6379/5``), ``OPENEDX_CC_HOST_CACHE_PREFIX``.
"""
import os

from host.settings import *  # noqa: F401,F403

# lms/envs/common.py: the platform's own historical models have no index on history_date.
SIMPLE_HISTORY_DATE_INDEX = False

# lms/envs/common.py (edx-drf-extensions' classes stand for LMS's Default* subclasses of them).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication",
        "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser",
    ],
    "DEFAULT_PAGINATION_CLASS": "edx_rest_framework_extensions.paginators.DefaultPagination",
    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
    "PAGE_SIZE": 10,
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_RATES": {
        "user": "60/minute",
        "service_user": "800/minute",
        "registration_validation": "30/minute",
        "high_service_user": "2000/minute",
    },
}

# The JWT issuer of LMS's own test settings: tokens signed with this secret authenticate.
_JWT_ISSUER = {"AUDIENCE": "lms-key", "ISSUER": "http://127.0.0.1:8000/oauth2",
               "SECRET_KEY": "lms-secret-of-the-lms-like-test-host"}
JWT_AUTH = {
    "JWT_AUDIENCE": _JWT_ISSUER["AUDIENCE"],
    "JWT_ISSUER": _JWT_ISSUER["ISSUER"],
    "JWT_SECRET_KEY": _JWT_ISSUER["SECRET_KEY"],
    "JWT_ISSUERS": [_JWT_ISSUER],
    "JWT_ALGORITHM": "HS256",
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_AUTH_COOKIE": "edx-jwt-cookie",
}

# One cache for every process of the service (LMS runs several workers and Celery): a switch flipped in one process
# is seen by the others.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("OPENEDX_CC_HOST_CACHE_URL", "redis://127.0.0.1:6379/5"),
        "KEY_PREFIX": os.environ.get("OPENEDX_CC_HOST_CACHE_PREFIX", "lms-like"),
    }
}
