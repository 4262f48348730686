"""
The REST API authenticates as its host does: with the host's REST framework authentication classes where it sets
them (LMS and CMS: JWT, then the session), else with the session alone.
"""
import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

LMS_REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication",
        "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser",
    ],
}


def test_a_session_only_host_answers_anonymous_calls_with_403(client, enabled):
    response = client.get("/api/cc/v1/committers/")
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


def test_a_host_that_authenticates_by_jwt_answers_anonymous_calls_with_401(client, enabled):
    with override_settings(REST_FRAMEWORK=LMS_REST_FRAMEWORK):
        response = client.get("/api/cc/v1/committers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("JWT") or response["WWW-Authenticate"].startswith("Bearer")


def test_the_session_still_works_in_a_jwt_host(client, enabled, plain_user):
    client.force_login(plain_user)
    with override_settings(REST_FRAMEWORK=LMS_REST_FRAMEWORK):
        response = client.get("/api/cc/v1/committers/")
    assert response.status_code == 200


def test_the_openapi_document_describes_the_hosts_authentication_without_warnings(tmp_path):
    import yaml
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    with override_settings(REST_FRAMEWORK=LMS_REST_FRAMEWORK):
        call_command("spectacular", "--fail-on-warn", "--urlconf", "openedx_cc.urls", "--file", str(out))
    schemes = yaml.safe_load(out.read_text())["components"]["securitySchemes"]
    assert set(schemes) == {"jwtAuth", "cookieAuth"}
