"""
Repository names: ``owner/name``, compared case-insensitively and always resolved through the aliases (contract
section 4) before use.

Three sources of aliases apply, in this order of precedence: those recorded in the registry (passed in by the
caller), the operator's ``OPENEDX_CC_REPOSITORY_ALIASES``, and the built-in renames of the Open edX project. An alias
is either exact (``openedx/edx-platform``) or a whole owner (``edx/*``). Resolution repeats until no alias applies:
``edx/edx-platform`` -> ``openedx/edx-platform`` -> ``openedx/openedx-platform``.
"""
from __future__ import annotations

import re
from typing import Mapping

import attr

from openedx_cc.lib.conf import get_setting
from openedx_cc.lib.errors import InvalidValue

# The renames the Open edX project made (docs/reference/settings.rst). Keys and values are lower case.
BUILTIN_ALIASES = {
    "edx/*": "openedx/*",
    "openedx/edx-platform": "openedx/openedx-platform",
    "openedx/openedx-learning": "openedx/openedx-core",
    "openedx/open-edx-proposals": "openedx/openedx-proposals",
}

# GitHub: an owner is 1-39 alphanumerics or single hyphens, not starting or ending with one; a repository name is
# up to 100 of letters, digits, ".", "-" and "_", and neither "." nor "..".
_OWNER_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")  # always fullmatch, never "$"
_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,100}")
_MAX_ALIAS_STEPS = 16


class AliasLoop(InvalidValue):
    """
    The aliases lead back to a name already passed. ``loop`` is the cycle alone (from its first name back to it),
    without the names that led into it; ``names`` are its names in lower case.
    """

    def __init__(self, chain: list[str]):
        keys = [name.lower() for name in chain]
        loop = chain[keys.index(keys[-1]):]
        super().__init__(f"the repository aliases loop: {' -> '.join(loop)}")
        self.names = frozenset(keys[keys.index(keys[-1]):])


@attr.s(frozen=True)
class RepositoryName:
    """
    A parsed repository name. ``name`` is ``"*"`` for a whole-owner pattern.
    """

    owner = attr.ib(type=str)
    name = attr.ib(type=str)

    @property
    def full_name(self) -> str:
        """``owner/name`` as written."""
        return f"{self.owner}/{self.name}"

    @property
    def key(self) -> str:
        """The case-insensitive key: ``owner/name`` in lower case."""
        return self.full_name.lower()

    @property
    def owner_key(self) -> str:
        """The owner in lower case."""
        return self.owner.lower()

    @property
    def is_owner_pattern(self) -> bool:
        """Whether this is ``owner/*``."""
        return self.name == "*"


