"""
Revert detection (docs/reference/report-format.rst): does a change say that it reverts earlier ones, and which?

Pure functions over a change's title and body. A change **reverts** an earlier one when it says so:

* ``Revert "<title>"`` titles -- GitHub's revert button -- with or without `` (#N)``: the quoted text is the
  original's title; a ``(#N)`` at its end is the original's pull request; a ``(#N)`` after the closing quote is
  the revert's own pull request (added by a squash merge) and says nothing about the original;
* ``revert: ...`` titles (OEP-51 conventional commits, also ``revert(scope): ...`` and ``revert!: ...``);
* ``This reverts commit <sha>.`` in the body (git's own message; "This (loosely) reverts commit" too);
* ``Reverts owner/repo#N`` in the body (GitHub's revert pull requests);
* ``Revert "<title> (#N)"`` lines in the body (the squashed commits of a revert pull request).

A sha or a pull-request number wins over a title when both are present. A revert of a revert re-applies the
original: ``Revert "Revert "X (#1)" (#2)"`` reverts pull request #2, which reverted #1.

Also pure: which recorded changes a revert's references name (``find_originals``). Reading and writing the links
is the step ``revert_links.resolve_reverts``.
"""
from __future__ import annotations

import re
import string
from typing import Callable, Iterable, Sequence

import attr


_GITHUB_TITLE = re.compile(r'^\s*revert\s+"(?P<inner>.*)"(?P<after>.*)$', re.IGNORECASE | re.DOTALL)
_CONVENTIONAL_TITLE = re.compile(r"^\s*revert(?:\([^)]*\))?!?\s*:\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_BODY_SHA = re.compile(r"\breverts\s+commit\s+(?P<sha>[0-9a-f]{7,64})\b", re.IGNORECASE)
_BODY_PR = re.compile(r"\bReverts\s+(?P<repository>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(?P<number>\d{1,10})\b")
# Applied to one line at a time with fullmatch, so that no part of it can run across lines: a MULTILINE "^\s*" did,
# and a body of 65,536 newlines took 47 s (docs/decisions/0012).
_BODY_REVERT_LINE = re.compile(r'\s*(?:[*-]\s+)?revert\s+"(?P<inner>.*)"\s*', re.IGNORECASE)


@attr.s(frozen=True)
class Reference:
    """
    What a revert names as its original: a commit ``sha``, a pull request ``pr`` (in ``repository`` when the body
    names one, else the revert's own repository) or, failing both, a ``title``.
    """

    kind = attr.ib(type=str)
    value = attr.ib()
    repository = attr.ib(type=str | None, default=None)

    def as_dict(self) -> dict:
        """JSON form, for storage."""
        data = {"kind": self.kind, "value": self.value}
        if self.repository:
            data["repository"] = self.repository
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Reference":
        """Inverse of ``as_dict``."""
        return cls(kind=data["kind"], value=data["value"], repository=data.get("repository"))


@attr.s(frozen=True)
class RevertDetection:
    """
    A change detected as a revert: ``rule`` says how, ``references`` what it names (strong ones -- shas and pull
    requests -- when it names any, else its title reference).
    """

    rule = attr.ib(type=str)
    references = attr.ib(type=tuple[Reference, ...])

    @property
    def is_nested(self) -> bool:
        """Whether the title shows a revert of a revert."""
        return any(r.kind == "title" and _GITHUB_TITLE.match(r.value) for r in self.references)


def _lines_naming_revert(body: str, lowered: str) -> Iterable[str]:
    """
    The lines of ``body`` that contain "revert" (in any case; ``lowered`` is ``body`` with ASCII letters in lower
    case), each once, found with ``str.find``: a body of 65,536 short lines costs one pass, not a match per line.
    """
    position = lowered.find("revert")
    while position >= 0:
        start = lowered.rfind("\n", 0, position) + 1
        end = lowered.find("\n", position)
        end = len(body) if end < 0 else end
        yield body[start:end].rstrip("\r")
        position = lowered.find("revert", end)


def _split_trailing_pr(text: str) -> tuple[str, int | None]:
    """``"title (#12)"`` -> ``("title", 12)``; ``("title", None)`` without a trailing ``(#N)``. Linear, no regex."""
    stripped = text.rstrip()
    start = stripped.rfind("(#")
    digits = stripped[start + 2:-1] if start >= 0 and stripped.endswith(")") else ""
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):  # a pull request number, not 5,000 digits
        return text.strip(), None
    return stripped[:start].strip(), int(digits)


def _quoted(text: str) -> str | None:
    """The text between the first and the last double quote, if ``text`` is quoted (nested quotes kept)."""
    text = text.strip()
    first, last = text.find('"'), text.rfind('"')
    if first == 0 and last > first:
        return text[first + 1:last]
    return None


