"""
The command (``cli.run``, the console script with its surroundings passed in) against a local stand-in service:
exit statuses, what goes to standard output (the report or the server's answer, nothing else) and to standard
error, the heads asked from the server, idempotent ids, and usage errors.
"""
import io
import json
from datetime import datetime, timezone

import pytest

from openedx_cc.reporter.cli import run
from tests.reporter.gitrepo import git
from tests.reporter.service import SECRET, Answer, heads_answer, refused_url

DEV = ("Dev", "7+dev@users.noreply.github.com")


class Result:
    def __init__(self, status, out, err, sleeps):
        self.status, self.out, self.err, self.sleeps = status, out, err, sleeps

    @property
    def json(self):
        return json.loads(self.out)


def _run(*argv, url=None, secret=SECRET, at=datetime(2026, 11, 25, 10, tzinfo=timezone.utc)):
    environ = {"OPENEDX_CC_WEBHOOK_SECRET": secret} if secret else {}
    if url:
        environ["OPENEDX_CC_URL"] = url
    out, err, sleeps = io.StringIO(), io.StringIO(), []
    status = run(list(argv), environ=environ, out=out, err=err, sleep=sleeps.append, clock=lambda: at)
    return Result(status, out.getvalue(), err.getvalue(), sleeps)


@pytest.fixture
def history(repo):
    """The test repository with a squash merge, a direct push and a GitHub merge after its first commit."""
    repo.previous = repo.head()
    repo.commit("feat: one (#1)", {"src/one.py": "1\n"}, author=DEV)
    repo.commit("Bump version", {"VERSION": "2\n"})
    repo.branch("feature")
    repo.commit("two", {"src/two.py": "2\n"}, author=("Stranger", "stranger@example.org"))
    repo.checkout("main")
    repo.merge("feature", "Merge pull request #2 from stranger/feature\n\nfix: two")
    repo.spec = f"{repo.path}=openedx/demo"
    return repo


def test_201_prints_the_answer_and_nothing_else(history, service):
    service.answer(heads_answer(), Answer(201, {"id": "recorded", "changes": []}))
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous,
                  "--service", "lms", "--release", "release/verawood", url=service.url)
    assert result.status == 0
    assert result.json == {"id": "recorded", "changes": []}
    heads, request = service.requests  # the heads are asked for even with --from: they name the previous deployment
    assert (heads.method, heads.path) == ("GET", "/api/cc/v1/deployments/heads/?environment=production")
    assert request.signed_with(SECRET)
    report = json.loads(request.body)
    assert report["id"].startswith("reporter:production:")
    assert (report["source"], report["service"], report["release"]) == ("reporter", "lms", "release/verawood")
    assert report["deployed_at"] == "2026-11-25T10:00:00Z"
    assert report["heads"] == {"openedx/demo": history.head()}
    assert [(c["pr_number"], c["author"], c["merged_by"]) for c in report["changes"]] == [(1, "dev", ""), (2, "", "")]
    assert report["direct_pushes"][0]["title"] == "Bump version"
    assert "direct push" in result.err and "author Stranger <stranger@example.org>: unknown GitHub login" in result.err
    assert f"report {report['id']}: recorded" in result.err


def test_the_dry_run_prints_the_report_that_would_be_sent(history, service):
    dry = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, "--dry-run",
               url=service.url)
    assert dry.status == 0 and service.requests == []
    service.answer(heads_answer(), Answer(201, {"id": "ok"}))
    sent = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, url=service.url)
    assert sent.status == 0
    assert json.loads(service.posts[0].body) == dry.json
    assert dry.out.startswith("{\n") and "openedx-cc-report" not in dry.out


def test_200_already_recorded(history, service):
    service.answer(heads_answer(), Answer(200, {"id": "same"}))
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, url=service.url)
    assert (result.status, result.json) == (0, {"id": "same"})
    assert "already recorded" in result.err


