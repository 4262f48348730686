"""
Who made a change, for the audit history (django-simple-history).

In a request the user comes from the request; elsewhere (Celery, management commands run inside a request-less
context) from django-crum, which LMS and CMS install; callers such as importers pass their actor explicitly.
"""
from crum import get_current_user


def get_history_user(request=None, **kwargs):  # pylint: disable=unused-argument
    """
    ``get_user`` hook of ``HistoricalRecords``: the authenticated user making the change, or None.
    """
    user = getattr(request, "user", None) if request is not None else None
    if user is None:
        user = get_current_user()
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None
