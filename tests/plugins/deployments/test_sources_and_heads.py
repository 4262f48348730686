"""
What a report says beyond its changes (docs/reference/report-format.rst): who built it (``source``), a failed attempt
(``result``), where it put each repository (``heads``, read back at ``GET deployments/heads/``), the commits of no
pull request (``direct_pushes``), logins the sender could not tell (filled from GitHub's merged pull requests), and
deployments recorded unresolved and completed later.
"""
import hashlib
import hmac
from datetime import datetime, timezone

import pytest
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc import python_api
from openedx_cc.plugins.deployments import api
from openedx_cc.plugins.deployments.models import Change, Deployment, DeploymentSpan, Presence
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.ownership.models import CoreCommitter
from tests.plugins.deployments import helpers as h

pytestmark = pytest.mark.django_db(transaction=True)

DEPLOYED = "org.openedx.core_committer.change.deployed.v1"
REVERTED = "org.openedx.core_committer.change.reverted.v1"
PLATFORM = "openedx/openedx-platform"


@pytest.fixture
def recording(events_on):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        yield


def change_events(event_type=DEPLOYED):
    return LoggedEvent.objects.filter(event_type=event_type)


def merged(pr_number, merge_sha, *, merged_by="bradenmacdonald", author="some-contributor",
           repository=PLATFORM):
    return api.MergedPullRequestData(repository=repository, pr_number=pr_number, merge_sha=merge_sha,
                                     merged_at=datetime(2026, 11, 24, 18, tzinfo=timezone.utc), title="feat: x",
                                     author=author, merged_by=merged_by, base_ref="master")


# -- source, result, heads, direct pushes ---------------------------------------------------------------------------

def test_source_heads_and_direct_pushes_are_recorded_and_shown(client, api_client, staff_user, pilot, recording):
    head = h.sha("head")
    document = h.report(changes=[h.change(pr_number=1)], source="reporter", heads={"edx/edx-platform": head},
                        direct_pushes=[{"repository": PLATFORM, "sha": h.sha("dp"), "title": "Bump version"}])
    response = h.post(client, document)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["source"], answer["result"], answer["direct_pushes"]) == ("reporter", "success", 1)
    api_client.force_authenticate(staff_user)
    shown = api_client.get("/api/cc/v1/deployments/lms-prod-1/").json()
    assert (shown["source"], shown["result"], shown["unresolved"]) == ("reporter", "success", None)
    assert shown["heads"] == {PLATFORM: head}  # under the repository's current name
    assert shown["direct_pushes"] == [{"repository": PLATFORM, "sha": h.sha("dp"), "title": "Bump version"}]
    listed = api_client.get("/api/cc/v1/deployments/").json()["results"][0]
    assert listed["heads"] == {PLATFORM: head} and listed["source"] == "reporter"


def test_a_report_says_report_when_it_names_no_source(client, pilot, recording):
    assert h.post(client, h.report()).json()["source"] == "report"
    assert Deployment.objects.get().source == "report"


@pytest.mark.parametrize("field,value", [
    ("source", "jenkins"), ("result", "partial"), ("heads", {PLATFORM: "not-a-sha"}), ("heads", {"nope": "a" * 40}),
    ("direct_pushes", [{"repository": PLATFORM, "sha": "a" * 40, "extra": 1}]),
    ("direct_pushes", [{"repository": PLATFORM}]),
])
def test_bad_new_fields_are_400_naming_the_field(client, pilot, recording, field, value):
    response = h.post(client, h.report(**{field: value}))
    assert response.status_code == 400
    assert any(error["field"].startswith(field) for error in response.json()["errors"]), response.json()
    assert not Deployment.objects.exists()


def test_two_heads_naming_one_repository_through_an_alias_are_400(client, pilot, recording):
    response = h.post(client, h.report(heads={"edx/edx-platform": h.sha(1), PLATFORM: h.sha(2)}))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("heads.")
    assert not Deployment.objects.exists()


def test_a_failed_attempt_is_recorded_and_credits_nothing(client, api_client, staff_user, pilot, recording):
    response = h.post(client, h.report("attempt-1", result="failure"))
    assert response.status_code == 201, response.content
    assert response.json()["result"] == "failure"
    assert Deployment.objects.get().result == "failure"
    assert not Presence.objects.exists() and not change_events().exists()
    api_client.force_authenticate(staff_user)
    assert api_client.get("/api/cc/v1/deployments/attempt-1/").json()["result"] == "failure"