def _from_original_title(original: str, own_pr_number: int | None) -> list[Reference]:
    """References named by an original's title: its pull request (a trailing ``(#N)``) and its title text."""
    text, number = _split_trailing_pr(original)
    references = []
    if number is not None and number != own_pr_number:
        references.append(Reference(kind="pr", value=number))
    if text:
        references.append(Reference(kind="title", value=text))
    return references


def detect_revert(title: str, body: str = "", *, own_pr_number: int | None = None) -> RevertDetection | None:
    """
    Whether the change titled ``title`` with ``body`` reverts earlier changes; None when it does not say so.

    ``own_pr_number`` is the change's own pull request: a title that ends with it (a squash merge's suffix) does
    not name the original.
    """
    title = title or ""
    body = body or ""
    rule = None
    title_references: list[Reference] = []
    if match := _GITHUB_TITLE.match(title):
        rule = "title: Revert \"...\""
        title_references = _from_original_title(match.group("inner"), own_pr_number)
    elif match := _CONVENTIONAL_TITLE.match(title):
        rule = "title: revert: ..."
        rest, suffix = _split_trailing_pr(match.group("rest"))
        if suffix is not None and suffix != own_pr_number:
            rest = f"{rest} (#{suffix})"  # not the squash suffix: it names the original
        rest = re.sub(r"^\s*revert\s+(?=\")", "", rest, flags=re.IGNORECASE)
        quoted = _quoted(rest)
        title_references = _from_original_title(quoted if quoted is not None else rest, own_pr_number)
    strong: list[Reference] = []
    lowered = body.translate(_ASCII_LOWER)  # same length as body, unlike str.lower()
    if "revert" in lowered:  # every body rule names a revert: most bodies are read once, by str.find
        for match in _BODY_SHA.finditer(body):
            strong.append(Reference(kind="sha", value=match.group("sha").lower()))
        for match in _BODY_PR.finditer(body):
            strong.append(Reference(kind="pr", value=int(match.group("number")),
                                    repository=match.group("repository")))
        for match in filter(None, map(_BODY_REVERT_LINE.fullmatch, _lines_naming_revert(body, lowered))):
            _text, number = _split_trailing_pr(match.group("inner"))
            if number is not None and number != own_pr_number:
                strong.append(Reference(kind="pr", value=number))
    if strong and rule is None:
        rule = "body"
    if rule is None:
        return None
    strong.extend(r for r in title_references if r.kind == "pr")
    references = _unique(strong) if strong else _unique(title_references)
    return RevertDetection(rule=rule, references=tuple(references))


def _unique(references: Iterable[Reference]) -> list[Reference]:
    seen, out = set(), []
    for reference in references:
        key = (reference.kind, reference.value, (reference.repository or "").lower())
        if key not in seen:
            seen.add(key)
            out.append(reference)
    return out


def sha_matches(reference_sha: str, sha: str) -> bool:
    """Whether an (abbreviated) sha from a message names the full ``sha``."""
    return len(reference_sha) >= 7 and sha.lower().startswith(reference_sha.lower())


# How far a chain of reverts (a revert of a revert of ...) is followed.
MAX_REVERT_DEPTH = 5


def find_originals(change, candidates: Sequence, *, pr_key: Callable) -> list:
    """
    The changes among ``candidates`` that the reverting ``change`` names (changes are anything with ``id``,
    ``repository_key``, ``change_key``, ``merge_sha``, ``title_key``, ``merged_at`` and ``revert_references``):
    every pull request it names, the change of each sha it names (in its own repository first), and only when it
    names neither, the latest earlier change of its repository with the title it quotes. ``pr_key(change,
    reference)`` is the ``change_key`` that a pull-request reference naming a repository designates.
    """
    refs = change.revert_references
    found: dict = {}
    for ref in refs:
        if ref.kind == "sha":
            matches = [c for c in candidates if sha_matches(ref.value, c.merge_sha) and c.id != change.id]
            same_repo = [c for c in matches if c.repository_key == change.repository_key]
            for original in (same_repo or matches)[:1]:
                found[original.id] = original
        elif ref.kind == "pr":
            key = pr_key(change, ref) if ref.repository else f"{change.repository_key}#{ref.value}"
            for original in (c for c in candidates if c.change_key == key and c.id != change.id):
                found[original.id] = original
    if found or any(r.kind in {"sha", "pr"} for r in refs):
        return list(found.values())
    for ref in refs:  # a title, only when nothing stronger is named
        title = title_key(ref.value)
        matches = [c for c in candidates if c.title_key == title and c.repository_key == change.repository_key
                   and c.id != change.id and c.merged_at <= change.merged_at]
        if matches:
            original = max(matches, key=lambda c: c.merged_at)
            found[original.id] = original
    return list(found.values())


def title_key(title: str) -> str:
    """A title trimmed and cut, as the detection by title compares them (``Change.title_key``)."""
    return " ".join((title or "").split())[:255]