def test_a_retried_run_sends_the_same_id_and_a_409_for_it_is_success(history, service):
    at_previous = heads_answer({"openedx/demo": (history.previous, "d0")})
    service.answer(at_previous, Answer(201, {"id": "ok"}))
    first = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, url=service.url)
    service.answer(at_previous, Answer(409, {"errors": [{"field": "id", "message": "another report has this id"}]}))
    later = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, url=service.url,
                 at=datetime(2026, 11, 25, 11, tzinfo=timezone.utc))
    first_body, later_body = (json.loads(r.body) for r in service.posts)
    assert first_body["id"] == later_body["id"] and first_body != later_body  # another deployed_at
    assert (first.status, later.status) == (0, 0)
    assert later.json == {"errors": [{"field": "id", "message": "another report has this id"}]}
    assert "already reported" in later.err


def test_a_409_for_an_explicit_id_is_an_error(history, service):
    service.answer(Answer(409, {"errors": [{"field": "id", "message": "another report has this id"}]}))
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous,
                  "--id", "lms-prod-1", url=service.url)
    assert result.status == 1
    assert [r.method for r in service.requests] == ["POST"]  # an explicit id needs no heads
    assert json.loads(service.requests[0].body)["id"] == "lms-prod-1"
    assert "another report was recorded under this --id" in result.err
    assert "error: id: another report has this id" in result.err


def test_400_prints_the_servers_errors(history, service):
    errors = {"errors": [{"field": "changes[1].author", "message": "'' is not a valid GitHub login"},
                         {"field": "source", "message": "unknown field"}]}
    service.answer(heads_answer(), Answer(400, errors))
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, url=service.url)
    assert (result.status, result.json) == (1, errors)
    assert "error: changes[1].author: '' is not a valid GitHub login" in result.err
    assert "error: source: unknown field" in result.err
    assert len(service.posts) == 1


def test_401_without_a_json_answer(history, service):
    service.answer(heads_answer(), Answer(401, b"Unauthorized"))
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, url=service.url)
    assert (result.status, result.out) == (1, "Unauthorized\n")
    assert "HTTP 401" in result.err and "error: Unauthorized" in result.err


def test_a_5xx_after_the_retries_is_exit_3(history, service):
    service.answer(heads_answer(), Answer(500, {"detail": "down"}))
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, url=service.url)
    assert (result.status, result.out) == (3, "")
    assert len(service.posts) == 6 and len(result.sleeps) == 5
    assert result.err.count("retrying in") == 5
    assert "error: the server stayed unreachable" in result.err and "after 6 attempt(s)" in result.err


def test_an_unreachable_server_is_exit_3(history):
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous,
                  url=refused_url())
    assert (result.status, result.out) == (3, "")
    assert "cannot connect" in result.err


# --- the previous heads from the server

def test_without_from_the_previous_head_comes_from_the_server(history, service):
    service.answer(Answer(200, {"environment": "production", "heads": {
        "OpenEdx/Demo": {"sha": history.previous, "deployment_id": "d1", "deployed_at": "2026-11-20T10:00:00Z"}}}),
        Answer(201, {"id": "ok"}))
    result = _run("--environment", "production", "--repo", history.spec, url=service.url)
    assert result.status == 0
    heads, post = service.requests
    assert (heads.method, heads.path) == ("GET", "/api/cc/v1/deployments/heads/?environment=production")
    assert heads.signed_with(SECRET, heads.path.encode())
    assert [c["pr_number"] for c in json.loads(post.body)["changes"]] == [1, 2]
    explicit = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, "--dry-run")
    assert json.loads(post.body)["id"] != explicit.json["id"]  # the previous deployment is part of the id


def test_a_dry_run_asks_the_server_for_heads_when_it_can(history, service):
    service.answer(Answer(200, {"environment": "production", "heads": {
        "openedx/demo": {"sha": history.previous, "deployment_id": "d1", "deployed_at": "2026-11-20T10:00:00Z"}}}))
    result = _run("--environment", "production", "--repo", history.spec, "--dry-run", url=service.url)
    assert result.status == 0 and len(result.json["changes"]) == 2
    assert [r.method for r in service.requests] == ["GET"]


def test_a_repository_the_server_has_no_head_for_needs_from(history, service):
    service.answer(Answer(200, {"environment": "production", "heads": {}}))
    result = _run("--environment", "production", "--repo", history.spec, url=service.url)
    assert (result.status, result.out) == (2, "")
    assert "the server knows no head of openedx/demo in production: give --from REF" in result.err


