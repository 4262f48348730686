"""
Models of the ownership registry: who is a Core Committer, of which organization, with which rights on which
repositories and extensions, under which agreements, champions and program policy.

Nothing that decides effectiveness is ever deleted by the application: rights are revoked (``revoked_at``),
agreements revoked or left to expire, champions ended (``valid_until``), so that "was U an effective CC at T?" can
be answered later. Every model keeps an audit history (django-simple-history): who changed what, and when.
These models are internal to the ownership applet; other code uses ``openedx_cc.plugins.ownership.api`` (and
``models_api`` only to point a ForeignKey at one of them). The rules a query must express have one named place
here: ``rights_on_repositories`` and ``rights_valid_at`` (with their querysets).
"""
from datetime import datetime
from typing import Any, Iterable, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openedx_cc.lib.history import AuditHistory
from openedx_cc.plugins.ownership.scopes import describe_scope, scope_key


class Phase(models.TextChoices):
    """
    Phases of the Core Committer program.
    """

    PILOT = "pilot", _("Pilot")
    PUBLISHED = "published", _("Published")
    SCALE = "scale", _("Scale")


class CommitterStatus(models.TextChoices):
    """
    Status of a Core Committer.
    """

    ACTIVE = "active", _("Active")
    EMERITUS = "emeritus", _("Emeritus")
    SUSPENDED = "suspended", _("Suspended")


class AgreementKind(models.TextChoices):
    """
    Kinds of contributor agreement.
    """

    INDIVIDUAL = "individual", _("Individual contributor agreement")
    ENTITY = "entity", _("Entity contributor agreement")
    NDA = "nda", _("Non-disclosure agreement")


class Organization(models.Model):
    """
    An organization that Core Committers belong to.

    .. no_pii: Organizations are companies and institutions, not people.
    """

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=255)
    openedx_provider = models.BooleanField(
        default=False,
        help_text=_("An Open edX provider must hold an entity agreement for its Core Committers to be effective."),
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def rights_on_repositories(repository_keys, *, prefix: str = "") -> models.Q:
    """
    The one ORM form of "which rights apply to a repository": the rights on one of ``repository_keys`` (lower-case
    ``owner/name``, already resolved through the aliases), or on every repository of its owner. ``prefix`` is the
    path from the model queried to the rights (``"rights__"`` from committers).

    Its Python twin is ``RightData.applies_to`` and its SQL twin the rights branches of ``checkquery``;
    tests/plugins/ownership/test_rules.py proves the three agree.
    """
    keys = sorted({key.lower() for key in repository_keys})
    owners = sorted({key.split("/", 1)[0] for key in keys})
    return models.Q(**{f"{prefix}repository__key__in": keys}) | models.Q(
        **{f"{prefix}repository__isnull": True, f"{prefix}owner__in": owners}
    )


def rights_valid_at(at, *, prefix: str = "") -> models.Q:
    """
    The ORM form of "the right is valid at ``at``" (started, not ended, not revoked). Its Python twin is
    ``RightData.valid_at``; tests/plugins/ownership/test_rules.py proves they agree.
    """
    def field(name):
        return f"{prefix}{name}"

    return (
        (models.Q(**{field("valid_from__isnull"): True}) | models.Q(**{field("valid_from__lte"): at}))
        & (models.Q(**{field("valid_until__isnull"): True}) | models.Q(**{field("valid_until__gt"): at}))
        & (models.Q(**{field("revoked_at__isnull"): True}) | models.Q(**{field("revoked_at__gt"): at}))
    )


class CoreCommitterQuerySet(models.QuerySet):
    """Queries on committers that carry a rule of the registry."""

    def holding_rights_on(self, repository_keys: Iterable[str]) -> Self:
        """The committers holding a right (valid or not) that applies to one of ``repository_keys``."""
        return self.filter(rights_on_repositories(repository_keys, prefix="rights__")).distinct()


class CommitRightQuerySet(models.QuerySet):
    """Queries on rights that carry a rule of the registry (one named place each)."""

    def on_repositories(self, repository_keys: Iterable[str]) -> Self:
        """The rights that apply to one of ``repository_keys`` (see ``rights_on_repositories``)."""
        return self.filter(rights_on_repositories(repository_keys))

    def valid_at(self, at: datetime) -> Self:
        """The rights valid at ``at`` (see ``rights_valid_at``)."""
        return self.filter(rights_valid_at(at))


class CoreCommitter(models.Model):
    """
    A Core Committer (or a former one): a GitHub user with commit rights granted by the program.

    ``status`` holds from ``status_since`` (or always) until ``status_until`` (or for ever); earlier statuses are in
    the history and are used to answer questions about the past.

    .. pii: The Core Committer's name and, optionally, email address; their GitHub login is public.
    .. pii_types: name, email_address, username
    .. pii_retirement: retained
    """

    github_username = models.CharField(max_length=39, help_text=_("GitHub login, as the person writes it."))
    github_key = models.CharField(max_length=39, unique=True, editable=False)
    name = models.CharField(max_length=255)
    email = models.EmailField(blank=True, default="")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="committers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The account of this Core Committer in this service, if any: it lets them see their own record."),
    )
    status = models.CharField(max_length=16, choices=CommitterStatus.choices, default=CommitterStatus.ACTIVE)
    status_since = models.DateTimeField(null=True, blank=True)
    status_until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = CoreCommitterQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        ordering = ["github_key"]
        verbose_name = _("Core Committer")

    def __str__(self):
        return self.github_username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.github_key = self.github_username.lower()
        super().save(*args, **kwargs)


