"""
Running git for the reporter: resolving refs, ancestry, the ``origin`` remote, and the first-parent history of a
range with the files each commit changed.

The history is read in one ``git log`` process whatever its length, and the authors of the merged branches in one
``git cat-file --batch`` process fed while the log is still being read; never one process per commit. The reporter
must stay within twice the time of the plain ``git log`` it needs (bench/reporter.py).

Git's output is read as bytes and decoded as UTF-8 (what ``git log`` writes unless ``i18n.logOutputEncoding`` says
otherwise), an undecodable byte becoming U+FFFD. The options that a user's git configuration could use to change
what ``git log`` prints are pinned on the command line.
"""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import threading
import urllib.parse
from typing import Iterable, Iterator, NamedTuple, Sequence

# Settings that would change what the reporter reads: a signature block in the log, paths relative to the current
# directory, authors rewritten by a .mailmap (the reporter maps emails itself, docs/reference/cli.rst).
_PINNED_CONFIG = (
    "-c", "log.showSignature=false",
    "-c", "diff.relative=false",
    "-c", "log.mailmap=false",
    "-c", "core.quotePath=false",
)


class GitError(Exception):
    """git failed, or the repository does not have what was asked; the message says which and what to do."""


class Commit(NamedTuple):
    """
    One commit as ``git log`` prints it. ``committed_at`` is git's strict ISO 8601 committer date (with its UTC
    offset); ``paths`` are the files it changed against its first parent (added, modified, deleted; a rename is the
    old and the new path), relative to the repository root. (A named tuple: thousands are made per run, and a
    frozen dataclass takes three times as long to make.)
    """

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committed_at: str
    message: str
    paths: tuple[str, ...]


class Person(NamedTuple):
    """A commit's author as git records it."""

    name: str
    email: str


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def log_format(marker: str) -> str:
    """
    The ``--format`` of ``first_parent_log``: each commit starts with ``marker`` and its fields end with NUL.
    ``marker`` must contain no ``%``.
    """
    return f"{marker}%H%x00%P%x00%an%x00%ae%x00%cI%x00%B%x00"


def parse_commit(chunk: bytes) -> Commit:
    """
    One commit of the output of ``git log -z --name-only --format=<log_format(marker)>``, its marker taken off: with
    ``-z`` its fields and then its file names each end with NUL, the file names coming after one more NUL and a
    newline.
    """
    fields = _decode(chunk).split("\0", 6)
    if len(fields) < 7:
        raise GitError(f"unexpected output from git log: {_decode(chunk[:80])!r}")
    sha, parents, author_name, author_email, committed_at, message, names = fields
    names = names.lstrip("\0")
    if names.startswith("\n"):
        names = names[1:]  # the newline between a commit's fields and its file names
    return Commit(sha, tuple(parents.split()), author_name, author_email, committed_at, message,
                  tuple(filter(None, names.split("\0"))))


def parse_log(chunks: Iterable[bytes], marker: bytes) -> Iterator[Commit]:
    """
    The commits of the output of ``git log -z --name-only --format=<log_format(marker)>``, read piece by piece from
    ``chunks`` (cut anywhere), newest first as git prints them: each is yielded as soon as the next one starts.

    The marker carries a random part chosen per run, so that no file name or message can imitate it: cutting the
    output at the marker cuts it into commits.
    """
    pending = b""
    started = False
    for chunk in chunks:
        pieces = (pending + chunk).split(marker)
        pending = pieces.pop()
        for piece in pieces:
            if started:
                yield parse_commit(piece)
            elif piece.strip(b"\0\n"):
                raise GitError(f"unexpected output from git log: {_decode(piece[:80])!r}")
            started = True
    if started:
        yield parse_commit(pending)
    elif pending.strip(b"\0\n"):
        raise GitError(f"unexpected output from git log: {_decode(pending[:80])!r}")


