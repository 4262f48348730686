"""
The registry as Backstage entities (contract §13): a ``Group`` per recorded repository with effective Core
Committers and a ``User`` per effective Core Committer, for a Backstage ``url`` location to ingest.

Effectiveness is the set's (``ownership_api.effective_committer_names_by_key``, the committers of
``effective_committers_by_key`` by name), without the openedx-filters filter, as
every listing of the registry. Nothing personal beyond the GitHub login and the name the roster gives.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import datetime
from typing import Any

import yaml

from openedx_cc.plugins.ownership import api as ownership_api

API_VERSION = "backstage.io/v1alpha1"
GROUP_TYPE = "core-committers"
GROUP_PREFIX = "core-committers-"
# Backstage's entity names (KubernetesValidatorFunctions.isValidObjectName): 1 to 63 characters of [A-Za-z0-9-_.],
# starting and ending with a letter or digit.
MAX_NAME_LENGTH = 63
_REFUSED = re.compile(r"[^a-z0-9._-]")
_EDGES = re.compile(r"^[^a-z0-9]+|[^a-z0-9]+$")
_HASH_LENGTH = 8

try:  # libyaml when PyYAML was built with it; the same output either way
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Dumper = yaml.SafeDumper


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_HASH_LENGTH]


def entity_name(text: str, *, hashed: bool = False, identity: str = "") -> str:
    """
    ``text`` as a Backstage entity name: lower-cased, each character Backstage refuses replaced by ``-``, without
    leading or trailing separators; over 63 characters (or when ``hashed``) shortened and given the first 8 hex
    digits of the SHA-256 of ``identity`` (by default ``text``), lower-cased, as a suffix, so that the same thing
    always gets the same name.
    """
    name = _EDGES.sub("", _REFUSED.sub("-", text.lower()))
    if not hashed and 0 < len(name) <= MAX_NAME_LENGTH:
        return name
    head = _EDGES.sub("", name[: MAX_NAME_LENGTH - _HASH_LENGTH - 1])
    digest = _digest((identity or text).lower())
    return f"{head}-{digest}" if head else digest


def group_name(repository_key: str, *, hashed: bool = False) -> str:
    """The ``Group`` name of the Core Committers of ``owner/name``: ``core-committers-<owner>-<name>``."""
    return entity_name(GROUP_PREFIX + repository_key.replace("/", "-"), hashed=hashed, identity=repository_key)


def user_name(github_username: str) -> str:
    """The ``User`` name of a Core Committer: the lower-cased GitHub login."""
    return entity_name(github_username)


def _metadata(name: str, location: str, **extra: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **extra}
    if location:
        metadata["annotations"] = {
            "backstage.io/managed-by-location": f"url:{location}",
            "backstage.io/managed-by-origin-location": f"url:{location}",
        }
    return metadata


def backstage_entities(location: str = "", at: datetime | None = None) -> list[dict[str, Any]]:
    """
    The Backstage entities of the registry at ``at`` (now by default): the groups, sorted by name, then the users,
    sorted by name. ``location`` is the absolute URL the entities are read from (the ``managed-by-location``
    annotations). A fixed number of queries, whatever the size of the registry.

    Two repositories whose names would give the same group name (``a/b-c`` and ``a-b/c``) both get the hash suffix.
    """
    full_names = dict(ownership_api.get_repositories().prefetch_related(None).values_list("key", "full_name"))
    keys = sorted(full_names)
    by_key = ownership_api.effective_committer_names_by_key(keys, at)
    names = {key: group_name(key) for key in keys if by_key.get(key)}
    taken: dict[str, int] = defaultdict(int)
    for name in names.values():
        taken[name] += 1
    names = {key: group_name(key, hashed=True) if taken[name] > 1 else name for key, name in names.items()}

    members: dict[str, set[str]] = {}
    users: dict[str, dict[str, Any]] = {}
    logins_of: dict[str, str] = {}  # each committer's User name, worked out once, not once per repository
    for key, name in names.items():
        logins = members.setdefault(name, set())
        for committer in by_key[key]:
            login = logins_of.get(committer.github_username)
            if login is None:
                login = logins_of[committer.github_username] = user_name(committer.github_username)
            logins.add(login)
            user = users.setdefault(login, {"displayName": committer.name, "memberOf": set()})
            user["memberOf"].add(name)

    entities: list[dict[str, Any]] = []
    for key, name in sorted(names.items(), key=lambda item: item[1]):
        entities.append({
            "apiVersion": API_VERSION,
            "kind": "Group",
            "metadata": _metadata(name, location, title=f"Core Committers of {full_names[key]}",
                                  description=f"The effective Core Committers of the repository {full_names[key]}."),
            "spec": {"type": GROUP_TYPE, "children": [], "members": sorted(members[name])},
        })
    for login in sorted(users):
        user = users[login]
        spec: dict[str, Any] = {"memberOf": sorted(user["memberOf"])}
        if user["displayName"]:
            spec["profile"] = {"displayName": user["displayName"]}
        entities.append({"apiVersion": API_VERSION, "kind": "User", "metadata": _metadata(login, location),
                         "spec": spec})
    return entities


def dump_entities(entities: list[dict[str, Any]]) -> str:
    """Entities as one multi-document YAML (UTF-8, keys in the order Backstage's documentation writes them)."""
    return yaml.dump_all(entities, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True)


def backstage_entities_yaml(location: str = "", at: datetime | None = None) -> str:
    """``backstage_entities`` as the multi-document YAML a Backstage ``url`` location reads."""
    return dump_entities(backstage_entities(location, at))
