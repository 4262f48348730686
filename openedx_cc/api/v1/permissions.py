"""
Permission helpers of the REST API.
"""
from rest_framework.permissions import BasePermission


def is_staff(user) -> bool:
    """Whether ``user`` may see personal data (emails, agreement documents, champions)."""
    return bool(user and user.is_authenticated and user.is_staff)


class IsStaff(BasePermission):
    """Only staff users."""

    def has_permission(self, request, view):
        return is_staff(request.user)
