"""
Scopes of rights: path prefixes, extensions and branch patterns, and whether a right covers a change's scope.

Pure functions over plain values; no database access. A path is a file or directory path inside a repository,
relative, with ``/`` separators. A path prefix covers itself and everything below it: ``lms/djangoapps/`` and
``lms/djangoapps`` both cover ``lms/djangoapps/x.py`` but not ``lms/djangoapps_old/x.py``.
"""
from __future__ import annotations

import fnmatch
import posixpath
import re
from typing import Collection, Iterable

from openedx_cc.lib.errors import InvalidValue

# Git refuses white space, ~ ^ : and \ in branch names; * ? [ ] are kept as fnmatch wildcards.
_BRANCH_RE = re.compile(r"[^\s~^:\\]+")  # always fullmatch, never "$"


def normalize_path(value: object, *, prefix: bool = False) -> str:
    """
    Validate a path inside a repository and return it normalized (no ``./``, no doubled ``/``).

    ``prefix`` keeps a trailing ``/`` (a directory). A path that is absolute, a URL, or that climbs out of the
    repository with ``..`` is refused with ``InvalidValue``.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("expected a path inside the repository, e.g. openedx/core/djangoapps/x/")
    text = value.strip()
    if "://" in text or text.startswith("git@"):
        raise InvalidValue(f"{value!r} is a URL; a path inside the repository is needed")
    if "\\" in text:
        raise InvalidValue(f"{value!r} uses backslashes; write paths with /")
    if text.startswith("/"):
        raise InvalidValue(f"{value!r} is an absolute path; paths are relative to the repository root")
    trailing = text.endswith("/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InvalidValue(f"{value!r} leaves the repository ('..'); paths must stay inside it")
    if not parts:
        raise InvalidValue(f"{value!r} names the repository root; leave the paths out for the whole repository")
    normalized = posixpath.join(*parts)
    return normalized + "/" if (trailing and prefix) else normalized


def normalize_branch_pattern(value: object) -> str:
    """
    Validate a branch name or fnmatch pattern (``master``, ``release/*``, ``open-release/*.master``).
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("expected a branch name or pattern, e.g. master or release/*")
    text = value.strip()
    if text.startswith("refs/heads/"):
        text = text[len("refs/heads/"):]
    if not _BRANCH_RE.fullmatch(text) or text.startswith("/") or text.endswith("/") or ".." in text:
        raise InvalidValue(f"{value!r} is not a valid branch name or pattern")
    return text


def path_within(path: str, prefix: str) -> bool:
    """
    Whether ``path`` is ``prefix`` itself or lies below it.
    """
    base = prefix.rstrip("/")
    return path == base or path.startswith(base + "/")


def scope_key(*, paths: Collection[str] = (), extension_name: str = "", branches: Collection[str] = ()) -> str:
    """
    A canonical text of a right's scope, used to recognize the same right across imports.
    """
    if extension_name:
        scope = f"ext:{extension_name.lower()}"
    elif paths:
        scope = "paths:" + "|".join(sorted(p.rstrip("/") + "/" for p in paths))
    else:
        scope = ""
    if branches:
        scope += "@" + "|".join(sorted(branches))
    return scope


def right_prefixes(*, paths: Iterable[str] | None, extension_path: str | None) -> list[str]:
    """
    The path prefixes a right is narrowed to: its extension's path, else its paths; empty for the whole repository.
    """
    if extension_path:
        return [extension_path]
    return list(paths or [])


def covers_paths(prefixes: Collection[str], change_paths: Collection[str] | None) -> bool:
    """
    Whether a right narrowed to ``prefixes`` covers every path of ``change_paths``.

    A right without prefixes covers everything; a narrowed right covers nothing when no path is given (contract
    section 8: a change that lists no paths is covered only by whole-repository rights).
    """
    if not prefixes:
        return True
    if not change_paths:
        return False
    return all(any(path_within(p, prefix) for prefix in prefixes) for p in change_paths)


def covers_branch(patterns: Collection[str], branch: str | None) -> bool:
    """
    Whether a right limited to branch ``patterns`` covers ``branch``. Without patterns every branch is covered;
    with patterns, a question that names no branch is not covered.
    """
    if not patterns:
        return True
    if not branch:
        return False
    return any(fnmatch.fnmatchcase(branch, pattern) for pattern in patterns)


def describe_scope(*, repository: str, paths: Iterable[str] = (), extension_name: str = "", extension_path: str = "",
                   branches: Iterable[str] = ()) -> str:
    """
    A short human description of a right's scope, e.g. ``openedx/xblock (whole repository, all branches)``.
    """
    if extension_name:
        where = f"extension {extension_name} ({extension_path})" if extension_path else f"extension {extension_name}"
    elif paths:
        where = "paths " + ", ".join(paths)
    elif repository.endswith("/*"):
        where = "every repository of " + repository[:-2]
    else:
        where = "whole repository"
    which = ("branches " + ", ".join(branches)) if branches else "all branches"
    return f"{repository} ({where}, {which})"