class Repository:
    """A git working tree or repository at ``path``, read with the ``git`` command."""

    def __init__(self, path: str, *, git: str = "git") -> None:
        self.path = path
        self._git = git

    def _start(self, *args: str, stdin: bytes | None = None, feed: bool = False) -> subprocess.Popen[bytes]:
        """Start ``git <args>``: its input written and closed at once, or left open to ``feed`` it as we go."""
        command = [self._git, "-C", self.path, *_PINNED_CONFIG, *args]
        environment = {**os.environ, "LC_ALL": "C", "LANGUAGE": "C"}  # git's messages in English, as we read them
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE if stdin is not None or feed else
                                       subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env=environment)
        except FileNotFoundError as error:
            raise GitError(f"cannot run {self._git!r}: is git installed and on the PATH?") from error
        if process.stdin is not None and not feed:
            try:  # git reads all of its input before it writes: this cannot wait on our reading
                process.stdin.write(stdin or b"")
                process.stdin.close()
            except BrokenPipeError:
                pass  # git stopped early; _finish reports why
            process.stdin = None  # written and closed: communicate() has nothing to send
        return process

    def _finish(self, process: subprocess.Popen[bytes], command: str,
                ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess[bytes]:
        """Wait for ``process`` (running ``git <command>``); GitError unless its exit status is one of ``ok``."""
        stdout, stderr = process.communicate()
        result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        if result.returncode not in ok:
            message = _decode(result.stderr).strip()
            if "not a git repository" in message or "cannot change to" in message:
                raise GitError(f"{self.path}: not a git repository")
            raise GitError(f"{self.path}: git {command} failed: {message or f'exit status {result.returncode}'}")
        return result

    def _run(self, *args: str, ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess[bytes]:
        return self._finish(self._start(*args), args[0], ok)

    def resolve(self, *refs: str) -> tuple[str, ...]:
        """
        The full sha of the commit each of ``refs`` names (a branch, tag, sha, ``HEAD~3``...), in one process when
        they all exist.
        """
        for ref in refs:
            if not ref or ref.startswith("-") or "\0" in ref or ref.isspace():
                raise GitError(f"{ref!r} is not a git ref")
        result = self._run("rev-parse", *(f"{ref}^{{commit}}" for ref in refs), "--", ok=(0, 128))
        shas = tuple(word for word in _decode(result.stdout).split() if word != "--")  # rev-parse echoes the "--"
        if result.returncode == 0 and len(shas) == len(refs):
            return shas
        for ref in refs:  # which one is missing: ask for each, quietly
            if self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok=(0, 1)).returncode == 1:
                hint = (" (the clone is shallow: fetch the whole history, e.g. actions/checkout with fetch-depth: 0)"
                        if self.is_shallow() else "")
                raise GitError(f"{self.path}: unknown ref {ref!r}: no commit of that name{hint}")
        raise GitError(f"{self.path}: git rev-parse failed: {_decode(result.stderr).strip()}")

    def is_shallow(self) -> bool:
        """Whether the clone lacks part of its history (``git clone --depth``)."""
        try:
            result = self._run("rev-parse", "--is-shallow-repository")
        except GitError:
            return False
        return _decode(result.stdout).strip() == "true"

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether commit ``ancestor`` is ``descendant`` or one of its ancestors."""
        result = self._run("merge-base", "--is-ancestor", ancestor, descendant, ok=(0, 1))
        return result.returncode == 0

    def origin_url(self) -> str | None:
        """The URL of the ``origin`` remote, None when there is none."""
        result = self._run("config", "--get", "remote.origin.url", ok=(0, 1))
        url = _decode(result.stdout).strip()
        return url or None

    def first_parent_log(self, start: str, end: str) -> Iterator[Commit]:
        """
        The commits of ``start..end`` along first parents (the commits that ``end``'s branch gained since
        ``start``), newest first, each with the files it changed against its first parent (merges included).

        They are yielded while git is still writing the later ones, so that the caller's work on them overlaps git's.
        """
        marker = "\x01openedx-cc-" + secrets.token_hex(8)
        process = self._start(
            "log", "--first-parent", "-m", "--no-renames", "--name-only", "-z", "--no-color", "--no-show-signature",
            f"--format={log_format(marker)}", f"{start}..{end}", "--",
        )
        assert process.stdout is not None
        pipe = process.stdout.fileno()
        try:  # each read takes what the pipe holds now (at most 1 MiB), without waiting for more
            yield from parse_log(iter(lambda: os.read(pipe, 1 << 20), b""), marker.encode())
        finally:
            self._finish(process, "log")

    def author_reader(self) -> AuthorReader:
        """Start a reader of commits' authors (``AuthorReader``)."""
        return AuthorReader(self._start("cat-file", "--batch", "--buffer", feed=True), self)


class AuthorReader:
    """
    The authors of commits, read by one ``git cat-file --batch`` process that answers each commit as soon as it is
    asked: the reporter asks while it reads the log, so that both git processes work at the same time. ``wait``
    returns what was found; a commit missing from the clone (a shallow clone) is left out.
    """

    def __init__(self, process: subprocess.Popen[bytes], repository: Repository) -> None:
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        self._repository = repository
        self._input = process.stdin
        self._pending: list[str] = []
        self._chunks: list[bytes] = []
        pipe = process.stdout.fileno()
        # A thread empties git's output as it comes, so that git never waits on a full pipe while we write to it.
        self._drain = threading.Thread(target=lambda: self._chunks.extend(iter(lambda: os.read(pipe, 1 << 16), b"")),
                                       daemon=True)
        self._drain.start()

    def ask(self, sha: str) -> None:
        """Ask for the author of commit ``sha`` (a full sha). Questions go to git 32 at a time."""
        self._pending.append(sha)
        if len(self._pending) >= 32:
            self._send()

    def _send(self) -> None:
        try:
            self._input.write("".join(f"{sha}\n" for sha in self._pending).encode())
            self._input.flush()
        except BrokenPipeError:
            pass  # git stopped: wait() says why
        self._pending.clear()

    def wait(self) -> dict[str, Person]:
        """The authors of the commits asked for, by sha."""
        self._send()
        try:
            self._input.close()
        except BrokenPipeError:
            pass
        self._process.stdin = None  # closed: communicate() in _finish has nothing to send
        self._drain.join()
        self._repository._finish(self._process, "cat-file")
        return parse_batch(b"".join(self._chunks))

    def close(self) -> None:
        """Stop without waiting for the answers (the caller gave up)."""
        if self._process.poll() is None:
            self._process.kill()
        try:
            self._input.close()
        except BrokenPipeError:
            pass
        self._drain.join()  # it reads to the end of git's output, which a killed git gives at once
        self._process.wait()
        for pipe in (self._process.stdout, self._process.stderr):
            if pipe is not None:
                pipe.close()


def parse_batch(raw: bytes) -> dict[str, Person]:
    """
    The authors in the output of ``git cat-file --batch``: for each object asked, ``<sha> <type> <size>``, a newline,
    the object and a newline; or ``<sha> missing``. A commit's author is its ``author Name <email> time zone``
    header, in the commit's ``encoding`` (UTF-8 unless it says otherwise).
    """
    found: dict[str, Person] = {}
    position = 0
    while position < len(raw):
        end = raw.find(b"\n", position)
        if end < 0:
            break
        header = raw[position:end].split()
        position = end + 1
        if len(header) != 3:  # "<sha> missing", "<name> ambiguous"
            continue
        size = int(header[2])
        content = raw[position:position + size]
        position += size + 1
        if header[1] == b"commit" and (person := _author_of(content)) is not None:
            found[header[0].decode("ascii")] = person
    return found


def _author_of(content: bytes) -> Person | None:
    end = content.find(b"\n\n")
    headers = content if end < 0 else content[:end]
    start = headers.find(b"\nauthor ")  # never the first header: that is the tree
    if start < 0:
        return None
    stop = headers.find(b"\n", start + 1)
    identity = headers[start + 8:stop if stop >= 0 else len(headers)].rsplit(b" ", 2)[0]  # "Name <email>"
    bracket = identity.rfind(b"<")
    both = identity[:bracket].strip() + b"\0" + identity[bracket + 1:].rstrip(b">")
    encoding = "utf-8"
    if (position := headers.find(b"\nencoding ")) >= 0:
        line_end = headers.find(b"\n", position + 1)
        encoding = headers[position + 10:line_end if line_end >= 0 else len(headers)].decode("ascii", "replace")
    try:
        text = both.decode(encoding, errors="replace")
    except LookupError:  # an encoding Python does not know
        text = _decode(both)
    name, _nul, email = text.partition("\0")
    return Person(name=name, email=email)


_OWNER_NAME = re.compile(r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})")
_SCP_LIKE = re.compile(r"(?:[^@/\s]+@)?(?P<host>[^:/@\s]+):(?P<path>\S+)")  # [user@]host:path


def is_repository_name(value: str) -> bool:
    """Whether ``value`` is a GitHub repository name ``owner/name``."""
    return _OWNER_NAME.fullmatch(value) is not None and not value.endswith((".git", "/.", "/.."))


def repository_name_from_url(url: str) -> str | None:
    """
    ``owner/name`` from a remote URL: ``https://github.com/owner/name(.git)``, ``ssh://git@github.com/owner/name.git``,
    ``git@github.com:owner/name.git`` (any host, so GitHub Enterprise too). None for a local path or a URL whose path
    is not exactly two segments (GitLab subgroups, mirrors): the name must then be given.
    """
    url = url.strip()
    if "://" in url:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https", "ssh", "git", "git+ssh", "ssh+git") or not parts.hostname:
            return None
        path = parts.path
    elif (match := _SCP_LIKE.fullmatch(url)) and len(match.group("host")) > 1:  # not a Windows drive, C:/...
        path = match.group("path")
    else:
        return None
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[:-4]
    return path if is_repository_name(path) else None
