"""
drf-spectacular extensions for what the OpenAPI document of this API needs to describe: the authentication of its
host, which LMS and CMS do with edx-drf-extensions' JWT and their own subclasses of the session authentication.
"""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):
    """edx-drf-extensions' ``JwtAuthentication``: ``Authorization: JWT <token>``."""

    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "An Open edX JWT: 'JWT <token>'."}


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """
    The session, also through the subclasses hosts use (LMS's ``DefaultSessionAuthentication``, edx-drf-extensions'
    ``SessionAuthenticationAllowInactiveUser``), which drf-spectacular's own extension does not match.
    """

    target_class = "rest_framework.authentication.SessionAuthentication"
    match_subclasses = True
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
