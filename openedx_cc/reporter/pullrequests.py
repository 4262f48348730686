"""
Which commits are merged pull requests, and what the change of each says; pure functions over what git printed.

A commit on the deployed branch's first-parent line is a **change** when its subject names a pull request:

* a GitHub merge commit, ``Merge pull request #N from <head owner>/<branch>`` (or anything else after ``#N``, when
  someone edited it): the pull request's title is the first line of the message after the subject (GitHub writes it
  there), the rest is the body; its author is the author of the merged branch's head commit (the merge commit's own
  author is whoever pressed the button);
* a squash or rebase merge, ``<title> (#N)``: the title is the subject without its `` (#N)`` (the pull request's
  title, as GitHub shows it and as a revert button quotes it), the body is the rest of the message, and the author
  is the commit's author (GitHub sets it to the pull request's author).

Any other commit is a **direct push**. Author emails become GitHub logins through the ``--authors`` map (checked
first) or GitHub's noreply addresses; anything else is an unknown author, left empty in the report.
docs/reference/cli.rst, "openedx-cc-report", lists these rules and their approximations.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, NamedTuple

from openedx_cc.reporter.git import Commit, Person

# GitHub writes "Merge pull request #N from owner/branch"; a hand-edited one may say something else after "#N".
_MERGE_SUBJECT = re.compile(r"Merge pull request #(?P<number>[0-9]{1,10})(?:\s+(?P<rest>.*))?")
_FROM_BRANCH = re.compile(r"from \S+")
_SQUASH_SUFFIX = re.compile(r"\(#(?P<number>[0-9]{1,10})\)")
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")  # GitHub's rule for user logins
_BOT_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}\[bot\]")  # apps: dependabot[bot], github-actions[bot]
_NOREPLY = re.compile(r"(?:[0-9]+\+)?(?P<login>[^@+\s]+)@users\.noreply\.github\.com", re.IGNORECASE)
MAX_PR_NUMBER = 2_147_483_647

MERGE = "merge"
SQUASH = "squash"


@dataclass(frozen=True)
class PullRequestSubject:
    """A subject naming a pull request: its ``number`` and ``style`` (``MERGE`` or ``SQUASH``)."""

    number: int
    style: str


class AuthorLogin(NamedTuple):
    """
    The GitHub login found for an author (``login``, "" when none) and ``how``: ``"authors map"``, ``"noreply
    address"``, ``"bot"`` (a GitHub App's noreply address: never a person, left empty), ``"unknown"``, or
    ``"missing"`` (the commit that tells the author is not in the clone).
    """

    login: str
    how: str
    name: str
    email: str


class Change(NamedTuple):
    """
    A merged pull request deployed: the fields of a report's change (docs/reference/report-format.rst). Changes,
    direct pushes and author logins are named tuples, like git's commits: a run makes thousands.
    """

    repository: str
    pr_number: int
    title: str
    body: str
    merge_sha: str
    author: AuthorLogin
    merged_at: str
    paths: tuple[str, ...]

    @property
    def url(self) -> str:
        return pull_request_url(self.repository, self.pr_number)


class DirectPush(NamedTuple):
    """A deployed commit that belongs to no pull request."""

    repository: str
    sha: str
    title: str


class AuthorsFileError(ValueError):
    """The ``--authors`` file cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class AuthorMap:
    """The ``--authors`` map: email (compared case-insensitively) -> GitHub login."""

    logins: Mapping[str, str]

    def login_for(self, email: str) -> str | None:
        return self.logins.get(email.strip().lower())


NO_AUTHORS = AuthorMap(logins={})
UNKNOWN = AuthorLogin(login="", how="unknown", name="", email="")


def pull_request_url(repository: str, number: int) -> str:
    return f"https://github.com/{repository}/pull/{number}"


def split_message(message: str) -> tuple[str, str]:
    """A commit message's subject (its first line) and the rest, without the blank lines around it."""
    subject, _newline, rest = message.strip("\n").partition("\n")
    return subject.strip(), rest.strip("\n")


def pull_request_subject(subject: str) -> PullRequestSubject | None:
    """The pull request a commit subject names, or None (a direct push)."""
    subject = subject.strip()
    if match := _MERGE_SUBJECT.fullmatch(subject):
        number = int(match.group("number"))
        return PullRequestSubject(number=number, style=MERGE) if 0 < number <= MAX_PR_NUMBER else None
    if subject.endswith(")") and (start := subject.rfind("(#")) > 0:
        if (match := _SQUASH_SUFFIX.fullmatch(subject, start)) and subject[:start].strip():
            number = int(match.group("number"))
            return PullRequestSubject(number=number, style=SQUASH) if 0 < number <= MAX_PR_NUMBER else None
    return None


def title_and_body(message: str, style: str) -> tuple[str, str]:
    """
    The pull request's title and body told by the message of its merge (``MERGE``) or squash (``SQUASH``) commit.
    A merge commit without a line after its subject (old GitHub merges, hand-written ones) takes its title from what
    its subject says after ``#N`` instead of ``from owner/branch``, or else keeps its subject as title.
    """
    subject, rest = split_message(message)
    if style == MERGE:
        title, _newline, body = rest.strip().partition("\n")
        if not title.strip():
            match = _MERGE_SUBJECT.fullmatch(subject)
            after = (match.group("rest") or "").strip() if match else ""
            title = subject if not after or _FROM_BRANCH.fullmatch(after) else after
        return title.strip(), body.strip("\n")
    start = subject.rfind("(#")
    return subject[:start].rstrip(), rest