@pytest.mark.parametrize("field,value", [
    ("changes", [h.change()]), ("heads", {PLATFORM: "a" * 40}),
    ("direct_pushes", [{"repository": PLATFORM, "sha": "a" * 40}]),
])
def test_a_failed_attempt_that_lists_what_it_deployed_is_400(client, pilot, recording, field, value):
    response = h.post(client, h.report(result="failure", **{field: value}))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert "failed attempt deploys nothing" in response.json()["errors"][0]["message"]


# -- logins the sender could not tell --------------------------------------------------------------------------------

def test_an_empty_merged_by_is_filled_from_what_github_said(client, pilot, recording):
    merge_sha = h.sha("m1")
    api.remember_merged_pull_requests([merged(1, merge_sha)])
    response = h.post(client, h.report(changes=[h.change(pr_number=1, merge_sha=merge_sha, merged_by="")]))
    answer = response.json()["changes"][0]
    assert (answer["merged_by"], answer["merged_by_from"]) == ("bradenmacdonald", "github")
    assert (answer["cc_change"], answer["core_committer"]) == (True, "bradenmacdonald")
    row = Change.objects.get()
    assert (row.merged_by, row.merged_by_source) == ("bradenmacdonald", "github")
    assert change_events().count() == 1


def test_a_merged_by_the_report_gives_wins_over_github(client, pilot, recording):
    api.remember_merged_pull_requests([merged(1, h.sha("m1"), merged_by="someone-else")])
    response = h.post(client, h.report(changes=[h.change(pr_number=1, merge_sha=h.sha("m1"),
                                                         merged_by="bradenmacdonald")]))
    answer = response.json()["changes"][0]
    assert (answer["merged_by"], answer["merged_by_from"]) == ("bradenmacdonald", "report")


def test_without_a_merger_the_author_alone_is_asked(client, pilot, recording):
    response = h.post(client, h.report(changes=[
        h.change(pr_number=1, author="bradenmacdonald", merged_by=""),
        h.change(pr_number=2, author="", merged_by=""),
        h.change(pr_number=3, author="some-contributor"),
    ]))
    assert response.status_code == 201, response.content
    first, second, third = response.json()["changes"]
    assert (first["core_committer"], first["merged_by"], first["merged_by_from"]) == ("bradenmacdonald", None, None)
    assert first["attribution"].startswith("merger unknown; authored by bradenmacdonald, who was:")
    assert (second["cc_change"], second["author"]) == (False, None)
    assert second["attribution"].endswith("(merger unknown; author unknown)")
    del third["merge_sha"]
    assert third["author"] == "some-contributor" and not third["cc_change"]


def test_a_change_recorded_without_its_merger_learns_it_later(client, pilot, recording):
    merge_sha = h.sha("m1")
    one = h.change(pr_number=1, merge_sha=merge_sha, merged_by="", author="some-contributor")
    assert h.post(client, h.report("staging-1", environment="staging", changes=[one])).json()["changes"][0][
        "cc_change"] is False
    api.remember_merged_pull_requests([merged(1, merge_sha)])
    answer = h.post(client, h.report("prod-1", changes=[one])).json()["changes"][0]
    assert (answer["merged_by"], answer["merged_by_from"], answer["cc_change"]) == ("bradenmacdonald", "github",
                                                                                    True)
    assert Change.objects.get().merged_by == "bradenmacdonald"


def test_remembering_merged_pull_requests_is_idempotent_and_keeps_known_files(db):
    first = merged(1, h.sha("m1"))
    api.remember_merged_pull_requests([first.__class__(**{**first.__dict__, "paths": ("a.py",)})])
    api.remember_merged_pull_requests([first, first])
    found = api.merged_pull_requests_by_sha("edx/edx-platform", [h.sha("m1").upper(), h.sha("other")])
    assert list(found) == [h.sha("m1")]
    assert found[h.sha("m1")].paths == ("a.py",)
    assert found[h.sha("m1")].repository == PLATFORM


# -- heads -------------------------------------------------------------------------------------------------------------

def _signed_get(client, path, secret="test-webhook-secret"):
    digest = hmac.new(secret.encode(), path.encode(), hashlib.sha256).hexdigest()
    return client.get(path, HTTP_X_CC_SIGNATURE_256=f"sha256={digest}")


