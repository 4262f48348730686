"""
openedx-cc-report against a real server process of the set (pytest-django's live server), over the real histories:
the reporter reads git, asks the server where production stands, sends a signed report; the server records it,
detects the reverts and answers. What the reporter and the server agree on is tested here, where both run.
"""
import io
import json
from datetime import datetime, timezone

import pytest
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments import api as deployments_api
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.reporter.cli import run
from openedx_cc.reporter.sending import Server
from tests.reporter.gitrepo import git

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "test-webhook-secret"  # host/test_settings.py
ORIGINAL = "0d3d43b"  # Merge pull request #305: "String field return empty string for None"
REVERT = "f0f0c09484a0c7b3a2bfa5ef6b49f03c88f5aaf8"  # Merge pull request #316: Revert "String field return ..."


@pytest.fixture
def recording(events_on):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        yield


def report(live_server, *argv, secret=SECRET):
    out, err = io.StringIO(), io.StringIO()
    status = run(["--environment", "production", "--url", live_server.url, *argv],
                 environ={"OPENEDX_CC_WEBHOOK_SECRET": secret}, out=out, err=err, sleep=lambda _s: None)
    return status, out.getvalue(), err.getvalue()


def test_two_deployments_of_xblock_the_second_starting_where_the_server_says(live_server, pilot, recording,
                                                                             xblock):
    repo = f"{xblock}=openedx/XBlock"
    status, out, err = report(live_server, "--repo", repo, "--from", "named-release/cypress", "--to", ORIGINAL,
                              "--deployed-at", "2015-08-01T10:00:00Z")
    assert status == 0, err
    first = json.loads(out)
    assert first["source"] == "reporter" and first["id"].startswith("reporter:production:")
    assert [c["pr_number"] for c in first["changes"]][-1] == 305
    assert all(c["merged_by"] is None and c["merged_by_from"] is None for c in first["changes"])
    original_sha = git(xblock, "rev-parse", ORIGINAL).strip()
    [head] = deployments_api.current_heads("production").values()
    assert (head.sha, head.deployment_id) == (original_sha, first["id"])

    # GitHub told the server who merged the revert (the intake keeps what it says of merged pull requests)
    deployments_api.remember_merged_pull_requests([deployments_api.MergedPullRequestData(
        repository="openedx/XBlock", pr_number=316, merge_sha=REVERT, merged_by="nedbat", author="shr",
        merged_at=datetime(2015, 8, 12, tzinfo=timezone.utc))])
    # no --from: the reporter asks the server for production's head of XBlock (a signed GET of deployments/heads/)
    status, out, err = report(live_server, "--repo", repo, "--to", "xblock-0.4.1",
                              "--deployed-at", "2015-09-01T10:00:00Z")
    assert status == 0, err
    second = json.loads(out)
    numbers = [c["pr_number"] for c in second["changes"]]
    assert 305 not in numbers and 316 in numbers
    revert = next(c for c in second["changes"] if c["pr_number"] == 316)
    # Seen as a revert by its title. Its original is not named: the title quotes the subject of #305's commit
    # ("String field return empty string for None"), while #305's merge commit gives the pull request's own title
    # ("return empty string if value is none"), and no "This reverts commit" line names a sha. git keeps nothing that
    # links the two; the synthetic history below shows a revert that names its original.
    assert revert["revert"] == 'title: Revert "..."' and revert["reverts"] == []
    assert (revert["merged_by"], revert["merged_by_from"]) == ("nedbat", "github")
    assert second["heads"] == {"openedx/XBlock": git(xblock, "rev-parse", "xblock-0.4.1^{commit}").strip()}

    # the same run again: the server's head is already there, nothing is sent, and the exit status says all is well
    status, out, err = report(live_server, "--repo", repo, "--to", "xblock-0.4.1")
    assert status == 0, err
    assert len(deployments_api.head_history("production", "openedx/XBlock")) == 2


def test_squash_merges_of_edx_toggles_between_two_release_tags(live_server, pilot, recording, edx_toggles):
    status, out, err = report(live_server, "--repo", f"{edx_toggles}=openedx/edx-toggles", "--from", "v5.4.1",
                              "--to", "v6.0.0")
    assert status == 0, err
    answer = json.loads(out)
    assert [c["pr_number"] for c in answer["changes"]] == [448, 455]
    assert answer["direct_pushes"] == 8


