"""
Permission helpers of the REST API.
"""
import hmac

from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission

from openedx_cc.lib.conf import get_secret


def is_staff(user) -> bool:
    """Whether ``user`` may see personal data (emails, agreement documents, champions)."""
    return bool(user and user.is_authenticated and user.is_staff)


class IsStaff(BasePermission):
    """Only staff users."""

    def has_permission(self, request, view):
        return is_staff(request.user)


class IsStaffOrBackstage(BasePermission):
    """
    Staff, or a Backstage location whose ``?token=`` equals ``OPENEDX_CC_BACKSTAGE_TOKEN`` (compared in constant
    time). A wrong token is refused with 403 whoever sends it; while the setting is unset the token is not read and
    only staff pass.
    """

    def has_permission(self, request, view):
        expected = get_secret("OPENEDX_CC_BACKSTAGE_TOKEN")
        given = request.query_params.get("token")
        if expected is not None and given is not None:
            if hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
                return True
            raise PermissionDenied("Wrong Backstage token.")
        if is_staff(request.user):
            return True
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated()
        raise PermissionDenied("Only staff, or a Backstage location with the token, read the Backstage entities.")