def test_a_dry_run_without_a_server_needs_from(history):
    result = _run("--environment", "production", "--repo", history.spec, "--dry-run", secret=None)
    assert (result.status, result.out) == (2, "")
    assert "--from is needed for openedx/demo" in result.err


def test_a_dry_run_whose_server_is_unreachable_says_from_would_do(history):
    result = _run("--environment", "production", "--repo", history.spec, "--dry-run", url=refused_url())
    assert (result.status, result.out) == (3, "")
    assert "--from REF for each repository needs no server" in result.err


def test_the_heads_request_refused(history, service):
    service.answer(Answer(404, {"detail": "Not found."}))
    result = _run("--environment", "production", "--repo", history.spec, url=service.url)
    assert result.status == 1
    assert "HTTP 404 to the request for the heads of production" in result.err and "error: Not found." in result.err


def test_a_server_head_the_clone_does_not_have(history, service):
    service.answer(Answer(200, {"environment": "production", "heads": {
        "openedx/demo": {"sha": "f" * 40, "deployment_id": "d1", "deployed_at": "2026-11-20T10:00:00Z"}}}))
    result = _run("--environment", "production", "--repo", history.spec, url=service.url)
    assert result.status == 2
    assert "unknown ref 'ffff" in result.err and "(the head of openedx/demo in production at the server)" in result.err


def test_nothing_to_report_when_the_server_is_already_at_the_new_heads(history, service):
    """A run retried after its report was recorded (its answer lost) finds the heads moved: nothing to send."""
    service.answer(Answer(200, {"environment": "production", "heads": {
        "openedx/demo": {"sha": history.head(), "deployment_id": "reporter:production:x", "deployed_at": "x"}}}))
    result = _run("--environment", "production", "--repo", history.spec, url=service.url)
    assert (result.status, result.out) == (0, "")
    assert "nothing to report: production is already at these heads (deployment reporter:production:x)" in result.err
    assert len(service.requests) == 1


# --- the previous heads with --from

def _from_previous(history, *argv, **options):
    """The command with ``--from`` the history's previous head."""
    return _run("--environment", "production", "--repo", history.spec, "--from", history.previous, *argv, **options)


def test_a_deploy_again_after_a_rollback_has_an_id_of_its_own(history, service):
    """
    A to B, rolled back to A, A to B again, each run with --from: the server's head of the third run is --from, put
    there by the rollback, so the third id names the rollback and is not the first's (whose 409 would be taken for
    "already reported").
    """
    previous, head = history.previous, history.head()
    service.answer(heads_answer(), Answer(201, {"id": "ok"}))  # the first report of openedx/demo
    first = _from_previous(history, url=service.url)
    first_id = json.loads(service.posts[0].body)["id"]
    service.answer(heads_answer({"openedx/demo": (head, first_id)}), Answer(201, {"id": "ok"}))
    rollback = _run("--environment", "production", "--repo", history.spec, "--from", head, "--to", previous,
                    "--kind", "rollback", "--rolls-back", first_id, url=service.url,
                    at=datetime(2026, 11, 25, 12, tzinfo=timezone.utc))
    rollback_id = json.loads(service.posts[1].body)["id"]
    service.answer(heads_answer({"openedx/demo": (previous, rollback_id)}), Answer(201, {"id": "ok"}))
    again = _from_previous(history, url=service.url, at=datetime(2026, 11, 26, 10, tzinfo=timezone.utc))
    again_report = json.loads(service.posts[2].body)
    assert (first.status, rollback.status, again.status) == (0, 0, 0)
    assert len({first_id, rollback_id, again_report["id"]}) == 3
    assert [c["pr_number"] for c in again_report["changes"]] == [1, 2]
    assert f"report {again_report['id']}: recorded" in again.err
    # the id a run without --from derives from the same heads at the server
    service.answer(heads_answer({"openedx/demo": (previous, rollback_id)}))
    without_from = _run("--environment", "production", "--repo", history.spec, "--dry-run", url=service.url)
    assert without_from.json["id"] == again_report["id"]