def test_the_latest_head_of_each_repository_is_shown_by_deployment_time(client, pilot, recording):
    h.post(client, h.report("d2", deployed_at="2026-11-25T12:00:00Z", heads={PLATFORM: h.sha("new")}))
    h.post(client, h.report("d1", deployed_at="2026-11-25T10:00:00Z",  # reported late: older
                            heads={PLATFORM: h.sha("old"), "openedx/XBlock": h.sha("xb")}))
    h.post(client, h.report("s1", environment="staging", heads={PLATFORM: h.sha("staging")}))
    path = "/api/cc/v1/deployments/heads/?environment=production"
    response = _signed_get(client, path)
    assert response.status_code == 200, response.content
    assert response.json() == {"environment": "production", "heads": {
        "openedx/xblock": {"sha": h.sha("xb"), "deployment_id": "d1", "deployed_at": "2026-11-25T10:00:00Z"},
        PLATFORM: {"sha": h.sha("new"), "deployment_id": "d2", "deployed_at": "2026-11-25T12:00:00Z"},
    }}
    assert [head.deployment_id for head in api.head_history("production", "edx/edx-platform")] == ["d1", "d2"]


def test_heads_are_read_by_staff_or_by_a_signed_request_only(client, api_client, staff_user, plain_user, pilot,
                                                             recording):
    path = "/api/cc/v1/deployments/heads/?environment=production"
    assert client.get(path).status_code in (401, 403)
    assert _signed_get(client, path, secret="wrong").status_code == 401
    assert _signed_get(client, path.replace("production", "staging")[:-1] + "x").status_code == 200  # its own path
    signed_other = hmac.new(b"test-webhook-secret", b"/api/cc/v1/deployments/heads/?environment=staging",
                            hashlib.sha256).hexdigest()
    assert client.get(path, HTTP_X_CC_SIGNATURE_256=f"sha256={signed_other}").status_code == 401  # not this path
    api_client.force_authenticate(plain_user)
    assert api_client.get(path).status_code == 403
    api_client.force_authenticate(staff_user)
    assert api_client.get(path).json() == {"environment": "production", "heads": {}}
    assert api_client.get("/api/cc/v1/deployments/heads/").status_code == 400


# -- unresolved deployments ------------------------------------------------------------------------------------------

def test_an_unresolved_deployment_waits_for_its_changes_and_is_audited(client, api_client, staff_user, pilot,
                                                                       recording):
    document = h.report("github:openedx/openedx-platform:7", source="github", heads={PLATFORM: h.sha("h")},
                        changes=[h.change(pr_number=1)])
    result = api.record_deployment(document, unresolved="no push reached " + h.sha("h"))
    assert result.outcome is api.RecordOutcome.RECORDED
    assert result.body["unresolved"].startswith("no push reached") and result.body["changes"] == []
    assert not change_events().exists()
    [item] = api.unresolved_deployments(repository="edx/edx-platform")
    assert (item.deployment_id, item.environment, item.sha) == ("github:openedx/openedx-platform:7", "production",
                                                                h.sha("h"))
    audit = python_api.audit().as_dict()["sections"]["unresolved_deployments"]["findings"]
    assert [f["subject"] for f in audit] == ["github:openedx/openedx-platform:7"]
    api_client.force_authenticate(staff_user)
    shown = api_client.get("/api/cc/v1/deployments/github:openedx/openedx-platform:7/").json()
    assert shown["unresolved"] == {"missing": "no push reached " + h.sha("h")}
    assert api_client.get("/api/cc/v1/audit/").json()["sections"]["unresolved_deployments"]["findings"]

    completed = api.complete_deployment("github:openedx/openedx-platform:7",
                                        changes=[h.change(pr_number=5, merged_by="bradenmacdonald")],
                                        direct_pushes=[{"repository": PLATFORM, "sha": h.sha("dp")}])
    assert completed.outcome is api.RecordOutcome.RECORDED
    assert [c["pr_number"] for c in completed.body["changes"]] == [5] and completed.body["unresolved"] is None
    assert change_events().count() == 1
    assert Presence.objects.get().deployed_by.report_id == "github:openedx/openedx-platform:7"
    assert not api.unresolved_deployments()
    again = api.complete_deployment("github:openedx/openedx-platform:7", changes=[], direct_pushes=[])
    assert again.outcome is api.RecordOutcome.ALREADY_RECORDED and again.body == completed.body
    assert change_events().count() == 1


def test_completing_with_bad_changes_names_them_and_writes_nothing(client, pilot, recording):
    api.record_deployment(h.report("g1", heads={PLATFORM: h.sha("h")}), unresolved="missing pushes")
    with pytest.raises(api.ValidationFailed) as raised:
        api.complete_deployment("g1", changes=[h.change(merge_sha="nope")], direct_pushes=[])
    assert raised.value.problems[0].field == "changes[0].merge_sha"
    assert Deployment.objects.get().missing == "missing pushes" and not Change.objects.exists()
    with pytest.raises(api.ValidationFailed):
        api.complete_deployment("unknown", changes=[], direct_pushes=[])


