"""
The durable event log: every event openedx-cc emits is written here, with its openedx-events metadata, in the same
transaction as the change that caused it, before anything is sent.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoggedEvent(models.Model):
    """
    One openedx-event of openedx-cc, as it was (or will be) sent.

    ``sent_at`` is the last time it was handed to the receivers (in-process ones and, through openedx-events, the
    event bus producer); it stays empty while events are switched off or when sending failed.

    .. no_pii: Event payloads carry GitHub logins and public pull-request data only.
    """

    event_id = models.UUIDField(
        unique=True, help_text=_("The openedx-events metadata id; subscribers de-duplicate on it.")
    )
    event_type = models.CharField(max_length=255, db_index=True)
    metadata = models.JSONField()
    data = models.JSONField()
    recorded_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("logged event")

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