def test_a_server_head_in_other_case_is_the_same_commit(history, service):
    service.answer(heads_answer({"OpenEdx/Demo": (history.previous.upper(), "d0")}), Answer(201, {"id": "ok"}))
    assert _from_previous(history, url=service.url).status == 0
    service.answer(heads_answer({"openedx/demo": (history.previous, "d0")}))
    without_from = _run("--environment", "production", "--repo", history.spec, "--dry-run", url=service.url)
    assert json.loads(service.posts[0].body)["id"] == without_from.json["id"]


@pytest.mark.parametrize("kind", ["deploy", "rollback"])
def test_a_retried_run_with_from_finds_its_report_recorded(history, service, kind):
    """The first run's report was recorded but its answer lost: the server is already at --to; nothing is sent."""
    argv = ["--from", history.head(), "--to", history.previous, "--kind", "rollback", "--rolls-back", "d1"] if (
        kind == "rollback") else ["--from", history.previous]
    new_head = history.previous if kind == "rollback" else history.head()
    service.answer(heads_answer({"openedx/demo": (new_head, "reporter:production:abc")}))
    result = _run("--environment", "production", "--repo", history.spec, *argv, url=service.url)
    assert (result.status, result.out) == (0, "")
    assert "nothing to report: production is already at these heads (deployment reporter:production:abc)" in (
        result.err)
    assert [r.method for r in service.requests] == ["GET"]


@pytest.mark.parametrize("heads", [
    [Answer(404, {"detail": "Not found."})],
    [Answer(500, {"detail": "down"})] * 6,  # unreachable through every attempt
    [heads_answer()],  # the server knows no head of the repository
    [heads_answer({"openedx/demo": ("f" * 40, "d9")})],  # nor one that is --from
], ids=["refused", "unreachable", "no-head", "another-head"])
def test_without_the_servers_head_the_id_comes_from_from_alone(history, service, heads):
    service.answer(*heads, Answer(201, {"id": "ok"}))
    result = _from_previous(history, url=service.url)
    assert (result.status, result.json) == (0, {"id": "ok"})
    offline = _from_previous(history, "--dry-run", secret=None)
    assert json.loads(service.posts[0].body)["id"] == offline.json["id"]
    if heads[0].status != 200:
        assert "the report's id is derived from --from alone" in result.err


@pytest.mark.parametrize("heads", [Answer(404, {"detail": "Not found."}), heads_answer()], ids=["refused", "no-head"])
def test_a_409_for_an_id_derived_from_from_alone_is_an_error(history, service, heads):
    """Such an id may be an earlier deployment of the same range (before a rollback): not taken as reported."""
    service.answer(heads, Answer(409, {"errors": [{"field": "id", "message": "another report has this id"}]}))
    result = _from_previous(history, url=service.url)
    assert result.status == 1
    assert result.json == {"errors": [{"field": "id", "message": "another report has this id"}]}
    assert "derived from --from without the server's heads" in result.err
    assert "give --id, or drop --from" in result.err and "error: id: another report has this id" in result.err


def test_a_dry_run_with_from_asks_nothing(history, service):
    result = _from_previous(history, "--dry-run", url=service.url)
    assert result.status == 0 and service.requests == []


# --- rollbacks

def test_a_rollback(history, service):
    service.answer(heads_answer({"openedx/demo": (history.head(), "d3")}), Answer(201, {"id": "ok"}))
    result = _run("--environment", "production", "--repo", history.spec, "--from", "HEAD", "--to", history.previous,
                  "--kind", "rollback", "--rolls-back", "d2", "d3", "--rolls-back", "d2", url=service.url)
    assert result.status == 0
    report = json.loads(service.posts[0].body)
    assert (report["kind"], report["rolls_back"], report["changes"]) == ("rollback", ["d2", "d3"], [])
    assert report["heads"] == {"openedx/demo": history.previous}


