"""
``openedx-cc-report``: report to openedx-cc what a CD pipeline deployed from git checkouts.

The options, exit statuses and rules are documented in docs/reference/cli.rst, "openedx-cc-report", and the CI
recipes in docs/how-to/report-deployments-from-git.rst. ``main`` is the console script; ``run`` is the same with its
surroundings (environment variables, streams, clock, sleep) passed in, for tests.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Mapping, Sequence, TextIO, TypeVar

from openedx_cc.reporter.git import GitError, Repository, is_repository_name, repository_name_from_url
from openedx_cc.reporter.pullrequests import NO_AUTHORS, AuthorsFileError, load_authors
from openedx_cc.reporter.ranges import DEPLOY, ROLLBACK, RangeError, read_deployed
from openedx_cc.reporter.report import (
    MAX_REPORT_BYTES,
    build_report,
    check_environment,
    check_report_id,
    derive_id,
    encode,
    encode_for_reading,
    format_datetime,
    now,
    parse_datetime,
)
from openedx_cc.reporter.sending import (
    SECRET_VARIABLE,
    URL_VARIABLE,
    Answer,
    BadURL,
    Server,
    Unreachable,
)

PROG = "openedx-cc-report"
EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
_T = TypeVar("_T")
# The synopsis of docs/reference/cli.rst.
USAGE = """%(prog)s --environment ENV --repo PATH[=owner/name] [--repo ...] [--from REF] [--to REF]
                         [--service S] [--release R] [--id ID] [--deployed-at ISO] [--kind deploy|rollback]
                         [--rolls-back ID ...] [--authors FILE] [--url BASE_URL] [--dry-run]"""


class UsageError(Exception):
    """A usage or git error: exit status 2."""


class Refused(Exception):
    """The server refused a request (a 4xx other than a derived id's 409): exit status 1."""

    def __init__(self, message: str, answer: Answer) -> None:
        super().__init__(message)
        self.answer = answer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=USAGE,
        description="Report to openedx-cc the pull requests that a deployment brought to an environment, read from "
                    "git checkouts, as a signed deployment report.",
        epilog=f"Environment: {SECRET_VARIABLE} (the shared secret, needed to send or to ask the server for heads), "
               f"{URL_VARIABLE} (the service's base URL, unless --url). Exit status: 0 recorded (or already "
               "recorded, or a dry run); 1 the server refused the report; 2 a usage or git error; 3 the server "
               "stayed unreachable or kept answering 5xx.",
    )
    parser.add_argument("--environment", required=True, metavar="ENV", help="the environment deployed to")
    parser.add_argument("--repo", required=True, action="append", metavar="PATH[=owner/name]",
                        help="a git checkout that was deployed; its GitHub name comes from =owner/name or the origin "
                             "remote (repeat for each repository)")
    parser.add_argument("--from", dest="from_refs", action="append", default=[], metavar="REF",
                        help="the commit deployed before (default: the environment's head at the server); "
                             "owner/name=REF for one repository of several")
    parser.add_argument("--to", dest="to_refs", action="append", default=[], metavar="REF",
                        help="the commit deployed now (default HEAD); owner/name=REF for one repository of several")
    parser.add_argument("--service", default="", metavar="S", help="the service deployed, e.g. lms")
    parser.add_argument("--release", default="", metavar="R", help="the release deployed, e.g. release/verawood")
    parser.add_argument("--id", dest="report_id", metavar="ID",
                        help="the report's id (default: derived from the environment and the heads)")
    parser.add_argument("--deployed-at", metavar="ISO", help="when it was deployed (default: now)")
    parser.add_argument("--kind", choices=[DEPLOY, ROLLBACK], default=DEPLOY, metavar="deploy|rollback",
                        help="a deploy moves forward (default); a rollback goes back, --to an ancestor of --from")
    parser.add_argument("--rolls-back", action="extend", nargs="+", default=[], metavar="ID",
                        help="for --kind rollback: the ids of the deployments rolled back")
    parser.add_argument("--authors", metavar="FILE", help="a YAML or CSV map of author email -> GitHub login")
    parser.add_argument("--url", metavar="BASE_URL", help=f"the service's base URL (default ${URL_VARIABLE})")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the report on standard output and send nothing")
    return parser


@dataclass(frozen=True)
class Target:
    """One ``--repo``: the checkout, its GitHub name, and the refs asked for (``from_ref`` None: ask the server)."""

    repo: Repository
    name: str
    from_ref: str | None
    to_ref: str


@dataclass(frozen=True)
class Previous:
    """
    A repository's previous head: its sha, and the deployment that put it there when the server said so (the
    server's head, asked for without ``--from``, or one that ``--from`` names too).
    """

    sha: str
    deployment_id: str = ""
    from_server: bool = False


