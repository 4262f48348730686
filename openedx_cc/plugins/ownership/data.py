"""
Data returned by the ownership API. Plain frozen attrs classes: standard library and attrs only.
"""
from __future__ import annotations

from datetime import date, datetime

import attr

PHASE_DEFAULTS = {
    # phase: (require_nda, require_champions) -- contract section 9
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

    def valid_at(self, at: datetime) -> bool:
        """Whether the right is valid at ``at`` (not before it starts, not after it ends or was revoked)."""
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
