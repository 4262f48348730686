"""
Models of the deployments applet: what the CD pipeline reported, the changes (pull requests) it deployed, how each
change was attributed, what it reverts, and where each change is deployed now.

Deployment records are facts reported by a pipeline; they are written once and never edited by the application.

"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.fields import ExactCharField


class DeploymentKind(models.TextChoices):
    """What a deployment report says happened."""

    DEPLOY = "deploy", _("Deploy")
    ROLLBACK = "rollback", _("Rollback")


class DeploymentSource(models.TextChoices):
    """Who built the report of a deployment (docs/reference/report-format.rst)."""

    REPORT = "report", _("Report")
    REPORTER = "reporter", _("openedx-cc-report")
    GITHUB = "github", _("GitHub")


class DeploymentResult(models.TextChoices):
    """Whether a deployment put its changes in the environment, or was a failed attempt that deployed nothing."""

    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failed attempt")


class Deployment(models.Model):
    """
    One deployment report of a CD pipeline (docs/reference/report-format.rst), stored as recorded, with the answer it
    got.

    .. no_pii: Deployment metadata (environment, service, release) and public pull-request data.
    """

    report_id = ExactCharField(max_length=255, unique=True, help_text=_("The report's id (idempotency key)."))
    environment = ExactCharField(max_length=100, db_index=True)
    service = models.CharField(max_length=100, blank=True, default="")
    release = models.CharField(max_length=255, blank=True, default="", db_index=True)
    kind = models.CharField(max_length=16, choices=DeploymentKind.choices, default=DeploymentKind.DEPLOY)
    deployed_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    body_sha256 = models.CharField(max_length=64, help_text=_("Hash of the canonical JSON of the report."))
    answer = models.JSONField(default=dict, blank=True, help_text=_("What the report was answered."))
    source = models.CharField(max_length=16, choices=DeploymentSource.choices, default=DeploymentSource.REPORT)
    result = models.CharField(max_length=16, choices=DeploymentResult.choices, default=DeploymentResult.SUCCESS)
    missing = models.TextField(blank=True, default="", help_text=_(
        "For a deployment whose changes could not be resolved yet (from GitHub's deliveries): what is missing. "
        "Empty once they are known."))
    completed_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     help_text=_("The report that named the same heads, for an unresolved deployment "
                                                 "that it completed."))
    rolls_back = models.ManyToManyField("self", symmetrical=False, related_name="rolled_back_by", blank=True)
    changes: "models.ManyToManyField[Change, DeployedChange]" = models.ManyToManyField(
        "Change", through="DeployedChange", related_name="deployments")

    class Meta:
        ordering = ["-deployed_at", "-id"]
        indexes = [
            # The next successful deployment of an environment after a failed one (the DORA recovery time): without
            # it, MariaDB walks the deployed_at index from its start for each failed deployment.
            models.Index(fields=["environment", "result", "deployed_at"], name="occ_deploy_env_result_time"),
        ]

    def __str__(self):
        return self.report_id


class DeploymentHead(models.Model):
    """
    The commit of one repository that a deployment put in its environment (the report's ``heads``).

    .. no_pii: Repository names and commit shas.
    """

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="heads")
    environment = ExactCharField(max_length=100)
    repository = models.CharField(max_length=140, help_text=_("owner/name, after the repository aliases."))
    repository_key = models.CharField(max_length=140)
    sha = models.CharField(max_length=64)
    deployed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deployment", "repository_key"], name="openedx_cc_deployment_head_unique"),
        ]
        indexes = [
            models.Index(fields=["environment", "repository_key", "deployed_at"], name="occ_head_env_repo_time"),
            models.Index(fields=["environment", "repository_key", "sha"], name="occ_head_env_repo_sha"),
        ]

    def __str__(self):
        return f"{self.repository}@{self.sha[:12]} in {self.environment}"


class DirectPush(models.Model):
    """
    A commit that a deployment brought and that belongs to no pull request: shown, credited to nobody.

    .. no_pii: Repository names, commit shas and commit subjects.
    """

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="direct_pushes")
    repository = models.CharField(max_length=140)
    sha = models.CharField(max_length=64)
    title = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.repository}@{self.sha[:12]}"


class MergedPullRequest(models.Model):
    """
    A merged pull request as GitHub described it, deployed or not: what fills ``merged_by`` (and ``author``) when a
    report leaves them empty, and the changes that a GitHub deployment's range holds.

    .. no_pii: GitHub logins and public pull-request data.
    """

    repository = models.CharField(max_length=140, help_text=_("owner/name, after the repository aliases."))
    repository_key = models.CharField(max_length=140)
    pr_number = models.PositiveIntegerField()
    merge_sha = models.CharField(max_length=64)
    title = models.TextField(blank=True, default="")
    body = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    author = models.CharField(max_length=39, blank=True, default="")
    merged_by = models.CharField(max_length=39, blank=True, default="")
    merged_at = models.DateTimeField()
    base_ref = models.CharField(max_length=255, blank=True, default="")
    labels = models.JSONField(default=list, blank=True)
    paths = models.JSONField(null=True, blank=True, help_text=_("The files it changed, when GitHub said."))
    learned_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository_key", "pr_number"], name="openedx_cc_merged_pr_unique"),
        ]
        indexes = [models.Index(fields=["repository_key", "merge_sha"], name="occ_merged_pr_sha")]

    def __str__(self):
        return f"{self.repository}#{self.pr_number}"


class Change(models.Model):
    """
    A merged pull request, as deployment reports described it, with its attribution to a Core Committer (at
    ``merged_at``) and the changes it reverts.

    .. no_pii: GitHub logins and public pull-request data.
    """

    repository = models.CharField(max_length=140, help_text=_("owner/name, after the repository aliases."))
    repository_key = models.CharField(max_length=140, db_index=True)
    pr_number = models.PositiveIntegerField()
    change_key = models.CharField(max_length=160, unique=True, help_text=_("repository key and PR number."))
    title = models.TextField(blank=True, default="")
    body = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    merge_sha = models.CharField(max_length=64, db_index=True)
    author = models.CharField(max_length=39)
    merged_by = models.CharField(max_length=39)
    merged_by_source = models.CharField(max_length=16, blank=True, default="", help_text=_(
        "Where merged_by came from: the report, or GitHub's pull request (when the report left it empty); empty "
        "when nobody said."))
    merged_at = models.DateTimeField(db_index=True)
    paths = models.JSONField(default=list, blank=True)
    is_cc_change = models.BooleanField(default=False, db_index=True)
    core_committer = models.CharField(max_length=39, blank=True, default="", db_index=True)
    attribution = models.TextField(blank=True, default="", help_text=_("Why the change counted, or did not."))
    revert_rule = models.CharField(max_length=64, blank=True, default="", help_text=_("How it was seen as a revert."))
    revert_references = models.JSONField(default=list, blank=True)
    reverts = models.ManyToManyField("self", symmetrical=False, related_name="reverted_by", blank=True)
    title_key = models.CharField(max_length=255, blank=True, default="", db_index=True,
                                 help_text=_("The title, trimmed and cut, for revert detection by title."))
    first_reported = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["repository_key", "pr_number"]

    def __str__(self):
        return f"{self.repository}#{self.pr_number}"


class DeployedChange(models.Model):
    """
    A change listed in a deployment report.

    .. no_pii: Links deployments to changes.
    """

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE)
    change = models.ForeignKey(Change, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deployment", "change"], name="openedx_cc_deployed_change_unique"),
        ]

    def __str__(self):
        return f"{self.change} in {self.deployment}"


class Presence(models.Model):
    """
    Where a change is: whether it is deployed in an environment now, which deployment brought it there last and,
    when it left, which deployment removed it and how (a revert, or a rollback).

    .. no_pii: Deployment state only.
    """

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="presences")
    environment = ExactCharField(max_length=100)
    present = models.BooleanField(default=True)
    deployed_by = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+")
    removed_by = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    removed_kind = models.CharField(max_length=16, blank=True, default="")
    removed_by_change = models.ForeignKey(Change, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "environment"], name="openedx_cc_presence_unique"),
        ]
        indexes = [models.Index(fields=["environment", "deployed_by"], name="occ_presence_env_deployment")]

    def __str__(self):
        return f"{self.change} in {self.environment}: {'present' if self.present else 'removed'}"


class DeploymentSpan(models.Model):
    """
    One presence of a change in an environment, as a period: from the deployment that brought it to the one that
    removed it (by a revert or a rollback), if any. What the change-failure metrics count; denormalized for aggregation.

    .. no_pii: Deployment facts and GitHub logins.
    """

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="spans")
    environment = ExactCharField(max_length=100)
    deployed_by = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+")
    deployed_at = models.DateTimeField()
    release = models.CharField(max_length=255, blank=True, default="")
    repository_key = models.CharField(max_length=140)
    is_cc_change = models.BooleanField(default=False)
    core_committer = models.CharField(max_length=39, blank=True, default="")
    removed_by = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_kind = models.CharField(max_length=16, blank=True, default="")
    seconds_to_removal = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["deployed_at"], name="occ_span_deployed_at"),
            models.Index(fields=["environment", "deployed_at"], name="occ_span_env_deployed_at"),
            models.Index(fields=["core_committer", "deployed_at"], name="occ_span_cc_deployed_at"),
            models.Index(fields=["repository_key", "deployed_at"], name="occ_span_repo_deployed_at"),
            models.Index(fields=["change", "environment", "removed_at"], name="occ_span_open"),
        ]

    def __str__(self):
        return f"{self.change} in {self.environment} from {self.deployed_at:%Y-%m-%d}"


class EnvironmentLock(models.Model):
    """
    One row per environment that deployments were reported to. Recording a report locks its environment's row
    (``SELECT ... FOR UPDATE``) for the length of its transaction, so that reports to one environment are recorded
    one after another and each sees what the previous one left there.

    .. no_pii: Environment names only.
    """

    name = ExactCharField(max_length=100, unique=True)

    def __str__(self):
        return self.name
