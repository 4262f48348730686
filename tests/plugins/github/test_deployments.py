"""
GitHub deliveries become deployments recorded exactly like reports: the range between the environment's previous
head and the deployed commit along the recorded pushes, Core Committer attribution, reverts and rollbacks, the
change events; unresolved deployments and their completion when what they miss arrives; failed attempts and statuses
that only count as statuses.
"""
import json
import zlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.plugins.deployments.api import record_deployment
from openedx_cc.plugins.deployments.models import Change, Deployment
from openedx_cc.plugins.github.models import GitHubDelivery, GitHubDeployment
from openedx_cc.plugins.github.processing import process_delivery
from tests.plugins.github import builders as b
from tests.plugins.github.scenario import (
    REVERTED,
    changes_of,
    deployment,
    direct_pushes_of,
    event_changes,
    missing_of,
    seed,
    send,
    unresolved_ids,
)

pytestmark = pytest.mark.django_db(transaction=True)

R = b.REPOSITORY
A, B, C, D, E, F = (b.sha(name) for name in "ABCDEF")
GH1 = "github:openedx/openedx-platform:1"
GH2 = "github:openedx/openedx-platform:2"
GH3 = "github:openedx/openedx-platform:3"


def history(client, *, direct=True):
    """master: A -> B (merge of #101, by a CC) -> C (a direct push, if ``direct``) -> D (squash of #102)."""
    send(client, "push", b.push(A, [(B, "Merge pull request #101 from someone/feature")]))
    send(client, "pull_request", b.merged_pr(101, B, merged_by="bradenmacdonald", files=["lms/djangoapps/x.py"]))
    tip = B
    if direct:
        send(client, "push", b.push(B, [(C, "Bump the version")]))
        tip = C
    send(client, "push", b.push(tip, [(D, "fix: something (#102)")]))
    send(client, "pull_request", b.merged_pr(102, D, merged_by="someone-else", author="another"))


def test_a_successful_deployment_is_recorded_like_a_report(client, pilot, intake, captured_events):
    seed(A)
    history(client)
    send(client, "deployment", b.deployment(1, D, service="lms"))
    response = send(client, "deployment_status", b.status(1, D, "success", service="lms"))
    assert response.status_code == 202
    assert response.json()["status"] == "processed"
    recorded = deployment(GH1)
    assert (recorded.source, recorded.result, recorded.kind, recorded.environment) == (
        "github", "success", "deploy", "production")
    assert (recorded.service, recorded.release, recorded.missing) == ("lms", "master", "")
    assert recorded.deployed_at.isoformat() == "2026-11-25T10:00:00+00:00"
    assert dict(recorded.heads.values_list("repository", "sha")) == {R: D}
    assert changes_of(GH1) == [101, 102]
    assert direct_pushes_of(GH1) == [C]
    first = Change.objects.get(pr_number=101)
    assert (first.is_cc_change, first.core_committer, first.merged_by, first.paths) == (
        True, "bradenmacdonald", "bradenmacdonald", ["lms/djangoapps/x.py"])
    assert not Change.objects.get(pr_number=102).is_cc_change
    assert event_changes() == [(101, GH1)]
    assert [event_type for event_type, _kwargs in captured_events] == ["org.openedx.core_committer.change.deployed.v1"]


def test_the_service_is_the_repository_name_when_the_deployment_names_none(client, pilot, intake):
    seed(A)
    send(client, "push", b.push(A, [(B, "chore: x")]))
    send(client, "deployment_status", b.status(1, B))
    assert deployment(GH1).service == "openedx-platform"


def test_a_long_service_ref_and_task_are_cut_to_what_the_rows_hold(client, pilot, intake):
    seed(A)
    send(client, "push", b.push(A, [(B, "chore: x")]))
    long_service, long_ref = "s" * 300, "refs/heads/" + "r" * 300
    document = b.deployment(1, B, service=long_service, ref=long_ref)
    document["deployment"]["task"] = "t" * 300
    send(client, "deployment", document)
    response = send(client, "deployment_status", b.status(1, B, service=long_service, ref=long_ref))
    assert response.json()["status"] == "processed", response.json()["detail"]
    row = GitHubDeployment.objects.get(github_id=1)
    assert (row.service, row.ref, row.task) == (long_service[:100], long_ref[:255], "t" * 100)
    recorded = deployment(GH1)
    assert (recorded.service, recorded.release) == (long_service[:100], long_ref[:255])
    assert direct_pushes_of(GH1) == [B]


