"""
openedx-cc in a host that has what LMS has and the demo host lacks (host/lms_settings.py): history tables without
the date index, JWT and session authentication from edx-drf-extensions, LMS's REST framework defaults, and a cache
shared by every process of the service. Each case runs the host in processes of its own, since these settings shape
the models and the cache at start-up.
"""
import os
import uuid

import pytest

from tests.integration.servers import ROOT, HostServer, RedisServer, free_port, manage

LMS_LIKE = "host.lms_settings"


def _host_env(tmp_path, **extra):
    return dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}", OPENEDX_CC_HOST_DB="sqlite",
                OPENEDX_CC_HOST_SQLITE=str(tmp_path / "db.sqlite3"), **extra)


@pytest.mark.parametrize("date_index", ["True", "False", "'composite'"])
def test_migrations_do_not_depend_on_the_history_date_index_setting(tmp_path, date_index):
    """LMS and CMS set SIMPLE_HISTORY_DATE_INDEX = False; the default is True: no migration in either host."""
    (tmp_path / "date_index_host.py").write_text(
        f"from host.settings import *\nSIMPLE_HISTORY_DATE_INDEX = {date_index}\n"
    )
    result = manage("date_index_host", _host_env(tmp_path), "makemigrations", "openedx_cc", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.integration
def test_jwt_authentication_and_a_switch_flipped_in_another_process(tmp_path):
    """
    Anonymous calls get 401 (the host authenticates by JWT first), a token LMS would issue is accepted, and a switch
    flipped with ``manage.py waffle_switch`` in another process takes effect in the running server at its next
    request, because both processes share the cache (waffle keeps switch values there).
    """
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    env = _host_env(tmp_path, OPENEDX_CC_HOST_CACHE_URL=f"redis://127.0.0.1:{redis.port}/0",
                    OPENEDX_CC_HOST_CACHE_PREFIX=uuid.uuid4().hex, OPENEDX_CC_HOST_DEBUG="0",
                    OPENEDX_CC_WEBHOOK_SECRET="lms-like-secret")
    server = HostServer(LMS_LIKE, env, tmp_path / "server.log")
    try:
        migrated = manage(LMS_LIKE, env, "migrate", "--noinput", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr
        issued = manage(LMS_LIKE, env, "shell", "-c", (
            "from django.contrib.auth import get_user_model\n"
            "from edx_rest_framework_extensions.auth.jwt.tests.utils import generate_jwt\n"
            "user = get_user_model().objects.create_user('cc-reader', 'reader@example.org', 'pw')\n"
            "print(generate_jwt(user))\n"
        ))
        assert issued.returncode == 0, issued.stderr
        token = issued.stdout.strip().splitlines()[-1]
        jwt = {"Authorization": f"JWT {token}"}
        server.start()

        status, _, _ = server.get("/api/cc/v1/committers/", jwt)
        assert status == 404  # openedx_cc.enabled is off after migrate; the server has now cached that

        flipped = manage(LMS_LIKE, env, "waffle_switch", "openedx_cc.enabled", "on")
        assert flipped.returncode == 0, flipped.stderr

        status, _, body = server.get("/api/cc/v1/committers/", jwt)
        assert status == 200, body
        status, headers, _ = server.get("/api/cc/v1/committers/")
        assert status == 401
        assert headers["WWW-Authenticate"].startswith("JWT")
        status, _, _ = server.get("/api/cc/v1/committers/", {"Authorization": "JWT not-a-token"})
        assert status == 401

        flipped = manage(LMS_LIKE, env, "waffle_switch", "openedx_cc.enabled", "off")
        assert flipped.returncode == 0, flipped.stderr
        status, _, _ = server.get("/api/cc/v1/committers/", jwt)
        assert status == 404
    finally:
        server.stop()
        redis.stop()
