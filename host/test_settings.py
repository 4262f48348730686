"""
Test settings of the host: the common settings plus what LMS's ``lms/envs/test.py`` does for plugins.

``OPENEDX_CC_TEST_DB`` chooses the database of the suite: sqlite (default, in memory), mysql or postgresql.
"""
import os

os.environ.setdefault("OPENEDX_CC_HOST_DB", os.environ.get("OPENEDX_CC_TEST_DB", "sqlite"))

from host.settings import *  # noqa: E402,F401,F403
from edx_django_utils.plugins import add_plugins  # noqa: E402

from host.settings import DATABASES, PLUGIN_PROJECT_TYPE  # noqa: E402

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OPENEDX_CC_WEBHOOK_SECRET = "test-webhook-secret"
OPENEDX_CC_GITHUB_WEBHOOK_SECRET = "test-github-secret"

add_plugins(__name__, PLUGIN_PROJECT_TYPE, "test")