def test_a_report_with_the_same_head_completes_an_unresolved_deployment(client, pilot, recording):
    api.record_deployment(h.report("github:openedx/openedx-platform:7", source="github",
                                   heads={PLATFORM: h.sha("h")}), unresolved="missing pushes")
    api.record_deployment(h.report("other-env", environment="staging", heads={PLATFORM: h.sha("h")}))
    assert len(api.unresolved_deployments()) == 1  # another environment's head completes nothing
    response = h.post(client, h.report("reporter:production:abc", source="reporter", heads={PLATFORM: h.sha("h")},
                                       changes=[h.change(pr_number=9)]))
    assert response.json()["completes"] == ["github:openedx/openedx-platform:7"]
    assert not api.unresolved_deployments()
    row = Deployment.objects.get(report_id="github:openedx/openedx-platform:7")
    assert (row.missing, row.completed_by.report_id) == ("", "reporter:production:abc")


# -- what became of each change, and who sees it -------------------------------------------------------------------

def test_a_deployment_shows_the_fate_of_each_change_and_what_it_removed(client, api_client, staff_user, plain_user,
                                                                        pilot, recording):
    original = h.change(pr_number=1, merged_by="bradenmacdonald", title="feat: one")
    other = h.change(pr_number=2, title="feat: two")
    h.post(client, h.report("d1", changes=[original, other]))
    revert = h.change(pr_number=3, title='Revert "feat: one"', body=f"This reverts commit {original['merge_sha']}.")
    h.post(client, h.report("d2", deployed_at="2026-11-25T12:00:00Z", changes=[revert]))
    api_client.force_authenticate(staff_user)
    shown = api_client.get("/api/cc/v1/deployments/d1/").json()
    fates = {c["pr_number"]: c["fate"] for c in shown["changes"]}
    assert fates[1]["present"] is False and fates[1]["reverted_by"] == f"{PLATFORM}#3"
    assert [(r["kind"], r["by_deployment"]) for r in fates[1]["removals"]] == [("revert", "d2")]
    assert fates[2] == {"present": True, "removals": [], "reverted_by": None}
    removing = api_client.get("/api/cc/v1/deployments/d2/").json()
    assert [(r["pr_number"], r["kind"], r["brought_by"]) for r in removing["removed"]] == [(1, "revert", "d1")]
    # the CC reads the deployment that brought their change and the one that removed it, nothing else of it
    CoreCommitter.objects.filter(github_key="bradenmacdonald").update(user=plain_user)
    api_client.force_authenticate(plain_user)
    ids = [d["id"] for d in api_client.get("/api/cc/v1/deployments/").json()["results"]]
    assert ids == ["d2", "d1"]
    seen = api_client.get("/api/cc/v1/deployments/d2/").json()
    assert seen["changes"] == [] and [r["pr_number"] for r in seen["removed"]] == [1]
    assert [c["pr_number"] for c in api_client.get("/api/cc/v1/deployments/d1/").json()["changes"]] == [1]
    assert DeploymentSpan.objects.filter(removed_by__report_id="d2").count() == 1


def test_a_rollback_that_names_its_heads_rolls_back_those_repositories_only(client, pilot, recording):
    h.post(client, h.report("multi", heads={PLATFORM: h.sha("b"), "openedx/XBlock": h.sha("x1")},
                            changes=[h.change(pr_number=101), h.change("openedx/XBlock", pr_number=7)]))
    response = h.post(client, h.report("back", kind="rollback", rolls_back=["multi"], heads={PLATFORM: h.sha("a")},
                                       deployed_at="2026-11-25T12:00:00Z"))
    assert [(r["repository"], r["pr_number"]) for r in response.json()["removed"]] == [(PLATFORM, 101)]
    assert Presence.objects.get(change__pr_number=7).present  # XBlock still stands where "multi" put it
    assert api.current_heads("production")["openedx/xblock"].sha == h.sha("x1")
    # without heads, a rollback removes all that the rolled-back deployment brought (as before)
    h.post(client, h.report("multi-2", deployed_at="2026-11-25T13:00:00Z",
                            changes=[h.change(pr_number=102), h.change("openedx/XBlock", pr_number=8)]))
    response = h.post(client, h.report("back-2", kind="rollback", rolls_back=["multi-2"],
                                       deployed_at="2026-11-25T14:00:00Z"))
    assert sorted(r["pr_number"] for r in response.json()["removed"]) == [8, 102]