def test_the_repository_name_follows_the_aliases(client, pilot, intake):
    seed(A)
    send(client, "push", b.push(A, [(B, "Merge pull request #5 from a/b")], repository="edx/edx-platform"))
    send(client, "pull_request", b.merged_pr(5, B, repository="edx/edx-platform"))
    send(client, "deployment_status", b.status(7, B, repository="edx/edx-platform"))
    assert changes_of("github:openedx/openedx-platform:7") == [5]
    assert Change.objects.get().repository == R


def test_a_revert_deployed_later_is_announced(client, pilot, intake):
    seed(A)
    history(client, direct=False)
    send(client, "deployment_status", b.status(1, D))
    send(client, "push", b.push(D, [(E, 'Revert "feat: change 101" (#103)')]))
    send(client, "pull_request", b.merged_pr(103, E, title='Revert "feat: change 101"', merged_by="some-maintainer",
                                             body="Reverts openedx/openedx-platform#101",
                                             merged_at="2026-11-25T11:00:00Z"))
    send(client, "deployment_status", b.status(2, E, created_at="2026-11-25T12:00:00Z"))
    assert changes_of(GH2) == [103]
    assert event_changes(REVERTED) == [(101, GH2)]


def test_a_success_of_an_older_commit_is_a_rollback(client, pilot, intake):
    seed(A)
    history(client)
    send(client, "deployment_status", b.status(1, B, created_at="2026-11-25T10:00:00Z"))
    send(client, "deployment_status", b.status(2, D, created_at="2026-11-25T11:00:00Z"))
    send(client, "deployment_status", b.status(3, B, created_at="2026-11-25T12:00:00Z"))
    rollback = deployment(GH3)
    assert (rollback.kind, list(rollback.rolls_back.values_list("report_id", flat=True))) == ("rollback", [GH2])
    assert dict(rollback.heads.values_list("repository", "sha")) == {R: B}
    assert changes_of(GH1) == [101] and changes_of(GH2) == [102]
    # #102 is no CC change: the rollback announces nothing; #101 stays deployed
    assert event_changes(REVERTED) == []


def test_a_rollback_of_a_cc_change_is_announced(client, pilot, intake):
    seed(A)
    history(client)
    send(client, "deployment_status", b.status(1, A, created_at="2026-11-25T09:00:00Z"))
    send(client, "deployment_status", b.status(2, D, created_at="2026-11-25T11:00:00Z"))
    send(client, "deployment_status", b.status(3, A, created_at="2026-11-25T12:00:00Z"))
    assert deployment(GH3).kind == "rollback"
    assert event_changes(REVERTED) == [(101, GH3)]


def test_a_deployment_that_arrives_late_is_no_rollback(client, pilot, intake):
    seed(A)
    history(client)
    send(client, "deployment_status", b.status(2, D, created_at="2026-11-25T11:00:00Z"))
    send(client, "deployment_status", b.status(1, B, created_at="2026-11-25T10:00:00Z"))
    assert deployment(GH1).kind == "deploy"
    assert changes_of(GH2) == [101, 102]  # recorded first, it brought everything since the seed
    assert changes_of(GH1) == [101]


def test_failure_and_error_are_failed_attempts_crediting_nothing(client, pilot, intake):
    seed(A)
    history(client)
    send(client, "deployment_status", b.status(1, D, "failure"))
    send(client, "deployment_status", b.status(2, D, "error"))
    for github_id in (1, 2):
        failed = deployment(f"github:openedx/openedx-platform:{github_id}:failure")
        assert (failed.result, failed.changes.count(), failed.heads.count()) == ("failure", 0, 0)
    assert event_changes() == []
    # a later success of the first one is its deployment
    send(client, "deployment_status", b.status(1, D, "success", created_at="2026-11-25T11:00:00Z"))
    assert changes_of(GH1) == [101, 102]
    assert GitHubDeployment.objects.get(github_id=1).recorded == "deployment"


