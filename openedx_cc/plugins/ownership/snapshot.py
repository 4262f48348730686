"""
A registry snapshot: the normalized description of (part of) the ownership registry that every import format produces
and the sync engine applies. Importers differ in what they read; from here on, all imports are the same.

Names in a snapshot are already validated and resolved: repositories are canonical ``owner/name`` (or ``owner/*``
for rights on every repository of an owner), paths normalized, datetimes aware UTC.
"""
from __future__ import annotations

from datetime import date, datetime

import attr


@attr.s(frozen=True)
class AgreementSpec:
    """An agreement of a committer (individual, NDA) or an organization (entity)."""

    kind = attr.ib(type=str)
    signed_on = attr.ib(type=date)
    expires_on = attr.ib(type=date | None, default=None)
    document_url = attr.ib(type=str | None, default=None)  # None: keep whatever the registry has


@attr.s(frozen=True)
class ChampionSpec:
    """A champion of a committer."""

    name = attr.ib(type=str)
    email = attr.ib(type=str | None, default=None)  # None: keep whatever the registry has
    github_username = attr.ib(type=str, default="")
    valid_from = attr.ib(type=datetime | None, default=None)
    valid_until = attr.ib(type=datetime | None, default=None)


@attr.s(frozen=True)
class RightSpec:
    """A commit right. ``repository`` is ``owner/name`` or ``owner/*``; ``extension`` is a name in that repo."""

    repository = attr.ib(type=str)
    paths = attr.ib(type=tuple[str, ...], default=())
    extension = attr.ib(type=str, default="")
    branches = attr.ib(type=tuple[str, ...], default=())
    valid_from = attr.ib(type=datetime | None, default=None)
    valid_until = attr.ib(type=datetime | None, default=None)


@attr.s(frozen=True)
class CommitterSpec:
    """A Core Committer with everything the snapshot says about them."""

    github_username = attr.ib(type=str)
    name = attr.ib(type=str)
    email = attr.ib(type=str | None, default=None)  # None: keep whatever the registry has
    organization = attr.ib(type=str | None, default=None)  # slug
    status = attr.ib(type=str, default="active")
    status_since = attr.ib(type=datetime | None, default=None)
    status_until = attr.ib(type=datetime | None, default=None)
    agreements = attr.ib(type=tuple[AgreementSpec, ...], default=())
    champions = attr.ib(type=tuple[ChampionSpec, ...], default=())
    rights = attr.ib(type=tuple[RightSpec, ...], default=())
    # fields a source does not really know: kept as the registry has them when the committer is already there
    keep_if_registered = attr.ib(type=tuple[str, ...], default=())


@attr.s(frozen=True)
class OrganizationSpec:
    """An organization; ``agreements`` holds its entity agreements."""

    slug = attr.ib(type=str)
    name = attr.ib(type=str)
    openedx_provider = attr.ib(type=bool, default=False)
    agreements = attr.ib(type=tuple[AgreementSpec, ...], default=())


@attr.s(frozen=True)
class ExtensionSpec:
    """A named path inside a repository."""

    name = attr.ib(type=str)
    path = attr.ib(type=str)


@attr.s(frozen=True)
class RepositorySpec:
    """A repository with its former names and its extensions."""

    full_name = attr.ib(type=str)
    aliases = attr.ib(type=tuple[str, ...], default=())
    extensions = attr.ib(type=tuple[ExtensionSpec, ...], default=())


@attr.s(frozen=True)
class PhaseSpec:
    """A program phase from ``since`` on, with optional overrides of its policy."""

    phase = attr.ib(type=str)
    since = attr.ib(type=datetime)
    require_nda = attr.ib(type=bool | None, default=None)
    require_champions = attr.ib(type=int | None, default=None)


@attr.s(frozen=True)
class RegistrySnapshot:
    """What one import says about the registry."""

    source = attr.ib(type=str)
    organizations = attr.ib(type=tuple[OrganizationSpec, ...], default=())
    committers = attr.ib(type=tuple[CommitterSpec, ...], default=())
    repositories = attr.ib(type=tuple[RepositorySpec, ...], default=())
    phases = attr.ib(type=tuple[PhaseSpec, ...], default=())
    notes = attr.ib(type=tuple[str, ...], default=())  # things the format reports without failing (skipped robots, ...)
    # whether the snapshot can be taken as the whole registry (--prune); "" when it can, else why not
    not_prunable = attr.ib(type=str, default="")
