"""
Models of the notifications applet: Core Committers' preferences, and the log of every notification that was (or
should have been) sent.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationPreference(models.Model):
    """
    What a Core Committer wants to hear about beyond reverts (which they always hear about).

    .. no_pii: A GitHub login and a flag.
    """

    github_username = models.CharField(max_length=39)
    github_key = models.CharField(max_length=39, unique=True, editable=False)
    notify_on_deploy = models.BooleanField(default=False, help_text=_("Email the CC when their change is deployed."))

    class Meta:
        ordering = ["github_key"]

    def __str__(self):
        return self.github_username

    def save(self, *args, **kwargs):
        self.github_key = self.github_username.lower()
        super().save(*args, **kwargs)


class NotificationStatus(models.TextChoices):
    """Where a notification is."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationLog(models.Model):
    """
    One message to one recipient: what to send (the kind and the context of its templates), to whom, and what
    became of it. A failing mail server leaves it failed, with the error, for ``cc_retry_notifications``.

    .. pii: The recipient's email address (a Core Committer, a champion or a site operator; never a learner).
    .. pii_types: email_address
    .. pii_retirement: retained
    """

    kind = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=255, help_text=_("The event id, or what an expiry is about."))
    recipient = models.EmailField()
    recipient_role = models.CharField(max_length=16, help_text=_("core_committer, champion or operator"))
    context = models.JSONField(default=dict)
    subject = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key", "recipient"], name="openedx_cc_notification_once"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient} ({self.status})"
