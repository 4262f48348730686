"""
Models of the GitHub intake: each delivery as GitHub sent it, the pushes that make up the branches' history (with
the commits each push listed), and GitHub's deployments with their statuses.

The merged pull requests that GitHub describes are not kept here: they go to the deployments applet, whose reports
need them too (docs/decisions/0014-github-intake.rst).
"""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.fields import ExactCharField


class DeliveryStatus(models.TextChoices):
    """What became of a delivery."""

    PENDING = "pending", _("Pending")  # stored, not processed yet (or met a passing error: ``detail`` says which)
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")  # an event or action the set does nothing with
    FAILED = "failed", _("Failed")  # processing failed: ``detail`` says why; processed again by the command
    UNRESOLVED = "unresolved", _("Unresolved")  # a deployment recorded without its changes (``detail``: what misses)


class GitHubDelivery(models.Model):
    """
    One webhook delivery, stored before anything else is done with it: the event, the action, GitHub's delivery id
    (the idempotency key) and the raw body (zlib-compressed, exactly the bytes GitHub signed), then what processing
    made of it.

    The raw body is GitHub's payload as sent: push payloads carry the names and email addresses of commit authors,
    committers and the pusher, and every payload names GitHub users. Nothing else of the set copies a name or an
    address out of it.

    .. pii: The raw webhook body: names and email addresses of commit authors, committers and pushers; GitHub logins.
    .. pii_types: name, email_address, username
    .. pii_retirement: retained
    """

    delivery_id = ExactCharField(max_length=100, unique=True, help_text=_("X-GitHub-Delivery (idempotency key)."))
    event = models.CharField(max_length=50, db_index=True, help_text=_("X-GitHub-Event."))
    action = models.CharField(max_length=50, blank=True, default="")
    repository = models.CharField(max_length=140, blank=True, default="", help_text=_("As GitHub named it."))
    body = models.BinaryField(help_text=_("The raw body, zlib-compressed."))
    body_size = models.PositiveIntegerField(default=0, help_text=_("Bytes of the raw body."))
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING,
                              db_index=True)
    detail = models.TextField(blank=True, default="", help_text=_("The error, or why it was ignored or is unresolved."))
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("GitHub delivery")
        verbose_name_plural = _("GitHub deliveries")

    def __str__(self):
        return f"{self.event}{'.' + self.action if self.action else ''} {self.delivery_id}"


class GitHubPush(models.Model):
    """
    One push to a branch, as GitHub described it: the branch moved from ``before`` to ``after``. The pushes of a
    repository, chained by these shas, are its history as far as the set knows it (GitHub's payloads name no parent
    commits).

    .. no_pii: Public repository history: branch names, commit shas, the pusher's GitHub login.
    """

    repository = models.CharField(max_length=140, help_text=_("owner/name, after the repository aliases."))
    repository_key = models.CharField(max_length=140)
    ref = models.CharField(max_length=255, help_text=_("refs/heads/<branch>"))
    before = models.CharField(max_length=64)
    after = models.CharField(max_length=64)
    forced = models.BooleanField(default=False)
    created = models.BooleanField(default=False)
    pusher = models.CharField(max_length=100, blank=True, default="", help_text=_("GitHub login of the pusher."))
    pushed_at = models.DateTimeField(help_text=_("When GitHub says the push happened."))
    commits_listed = models.PositiveIntegerField(default=0, help_text=_("How many commits GitHub listed."))
    commits_kept = models.PositiveIntegerField(default=0)
    delivery = models.ForeignKey(GitHubDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pushed_at", "-id"]
        constraints = [
            # Two hooks (a repository's and its organization's) deliver the same push under two delivery ids.
            models.UniqueConstraint(fields=["repository_key", "ref", "before", "after"],
                                    name="openedx_cc_github_push_unique"),
        ]
        indexes = [
            models.Index(fields=["repository_key", "pushed_at"], name="occ_ghpush_repo_pushed_at"),
            models.Index(fields=["repository_key", "before"], name="occ_ghpush_repo_before"),
        ]
        verbose_name = _("GitHub push")

    def __str__(self):
        return f"{self.repository} {self.ref}: {self.before[:12]}..{self.after[:12]}"


class GitHubPushedCommit(models.Model):
    """
    A commit a push listed, in the push's order (the last is the push's ``after``), with the first line of its
    message. A push lists at most 2,048 commits; the set keeps the last ones (docs/decisions/0014-github-intake.rst).

    .. no_pii: Commit shas and the first line of commit messages.
    """

    push = models.ForeignKey(GitHubPush, on_delete=models.CASCADE, related_name="commits")
    repository_key = models.CharField(max_length=140)
    sha = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["push", "position"]
        constraints = [
            models.UniqueConstraint(fields=["push", "position"], name="openedx_cc_github_commit_position"),
        ]
        indexes = [models.Index(fields=["repository_key", "sha"], name="occ_ghcommit_repo_sha")]
        verbose_name = _("GitHub pushed commit")

    def __str__(self):
        return f"{self.sha[:12]} {self.title}"


class Recorded(models.TextChoices):
    """What the set recorded of a GitHub deployment."""

    NOTHING = "", _("Nothing yet")
    DEPLOYMENT = "deployment", _("A deployment")
    UNRESOLVED = "unresolved", _("A deployment whose changes are unresolved")
    FAILURE = "failure", _("A failed attempt")


class GitHubDeployment(models.Model):
    """
    A GitHub deployment (an environment asked to run a commit), its latest status, and what the set recorded of it:
    a deployment (``report_id``), a failed attempt, or a deployment whose changes are unresolved.

    .. no_pii: Deployment metadata.
    """

    github_id = models.BigIntegerField(unique=True, help_text=_("GitHub's deployment id."))
    report_id = ExactCharField(max_length=255, db_index=True, help_text=_("github:<owner>/<name>:<id>"))
    repository = models.CharField(max_length=140, help_text=_("owner/name, after the repository aliases."))
    repository_key = models.CharField(max_length=140, db_index=True)
    sha = models.CharField(max_length=64)
    ref = models.CharField(max_length=255, blank=True, default="")
    environment = ExactCharField(max_length=255)
    service = models.CharField(max_length=100, blank=True, default="")
    task = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(help_text=_("When GitHub created the deployment."))
    state = models.CharField(max_length=16, default="pending", help_text=_("The latest status GitHub gave it."))
    state_at = models.DateTimeField(null=True, blank=True)
    deployed_at = models.DateTimeField(null=True, blank=True, help_text=_("The time of its first success status."))
    recorded = models.CharField(max_length=16, choices=Recorded.choices, blank=True, default="",
                                help_text=_("What the set recorded of it."))
    detail = models.TextField(blank=True, default="", help_text=_("What an unresolved deployment misses."))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("GitHub deployment")

    def __str__(self):
        return self.report_id


class GitHubDeploymentStatus(models.Model):
    """
    One status GitHub gave a deployment (``pending``, ``queued``, ``in_progress``, ``success``, ``failure``,
    ``error``, ``inactive``).

    .. no_pii: Deployment metadata.
    """

    deployment = models.ForeignKey(GitHubDeployment, on_delete=models.CASCADE, related_name="statuses")
    github_id = models.BigIntegerField(unique=True, help_text=_("GitHub's deployment status id."))
    state = models.CharField(max_length=16)
    description = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    delivery = models.ForeignKey(GitHubDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "github_id"]
        verbose_name = _("GitHub deployment status")
        verbose_name_plural = _("GitHub deployment statuses")

    def __str__(self):
        return f"{self.deployment}: {self.state}"
