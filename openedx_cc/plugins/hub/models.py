"""
Models of the hub applet, for each side of a community hub (docs/reference/hub.rst).

On an instance (a service that forwards): ``ForwardedEvent``, what became of each logged change event on its way to
the hub. The event log stays the outbox: a logged ``CC_CHANGE_DEPLOYED`` or ``CC_CHANGE_REVERTED`` with no sent
``ForwardedEvent`` is pending.

On the hub: ``HubInstance`` (a registered instance and what it was last refused for), ``HubChange`` (a change that
some instance reported) and ``HubEvent`` (each event received, reduced to the fields an instance may send).
"""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.environments import ENVIRONMENT_CLASSES


class ForwardingStatus(models.TextChoices):
    """Where a logged event stands on its way to the hub."""

    PENDING = "pending", _("Pending")  # not tried yet
    FAILING = "failing", _("Failing")  # tried; ``last_error`` says why; tried again after ``next_attempt_at``
    SENT = "sent", _("Sent")  # the hub accepted it (or already had it)


class ForwardedEvent(models.Model):
    """
    One logged change event on its way to the hub: enrolled (in log order) when the forwarder first sees it, sent in
    batches, retried with backoff while the hub is unreachable or refuses the batch.

    .. no_pii: Event ids, times and errors only; the payload stays in the event log.
    """

    event_id = models.UUIDField(unique=True, help_text=_("The logged event's openedx-events metadata id."))
    event_type = models.CharField(max_length=255)
    position = models.BigIntegerField(
        db_index=True, help_text=_("The event's place in the event log: events are forwarded in this order."))
    recorded_at = models.DateTimeField(help_text=_("When the event was logged."))
    status = models.CharField(max_length=16, choices=ForwardingStatus.choices, default=ForwardingStatus.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True,
                                           help_text=_("While failing: not tried again before this time."))
    last_error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("event forwarded to the hub")
        verbose_name_plural = _("events forwarded to the hub")

    def __str__(self):
        return f"{self.event_type} {self.event_id} ({self.status})"


class HubInstance(models.Model):
    """
    An instance registered with this hub (``cc_hub_instance add``). Its secret is not stored: it is derived from the
    hub's ``SECRET_KEY`` and ``secret_salt``, so a copy of the database does not let anyone sign as the instance
    (docs/decisions/0017-community-hub.rst).

    .. pii: The contact email of the instance's operators.
    .. pii_types: email_address
    .. pii_retirement: local_api
    """

    name = models.CharField(max_length=100, unique=True,
                            help_text=_("The instance's name, as it sends it in X-CC-Instance."))
    contact = models.EmailField(blank=True, default="", help_text=_("Who runs the instance."))
    secret_salt = models.CharField(max_length=64, help_text=_("Renewed on rotation; the secret derives from it."))
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True,
                                      help_text=_("Revoked: its deliveries are refused (401); what it sent stays."))
    last_accepted_at = models.DateTimeField(null=True, blank=True)
    last_refused_at = models.DateTimeField(null=True, blank=True)
    last_refusal = models.TextField(blank=True, default="", help_text=_("Why its last delivery was refused."))
    max_clock_skew_seconds = models.IntegerField(
        default=0, help_text=_("The largest lead of an event's time over the hub's clock seen from it."))
    secret_rotated_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When its secret was last renewed (cc_hub_instance rotate)."))
    notes = models.TextField(
        blank=True, default="",
        help_text=_("What the hub noticed in its accepted batches, newest first: event types it does not know, event "
                    "ids another instance also sent, clocks ahead of the hub's."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("hub instance")

    def __str__(self):
        return self.name


class HubChange(models.Model):
    """
    A change that an instance reported: repository, pull request and the Core Committer credited (as the first
    instance to report it credited them).

    .. no_pii: Public pull-request data and a GitHub login.
    """

    repository = models.CharField(max_length=140)
    repository_key = models.CharField(max_length=140, help_text=_("owner/name, lower-cased."))
    pr_number = models.PositiveIntegerField()
    merge_sha = models.CharField(max_length=64, blank=True, default="")
    title = models.TextField(blank=True, default="")
    url = models.URLField(max_length=500, blank=True, default="")
    core_committer = models.CharField(max_length=100, blank=True, default="")
    core_committer_key = models.CharField(max_length=100, blank=True, default="", db_index=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    first_reported_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-first_reported_at", "-id"]
        verbose_name = _("change reported to the hub")
        verbose_name_plural = _("changes reported to the hub")
        constraints = [models.UniqueConstraint(fields=["repository_key", "pr_number"], name="cc_hub_change_unique")]

    def __str__(self):
        return f"{self.repository}#{self.pr_number}"


class HubEventKind(models.TextChoices):
    """What an instance reported of a change."""

    DEPLOYED = "deployed", _("Deployed")
    REVERTED = "reverted", _("Reverted or rolled back")


class HubEvent(models.Model):
    """
    One event an instance sent, reduced to the allow-listed fields (docs/reference/hub.rst): the change it is about,
    the class of the environment, when the change was deployed and, for a removal, how and when.

    .. no_pii: Public pull-request data, a GitHub login, environment classes and times.
    """

    instance = models.ForeignKey(HubInstance, on_delete=models.PROTECT, related_name="events")
    # Indexed alone too: the hub looks up a batch's ids across every instance (ids another instance also sent).
    event_id = models.UUIDField(db_index=True, help_text=_("The instance's event id; unique per instance."))
    kind = models.CharField(max_length=16, choices=HubEventKind.choices)
    change = models.ForeignKey(HubChange, on_delete=models.PROTECT, related_name="events")
    environment_class = models.CharField(max_length=16, choices=[(c, c) for c in ENVIRONMENT_CLASSES])
    time = models.DateTimeField(help_text=_("The event's time, as the instance's clock gave it."))
    deployed_at = models.DateTimeField()
    revert_kind = models.CharField(max_length=16, blank=True, default="", help_text=_("revert or rollback"))
    reverted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("event received by the hub")
        verbose_name_plural = _("events received by the hub")
        constraints = [models.UniqueConstraint(fields=["instance", "event_id"], name="cc_hub_event_unique")]
        indexes = [models.Index(fields=["change", "instance", "kind"], name="cc_hub_event_change")]

    def __str__(self):
        return f"{self.instance_id}:{self.event_id}"