def test_a_failure_after_a_success_is_a_status_only(client, pilot, intake):
    seed(A)
    history(client)
    send(client, "deployment_status", b.status(1, D, "success"))
    send(client, "deployment_status", b.status(1, D, "failure", created_at="2026-11-25T10:05:00Z"))
    assert not Deployment.objects.filter(report_id__endswith=":failure").exists()
    assert GitHubDeployment.objects.get(github_id=1).state == "failure"


@pytest.mark.parametrize("state", ["pending", "queued", "in_progress", "inactive"])
def test_other_states_are_statuses_only(client, pilot, intake, state):
    seed(A)
    send(client, "deployment", b.deployment(1, A))
    response = send(client, "deployment_status", b.status(1, A, state))
    assert response.json()["status"] == "processed"
    assert list(Deployment.objects.values_list("report_id", flat=True)) == ["seed"]
    row = GitHubDeployment.objects.get(github_id=1)
    assert (row.state, row.recorded, row.statuses.count()) == (state, "", 1)


def test_a_new_deployment_is_kept_pending(client, pilot, intake):
    send(client, "deployment", b.deployment(1, A, service="cms"))
    row = GitHubDeployment.objects.get()
    assert (row.report_id, row.state, row.sha, row.environment, row.service, row.ref) == (
        GH1, "pending", A, "production", "cms", "master")


def test_two_success_statuses_record_one_deployment(client, pilot, intake):
    seed(A)
    history(client)
    send(client, "deployment_status", b.status(1, D, created_at="2026-11-25T10:00:00Z"))
    send(client, "deployment_status", b.status(1, D, created_at="2026-11-25T10:01:00Z"))
    assert Deployment.objects.filter(report_id__startswith="github:").count() == 1
    assert changes_of(GH1) == [101, 102]
    assert len(event_changes()) == 1
    assert deployment(GH1).deployed_at.isoformat() == "2026-11-25T10:00:00+00:00"


def test_no_previous_head_is_unresolved_until_an_earlier_deployment_is_recorded(client, pilot, intake):
    history(client)
    response = send(client, "deployment_status", b.status(1, D))
    assert response.json()["status"] == "unresolved"
    assert "no earlier deployment of openedx/openedx-platform to production is recorded" in missing_of(GH1)
    assert unresolved_ids() == [GH1]
    assert dict(deployment(GH1).heads.values_list("repository", "sha")) == {R: D}
    seed(A)  # a report says where production stood before
    call_command("cc_process_github_deliveries")
    assert missing_of(GH1) == ""
    assert changes_of(GH1) == [101, 102]
    assert GitHubDelivery.objects.get(event="deployment_status").status == "processed"


def test_a_commit_never_pushed_is_unresolved_until_its_push_arrives(client, pilot, intake):
    seed(A)
    send(client, "deployment_status", b.status(1, B))
    assert f"no recorded push brought {B[:12]}" in missing_of(GH1)
    send(client, "push", b.push(A, [(B, "chore: x")]))
    assert missing_of(GH1) == ""
    assert direct_pushes_of(GH1) == [B]


def test_a_missing_push_leaves_it_unresolved_until_it_arrives(client, pilot, intake):
    seed(A)
    send(client, "push", b.push(A, [(B, "Merge pull request #101 from a/b")]))
    send(client, "pull_request", b.merged_pr(101, B))
    send(client, "push", b.push(C, [(D, "chore: y")]))  # B -> C has not arrived
    send(client, "deployment_status", b.status(1, D))
    assert "the pushes in between have not arrived" in missing_of(GH1)
    send(client, "push", b.push(B, [(C, "chore: x")]))
    assert changes_of(GH1) == [101]
    assert sorted(direct_pushes_of(GH1)) == sorted([C, D])


