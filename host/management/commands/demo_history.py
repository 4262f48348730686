"""
``manage.py demo_history --url URL --git DIR``: the part of the demo's scripted history that comes in the way operators
feed openedx-cc without custom code, against the running demo server at ``URL``:

1. a git repository of openedx/XBlock is written in ``DIR`` (squash merges and a GitHub merge commit by pilot Core
   Committers, a version bump pushed without a pull request, tags ``v1.1.0`` and ``v1.2.0``);
2. ``openedx-cc-report`` reports ``v1.1.0`` to staging and production (``source: reporter``);
3. GitHub's deliveries for what followed are signed and posted to ``POST /api/cc/v1/github/``, as a repository
   webhook would send them: the pushes of ``master``, the merged pull requests (a revert of a CC's change among them),
   a deployment of ``v1.2.0`` to production with its ``success`` status -- its range starts at the head the reporter
   left --, a failed attempt, and a return to ``v1.1.0`` (a rollback);
4. ``openedx-cc-report`` reports ``v1.2.0`` to staging, starting where the server says staging stands.

Only the demo uses it (``scripts/demo``, at the first start).
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from host import github_payloads as gh

REPOSITORY = "openedx/XBlock"
PEOPLE = {  # pilot Core Committers of XBlock (host/demo_data/pilot-roster.yaml), by their GitHub noreply addresses
    "bradenmacdonald": ("Braden MacDonald", "349483+bradenmacdonald@users.noreply.github.com"),
    "symbolist": ("Tim Krones", "symbolist@users.noreply.github.com"),
    "pdpinch": ("Peter Pinch", "pdpinch@users.noreply.github.com"),
    "felipemontoya": ("Felipe Montoya", "felipemontoya@users.noreply.github.com"),
}
RELEASE_BOT = ("Release Bot", "release-bot@example.org")  # no GitHub login: its commit is a direct push


class History:
    """The demo repository, written commit by commit with fixed dates, so every seeding gives the same shas."""

    def __init__(self, path: Path):
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        self.path = path
        self.git("init", "-q", "-b", "master")

    def git(self, *args, env=None):
        result = subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, text=True, check=True,
                                env={**os.environ, **(env or {}), "GIT_CONFIG_GLOBAL": os.devnull,
                                     "GIT_CONFIG_NOSYSTEM": "1"})
        return result.stdout.strip()

    def commit(self, message, files, *, author, when):
        for name, content in files.items():
            (self.path / name).parent.mkdir(parents=True, exist_ok=True)
            (self.path / name).write_text(content)
            self.git("add", name)
        name, email = author
        self.git("commit", "-q", "-m", message, env={
            "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com", "GIT_COMMITTER_DATE": when})
        return self.git("rev-parse", "HEAD")

    def merge(self, branch, message, *, when):
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env={
            "GIT_AUTHOR_NAME": "GitHub", "GIT_AUTHOR_EMAIL": "noreply@github.com", "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com", "GIT_COMMITTER_DATE": when})
        return self.git("rev-parse", "HEAD")


def write_history(path: Path) -> dict:
    """Write the repository; the shas and pull requests the deliveries name."""
    repo = History(path)
    shas = {"root": repo.commit("Initial import of XBlock 1.0", {"xblock/core.py": "v1\n", "setup.py": "1.0.0\n"},
                                author=PEOPLE["bradenmacdonald"], when="2026-11-02T09:00:00Z")}
    repo.git("tag", "v1.0.0")
    shas[851] = repo.commit("feat: validate field values on assignment (#851)\n\nFields check their values early.",
                            {"xblock/fields.py": "validated\n"}, author=PEOPLE["bradenmacdonald"],
                            when="2026-11-10T15:00:00Z")
    repo.git("checkout", "-q", "-b", "runtime-cache")
    repo.commit("perf: cache the runtime's handler lookups", {"xblock/runtime.py": "cached\n"},
                author=PEOPLE["symbolist"], when="2026-11-11T10:00:00Z")
    repo.git("checkout", "-q", "master")
    shas[852] = repo.merge("runtime-cache", "Merge pull request #852 from symbolist/runtime-cache\n\n"
                                            "perf: cache the runtime's handler lookups", when="2026-11-12T16:00:00Z")
    shas["bump"] = repo.commit("chore: version 1.1.0", {"setup.py": "1.1.0\n"}, author=RELEASE_BOT,
                               when="2026-11-13T08:00:00Z")
    repo.git("tag", "v1.1.0")
    shas[853] = repo.commit(f'Revert "feat: validate field values on assignment (#851)" (#853)\n\n'
                            f"This reverts commit {shas[851]}.", {"xblock/fields.py": "v1\n"},
                            author=PEOPLE["pdpinch"], when="2026-11-25T11:00:00Z")
    shas[854] = repo.commit("fix: export empty strings to XML (#854)", {"xblock/core.py": "v1 xml\n"},
                            author=PEOPLE["felipemontoya"], when="2026-11-25T14:00:00Z")
    shas["bump2"] = repo.commit("chore: version 1.2.0", {"setup.py": "1.2.0\n"}, author=RELEASE_BOT,
                                when="2026-11-26T08:00:00Z")
    repo.git("tag", "v1.2.0")
    return shas


def github_deliveries(shas) -> list:
    """The deliveries GitHub sends for what followed v1.1.0, as (event, payload), in the order they are sent."""
    def one_commit_push(before, after, message, login):
        return gh.push(REPOSITORY, before, [gh.commit(REPOSITORY, after, message, login=login, name=PEOPLE[login][0],
                                                      email=PEOPLE[login][1])], login=login)

    def deployed(number, sha, ref, state, at):
        return gh.deployment_status(REPOSITORY, number, sha, state, ref=ref, environment="production", at=at,
                                    service="lms")

    revert_title = 'Revert "feat: validate field values on assignment (#851)"'
    return [
        # the merged pull requests arrive before their pushes here; any order would do
        gh.merged_pull_request(REPOSITORY, 853, shas[853], title=revert_title, author="pdpinch",
                               merged_by="bradenmacdonald", merged_at="2026-11-25T11:00:00Z",
                               body=f"This reverts commit {shas[851]}.", files=["xblock/fields.py"]),
        one_commit_push(shas["bump"], shas[853], revert_title + " (#853)", "pdpinch"),
        one_commit_push(shas[853], shas[854], "fix: export empty strings to XML (#854)", "felipemontoya"),
        gh.merged_pull_request(REPOSITORY, 854, shas[854], title="fix: export empty strings to XML",
                               author="felipemontoya", merged_by="symbolist", merged_at="2026-11-25T14:00:00Z",
                               files=["xblock/core.py"]),
        one_commit_push(shas[854], shas["bump2"], "chore: version 1.2.0", "bradenmacdonald"),
        gh.deployment(REPOSITORY, 5001, shas["bump2"], ref="v1.2.0", environment="production",
                      at="2026-11-27T09:55:00Z", service="lms"),
        deployed(5001, shas["bump2"], "v1.2.0", "in_progress", "2026-11-27T09:56:00Z"),
        deployed(5001, shas["bump2"], "v1.2.0", "success", "2026-11-27T10:00:00Z"),
        deployed(5002, shas["bump2"], "v1.2.0", "failure", "2026-11-28T10:00:00Z"),  # a failed attempt
        deployed(5003, shas["bump"], "v1.1.0", "success", "2026-11-29T10:00:00Z"),  # back to v1.1.0: a rollback
    ]


class Command(BaseCommand):
    """Feed the demo server the scripted history of openedx/XBlock: reporter runs and GitHub deliveries."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="the running demo server, e.g. http://127.0.0.1:8000")
        parser.add_argument("--git", required=True, help="where to write the demo's git repository")

    def handle(self, *args, **options):
        url = options["url"].rstrip("/")
        self._wait_for(url)
        shas = write_history(Path(options["git"]) / "XBlock")
        repo = f"{Path(options['git']) / 'XBlock'}={REPOSITORY}"
        self._report("staging", "--repo", repo, "--from", "v1.0.0", "--to", "v1.1.0",
                     "--deployed-at", "2026-11-14T10:00:00Z", url=url)
        self._report("production", "--repo", repo, "--from", "v1.0.0", "--to", "v1.1.0",
                     "--deployed-at", "2026-11-17T10:00:00Z", url=url)
        for event, payload in github_deliveries(shas):
            self._deliver(url, event, payload)
        self._report("staging", "--repo", repo, "--to", "v1.2.0", "--deployed-at", "2026-11-26T10:00:00Z", url=url)

    def _wait_for(self, url):
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/api/cc/v1/schema/", timeout=5)  # noqa: S310  (the demo's own URL)
                return
            except urllib.error.HTTPError:
                return  # answering (403 without a login): up
            except OSError as error:
                if time.monotonic() > deadline:
                    raise CommandError(f"the demo server at {url} did not start: {error}") from error
                time.sleep(0.2)

    def _report(self, environment, *args, url):
        command = shutil.which("openedx-cc-report")
        command = [command] if command else [sys.executable, "-m", "openedx_cc.reporter"]
        result = subprocess.run([*command, "--environment", environment, "--service", "lms", *args, "--url", url],
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise CommandError(f"openedx-cc-report exited {result.returncode}: {result.stderr}{result.stdout}")
        answer = json.loads(result.stdout)
        self.stdout.write(f"openedx-cc-report: {answer['id']} to {environment}, "
                          f"{len(answer['changes'])} change(s), {answer['direct_pushes']} direct push(es)")

    def _deliver(self, url, event, payload):
        body = json.dumps(payload).encode()
        headers = gh.signed_headers(event, body, os.environ["OPENEDX_CC_GITHUB_WEBHOOK_SECRET"])
        request = urllib.request.Request(url + "/api/cc/v1/github/", data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  (the demo's own URL)
                status = response.status
        except urllib.error.HTTPError as error:
            raise CommandError(f"POST github/ ({event}) answered {error.code}: {error.read()[:500]!r}") from error
        self.stdout.write(f"GitHub delivery: {event} -> {status}")
