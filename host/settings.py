"""
Settings of the host service: what LMS/CMS have (docs/reference/settings.rst) and nothing more; openedx-cc is added by
the plugin mechanism only.

Environment:
    SERVICE_VARIANT            lms (default) or cms: which plugin project type the host is.
    OPENEDX_CC_HOST_DB         sqlite (default), mysql or postgresql.
    OPENEDX_CC_HOST_SQLITE     path of the SQLite file (default: .demo/db.sqlite3).
    OPENEDX_CC_HOST_MYSQL_*    HOST, PORT, USER, PASSWORD, NAME of the MySQL/MariaDB database.
    OPENEDX_CC_HOST_CELERY_BROKER  a Celery broker URL (e.g. redis://127.0.0.1:6379/5): the host then queues
                               background work to Celery as LMS and CMS do (host/celery.py); unset: no Celery, the
                               work runs in process.
    OPENEDX_CC_HOST_HUB        JSON of OPENEDX_CC_HUB ({"url", "instance", "secret"}): the hub this service forwards
                               to (docs/how-to/join-a-hub.rst); unset: none.
    OPENEDX_CC_HOST_EMAIL_DIR  a directory: mails are written there as files (Django's file backend) instead of
                               to the console.
"""
import json
import os
from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps

BASE_DIR = Path(__file__).resolve().parent.parent
SERVICE_VARIANT = os.environ.get("SERVICE_VARIANT", "lms")
PLUGIN_PROJECT_TYPE = f"{SERVICE_VARIANT}.djangoapp"

SECRET_KEY = os.environ.get("OPENEDX_CC_HOST_SECRET_KEY", "insecure-host-key-for-tests-and-the-demo-only")
DEBUG = os.environ.get("OPENEDX_CC_HOST_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
USE_I18N = True

SERVICE_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "waffle",
    "rest_framework",
    "simple_history",
    "openedx_events",
]
# What LMS does in lms/envs/common.py:
INSTALLED_APPS = SERVICE_APPS + ["host"] + get_plugin_apps(PLUGIN_PROJECT_TYPE)

MIDDLEWARE = [
    "edx_django_utils.cache.middleware.RequestCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crum.CurrentRequestUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waffle.middleware.WaffleMiddleware",
]

ROOT_URLCONF = "host.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".demo" / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# LMS and CMS run Celery; this host does only when given a broker (the benchmarks measure both ways).
CELERY_BROKER_URL = os.environ.get("OPENEDX_CC_HOST_CELERY_BROKER") or None

_DB = os.environ.get("OPENEDX_CC_HOST_DB", "sqlite")
if _DB == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("OPENEDX_CC_HOST_MYSQL_NAME", "openedx_cc"),
            "USER": os.environ.get("OPENEDX_CC_HOST_MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("OPENEDX_CC_HOST_MYSQL_PASSWORD", ""),
            "HOST": os.environ.get("OPENEDX_CC_HOST_MYSQL_HOST", "127.0.0.1"),
            "PORT": os.environ.get("OPENEDX_CC_HOST_MYSQL_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4", "init_command": "SET sql_mode='STRICT_TRANS_TABLES'"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
elif _DB == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("OPENEDX_CC_HOST_PG_NAME", "openedx_cc"),
            "USER": os.environ.get("OPENEDX_CC_HOST_PG_USER", "postgres"),
            "HOST": os.environ.get("OPENEDX_CC_HOST_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("OPENEDX_CC_HOST_PG_PORT", "5432"),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("OPENEDX_CC_HOST_SQLITE", str(BASE_DIR / ".demo" / "db.sqlite3")),
            # Concurrent requests of the demo server: readers do not block the writer (WAL), a writer takes the
            # write lock when its transaction starts (no lock upgrade to deadlock on) and waits for it up to 20 s.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }

# The shared secret of signed deployment reports; the demo generates one (.demo/webhook-secret).
OPENEDX_CC_WEBHOOK_SECRET = os.environ.get("OPENEDX_CC_WEBHOOK_SECRET") or None
# The secret of the GitHub webhook (unset: the GitHub intake answers 503).
OPENEDX_CC_GITHUB_WEBHOOK_SECRET = os.environ.get("OPENEDX_CC_GITHUB_WEBHOOK_SECRET") or None

# Site operators who receive openedx-cc notifications (comma-separated in the environment).
OPENEDX_CC_OPERATOR_EMAILS = [e for e in os.environ.get("OPENEDX_CC_OPERATOR_EMAILS", "").split(",") if e.strip()]

# The community hub this service forwards to (docs/how-to/join-a-hub.rst).
OPENEDX_CC_HUB = json.loads(os.environ["OPENEDX_CC_HOST_HUB"]) if os.environ.get("OPENEDX_CC_HOST_HUB") else None

if os.environ.get("OPENEDX_CC_HOST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["OPENEDX_CC_HOST_EMAIL_DIR"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"openedx_cc": {"handlers": ["console"], "level": os.environ.get("OPENEDX_CC_LOG_LEVEL", "WARNING")}},
}

# What LMS does at the end of lms/envs/common.py:
add_plugins(__name__, PLUGIN_PROJECT_TYPE, "common")