def test_a_pull_request_that_arrives_after_the_push_completes_the_change(client, pilot, intake):
    seed(A)
    send(client, "push", b.push(A, [(B, "Merge pull request #101 from someone/feature")]))
    send(client, "deployment_status", b.status(1, B))
    assert f"waiting for the pull_request deliveries of #101 ({B[:12]})" in missing_of(GH1)
    send(client, "pull_request", b.merged_pr(101, B))
    assert changes_of(GH1) == [101]
    assert direct_pushes_of(GH1) == []
    assert event_changes() == [(101, GH1)]


def test_a_forced_push_in_the_range_is_unresolved_until_a_report_names_its_head(client, pilot, intake):
    seed(A)
    send(client, "push", b.push(A, [(B, "chore: x")]))
    send(client, "push", b.push(B, [(C, "chore: rewritten")], forced=True))
    send(client, "deployment_status", b.status(1, C))
    assert "a force-push (refs/heads/master) lies between" in missing_of(GH1)
    # a report that names the same head completes it (on the deployments side)
    record_deployment({"id": "pipeline-1", "environment": "production", "deployed_at": "2026-11-25T10:30:00Z",
                       "heads": {R: C}, "direct_pushes": [{"repository": R, "sha": C, "title": "chore: rewritten"}]})
    assert unresolved_ids() == []
    call_command("cc_process_github_deliveries")
    assert GitHubDeployment.objects.get(github_id=1).recorded == "deployment"


def test_a_merged_pull_request_whose_commit_no_push_brought_is_in_no_deployment(client, pilot, intake):
    seed(A)
    send(client, "pull_request", b.merged_pr(101, F))  # merged into another branch no hook told of
    send(client, "push", b.push(A, [(B, "chore: x")]))
    send(client, "deployment_status", b.status(1, B))
    assert changes_of(GH1) == []
    assert direct_pushes_of(GH1) == [B]


def test_a_merged_pull_request_fills_the_merger_a_report_left_empty(client, pilot, intake):
    send(client, "pull_request", b.merged_pr(101, B, merged_by="bradenmacdonald", author="some-contributor"))
    record_deployment({"id": "reporter-1", "environment": "production", "deployed_at": "2026-11-25T10:00:00Z",
                       "source": "reporter", "changes": [{"repository": R, "pr_number": 101, "merge_sha": B,
                                                          "merged_at": "2026-11-24T18:00:00Z", "author": ""}]})
    change = Change.objects.get(pr_number=101)
    assert (change.merged_by, change.is_cc_change, change.core_committer) == (
        "bradenmacdonald", True, "bradenmacdonald")


def test_bot_logins_are_kept_as_unknown(client, pilot, intake):
    seed(A)
    send(client, "push", b.push(A, [(B, "build(deps): bump x (#9)")]))
    send(client, "pull_request", b.merged_pr(9, B, author="dependabot[bot]", merged_by="mergify[bot]"))
    send(client, "deployment_status", b.status(1, B))
    change = Change.objects.get(pr_number=9)
    assert (change.author, change.merged_by, change.is_cc_change) == ("", "", False)


def test_an_environment_name_a_report_refuses_fails_the_delivery_with_the_reason(client, pilot, intake):
    seed(A)
    send(client, "push", b.push(A, [(B, "chore: x")]))
    response = send(client, "deployment_status", b.status(1, B, environment="Production EU"))
    assert response.status_code == 202 and response.json()["status"] == "failed"
    assert "environment" in response.json()["detail"]


def _linear_history(client, size, *, environment, first_pr):
    """``size`` pushes on top of a seeded head in ``environment``, each the merge of a pull request."""
    base = b.sha(f"{environment}-base")
    seed(base, environment=environment, report_id=f"seed-{environment}")
    parent = base
    for number in range(first_pr, first_pr + size):
        merge = b.sha(f"{environment}-{number}")
        send(client, "push", b.push(parent, [(b.sha(f"{environment}-{number}-a"), "wip"),
                                             (b.sha(f"{environment}-{number}-b"), "wip"),
                                             (merge, f"Merge pull request #{number} from x/y")]))
        send(client, "pull_request", b.merged_pr(number, merge))
        parent = merge
    return parent


def _stored(event, document, delivery_id):
    """A delivery stored as the intake stores it, not processed yet."""
    return GitHubDelivery.objects.create(delivery_id=delivery_id, event=event, action=document.get("action", ""),
                                         body=zlib.compress(json.dumps(document).encode()))


