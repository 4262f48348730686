"""
What every view of the REST API shares: the global switch, authentication, the contract's error format, the
OpenAPI schema class and pagination.
"""
from django.conf import settings
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.settings import api_settings
from rest_framework.views import APIView, exception_handler

from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.python_api import is_enabled


def host_authenticators():
    """
    The authenticators of the host's REST framework where the host chooses them (LMS and CMS do: JWT, then the
    session, so that anonymous calls get 401), else the session alone.

    Read at each request, not at import: plugin modules load before the host's settings are complete.
    """
    if (getattr(settings, "REST_FRAMEWORK", None) or {}).get("DEFAULT_AUTHENTICATION_CLASSES"):
        # api_settings imports the setting's dotted paths as classes; the stubs type them as the strings of the setting
        classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
        return [authentication() for authentication in classes]  # type: ignore[operator]
    return [SessionAuthentication()]


def _flatten(detail, prefix=""):
    """
    Flatten DRF's nested error details into ``Problem`` objects with dotted/indexed field paths.
    """
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if key in {"non_field_errors", "__all__"}:
                out.extend(_flatten(value, prefix))
            else:
                out.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list):
        if all(isinstance(item, (str, exceptions.ErrorDetail)) for item in detail):
            return [Problem(field=prefix, message=str(item)) for item in detail]
        out = []
        for index, item in enumerate(detail):
            if item:
                out.extend(_flatten(item, f"{prefix}[{index}]"))
        return out
    return [Problem(field=prefix, message=str(detail))]


def problems_response(problems, status_code=status.HTTP_400_BAD_REQUEST):
    """
    The contract's error body: ``{"errors": [{"field": ..., "message": ...}, ...]}``.
    """
    return Response({"errors": [p.as_dict() for p in problems]}, status=status_code)


def cc_exception_handler(exc, context):
    """
    DRF exception handler of the openedx-cc views only (the host's global handler is left alone): validation
    errors become the contract's ``errors`` list; everything else is answered as DRF usually does.
    """
    if isinstance(exc, ValidationFailed):
        return problems_response(exc.problems)
    if isinstance(exc, exceptions.ValidationError):
        return problems_response(_flatten(exc.detail))
    return exception_handler(exc, context)


class CCViewMixin(APIView):
    """
    Mixed into every openedx-cc view: 404 while ``openedx_cc.enabled`` is off, the set's authentication and error
    format, and drf-spectacular's schema whatever the host's default schema class is.

    It derives from ``APIView``, as every view it is mixed into does (the views' MRO is the same either way), so
    that the hooks it overrides are typed.
    """

    schema: ViewInspector | None = AutoSchema()  # None in a view that is no operation of the API

    def get_authenticators(self):
        return host_authenticators()

    def initial(self, request, *args, **kwargs):
        if not is_enabled():
            raise Http404("openedx-cc is not enabled")
        super().initial(request, *args, **kwargs)

    def get_exception_handler(self):
        return cc_exception_handler


class CCPagination(PageNumberPagination):
    """Page-number pagination with a client-chosen page size up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
