"""
The payload models read GitHub's real example payloads (tests/fixtures/github/), and name the field a payload lacks.
"""
import json
from datetime import datetime, timezone
from urllib.parse import quote

import pytest

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.github import payloads as p
from tests.plugins.github import builders as b


def test_githubs_merged_pull_request_reads():
    event = p.parse_payload(p.PullRequestEvent, b.merged_pr(36001, b.sha(1), labels=["bug", "backport"],
                                                            files=["lms/a.py"]))
    pr = event.pull_request
    assert (event.action, pr.number, pr.merged, pr.merge_commit_sha) == ("closed", 36001, True, b.sha(1))
    assert (pr.user.login, pr.merged_by.login, pr.base.ref) == ("some-contributor", "bradenmacdonald", "master")
    assert pr.merged_at == datetime(2026, 11, 24, 18, tzinfo=timezone.utc)
    assert [label.name for label in pr.labels] == ["bug", "backport"]
    assert pr.paths() == ["lms/a.py"]
    assert event.repository.full_name == "openedx/openedx-platform"


def test_githubs_closed_example_is_not_merged():
    event = p.parse_payload(p.PullRequestEvent, b.real("pull_request.closed"))
    assert (event.pull_request.merged, event.pull_request.merged_by, event.pull_request.paths()) == (False, None, None)
    assert event.pull_request.merge_commit_sha == "c4295bd74fb0f4fda03689c3df3f2803b658fd85"


@pytest.mark.parametrize("name", ["pull_request.closed.with-organization", "pull_request.opened"])
def test_other_pull_request_examples_read(name):
    assert p.parse_payload(p.PullRequestEvent, b.real(name)).pull_request.number > 0


def test_githubs_push_examples_read():
    tag_deletion = p.parse_payload(p.PushEvent, b.real("push"))
    assert (tag_deletion.branch, tag_deletion.deleted, tag_deletion.after) == (None, True, p.ZERO_SHA)
    new_branch = p.parse_payload(p.PushEvent, b.real("push.with-new-branch"))
    assert (new_branch.branch, new_branch.created, new_branch.before) == ("master", True, p.ZERO_SHA)
    assert [c.title for c in new_branch.commits] == ["Initial commit"]
    assert new_branch.pusher.name == "Codertocat"
    assert new_branch.repository.pushed_at == datetime(2019, 5, 15, 15, 20, 57, tzinfo=timezone.utc)
    no_username = p.parse_payload(p.PushEvent, b.real("push.with-no-username-committer"))
    assert no_username.head_commit.id == "6113728f27ae82c7b1a177c8d03f9e96e0adf246"


def test_githubs_deployment_examples_read():
    created = p.parse_payload(p.DeploymentEvent, b.real("deployment"))
    assert (created.deployment.id, created.deployment.environment, created.deployment.ref) == (
        145988746, "production", "master")
    assert created.deployment.service is None
    success = p.parse_payload(p.DeploymentStatusEvent, b.real("deployment_status"))
    assert (success.deployment_status.state, success.deployment.sha) == (
        "success", "f95f852bd8fca8fcc58a9a2d6c842781e32a215e")
    pages = p.parse_payload(p.DeploymentStatusEvent, b.real("deployment_status.gh-pages"))
    assert (pages.deployment_status.state, pages.deployment.environment) == ("in_progress", "github-pages")


@pytest.mark.parametrize("payload, service", [
    ({"service": "lms"}, "lms"),
    ('{"service": "cms"}', "cms"),
    ("not json", None),
    ({"service": ""}, None),
    ({"service": 3}, None),
    (None, None),
])
def test_the_service_comes_from_the_deployments_payload(payload, service):
    document = b.real("deployment")
    document["deployment"]["payload"] = payload
    assert p.parse_payload(p.DeploymentEvent, document).deployment.service == service


@pytest.mark.parametrize("edit, field", [
    (lambda d: d["pull_request"].pop("merged_by"), None),  # absent merger: allowed (old pull requests)
    (lambda d: d["pull_request"].pop("merge_commit_sha"), "pull_request.merge_commit_sha"),
    (lambda d: d["pull_request"].update(merge_commit_sha=None), "pull_request.merge_commit_sha"),
    (lambda d: d["pull_request"].update(merged_at=None), "pull_request.merged_at"),
    (lambda d: d["pull_request"]["user"].pop("login"), "pull_request.user.login"),
    (lambda d: d["pull_request"].pop("base"), "pull_request.base"),
    (lambda d: d["repository"].pop("full_name"), "repository.full_name"),
    (lambda d: d["repository"].update(full_name="not a repository"), "repository.full_name"),
    (lambda d: d["pull_request"].update(number="36001"), "pull_request.number"),
])
def test_a_merged_pull_request_missing_a_field_names_it(edit, field):
    document = b.merged_pr(36001, b.sha(1))
    edit(document)
    if field is None:
        p.parse_payload(p.PullRequestEvent, document)
        return
    with pytest.raises(ValidationFailed) as refused:
        p.parse_payload(p.PullRequestEvent, document)
    assert field in [problem.field for problem in refused.value.problems], refused.value.problems


@pytest.mark.parametrize("model, document, field", [
    (p.PushEvent, lambda: {k: v for k, v in b.real("push.with-new-branch").items() if k != "after"}, "after"),
    (p.PushEvent, lambda: dict(b.real("push.with-new-branch"), before="abc"), "before"),
    (p.PushEvent, lambda: dict(b.real("push.with-new-branch"), commits=[{"message": "x"}]), "commits[0].id"),
    (p.DeploymentEvent, lambda: dict(b.real("deployment"), deployment={"id": 1}), "deployment.sha"),
    (p.DeploymentStatusEvent, lambda: {k: v for k, v in b.real("deployment_status").items()
                                       if k != "deployment_status"}, "deployment_status"),
])
def test_other_payloads_missing_a_field_name_it(model, document, field):
    with pytest.raises(ValidationFailed) as refused:
        p.parse_payload(model, document())
    assert field in [problem.field for problem in refused.value.problems], refused.value.problems


@pytest.mark.parametrize("raw, message", [
    (b"not json", "the body is not JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[1, 2]", "not a JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"a": ' + b"9" * 5000 + b"}", "not valid JSON"),
    (b"payload=%ZZ", "not JSON"),
])
def test_bodies_that_are_no_json_object_are_refused(raw, message):
    with pytest.raises(ValidationFailed, match=message):
        p.decode_body(raw)


def test_a_form_encoded_body_is_read_as_its_payload():
    document = b.real("ping")
    raw = ("payload=" + quote(json.dumps(document))).encode()
    assert p.decode_body(raw) == document


def test_the_envelope_of_a_payload():
    assert p.envelope(b.real("deployment_status")) == ("created", "Codertocat/Hello-World")
    assert p.envelope(b.real("push")) == ("", "Codertocat/Hello-World")
    assert p.envelope({"action": 3, "repository": "x"}) == ("", "")