def is_login(value: str) -> bool:
    """Whether ``value`` is a GitHub user login (1-39 letters, digits and single inner hyphens)."""
    return _LOGIN.fullmatch(value) is not None


def login_from_noreply(email: str) -> str | None:
    """
    The login of a GitHub noreply address, ``12345+login@users.noreply.github.com`` or the older
    ``login@users.noreply.github.com``; None for any other address. May be a bot's ``name[bot]``.
    """
    match = _NOREPLY.fullmatch(email.strip())
    if match is None:
        return None
    login = match.group("login")
    return login if is_login(login) or _BOT_LOGIN.fullmatch(login) else None


def author_login(person: Person, authors: AuthorMap = NO_AUTHORS) -> AuthorLogin:
    """The GitHub login of ``person``: from the ``--authors`` map first, else from a noreply address."""
    if (login := authors.login_for(person.email)) is not None:
        return AuthorLogin(login=login, how="authors map", name=person.name, email=person.email)
    if (login := login_from_noreply(person.email)) is not None:
        if is_login(login):
            return AuthorLogin(login=login, how="noreply address", name=person.name, email=person.email)
        return AuthorLogin(login="", how="bot", name=person.name, email=person.email)
    return AuthorLogin(login="", how="unknown", name=person.name, email=person.email)


def author_commit(commit: Commit) -> str:
    """
    The commit whose author is taken as the pull request's author: for a merge commit, the head of the merged
    branch (its second parent); otherwise the commit itself.
    """
    return commit.parents[1] if len(commit.parents) >= 2 else commit.sha


def read_commit(commit: Commit, *, repository: str, author: AuthorLogin) -> Change | DirectPush:
    """The change that ``commit`` merged, or a direct push. ``author`` is the login found for ``author_commit``."""
    subject, _rest = split_message(commit.message)
    mention = pull_request_subject(subject)
    if mention is None:
        return DirectPush(repository=repository, sha=commit.sha, title=subject)
    return read_change(commit, mention, repository=repository, author=author)


def read_change(commit: Commit, mention: PullRequestSubject, *, repository: str, author: AuthorLogin) -> Change:
    """The change merged by ``commit``, whose subject names the pull request ``mention``."""
    title, body = title_and_body(commit.message, mention.style)
    return Change(repository=repository, pr_number=mention.number, title=title, body=body, merge_sha=commit.sha,
                  author=author, merged_at=commit.committed_at, paths=commit.paths)


def load_authors(path: str | Path) -> AuthorMap:
    """
    Read an ``--authors`` file: YAML (a mapping ``email: login``) or CSV (``email,login`` rows, with or without a
    header row naming the columns ``email`` and ``login``/``github``). ``.yaml``/``.yml`` and ``.csv`` files are
    read as such; any other is taken as YAML when its first line that is not blank or a comment has a colon.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise AuthorsFileError(f"{path}: cannot read the authors file: {error}") from error
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        pairs = _yaml_pairs(path, text)
    elif suffix == ".csv":
        pairs = _csv_pairs(path, text)
    else:
        first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
        pairs = _yaml_pairs(path, text) if ":" in first else _csv_pairs(path, text)
    return _author_map(path, pairs)


def _yaml_pairs(path: Path, text: str) -> list[tuple[int, str, str]]:
    import yaml  # here, not at the top: 10 ms of the command's start-up, for an option most runs leave out

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise AuthorsFileError(f"{path}: not valid YAML: {error}") from error
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise AuthorsFileError(f"{path}:{node.start_mark.line + 1}: expected a mapping of email: login")
    pairs = []
    for key, value in node.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            raise AuthorsFileError(f"{path}:{line}: expected email: login, both plain text")
        pairs.append((line, str(key.value), str(value.value)))
    return pairs


_LOGIN_COLUMNS = ("login", "github", "github_login", "github_username", "username")


def _csv_pairs(path: Path, text: str) -> list[tuple[int, str, str]]:
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader]
    rows = [(line, [cell.strip() for cell in row]) for line, row in rows
            if any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")]
    email_column, login_column = 0, 1
    if rows and not any("@" in cell for cell in rows[0][1]):
        line, header = rows.pop(0)
        names = [cell.lower() for cell in header]
        logins = [names.index(name) for name in _LOGIN_COLUMNS if name in names]
        if "email" not in names or not logins:
            raise AuthorsFileError(f"{path}:{line}: a header row must name an 'email' and a 'login' column")
        email_column, login_column = names.index("email"), logins[0]
    pairs = []
    for line, row in rows:
        if len(row) <= max(email_column, login_column):
            raise AuthorsFileError(f"{path}:{line}: expected an email and a login")
        pairs.append((line, row[email_column], row[login_column]))
    return pairs


def _author_map(path: Path, pairs: list[tuple[int, str, str]]) -> AuthorMap:
    logins: dict[str, str] = {}
    for line, email, login in pairs:
        email, login = email.strip().lower(), login.strip()
        if "@" not in email or any(c.isspace() for c in email):
            raise AuthorsFileError(f"{path}:{line}: {email!r} is not an email address")
        if not is_login(login):
            raise AuthorsFileError(f"{path}:{line}: {login!r} is not a GitHub login")
        if logins.get(email, login).lower() != login.lower():
            raise AuthorsFileError(f"{path}:{line}: {email} is mapped to two logins, {logins[email]} and {login}")
        logins[email] = login
    return AuthorMap(logins=logins)