def test_a_wrong_secret_is_refused_with_the_documented_exit_status(live_server, pilot, recording, edx_toggles):
    status, out, err = report(live_server, "--repo", f"{edx_toggles}=openedx/edx-toggles", "--from", "v5.4.1",
                              "--to", "v6.0.0", secret="not-the-secret")
    assert status == 1
    assert out.strip() and "401" in err
    assert not deployments_api.current_heads("production")


def test_a_cc_change_and_its_github_button_revert_reported_from_git(live_server, pilot, recording, repo):
    """Squash merges as GitHub writes them; the credited CC, the revert and the events, as for any report."""
    braden = ("Braden MacDonald", "1234+bradenmacdonald@users.noreply.github.com")
    base = repo.commit("Initial commit")
    feature = repo.commit("feat: cache the block types (#701)", {"xblock/core.py": "cached\n"}, author=braden)
    status, out, err = report(live_server, "--repo", f"{repo.path}=openedx/XBlock", "--from", base,
                              "--deployed-at", "2026-02-01T10:00:00Z")
    assert status == 0, err
    [change] = json.loads(out)["changes"]
    assert (change["pr_number"], change["author"], change["core_committer"]) == (701, "bradenmacdonald",
                                                                                 "bradenmacdonald")
    assert "merger unknown; authored by bradenmacdonald" in change["attribution"]
    repo.commit(f'Revert "feat: cache the block types (#701)" (#702)\n\nThis reverts commit {feature}.',
                {"xblock/core.py": None}, author=("Someone", "someone@example.org"))
    status, out, err = report(live_server, "--repo", f"{repo.path}=openedx/XBlock",
                              "--deployed-at", "2026-02-02T10:00:00Z")
    assert status == 0, err
    answer = json.loads(out)
    [revert] = answer["changes"]
    assert revert["reverts"] == [f"{revert['repository']}#701"]
    assert [(r["pr_number"], r["kind"]) for r in answer["removed"]] == [(701, "revert")]
    assert [e["event_type"] for e in answer["events"]] == ["org.openedx.core_committer.change.reverted.v1"]
    assert "unknown author someone@example.org" in err.lower() or "someone@example.org" in err


def test_the_same_range_deployed_again_after_a_rollback_is_a_deployment_of_its_own(live_server, pilot, recording,
                                                                                   repo):
    """
    A to B, a rollback to A recorded by another tool under an id of its own, then A to B again, every run with
    --from: the third report's id names the rollback that put A there, so it is recorded rather than taken for the
    first one already reported.
    """
    base = repo.commit("Initial commit")
    feature = repo.commit("feat: cache the block types (#701)", {"xblock/core.py": "cached\n"},
                          author=("Braden MacDonald", "1234+bradenmacdonald@users.noreply.github.com"))
    deploy = ("--repo", f"{repo.path}=openedx/XBlock", "--from", base, "--to", feature)
    status, out, err = report(live_server, *deploy, "--deployed-at", "2026-02-01T10:00:00Z")
    assert status == 0, err
    first = json.loads(out)["id"]
    rollback = json.dumps({"id": "rollback-2026-02-02", "environment": "production",
                           "deployed_at": "2026-02-02T10:00:00Z", "kind": "rollback", "rolls_back": [first],
                           "heads": {"openedx/XBlock": base}}).encode()
    assert Server(live_server.url, SECRET).post_report(rollback).status == 201
    [head] = deployments_api.current_heads("production").values()
    assert (head.sha, head.deployment_id) == (base, "rollback-2026-02-02")

    status, out, err = report(live_server, *deploy, "--deployed-at", "2026-02-03T10:00:00Z")
    assert status == 0, err
    again = json.loads(out)
    assert again["id"] not in (first, "rollback-2026-02-02")
    assert [c["pr_number"] for c in again["changes"]] == [701]
    assert "recorded" in err and "already" not in err
    [head] = deployments_api.current_heads("production").values()
    assert (head.sha, head.deployment_id) == (feature, again["id"])
    assert [h.deployment_id for h in deployments_api.head_history("production", "openedx/XBlock")] == [
        first, "rollback-2026-02-02", again["id"]]

    # the pipeline retried: the server is already at --to, nothing is sent
    status, out, err = report(live_server, *deploy)
    assert (status, out) == (0, ""), err
    assert f"nothing to report: production is already at these heads (deployment {again['id']})" in err
