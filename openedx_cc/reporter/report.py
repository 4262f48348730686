"""
The report the reporter sends: the JSON body of docs/reference/report-format.rst with ``source: "reporter"``, the new
``heads`` and the ``direct_pushes``, and its derived ``id``.

The rules of the format that the reporter can check before sending (the id, the environment name, datetimes, the
limits of titles, bodies and paths) are repeated here because the reporter runs without the server's code; the
server checks them again.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Mapping, Sequence

if TYPE_CHECKING:
    from openedx_cc.reporter.ranges import Deployed

SOURCE = "reporter"
MAX_TITLE_CHARS = 1_000
MAX_BODY_CHARS = 65_536
MAX_PATHS = 10_000
MAX_REPORT_BYTES = 5 * 1024 * 1024
_ID = re.compile(r"(?!/)(?!heads\Z)[A-Za-z0-9._:/@+-]{1,200}(?<!/)")
_ENVIRONMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")


def check_report_id(value: str) -> str:
    """``value`` if it is a valid report id, else ValueError saying what one is."""
    if not _ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid report id: 1 to 200 of letters, digits and ._:/@+-, not starting "
                         "or ending with /, and not 'heads'")
    return value


def check_environment(value: str) -> str:
    """``value`` if it is a valid environment name, else ValueError."""
    if not _ENVIRONMENT.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid environment name: 1 to 100 of letters, digits and ._/-, starting "
                         "with a letter or digit")
    return value


def parse_datetime(value: str) -> datetime:
    """An ISO 8601 datetime with a time zone (``Z`` or an offset), else ValueError."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 datetime (e.g. 2026-11-25T10:00:00Z)") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{value!r} has no time zone: add Z or an offset such as +01:00")
    if not 1000 <= parsed.year <= 9000:
        raise ValueError(f"{value!r} is out of range (years 1000 to 9000)")
    return parsed


def format_datetime(value: datetime) -> str:
    """ISO 8601, ``Z`` for UTC."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def now() -> datetime:
    """The current time in UTC, to the second: a report's default ``deployed_at``."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def refused_path(path: str) -> bool:
    """
    Whether the report format refuses ``path``: empty, absolute, a URL, with a backslash, with a ``..`` segment, or
    naming the root (only ``/`` and ``.`` segments). Written with ``in`` tests rather than a split: it runs for every
    file of every change.
    """
    text = path.strip()
    if not text or "\\" in text or "://" in text or text.startswith(("git@", "/")):
        return True
    if ".." in text and (text == ".." or text.startswith("../") or text.endswith("/..") or "/../" in text):
        return True
    if not text.strip("/."):  # only dots and slashes: the root ("./"), or a name made of dots ("...")
        return not [part for part in text.split("/") if part not in ("", ".")]
    return False


# Where refused_path could say yes: a path that starts with a space, "." or "/", an empty one, or one containing
# "git@", a backslash, "://" or "..". Searched once over all the paths of a change, NUL-separated.
_SUSPECT = re.compile(r"\0[\s./]|\0\0|git@|\\|://|\.\.")


def any_refused_path(paths: Sequence[str]) -> bool:
    """Whether ``refused_path`` refuses one of ``paths``: one regular-expression scan for the usual answer, no."""
    return bool(paths) and _SUSPECT.search("\0" + "\0".join(paths) + "\0") is not None and any(map(refused_path, paths))


def derive_id(environment: str, kind: str, previous: Mapping[str, tuple[str, str]], new: Mapping[str, str]) -> str:
    """
    The report id derived from what the report says happened, so that running the reporter again for the same
    deployment sends the same id (and the server answers "already recorded"): ``reporter:<environment>:`` and 16 hex
    digits of a SHA-256 over the environment, the kind, each repository's previous head (its sha and, when the
    server told it, the id of the deployment that put it there) and each repository's new head. Repository names are
    compared in lower case, as GitHub does.
    """
    document = {
        "environment": environment,
        "kind": kind,
        "previous": {name.lower(): list(value) for name, value in sorted(previous.items())},
        "new": {name.lower(): sha for name, sha in sorted(new.items())},
    }
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return check_report_id(f"reporter:{environment}:{digest[:16]}")


def build_report(*, report_id: str, environment: str, deployed_at: str, kind: str, rolls_back: Sequence[str],
                 deployed: Sequence[Deployed], service: str = "", release: str = "") -> dict[str, object]:
    """The report document (docs/reference/report-format.rst), changes and direct pushes in the order deployed."""
    return {
        "id": report_id,
        "environment": environment,
        "service": service,
        "release": release,
        "deployed_at": deployed_at,
        "kind": kind,
        "rolls_back": list(rolls_back),
        "source": SOURCE,
        "heads": {d.repository: d.head for d in deployed},
        "changes": [
            {
                "repository": change.repository,
                "pr_number": change.pr_number,
                "title": change.title,
                "body": change.body,
                "url": change.url,
                "merge_sha": change.merge_sha,
                "author": change.author.login,
                "merged_by": "",
                "merged_at": change.merged_at,
                "paths": list(change.paths),
            }
            for d in deployed for change in d.changes
        ],
        "direct_pushes": [
            {"repository": push.repository, "sha": push.sha, "title": push.title}
            for d in deployed for push in d.direct_pushes
        ],
    }


def encode(report: Mapping[str, object]) -> bytes:
    """The bytes sent (and signed): compact JSON in UTF-8."""
    return json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_for_reading(report: Mapping[str, object]) -> str:
    """
    The report as JSON for a person (``--dry-run``): one line per field, and one line per change or direct push.
    Each line is written by the C encoder; an indented dump goes through the pure-Python one, ten times slower.
    """
    compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode

    lines = ["{"]
    for index, (key, value) in enumerate(report.items()):
        comma = "," if index < len(report) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {compact(key)}: [")
            lines.extend(f"    {compact(item)}," for item in value[:-1])
            lines.append(f"    {compact(value[-1])}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {compact(key)}: {compact(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
