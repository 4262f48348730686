"""
Reads of the registry for listings, the REST API, management commands and other applets: committers, repositories
and extensions as querysets (the model classes stay inside the applet), and repository names through the aliases.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from django.db.models import Prefetch, Q, QuerySet

from openedx_cc.lib.repositories import RepositoryName, configured_aliases, resolve_repository_name
from openedx_cc.plugins.ownership import selectors
from openedx_cc.plugins.ownership.data import PolicyData
from openedx_cc.plugins.ownership.models import (
    CommitRight,
    CommitterStatus,
    CoreCommitter,
    CoreCommitterQuerySet,
    Extension,
    Repository,
)


def resolve_repository(
    name: str, *, default_owner: str | None = None, allow_owner_pattern: bool = False
) -> tuple[RepositoryName, Repository | None]:
    """
    Resolve a repository name through every alias. Returns ``(RepositoryName, Repository or None)``.

    Raises ``InvalidValue`` (with the reason) for a name that is not ``owner/name``.
    """
    return selectors.resolve_repository(name, default_owner=default_owner, allow_owner_pattern=allow_owner_pattern)


def resolve_repository_names(names: Iterable[str]) -> dict[str, str]:
    """
    Resolve many repository names at once through every alias (one query for the registry's aliases).

    Returns ``{name as given: canonical owner/name}``; raises ``InvalidValue`` for a malformed name.
    """
    names = list(dict.fromkeys(names))
    if not names:
        return {}
    configured = configured_aliases()
    first = {name: resolve_repository_name(name, aliases=configured)[0] for name in names}
    keys = sorted({resolved.key for resolved in first.values()})
    # One query: the repositories known under these keys, or that own an alias with one of them.
    registry: dict[str, str] = {}
    known: dict[str, str] = {}
    rows = Repository.objects.filter(Q(key__in=keys) | Q(aliases__key__in=keys)).values_list(
        "key", "full_name", "aliases__key")
    wanted = set(keys)
    for key, full_name, alias_key in rows:
        if key in wanted:
            known[key] = full_name
        if alias_key in wanted:
            registry[alias_key] = full_name
    out = {}
    for name, resolved in first.items():
        if resolved.key in registry:
            resolved = resolve_repository_name(registry[resolved.key], aliases=configured)[0]
        out[name] = known.get(resolved.key, resolved.full_name)
    return out


# ``user`` is a user of the host (request.user: its AUTH_USER_MODEL or AnonymousUser, or None): its model is
# not known here.
def committer_login_for_user(user: Any) -> str | None:
    """The GitHub login of the Core Committer linked to ``user`` (a user of this service), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return CoreCommitter.objects.filter(user=user).values_list("github_username", flat=True).first()


def policy_in_force(at: datetime | None = None) -> PolicyData:
    """
    The program policy (phase, NDA and champions required) at ``at`` (default: now).
    """
    return selectors.load_policy(selectors.at_or_now(at))


def get_committer(github_username: str) -> CoreCommitter | None:
    """
    The committer with that GitHub login (case-insensitive), or None.
    """
    return selectors.get_committer(github_username)


def get_committers() -> QuerySet[CoreCommitter]:
    """
    All committers, with what a listing shows (organization, rights, agreements, champions) prefetched.
    """
    return CoreCommitter.objects.select_related("organization").prefetch_related(
        Prefetch(
            "rights",
            queryset=CommitRight.objects.select_related("repository", "extension").order_by("owner", "id"),
        ),
        "champions",
    )


def committers_holding_rights_on(
    committers: CoreCommitterQuerySet[CoreCommitter], repository: str
) -> CoreCommitterQuerySet[CoreCommitter]:
    """
    ``committers`` narrowed to those holding a right (valid or not) on ``repository`` -- the repository itself or
    every repository of its owner -- named by its name or an alias. Raises ``InvalidValue`` for a malformed name.
    """
    resolved, _repository = resolve_repository(repository)
    return committers.holding_rights_on([resolved.key])


def committers_with_rights() -> QuerySet[CoreCommitter]:
    """Active committers who hold at least one right that is not revoked."""
    return (
        CoreCommitter.objects.filter(status=CommitterStatus.ACTIVE, rights__revoked_at__isnull=True)
        .select_related("organization").distinct().order_by("github_key")
    )


def get_repositories() -> QuerySet[Repository]:
    """
    All repositories, with their aliases and extensions prefetched.
    """
    return Repository.objects.prefetch_related("aliases", "extensions")


def get_installed_extensions() -> QuerySet[Extension]:
    """The extensions the last discovery found installed in this service, with their repositories."""
    return Extension.objects.filter(installed=True).select_related("repository")
