"""
The audit history of openedx-cc's models (django-simple-history): who made a change, and a history table whose
shape does not depend on the host's settings.

In a request the user comes from the request; elsewhere (Celery, management commands run inside a request-less
context) from django-crum, which LMS and CMS install; callers such as imports pass their actor explicitly.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crum import get_current_user
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


def get_history_user(
    request: HttpRequest | None = None, **kwargs: object
) -> AbstractBaseUser | AnonymousUser | None:
    """
    ``get_user`` hook of ``HistoricalRecords``: the authenticated user making the change, or None.
    """
    user: AbstractBaseUser | AnonymousUser | None = getattr(request, "user", None) if request is not None else None
    if user is None:
        user = get_current_user()
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


class AuditHistory(HistoricalRecords):  # type: ignore[misc]  # django-simple-history ships no type hints
    """
    ``HistoricalRecords`` with openedx-cc's history user and an index on ``history_date`` whatever the host says.

    django-simple-history builds the historical models from the host's ``SIMPLE_HISTORY_DATE_INDEX`` (True by
    default; LMS and CMS set it to False). Models whose shape followed a host setting would make
    ``makemigrations --check`` dirty in some hosts and write a migration inside this package there. openedx-cc's
    history tables keep the index its migrations created (the audit reads history by date), on every host
    (docs/decisions/0010-supported-hosts.rst).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("get_user", get_history_user)
        super().__init__(*args, **kwargs)

    @property
    def _date_indexing(self) -> bool:
        return True


# django-simple-history reads these instance attributes when it writes the history row of a save().
_HISTORY_USER = "_history_user"
_CHANGE_REASON = "_change_reason"


def attribute_change(obj: object, *, actor: object | None = None, reason: str | None = None) -> None:
    """
    Say who makes the next ``save()`` of ``obj`` and why, for its history row: the one place that sets
    django-simple-history's per-instance attributes. A None ``actor`` leaves the user to ``get_history_user``.
    """
    if actor is not None:
        setattr(obj, _HISTORY_USER, actor)
    if reason is not None:
        setattr(obj, _CHANGE_REASON, reason)