def test_resolving_a_deployment_costs_the_same_queries_whatever_the_size_of_its_range(client, pilot, intake):
    counted = []  # the first run also reads the switches into waffle's cache
    for github_id, (size, first_pr) in enumerate([(2, 500), (3, 1000), (40, 2000)], start=1):
        environment = f"env-{size}"
        tip = _linear_history(client, size, environment=environment, first_pr=first_pr)
        send(client, "deployment", b.deployment(github_id, tip, environment=environment))
        row = _stored("deployment_status", b.status(github_id, tip, environment=environment), f"status-{size}")
        with CaptureQueriesContext(connection) as queries:
            assert process_delivery(row) == "processed", GitHubDelivery.objects.get(pk=row.pk).detail
        counted.append(len(queries))
        assert len(changes_of(f"github:openedx/openedx-platform:{github_id}")) == size
    assert counted[1] == counted[2], counted


def test_a_push_costs_the_same_queries_whatever_the_number_of_deployments_without_a_previous_head(
        client, pilot, intake):
    """The first deployment of each preview environment stays unresolved; pushes do not try them again each time."""
    seed(A)
    send(client, "push", b.push(A, [(B, "chore: warm the caches")]))
    counted = {}
    parent, github_id = B, 100
    for previews in (2, 12):
        while len(unresolved_ids()) < previews:
            github_id += 1
            send(client, "deployment_status", b.status(github_id, B, environment=f"preview-{github_id}"))
        tip = b.sha(f"tip-{previews}")
        row = _stored("push", b.push(parent, [(tip, "chore: y")]), f"push-{previews}")
        with CaptureQueriesContext(connection) as queries:
            assert process_delivery(row) == "processed", GitHubDelivery.objects.get(pk=row.pk).detail
        counted[previews] = len(queries)
        parent = tip
    assert counted[2] == counted[12], counted
    assert len(unresolved_ids()) == 12
    assert all(missing_of(report_id).startswith("no earlier deployment of") for report_id in unresolved_ids())


def test_a_deployment_without_a_previous_head_is_still_tried_by_a_deployment_and_the_command(client, pilot, intake):
    history(client)
    send(client, "deployment_status", b.status(1, D, created_at="2026-11-25T10:00:00Z"))
    assert unresolved_ids() == [GH1]
    send(client, "push", b.push(D, [(E, "chore: z")]))  # history: not tried again, still unresolved
    assert unresolved_ids() == [GH1]
    seed(A)  # a report tells where production stood before; the command completes it
    call_command("cc_process_github_deliveries")
    assert unresolved_ids() == [] and changes_of(GH1) == [101, 102]


def test_a_rollback_recorded_before_the_deployments_it_undoes_stays_unresolved_saying_why(client, pilot, intake):
    history(client)
    send(client, "deployment_status", b.status(3, B, created_at="2026-11-25T12:00:00Z"))  # the return to B
    send(client, "deployment_status", b.status(2, D, created_at="2026-11-25T11:00:00Z"))
    send(client, "deployment_status", b.status(1, A, created_at="2026-11-25T10:00:00Z"))
    assert changes_of(GH2) == [101, 102] and missing_of(GH2) == ""
    assert unresolved_ids() == [GH1, GH3]  # the first has nothing before it; the rollback was recorded as a deploy
    row = GitHubDeployment.objects.get(github_id=3)
    assert (row.recorded, deployment(GH3).kind) == ("unresolved", "deploy")
    assert f"undoing {GH2}, which were recorded after it: send a report of kind rollback" in row.detail


def test_unresolved_github_deployments_are_in_the_audit(client, api_client, staff_user, pilot, intake):
    send(client, "deployment_status", b.status(1, B))
    api_client.force_authenticate(staff_user)
    audit = api_client.get("/api/cc/v1/audit/").json()
    findings = audit["sections"]["unresolved_deployments"]["findings"]
    assert [finding["subject"] for finding in findings] == [GH1]
    assert "no earlier deployment of openedx/openedx-platform to production" in findings[0]["message"]
