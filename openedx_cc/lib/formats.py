"""
Shared pieces of the import formats: reading files, turning pydantic errors into ``Problem`` objects with file, line and
field, and small reusable value validators.
"""
from __future__ import annotations

import os
import re
import stat
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from openedx_cc.lib.errors import Problem, ValidationFailed, field_path
from openedx_cc.lib.sourcemap import SourceMap

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

MAX_FILE_BYTES = 50 * 1024 * 1024
_GITHUB_LOGIN_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")  # always fullmatch, never "$"
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def read_text(path: str | Path) -> str:
    """
    Read an input file as UTF-8 text; a missing, unreadable, oversized or non-UTF-8 file, or one that is not a
    regular file (a device, a FIFO, a socket), raises ``ValidationFailed``.

    At most ``MAX_FILE_BYTES`` are read, whatever the file's size says: a symlink to ``/dev/zero`` or a file that
    grows while it is read is cut off and refused, never read until memory runs out.
    """
    name = str(path)

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed([Problem(field="", message=message, file=name)])

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise refuse("no such file") from exc
    except IsADirectoryError as exc:
        raise refuse("is a directory, not a file") from exc
    except OSError as exc:
        raise refuse(f"cannot be read: {exc.strerror}") from exc
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise refuse("is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise refuse("is not a regular file (a device, a pipe or a socket); import files from disk")
        try:
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise refuse(f"cannot be read: {exc.strerror}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise refuse(f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(f"not UTF-8 text ({exc.reason})") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")  # universal newlines, as text mode reads them


def _message(error: ErrorDetails) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    message = error.get("msg", "invalid value")
    message = message.removeprefix("Value error, ")
    if kind not in {"value_error", "assertion_error"} and "input" in error and not isinstance(
        error["input"], (dict, list)
    ):
        message += f" (got {error['input']!r})"
    return message


def problems_from_pydantic(exc: ValidationError, *, filename: str | None, sourcemap: SourceMap | None,
                           prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    """
    One ``Problem`` per pydantic error, with the field path and, when a source map is given, the line.
    """
    problems = []
    for error in exc.errors(include_url=False):
        loc = prefix + tuple(part for part in error["loc"] if not _is_union_tag(part))
        problems.append(
            Problem(
                field=field_path(loc),
                message=_message(error),
                file=filename,
                line=sourcemap.line_for(loc) if sourcemap else None,
            )
        )
    return problems


def _is_union_tag(part: object) -> bool:
    # pydantic inserts the member type name ("function-after[...]", "str", "date") into the location of union errors
    return isinstance(part, str) and (part.startswith(("function-", "union[", "nullable[")) or part in {
        "str", "date", "int", "bool", "list[str]", "dict[str,any]"})


def to_date(value: object) -> date:
    """
    A calendar date from a YAML/TOML date or a ``YYYY-MM-DD`` string; a datetime, number or other text is refused.
    """
    if isinstance(value, datetime):
        raise ValueError(f"expected a date YYYY-MM-DD, got a date and time ({value.isoformat()})")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real date: {exc}") from exc
    raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}")


def github_login(value: object) -> str:
    """
    A GitHub login: 1-39 alphanumerics or single hyphens, neither first nor last. Spaces around it are forgiven, a
    line break is not.
    """
    if not isinstance(value, str) or not _GITHUB_LOGIN_RE.fullmatch(value.strip(" \t")):
        raise ValueError(f"{value!r} is not a valid GitHub login")
    return value.strip(" \t")


def email_address(value: object) -> str | None:
    """
    An email address (a loose check: something@domain.tld, no spaces).
    """
    if value is None:
        return None
    if value == "":
        return ""
    if not isinstance(value, str) or not _EMAIL_RE.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not an email address")
    return value.strip()


def raise_if(problems: list[Problem]) -> None:
    """
    Raise ``ValidationFailed`` with ``problems`` if there are any.
    """
    if problems:
        raise ValidationFailed(problems)