@dataclass(frozen=True)
class ServerHead:
    """A repository's head in the environment at the server, from ``GET deployments/heads/``."""

    sha: str
    deployment_id: str


@dataclass(frozen=True)
class Console:
    """Where the command writes: ``out`` gets only the report or the server's answer; ``err`` everything else."""

    out: TextIO
    err: TextIO

    def note(self, message: str) -> None:
        print(f"{PROG}: {message}", file=self.err)

    def notes(self, messages: Iterable[str]) -> None:
        self.err.write("".join(f"{PROG}: {message}\n" for message in messages))

    def error(self, message: str) -> None:
        print(f"{PROG}: error: {message}", file=self.err)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    return run(argv)


def run(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None, out: TextIO | None = None,
        err: TextIO | None = None, sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] | None = None) -> int:
    """
    The command with its surroundings passed in: ``environ`` (default ``os.environ``), the streams, ``sleep``
    between retries and ``clock`` (a function returning the aware datetime of "now").
    """
    console = Console(out=out or sys.stdout, err=err or sys.stderr)
    parser = build_parser()
    try:
        args = _parse(parser, argv, console)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2), already printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    environ = os.environ if environ is None else environ
    try:
        return _report(args, environ=environ, console=console, sleep=sleep, clock=clock or now)
    except (UsageError, GitError, RangeError, AuthorsFileError, BadURL) as error:
        console.error(str(error))
        return EXIT_USAGE
    except Refused as refused:
        _print_answer(console, refused.answer)
        console.error(str(refused))
        for line in _error_lines(refused.answer):
            console.error(line)
        return EXIT_REFUSED
    except Unreachable as error:
        console.error(f"the server stayed unreachable: {error}")
        return EXIT_UNREACHABLE


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None, console: Console) -> argparse.Namespace:
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = console.out, console.err  # argparse prints help and errors there
    try:
        return parser.parse_args(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _report(args: argparse.Namespace, *, environ: Mapping[str, str], console: Console,
            sleep: Callable[[float], None], clock: Callable[[], datetime]) -> int:
    """Check the options, find each repository's range, read what it deployed, then print or send the report."""
    environment = _checked(check_environment, args.environment, "--environment")
    report_id = _checked(check_report_id, args.report_id, "--id") if args.report_id is not None else None
    started = clock()
    deployed_at = format_datetime(_checked(parse_datetime, args.deployed_at, "--deployed-at")
                                  if args.deployed_at is not None else started)
    if args.kind == ROLLBACK and not args.rolls_back:
        raise UsageError("--kind rollback needs --rolls-back ID... (the deployments it rolls back)")
    if args.kind == DEPLOY and args.rolls_back:
        raise UsageError("--rolls-back is for --kind rollback")
    rolls_back = [_checked(check_report_id, value, "--rolls-back") for value in dict.fromkeys(args.rolls_back)]
    authors = load_authors(args.authors) if args.authors else NO_AUTHORS
    targets = _targets(args.repo, args.from_refs, args.to_refs)
    server = _server(args, environ, console, sleep, needed=not args.dry_run)
    # The heads at the server: needed for the repositories without --from; for the others, asked before sending a
    # derived id, which names the deployment that put --from there when the server's head is --from.
    at_server = _heads_at_server(server, environment, targets, console,
                                 wanted=report_id is None and not args.dry_run)
    previous, heads = _ranges(targets, environment, at_server)
    if report_id is None and at_server is not None and all(
            name.lower() in at_server and at_server[name.lower()].sha == sha.lower() for name, sha in heads.items()):
        by = ", ".join(sorted({at_server[name.lower()].deployment_id for name in heads} - {""}))
        console.note(f"nothing to report: {environment} is already at these heads"
                     + (f" (deployment {by})" if by else ""))
        return EXIT_OK
    deployed = [read_deployed(t.repo, repository=t.name, previous=previous[t.name].sha, head=heads[t.name],
                              kind=args.kind, authors=authors) for t in targets]
    console.notes(note for part in deployed for note in part.notes)
    derived_id = derive_id(environment, args.kind, {n: (p.sha, p.deployment_id) for n, p in previous.items()}, heads)
    report = build_report(report_id=report_id or derived_id, environment=environment, deployed_at=deployed_at,
                          kind=args.kind, rolls_back=rolls_back, deployed=deployed, service=args.service,
                          release=args.release)
    changes, pushes = sum(len(d.changes) for d in deployed), sum(len(d.direct_pushes) for d in deployed)
    console.note(f"report {report['id']}: {changes} change(s), {pushes} direct push(es) in {len(deployed)} "
                 "repository(ies)")
    if args.dry_run:
        console.out.write(encode_for_reading(report))
        return EXIT_OK
    assert server is not None  # _server gave one, since this is no dry run
    body = encode(report)
    if len(body) > MAX_REPORT_BYTES:
        console.note(f"the report is {len(body):,} bytes, more than the {MAX_REPORT_BYTES:,} the server accepts: "
                     "report a shorter range")
    anchored = all(p.from_server for p in previous.values())
    return _post(server, body, report_id=report_id or derived_id, derived=report_id is None, anchored=anchored,
                 console=console)


def _ranges(targets: Sequence[Target], environment: str,
            at_server: Mapping[str, ServerHead] | None) -> tuple[dict[str, Previous], dict[str, str]]:
    """
    Each repository's previous head (``--from``, else the server's) and new head (``--to``), as shas. A ``--from``
    that is the server's head too is taken as coming from the server, with the deployment that put it there.
    """
    heads: dict[str, str] = {}
    previous: dict[str, Previous] = {}
    for target in targets:  # one git process per repository for both refs
        refs = target.repo.resolve(target.to_ref, *([target.from_ref] if target.from_ref is not None else []))
        heads[target.name] = refs[0]
        if target.from_ref is None:
            assert at_server is not None  # _heads_at_server asked for them, or raised
            previous[target.name] = _server_previous_head(target, environment, at_server)
            continue
        known = at_server.get(target.name.lower()) if at_server is not None else None
        if known is not None and known.sha == refs[1].lower():
            previous[target.name] = Previous(sha=refs[1], deployment_id=known.deployment_id, from_server=True)
        else:
            previous[target.name] = Previous(sha=refs[1])
    return previous, heads


def _checked(check: Callable[[str], _T], value: str, option: str) -> _T:
    try:
        return check(value)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


def _targets(repos: Sequence[str], from_refs: Sequence[str], to_refs: Sequence[str]) -> list[Target]:
    """The repositories named by ``--repo``, with the ``--from`` and ``--to`` that apply to each."""
    named: list[tuple[Repository, str]] = []
    for spec in repos:
        path, name = _split_repo(spec)
        repo = Repository(path)
        if name is None:
            url = repo.origin_url()
            name = repository_name_from_url(url) if url else None
            if name is None:
                where = "has no origin remote" if not url else "has an origin remote that names no GitHub repository"
                raise UsageError(f"--repo {path}: the checkout {where}: write --repo {path}=owner/name")
        if any(other.lower() == name.lower() for _repo, other in named):
            raise UsageError(f"--repo: {name} is given twice")
        named.append((repo, name))
    names = [name for _repo, name in named]
    starts = _refs_by_repository("--from", from_refs, names)
    ends = _refs_by_repository("--to", to_refs, names)
    return [Target(repo=repo, name=name, from_ref=starts.get(name.lower(), starts.get("")),
                   to_ref=ends.get(name.lower(), ends.get("", "HEAD"))) for repo, name in named]


def _split_repo(spec: str) -> tuple[str, str | None]:
    path, equals, name = spec.rpartition("=")
    if equals and path and is_repository_name(name):
        return path, name
    if equals and path and "/" in name:
        raise UsageError(f"--repo {spec}: {name!r} is not a repository name owner/name")
    return spec, None


def _refs_by_repository(option: str, values: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """
    ``{"owner/name" (lower case): ref}`` for the ``owner/name=REF`` values, and ``{"": ref}`` for a plain ``REF``,
    which applies to every repository without its own.
    """
    known = {name.lower() for name in names}
    refs: dict[str, str] = {}
    for value in values:
        prefix, equals, ref = value.partition("=")
        key = prefix.lower() if equals and prefix.lower() in known else ""
        if key == "" and equals and is_repository_name(prefix):
            raise UsageError(f"{option} {value}: {prefix} is not one of the --repo repositories ({', '.join(names)})")
        ref = ref if key else value
        if key in refs:
            raise UsageError(f"{option} is given twice for {prefix if key else 'every repository'}")
        if not ref:
            raise UsageError(f"{option} {value}: no ref")
        refs[key] = ref
    return refs


def _server(args: argparse.Namespace, environ: Mapping[str, str], console: Console,
            sleep: Callable[[float], None], *, needed: bool) -> Server | None:
    """The server to send to (or to ask for heads); None if not configured and not ``needed``."""
    url = args.url or environ.get(URL_VARIABLE, "")
    secret = environ.get(SECRET_VARIABLE, "")
    if not needed and not (url and secret):
        return None
    if not url:
        raise UsageError(f"no server: give --url BASE_URL or set {URL_VARIABLE} (or use --dry-run)")
    if not secret:
        raise UsageError(f"{SECRET_VARIABLE} is not set: the report is signed with it")
    return Server(url, secret, sleep=sleep, say=console.note)


def _heads_at_server(server: Server | None, environment: str, targets: Sequence[Target], console: Console, *,
                     wanted: bool) -> dict[str, ServerHead] | None:
    """
    The environment's heads at the server, or None when they were not asked for or could not be read. Asked when a
    repository has no ``--from`` (then not getting them is an error), or when ``wanted`` and the server is known
    (then a refusal or an unreachable server is noted, and the derived id is made from ``--from`` alone).
    """
    asking = [t.name for t in targets if t.from_ref is None]
    if asking:
        if server is None:
            raise UsageError(f"--from is needed for {', '.join(asking)}: a dry run asks the server for the "
                             f"environment's heads only when {URL_VARIABLE} (or --url) and {SECRET_VARIABLE} are set")
        try:
            return _server_heads(server, environment)
        except Unreachable as error:
            raise Unreachable(f"{error} (asking for the heads of {environment}: --from REF for each repository needs "
                              "no server)") from None
    if not wanted or server is None:
        return None
    try:
        return _server_heads(server, environment)
    except (Refused, Unreachable) as error:
        console.note(f"{error}; the report's id is derived from --from alone")
        return None


def _server_previous_head(target: Target, environment: str, at_server: Mapping[str, ServerHead]) -> Previous:
    """The previous head of ``target`` (one without ``--from``): the environment's head at the server."""
    head = at_server.get(target.name.lower())
    if head is None:
        raise UsageError(f"the server knows no head of {target.name} in {environment}: give --from REF (the commit "
                         "deployed before) for this first report")
    try:
        (resolved,) = target.repo.resolve(head.sha)
    except GitError as error:
        raise GitError(f"{error} (the head of {target.name} in {environment} at the server)") from None
    return Previous(sha=resolved, deployment_id=head.deployment_id, from_server=True)


def _server_heads(server: Server, environment: str) -> dict[str, ServerHead]:
    """``{"owner/name" (lower case): ServerHead}`` from ``GET deployments/heads/``, the shas in lower case."""
    answer = server.get_heads(environment)
    if answer.status != 200:
        raise Refused(f"the server answered HTTP {answer.status} to the request for the heads of {environment}",
                      answer)
    document = answer.json()
    heads = document.get("heads") if isinstance(document, dict) else None
    if not isinstance(heads, dict):
        raise Refused("the server's answer for the heads has no 'heads' object", answer)
    found: dict[str, ServerHead] = {}
    for name, head in heads.items():
        if isinstance(head, dict) and isinstance(head.get("sha"), str):
            found[str(name).lower()] = ServerHead(sha=head["sha"].lower(),
                                                  deployment_id=str(head.get("deployment_id") or ""))
    return found


def _post(server: Server, body: bytes, *, report_id: str, derived: bool, anchored: bool, console: Console) -> int:
    """
    Send the report. A 409 for a ``derived`` id is success when the id is ``anchored`` (every previous head came
    from the server, with the deployment that put it there: only a run of this same deployment derives it); for an
    id derived from ``--from`` alone it may be another deployment of the same range (say, after a rollback).
    """
    answer = server.post_report(body)
    if answer.status in (200, 201):
        _print_answer(console, answer)
        console.note(f"report {report_id}: " + ("recorded" if answer.status == 201 else "already recorded"))
        return EXIT_OK
    if answer.status == 409 and derived and not anchored:
        raise Refused(f"report {report_id}: another report was recorded under this id (HTTP 409), which is derived "
                      "from --from without the server's heads: it may be an earlier deployment of the same range "
                      "(before a rollback) rather than this one; nothing recorded. If this deployment was reported "
                      "already, there is nothing to do; otherwise give --id, or drop --from so that the server says "
                      "where the environment stands", answer)
    if answer.status == 409 and derived:
        _print_answer(console, answer)
        console.note(f"report {report_id}: already reported (this deployment's id was recorded with another body, "
                     "e.g. an earlier run's --deployed-at); nothing recorded")
        return EXIT_OK
    if answer.status == 409:
        raise Refused(f"report {report_id}: another report was recorded under this --id (HTTP 409)", answer)
    raise Refused(f"report {report_id}: the server refused it (HTTP {answer.status})", answer)


def _print_answer(console: Console, answer: Answer) -> None:
    if answer.body:
        text = answer.text
        console.out.write(text if text.endswith("\n") else text + "\n")


def _error_lines(answer: Answer) -> list[str]:
    """The server's ``errors`` (``field: message``), or what its answer says when it is not that shape."""
    document = answer.json()
    errors = document.get("errors") if isinstance(document, dict) else None
    if isinstance(errors, list):
        lines = []
        for item in errors:
            if isinstance(item, dict):
                where = item.get("field") or ""
                lines.append(f"{where}: {item.get('message', '')}" if where else str(item.get("message", item)))
            else:
                lines.append(str(item))
        return lines
    if isinstance(document, dict) and "detail" in document:
        return [str(document["detail"])]
    excerpt = " ".join(answer.text.split())[:300]
    return [excerpt] if excerpt else []
