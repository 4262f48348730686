"""
Data taken and returned by the ownership API. Plain frozen attrs classes (and a named tuple where
thousands are built at once): standard library and attrs only.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import attr

PHASE_DEFAULTS = {
    # phase: (require_nda, require_champions) -- docs/reference/glossary.rst, "program phase"
    "pilot": (True, 2),
    "published": (False, 2),
    "scale": (False, 0),
}


@attr.s(frozen=True)
class PolicyData:
    """
    The program policy in force at a moment: the phase and what it requires.
    """

    phase = attr.ib(type=str)
    since = attr.ib(type=datetime | None, default=None)
    require_nda = attr.ib(type=bool, default=True)
    require_champions = attr.ib(type=int, default=2)


def right_applies_to(right_repository: str, repository_key: str) -> bool:
    """
    Whether a right on ``right_repository`` (``owner/name``, or ``owner/*`` for a whole-owner right, in any case) is
    one on repository ``repository_key`` (lower-case ``owner/name``): a right on that repository, or on every
    repository of its owner. The ORM twin is ``CommitRightQuerySet.on_repositories`` and the SQL twin the rights
    branches of ``checkquery``; tests/plugins/ownership/test_rules.py proves they agree.
    """
    repo = right_repository.lower()
    if repo.endswith("/*"):
        return repository_key.split("/", 1)[0] == repo[:-2]
    return repo == repository_key


@attr.s(frozen=True)
class RightData:
    """
    A commit right, as the API reports it.
    """

    id = attr.ib(type=int)
    github_username = attr.ib(type=str)
    repository = attr.ib(type=str)
    paths = attr.ib(type=tuple[str, ...], default=())
    extension = attr.ib(type=str, default="")
    extension_path = attr.ib(type=str, default="")
    branches = attr.ib(type=tuple[str, ...], default=())
    valid_from = attr.ib(type=datetime | None, default=None)
    valid_until = attr.ib(type=datetime | None, default=None)
    revoked_at = attr.ib(type=datetime | None, default=None)
    source = attr.ib(type=str, default="")

    @property
    def is_whole_repository(self) -> bool:
        """Whether the right is not narrowed to paths or an extension."""
        return not self.paths and not self.extension

    @property
    def scope(self) -> str:
        """The scope of the right as events name it: the extension, else the path prefixes; "" = whole repo."""
        if self.extension:
            return self.extension
        return ", ".join(self.paths)

    def applies_to(self, repository_key: str) -> bool:
        """Whether the right is one on repository ``repository_key`` (``right_applies_to``)."""
        return right_applies_to(self.repository, repository_key)

    def valid_at(self, at: datetime) -> bool:
        """
        Whether the right is valid at ``at`` (not before it starts, not after it ends or was revoked). The ORM twin
        is ``CommitRightQuerySet.valid_at``; tests/plugins/ownership/test_rules.py proves they agree.
        """
        if self.valid_from is not None and at < self.valid_from:
            return False
        if self.valid_until is not None and at >= self.valid_until:
            return False
        if self.revoked_at is not None and at >= self.revoked_at:
            return False
        return True


@attr.s(frozen=True)
class CheckedRight:
    """
    A right considered by an ownership check: whether it covers the asked scope and is valid at the asked time.
    """

    right = attr.ib(type=RightData)
    covers = attr.ib(type=bool)
    valid = attr.ib(type=bool)


@attr.s(frozen=True)
class OwnershipCheck:
    """
    The answer to "is GitHub user U an effective Core Committer of repository R (path P, branch B) at time T?".

    ``reasons`` are sentences for people: why yes (which right covers it and which conditions hold), or every
    reason why not.
    """

    allowed = attr.ib(type=bool)
    user = attr.ib(type=str)
    repository = attr.ib(type=str)
    path = attr.ib(type=str | None, default=None)
    branch = attr.ib(type=str | None, default=None)
    at = attr.ib(type=datetime | None, default=None)
    reasons = attr.ib(type=tuple[str, ...], default=())
    rights = attr.ib(type=tuple[CheckedRight, ...], default=())
    policy = attr.ib(type=PolicyData | None, default=None)

    @property
    def covering_rights(self) -> tuple[RightData, ...]:
        """The rights that cover the scope and are valid at the time asked."""
        return tuple(c.right for c in self.rights if c.covers and c.valid)


@attr.s(frozen=True)
class AgreementState:
    """
    The state of one kind of agreement of a committer at a moment: ``valid``, ``missing``, ``expired``,
    ``revoked``, ``not_yet_signed`` or ``not_required``.
    """

    kind = attr.ib(type=str)
    state = attr.ib(type=str)
    signed_on = attr.ib(type=date | None, default=None)
    expires_on = attr.ib(type=date | None, default=None)


@attr.s(frozen=True)
class ScopeQuestion:
    """One question of ``check_ownership_many``: user, repository (already resolved), paths, time."""

    github_username = attr.ib(type=str)
    repository = attr.ib(type=str)
    paths = attr.ib(type=tuple[str, ...], default=())
    at = attr.ib(type=datetime | None, default=None)


@attr.s(frozen=True)
class CommitterState:
    """Agreement states and effectiveness (scope aside) of a committer at a moment."""

    agreements = attr.ib(type=dict[str, AgreementState])
    champions = attr.ib(type=int)
    problems = attr.ib(type=tuple[str, ...])

    @property
    def in_good_standing(self) -> bool:
        """Whether every condition that does not depend on a scope holds (status, agreements, champions)."""
        return not self.problems


@attr.s(frozen=True)
class EffectiveCommitter:
    """A committer who is effective on (part of) a repository, with the rights that make them so."""

    github_username = attr.ib(type=str)
    name = attr.ib(type=str)
    rights = attr.ib(type=tuple[RightData, ...])

    @property
    def whole_repository(self) -> bool:
        """Whether one of the rights covers the whole repository."""
        return any(r.is_whole_repository for r in self.rights)


class CommitterName(NamedTuple):
    """A committer effective on (part of) a repository, by GitHub login and name only (a listing of names)."""

    github_username: str
    name: str


@attr.s(frozen=True)
class RightChange:
    """A right that was granted, changed or revoked, for the ownership events."""

    right_id = attr.ib(type=int)
    action = attr.ib(type=str)  # "granted", "changed", "revoked"


@attr.s(frozen=True)
class DiscoveredExtension:
    """An entry point found installed in this service, with the repository its distribution names."""

    group = attr.ib(type=str)
    name = attr.ib(type=str)
    value = attr.ib(type=str)
    distribution = attr.ib(type=str)
    version = attr.ib(type=str)
    declared_repository = attr.ib(type=str, default="")  # owner/name as the distribution's metadata says
    repository = attr.ib(type=str, default="")  # through the aliases; "" when the metadata names none

    @property
    def extension_name(self) -> str:
        """The name it is recorded under in its repository: ``group:name``."""
        return f"{self.group}:{self.name}"

    @property
    def path(self) -> str:
        """The package directory of the entry point's module, as a path prefix in the repository (a guess)."""
        module = self.value.split(":", 1)[0].strip()
        parts = [p for p in module.split(".") if p]
        return "/".join(parts[:-1] or parts) + "/"


@attr.s(frozen=True)
class ExpiringItem:
    """A right or an agreement that ends soon: what it is, whose, and when it ends."""

    kind = attr.ib(type=str)  # "right", "individual", "nda", "entity"
    holder = attr.ib(type=str)  # GitHub login, or organization slug for entity agreements
    description = attr.ib(type=str)
    ends = attr.ib(type=date)  # a datetime (rights, a subclass of date) or a date (agreements)


@attr.s(frozen=True)
class Contact:
    """How to reach a Core Committer and their champions (emails are personal data: for notifications only)."""

    github_username = attr.ib(type=str)
    name = attr.ib(type=str)
    email = attr.ib(type=str, default="")
    # (name, email) of the current champions with an email
    champions = attr.ib(type=tuple[tuple[str, str], ...], default=())


@attr.s(frozen=True)
class RegistrySummary:
    """The registry at a glance, for the operators' dashboard."""

    by_status = attr.ib(type=tuple[tuple[str, int], ...])  # (status, count)
    # (organization name, count), committers without one as ""
    by_organization = attr.ib(type=tuple[tuple[str, int], ...])
    committers = attr.ib(type=int)
    effective = attr.ib(type=int)  # committers in good standing with at least one valid right
    repositories = attr.ib(type=int)
    # full names of repositories no effective CC covers (first ``limit``)
    without_effective = attr.ib(type=tuple[str, ...])
    without_effective_count = attr.ib(type=int)
    expiring = attr.ib(type=tuple[ExpiringItem, ...])
