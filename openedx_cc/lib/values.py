"""
The values that the deployment report and GitHub's webhook payloads share, as pydantic field types: a commit sha
(40 or 64 hexadecimal digits, kept in lower case), an ISO 8601 datetime with a time zone (``parse_aware_datetime``),
and a repository name (``owner/name``, not yet resolved through the aliases). Each raises ``ValueError`` with a
sentence for people, which pydantic reports under the field's path.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.repositories import parse_repository_name
from openedx_cc.lib.timeutil import parse_aware_datetime

# Always applied with fullmatch: "$" would also match before a final newline (docs/decisions/0012).
_SHA = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")


def commit_sha(value: object) -> str:
    """A commit sha, in lower case."""
    if not isinstance(value, str) or not _SHA.fullmatch(value):
        raise ValueError(f"{value!r} is not a commit sha (40 or 64 hexadecimal digits)")
    return value.lower()


def aware_datetime(value: object) -> datetime:
    """An ISO 8601 datetime string with a time zone, as an aware datetime in UTC."""
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 datetime string with a time zone, e.g. 2026-11-25T10:00:00Z")
    try:
        return parse_aware_datetime(value)
    except InvalidValue as exc:
        raise ValueError(str(exc)) from exc


def repository_name(value: object) -> str:
    """An ``owner/name`` repository name, as written (the aliases are resolved later, against the registry)."""
    try:
        return parse_repository_name(value).full_name
    except InvalidValue as exc:
        raise ValueError(str(exc)) from exc


Sha = Annotated[str, BeforeValidator(commit_sha)]
AwareDatetime = Annotated[datetime, BeforeValidator(aware_datetime)]
RepositoryName = Annotated[str, BeforeValidator(repository_name)]
