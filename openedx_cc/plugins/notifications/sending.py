"""
Sending logged notifications: each message rendered from its kind's templates and mailed, and what happened
recorded on its ``NotificationLog`` entry (sent, or failed with the error); failed and pending ones sent again.
"""
from __future__ import annotations

import logging
from typing import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from openedx_cc.plugins.notifications.models import NotificationLog, NotificationStatus

log = logging.getLogger(__name__)

TEMPLATES = "openedx_cc/notifications"


def _render(entry: NotificationLog) -> tuple[str, str, str]:
    context = dict(entry.context, recipient_role=entry.recipient_role, kind=entry.kind)
    subject = " ".join(render_to_string(f"{TEMPLATES}/{entry.kind}/subject.txt", context).split())
    text = render_to_string(f"{TEMPLATES}/{entry.kind}/body.txt", context)
    html = render_to_string(f"{TEMPLATES}/{entry.kind}/body.html", context)
    return subject, text, html


def send_notifications(ids: Iterable[int]) -> dict[str, int]:
    """
    Render and send the logged messages ``ids`` that are not sent yet; record what happened to each. Returns the
    counts by status.
    """
    counts = {"sent": 0, "failed": 0}
    for entry in NotificationLog.objects.filter(id__in=list(ids)).exclude(status=NotificationStatus.SENT):
        entry.attempts += 1
        try:
            subject, text, html = _render(entry)
            message = EmailMultiAlternatives(subject=subject[:255], body=text, to=[entry.recipient],
                                             from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None))
            message.attach_alternative(html, "text/html")
            message.send()
        except Exception as exc:
            log.warning("Notification %s to %s failed: %s", entry.id, entry.recipient, exc)
            entry.status, entry.last_error = NotificationStatus.FAILED, f"{type(exc).__name__}: {exc}"[:5000]
            counts["failed"] += 1
        else:
            entry.status, entry.subject, entry.last_error, entry.sent_at = (NotificationStatus.SENT, subject[:255],
                                                                            "", timezone.now())
            counts["sent"] += 1
        entry.save(update_fields=["status", "subject", "last_error", "sent_at", "attempts"])
    return counts


def retry_notifications(*, include_pending: bool = True) -> dict[str, int]:
    """Send again the failed (and, by default, pending) messages."""
    statuses = [NotificationStatus.FAILED] + ([NotificationStatus.PENDING] if include_pending else [])
    ids = list(NotificationLog.objects.filter(status__in=statuses).order_by("id").values_list("id", flat=True))
    return send_notifications(ids)
