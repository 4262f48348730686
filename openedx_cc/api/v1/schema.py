"""
drf-spectacular extensions for what the OpenAPI document of this API needs to describe: the JWT authentication of
edx-drf-extensions, which LMS and CMS put in front of their APIs.
"""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):  # pylint: disable=too-few-public-methods
    """edx-drf-extensions' ``JwtAuthentication``: ``Authorization: JWT <token>``."""

    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "An Open edX JWT: 'JWT <token>'."}