class Repository(models.Model):
    """
    A GitHub repository, by its current name.

    .. no_pii: Repositories are public code.
    """

    full_name = models.CharField(max_length=140, help_text=_("owner/name, as GitHub spells it."))
    key = models.CharField(max_length=140, unique=True, editable=False)
    owner = models.CharField(max_length=39, editable=False, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        ordering = ["key"]
        verbose_name_plural = _("repositories")

    def __str__(self):
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.key = self.full_name.lower()
        self.owner = self.key.split("/", 1)[0]
        super().save(*args, **kwargs)


class RepositoryAlias(models.Model):
    """
    A former name of a repository, recorded in the registry (on top of the built-in and configured renames).

    .. no_pii: Repository names are public.
    """

    full_name = models.CharField(max_length=140)
    key = models.CharField(max_length=140, unique=True, editable=False)
    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="aliases")

    history = AuditHistory()

    class Meta:
        ordering = ["key"]
        verbose_name_plural = _("repository aliases")

    def __str__(self):
        return f"{self.full_name} -> {self.repository.full_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.key = self.full_name.lower()
        super().save(*args, **kwargs)


class Extension(models.Model):
    """
    A named part of a repository (a path inside it, as CODEOWNERS would name it), such as a Django app or an XBlock.

    .. no_pii: Extensions are public code.
    """

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="extensions")
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=500, help_text=_("Path prefix inside the repository, e.g. xmodule/video/."))
    # What extension discovery found installed in this service (empty for extensions declared in a roster).
    entry_point_group = models.CharField(max_length=100, blank=True, default="")
    entry_point = models.CharField(max_length=300, blank=True, default="", help_text=_("module:attribute"))
    distribution = models.CharField(max_length=200, blank=True, default="")
    version = models.CharField(max_length=100, blank=True, default="")
    declared_repository = models.CharField(
        max_length=140, blank=True, default="", help_text=_("The repository the distribution names, before aliases.")
    )
    installed = models.BooleanField(default=False, help_text=_("Found installed by the last discovery."))
    discovered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "name"], name="openedx_cc_extension_unique_name"),
        ]

    def __str__(self):
        return f"{self.repository.full_name}:{self.name}"