def parse_repository_name(value: object, *, default_owner: str | None = None,
                          allow_owner_pattern: bool = False) -> RepositoryName:
    """
    Parse ``owner/name`` (or ``name`` alone when ``default_owner`` is given) into a ``RepositoryName``.

    Raises ``InvalidValue`` naming the reason for anything that is not a GitHub repository name.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("expected a repository name such as 'openedx/openedx-platform'")
    text = value.strip(" \t")  # spaces around a name are forgiven; a line break inside or after it is not
    if "://" in text or text.startswith("git@"):
        raise InvalidValue(f"{value!r} is a URL; write the repository as owner/name")
    text = text.removesuffix(".git")
    parts = text.split("/")
    if len(parts) == 1:
        if not default_owner:
            raise InvalidValue(f"{value!r} has no owner; write it as owner/name")
        parts = [default_owner, parts[0]]
    if len(parts) != 2:
        raise InvalidValue(f"{value!r} is not of the form owner/name")
    owner, name = parts
    if not _OWNER_RE.fullmatch(owner):
        raise InvalidValue(f"{owner!r} is not a valid GitHub owner name")
    if name == "*":
        if not allow_owner_pattern:
            raise InvalidValue(f"{value!r} names every repository of an owner; a single repository is needed here")
    elif not _NAME_RE.fullmatch(name) or name in {".", ".."}:
        raise InvalidValue(f"{name!r} is not a valid GitHub repository name")
    return RepositoryName(owner=owner, name=name)


def _normalized_aliases(aliases: object, source: str) -> dict[str, str]:
    """
    Validate an alias mapping (a setting's value, of any type) and return it keyed and valued in lower case.
    """
    if aliases is None:
        return {}
    if not isinstance(aliases, Mapping):
        raise InvalidValue(f"{source}: expected a mapping {{'old-owner/old-name': 'new-owner/new-name'}}, "
                           f"got {type(aliases).__name__}")
    out: dict[str, str] = {}
    for old, new in aliases.items():
        try:
            old_name = parse_repository_name(old, allow_owner_pattern=True)
            new_name = parse_repository_name(new, allow_owner_pattern=True)
        except InvalidValue as exc:
            raise InvalidValue(f"{source}: alias {old!r} -> {new!r}: {exc}") from exc
        if old_name.is_owner_pattern != new_name.is_owner_pattern:
            raise InvalidValue(f"{source}: alias {old!r} -> {new!r} must be owner/* on both sides or on neither")
        out[old_name.key] = new_name.full_name
    return out


def configured_aliases() -> dict[str, str]:
    """
    The built-in renames merged with the operator's ``OPENEDX_CC_REPOSITORY_ALIASES`` (the operator's win).
    """
    merged = dict(BUILTIN_ALIASES)
    merged.update(_normalized_aliases(get_setting("OPENEDX_CC_REPOSITORY_ALIASES"), "OPENEDX_CC_REPOSITORY_ALIASES"))
    return merged


def configured_alias_problems() -> list[str]:
    """
    What is wrong with ``OPENEDX_CC_REPOSITORY_ALIASES``, one sentence each: not a mapping, each entry that is not
    ``owner/name`` (or ``owner/*`` on both sides), names listed twice (they are compared case-insensitively), and each
    loop once, also a loop through the built-in renames. Empty when nothing is wrong.
    """
    setting, source = get_setting("OPENEDX_CC_REPOSITORY_ALIASES"), "OPENEDX_CC_REPOSITORY_ALIASES"
    if setting is None:
        return []
    if not isinstance(setting, Mapping):
        return [f"{source}: expected a mapping {{'old-owner/old-name': 'new-owner/new-name'}}, "
                f"got {type(setting).__name__}"]
    problems: list[str] = []
    valid: dict[str, str] = {}
    first_spelling: dict[str, object] = {}
    for old, new in setting.items():
        try:
            entry = _normalized_aliases({old: new}, source)
        except InvalidValue as exc:
            problems.append(str(exc))
            continue
        key = next(iter(entry))
        if key in first_spelling:
            problems.append(f"{source}: {old!r} and {first_spelling[key]!r} are the same repository "
                            "(names are compared case-insensitively); keep one")
            continue
        first_spelling[key] = old
        valid.update(entry)
    table = {**BUILTIN_ALIASES, **valid}
    reported_loops: set[frozenset[str]] = set()
    for old in sorted(table):
        try:
            resolve_repository_name(old, allow_owner_pattern=True, aliases=table)
        except AliasLoop as exc:
            if exc.names not in reported_loops:
                reported_loops.add(exc.names)
                problems.append(f"{source}: {exc}")
        except InvalidValue as exc:
            problems.append(f"{source}: {exc}")
    return problems


def resolve_repository_name(
    value: object,
    *,
    default_owner: str | None = None,
    allow_owner_pattern: bool = False,
    registry_aliases: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[RepositoryName, list[str]]:
    """
    Parse ``value`` and follow the aliases until none applies.

    Returns the final name and the chain of names it went through (empty when no alias applied).
    ``registry_aliases`` maps lower-case ``owner/name`` keys to the names recorded in the registry; ``aliases``
    replaces the configured ones (for callers that resolve many names and computed them once).
    """
    current = parse_repository_name(value, default_owner=default_owner, allow_owner_pattern=allow_owner_pattern)
    table = dict(aliases if aliases is not None else configured_aliases())
    for old, new in (registry_aliases or {}).items():
        table[old.lower()] = new
    chain: list[str] = []
    seen = {current.key}
    for _ in range(_MAX_ALIAS_STEPS):
        target = table.get(current.key)
        if target is None and not current.is_owner_pattern:
            owner_target = table.get(f"{current.owner_key}/*")
            if owner_target is not None:
                target = f"{owner_target.split('/')[0]}/{current.name}"
        elif target is not None and current.is_owner_pattern and not target.endswith("/*"):
            target = None
        if target is None:
            return current, chain
        chain.append(current.full_name)
        current = parse_repository_name(target, allow_owner_pattern=True)
        if current.key in seen:
            raise AliasLoop(chain + [current.full_name])
        seen.add(current.key)
    raise InvalidValue(f"more than {_MAX_ALIAS_STEPS} aliases apply to {value!r}")
