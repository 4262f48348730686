"""
Pieces the import formats of the ownership registry share.
"""
from __future__ import annotations

import re

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.repositories import configured_aliases, resolve_repository_name


def slugify(name: str) -> str:
    """An organization slug from its name: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "organization"


class NameResolver:
    """
    Resolves repository names through the configured aliases, the registry's and those a file declares.
    """

    def __init__(self, registry=None, file_aliases: dict | None = None, default_owner: str | None = None):
        self.configured = configured_aliases()
        self.registry = dict(registry.aliases_for() if registry is not None else {})
        self.registry.update(file_aliases or {})
        self.default_owner = default_owner

    def resolve(self, name: str, *, allow_owner_pattern: bool = True) -> tuple[str | None, str | None]:
        """``(canonical owner/name, None)``, or ``(None, reason)`` for a name that is not one."""
        try:
            resolved, _chain = resolve_repository_name(
                name, default_owner=self.default_owner, allow_owner_pattern=allow_owner_pattern,
                registry_aliases=self.registry, aliases=self.configured,
            )
        except InvalidValue as exc:
            return None, str(exc)
        return resolved.full_name, None