class CommitRight(models.Model):
    """
    A commit right of a Core Committer: a repository (or every repository of an owner), optionally narrowed to paths
    or to an extension, optionally limited to branches, valid over a period.

    A right is never deleted: revoking it sets ``revoked_at``. Its scope (repository, paths, extension, branches) does
    not change after creation; a different scope is a different right.

    .. no_pii: Rights reference a Core Committer by key; the personal data lives on CoreCommitter.
    """

    committer = models.ForeignKey(CoreCommitter, on_delete=models.PROTECT, related_name="rights")
    repository = models.ForeignKey(
        Repository,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rights",
        help_text=_("Empty for a right on every repository of the owner."),
    )
    owner = models.CharField(
        max_length=39, blank=True,
        help_text=_("Owner of the repository (lower case); set from the repository if empty."),
    )
    paths = models.JSONField(default=list, blank=True, help_text=_("Path prefixes; empty for the whole repository."))
    extension = models.ForeignKey(Extension, null=True, blank=True, on_delete=models.PROTECT, related_name="rights")
    branches = models.JSONField(default=list, blank=True, help_text=_("Branch patterns; empty for every branch."))
    scope_key = models.CharField(max_length=1000, editable=False, default="")
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=255, blank=True, default="", help_text=_("Where the right came from."))
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = CommitRightQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["committer", "repository"], name="occ_right_committer_repo"),
            models.Index(fields=["committer", "owner"], name="occ_right_committer_owner"),
        ]

    def __str__(self):
        return f"{self.committer.github_username}: {self.describe()}"

    def describe(self) -> str:
        """The right's scope in words (``scopes.describe_scope``): repository, paths or extension, branches."""
        extension = self.extension if self.extension_id else None
        return describe_scope(
            repository=self.repository_display,
            paths=self.paths,
            extension_name=extension.name if extension else "",
            extension_path=extension.path if extension else "",
            branches=self.branches,
        )

    # The optional relations are tested by their ``*_id``, which loads no row when they are not set; once an id is
    # set, the relation is that row (loaded on access), never None -- hence the asserts.

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.repository_id and not self.owner:
            assert self.repository is not None
            self.owner = self.repository.owner
        self.owner = self.owner.lower()
        extension_name = ""
        if self.extension_id:
            assert self.extension is not None
            extension_name = self.extension.name
        self.scope_key = scope_key(
            paths=self.paths or (),
            extension_name=extension_name,
            branches=self.branches or (),
        )
        super().save(*args, **kwargs)

    @property
    def repository_display(self):
        """``owner/name``, or ``owner/*`` for a whole-owner right."""
        if self.repository_id:
            assert self.repository is not None
            return self.repository.full_name
        return f"{self.owner}/*"


class Agreement(models.Model):
    """
    A contributor agreement: an individual one or an NDA of a Core Committer, or the entity agreement of an
    organization. Valid from ``signed_on`` until ``expires_on`` (exclusive) unless revoked earlier.

    .. pii: A link to the signed agreement document, shown to staff only.
    .. pii_types: other
    .. pii_retirement: retained
    """

    kind = models.CharField(max_length=16, choices=AgreementKind.choices)
    committer = models.ForeignKey(
        CoreCommitter, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements"
    )
    signed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    document_url = models.URLField(blank=True, default="", help_text=_("Where the signed document is kept."))
    source = models.CharField(max_length=255, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        ordering = ["kind", "signed_on"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="entity", organization__isnull=False, committer__isnull=True)
                    | (~models.Q(kind="entity") & models.Q(committer__isnull=False, organization__isnull=True))
                ),
                name="openedx_cc_agreement_holder_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.F("signed_on")),
                name="openedx_cc_agreement_expires_after_signed",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.holder} signed {self.signed_on}"

    @property
    def holder(self) -> Organization | CoreCommitter | None:
        """
        Who holds it: the organization for an entity agreement, the committer for the others (never None once saved:
        the check constraint openedx_cc_agreement_holder_matches_kind).
        """
        return self.organization if self.kind == AgreementKind.ENTITY else self.committer


class Champion(models.Model):
    """
    An internal champion of a Core Committer (the pilot asks for two per CC).

    .. pii: The champion's name and, optionally, email address and GitHub login.
    .. pii_types: name, email_address, username
    .. pii_retirement: retained
    """

    committer = models.ForeignKey(CoreCommitter, on_delete=models.CASCADE, related_name="champions")
    name = models.CharField(max_length=255)
    email = models.EmailField(blank=True, default="")
    github_username = models.CharField(max_length=39, blank=True, default="")
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (champion of {self.committer})"


class ProgramPhase(models.Model):
    """
    A period of the program: from ``since`` on, the program is in ``phase``, with that phase's default policy
    unless the operator overrides it here.

    .. no_pii: Program policy only.
    """

    phase = models.CharField(max_length=16, choices=Phase.choices)
    since = models.DateTimeField(unique=True)
    require_nda = models.BooleanField(
        null=True, blank=True, help_text=_("Override of the phase default; empty keeps the default.")
    )
    require_champions = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Override of the phase default; empty keeps the default.")
    )
    note = models.CharField(max_length=255, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        ordering = ["since"]

    def __str__(self):
        return f"{self.get_phase_display()} since {self.since:%Y-%m-%d}"