@pytest.mark.parametrize("argv, message", [
    (["--kind", "rollback"], "--kind rollback needs --rolls-back ID..."),
    (["--rolls-back", "d1"], "--rolls-back is for --kind rollback"),
    (["--kind", "rollback", "--rolls-back", "/bad"], "--rolls-back: '/bad' is not a valid report id"),
    (["--id", "heads"], "--id: 'heads' is not a valid report id"),
    (["--deployed-at", "2026-11-25 10:00"], "has no time zone"),
    (["--to", "HEAD~3"], "is not an ancestor of --to"),
    (["--from", "openedx/other=HEAD"], "openedx/other is not one of the --repo repositories (openedx/demo)"),
    (["--from", "HEAD~1", "--from", "HEAD~2"], "--from is given twice for every repository"),
    (["--authors", "/nonexistent/authors.yaml"], "cannot read the authors file"),
])
def test_usage_errors(history, argv, message):
    result = _run("--environment", "production", "--repo", history.spec, "--from", "HEAD~2", *argv, "--dry-run")
    assert (result.status, result.out) == (2, "")
    assert message in result.err


@pytest.mark.parametrize("environ, message", [
    ({"url": None}, "no server: give --url BASE_URL or set OPENEDX_CC_URL"),
    ({"secret": None, "url": "http://127.0.0.1:9"}, "OPENEDX_CC_WEBHOOK_SECRET is not set"),
    ({"url": "ftp://example.org"}, "is not an http(s) URL"),
])
def test_sending_needs_a_url_and_the_secret(history, environ, message):
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous, **environ)
    assert (result.status, result.out) == (2, "")
    assert message in result.err


def test_url_option_wins_over_the_environment_variable(history, service):
    result = _run("--environment", "production", "--repo", history.spec, "--from", history.previous,
                  "--url", service.url, url="http://127.0.0.1:9")
    assert result.status == 0 and len(service.posts) == 1


def test_argparse_errors_and_help(history):
    missing = _run("--repo", history.spec)
    assert (missing.status, missing.out) == (2, "")
    assert "the following arguments are required: --environment" in missing.err
    helped = _run("--help")
    assert helped.status == 0 and "[--rolls-back ID ...]" in helped.out and helped.err == ""


def test_not_a_git_repository(tmp_path):
    result = _run("--environment", "production", "--repo", f"{tmp_path}=openedx/demo", "--from", "HEAD", "--dry-run")
    assert (result.status, result.out) == (2, "")
    assert f"error: {tmp_path}: not a git repository" in result.err


# --- repository names

def test_the_name_comes_from_the_origin_remote(history):
    git(history.path, "remote", "add", "origin", "git@github.com:openedx/Demo-Repo.git")
    result = _run("--environment", "production", "--repo", str(history.path), "--from", history.previous,
                  "--dry-run")
    assert result.status == 0
    assert list(result.json["heads"]) == ["openedx/Demo-Repo"]
    assert result.json["changes"][0]["url"] == "https://github.com/openedx/Demo-Repo/pull/1"


def test_without_origin_the_name_is_asked_for(history):
    result = _run("--environment", "production", "--repo", str(history.path), "--from", "HEAD", "--dry-run")
    assert result.status == 2
    assert f"--repo {history.path}: the checkout has no origin remote: write --repo {history.path}=owner/name" in (
        result.err)


def test_the_same_repository_twice(history):
    result = _run("--environment", "production", "--repo", history.spec, "--repo", f"{history.path}=OpenEdx/Demo",
                  "--from", "HEAD", "--dry-run")
    assert result.status == 2 and "OpenEdx/Demo is given twice" in result.err


def test_a_plain_ref_applies_to_every_repository_without_its_own(history, tmp_path):
    from tests.reporter.gitrepo import GitRepo

    other = GitRepo(tmp_path / "other")
    other_first = other.commit("first")
    other.commit("feat: other (#9)")
    result = _run("--environment", "production", "--repo", history.spec, "--repo", f"{other.path}=openedx/other",
                  "--from", "HEAD~3", "--from", f"openedx/other={other_first}", "--dry-run")
    assert result.status == 0
    assert [(c["repository"], c["pr_number"]) for c in result.json["changes"]] == [
        ("openedx/demo", 1), ("openedx/demo", 2), ("openedx/other", 9)]
