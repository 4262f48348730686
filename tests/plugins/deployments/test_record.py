"""
Recording deployment reports (docs/reference/report-format.rst): the signed endpoint, validation, idempotency,
attribution, reverts, rollbacks and the events.
"""
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, connection
from django.test.utils import CaptureQueriesContext
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.events import CC_CHANGE_DEPLOYED, CCChangeData, CCDeploymentData, CCRevertData
from openedx_cc.plugins.deployments.models import Change, Deployment, Presence
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.plugins.eventlog.models import LoggedEvent
from tests.plugins.deployments import helpers as h
from tests.plugins.deployments.realdata import rows

pytestmark = pytest.mark.django_db(transaction=True)

DEPLOYED = "org.openedx.core_committer.change.deployed.v1"
REVERTED = "org.openedx.core_committer.change.reverted.v1"


def change_events():
    """The logged change events (the pilot roster's import logs ownership events too)."""
    return LoggedEvent.objects.filter(event_type__in=[DEPLOYED, REVERTED])


@pytest.fixture
def recording(events_on):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        yield


def cc_change(**overrides):
    """A change merged by a pilot CC on a repository of theirs."""
    return h.change(merged_by="bradenmacdonald", author="some-contributor", **overrides)


def types(events):
    return [event_type for event_type, _kwargs in events]


def test_a_signed_report_is_recorded_attributed_and_announced(client, pilot, recording, captured_events):
    document = h.report(changes=[
        cc_change(pr_number=36001, paths=["openedx/core/djangoapps/x/api.py"]),
        h.change(pr_number=36002, author="pdpinch", merged_by="a-bot", repository="edx/edx-platform"),
        h.change(pr_number=36003),
    ])
    response = h.post(client, document)
    assert response.status_code == 201, response.content
    body = response.json()
    first, second, third = body["changes"]
    assert (first["cc_change"], first["core_committer"]) == (True, "bradenmacdonald")
    assert first["attribution"].startswith("merged by bradenmacdonald, an effective Core Committer of "
                                           "openedx/openedx-platform at openedx/core/djangoapps/x/api.py")
    assert (second["repository"], second["core_committer"]) == ("openedx/openedx-platform", "pdpinch")
    assert "authored by pdpinch, who was" in second["attribution"]
    assert (third["cc_change"], third["core_committer"]) == (False, None)
    assert third["attribution"].startswith("not a Core Committer change")
    assert [e["pr_number"] for e in body["events"]] == [36001, 36002]
    assert types(captured_events) == [DEPLOYED, DEPLOYED]
    kwargs = captured_events[0][1]
    assert kwargs["change"] == CCChangeData(
        repository="openedx/openedx-platform", pr_number=36001, title="feat: change 36001",
        url="https://github.com/openedx/openedx-platform/pull/36001", merge_sha=document["changes"][0]["merge_sha"],
        author="some-contributor", merged_by="bradenmacdonald", core_committer="bradenmacdonald",
        merged_at=Change.objects.get(pr_number=36001).merged_at)
    assert kwargs["deployment"] == CCDeploymentData(deployment_id="lms-prod-1", environment="production",
                                                    service="lms", release="release/verawood",
                                                    deployed_at=Deployment.objects.get().deployed_at)
    assert str(kwargs["metadata"].id) == body["events"][0]["event_id"]
    assert change_events().filter(sent_at__isnull=False).count() == 2


def test_the_same_report_again_is_200_with_the_stored_answer_and_nothing_new(client, pilot, recording,
                                                                             captured_events):
    document = h.report(changes=[cc_change()])
    first = h.post(client, document)
    captured_events.clear()
    reordered = h.body(dict(reversed(list(document.items()))))  # same JSON, other key order
    again = h.post(client, document, raw=reordered)
    assert again.status_code == 200 and again.json() == first.json()
    assert captured_events == []
    assert (Deployment.objects.count(), change_events().count()) == (1, 1)
    conflict = h.post(client, {**document, "release": "release/other"})
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["field"] == "id"


@pytest.mark.parametrize("mutate, status", [
    (lambda raw: ({}, raw), 401),                                                 # no signature
    (lambda raw: ({"HTTP_X_CC_SIGNATURE_256": h.signature(raw, "wrong")}, raw), 401),
    (lambda raw: ({"HTTP_X_CC_SIGNATURE_256": h.signature(raw)}, raw + b" "), 401),  # body changed after signing
    (lambda raw: ({"HTTP_X_CC_SIGNATURE_256": "md5=abc"}, raw), 401),
    (lambda raw: ({"HTTP_X_CC_SIGNATURE_256": "sha256=" + "é" * 64}, raw), 401),    # not hex (nor ASCII)
    (lambda raw: ({"HTTP_X_CC_SIGNATURE_256": h.signature(raw)[:-1]}, raw), 401),   # one digit short
])
def test_unsigned_or_wrongly_signed_reports_are_401_and_nothing_is_recorded(client, pilot, recording, mutate,
                                                                             status):
    raw = h.body(h.report(changes=[cc_change()]))
    headers, sent = mutate(raw)
    response = client.generic("POST", "/api/cc/v1/deployments/", sent, content_type="application/json", **headers)
    assert response.status_code == status
    assert "WWW-Authenticate" in response
    assert Deployment.objects.count() == Change.objects.count() == change_events().count() == 0


@pytest.mark.parametrize("secret", [None, "", " ", "\n", 12345, b"bytes"])
def test_no_usable_secret_is_503_saying_so(client, recording, settings, secret):
    """Hostile input (docs/decisions/0012): a blank secret is no secret (anyone could sign), a secret of another type no
    500."""
    settings.OPENEDX_CC_WEBHOOK_SECRET = secret
    signed_with_it = secret if isinstance(secret, str) else "x"
    response = h.post(client, h.report(), secret=signed_with_it)
    assert response.status_code == 503
    assert "OPENEDX_CC_WEBHOOK_SECRET is not set (or is blank)" in response.json()["errors"][0]["message"]
    assert Deployment.objects.count() == 0


def test_switches(client, enabled):
    off = h.post(client, h.report())
    assert off.status_code == 503 and off["Retry-After"] == "300"
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        assert h.post(client, h.report()).status_code == 201
    assert Deployment.objects.count() == 1


def test_the_endpoint_is_404_while_the_set_is_disabled(client):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        assert h.post(client, h.report()).status_code == 404


def test_a_report_over_5_mb_is_413(client, recording):
    raw = h.body(h.report(changes=[h.change(body="x" * (5 * 1024 * 1024))]))
    assert h.post(client, None, raw=raw).status_code == 413
    assert Deployment.objects.count() == 0


@pytest.mark.parametrize("document, field, message", [
    (None, "", "not JSON"),
    ([], "", "must be a JSON object"),
    (h.report(deployed_at="2026-11-25T10:00:00"), "deployed_at", "no time zone"),
    (h.report(deployed_at=1764064800), "deployed_at", "expected an ISO 8601 datetime string"),
    (h.report(changes=[h.change(pr_number=-3)]), "changes[0].pr_number", "greater than 0"),
    (h.report(changes=[h.change(pr_number="36001")]), "changes[0].pr_number", "valid integer"),
    (h.report(changes=[h.change(merge_sha="abc123")]), "changes[0].merge_sha", "not a commit sha"),
    (h.report(changes=[h.change(merged_at="2026-11-24")]), "changes[0].merged_at", "is a date"),
    (h.report(changes=[h.change(author="not a login")]), "changes[0].author", "not a valid GitHub login"),
    (h.report(changes=[h.change(repository="openedx")]), "changes[0].repository", "has no owner"),
    (h.report(changes=[h.change(paths=["../x"])]), "changes[0].paths[0]", "leaves the repository"),
    (h.report(changes=[h.change(pr_number=5, merge_sha=h.sha(1)), h.change(pr_number=5, merge_sha=h.sha(2))]),
     "changes[1].pr_number", "listed twice"),
    (h.report(changes=[h.change(pr_number=5, repository="edx/edx-platform"),
                       h.change(pr_number=5, repository="openedx/openedx-platform")]),
     "changes[1].pr_number", "listed twice"),
    (h.report(kind="rollback", rolls_back=["nope"]), "rolls_back[0]", "no deployment 'nope' is recorded"),
    (h.report(kind="rollback"), "rolls_back", "names the deployments it rolls back"),
    (h.report(rolls_back=["x"]), "rolls_back", "only a report of kind 'rollback'"),
    (h.report(kind="undeploy"), "kind", "'deploy' or 'rollback'"),
    (h.report(colour="red"), "colour", "unknown field"),
    ({k: v for k, v in h.report().items() if k != "environment"}, "environment", "required field is missing"),
    # Hostile input (docs/decisions/0012): a final newline is no part of a name; ids follow the report format's grammar
    # (docs/reference/report-format.rst)
    (h.report(id="h-x\n"), "id", "not a valid report id"),
    (h.report(environment="prod\n"), "environment", "not a valid environment name"),
    (h.report(id="heads"), "id", "not 'heads'"),
    (h.report(id="/lms-1"), "id", "not a valid report id"),
    (h.report(id="lms-1/"), "id", "not a valid report id"),
    (h.report(id="x" * 201), "id", "1 to 200"),
    (h.report(changes=[h.change(merge_sha=h.sha(1) + "\n")]), "changes[0].merge_sha", "not a commit sha"),
    (h.report(changes=[h.change(repository="openedx\n/xblock")]), "changes[0].repository",
     "not a valid GitHub owner"),
])
def test_bad_reports_are_400_naming_each_field_and_record_nothing(client, pilot, recording, document, field,
                                                                  message):
    raw = b"{not json" if document is None else h.body(document)
    response = h.post(client, None, raw=raw)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert Deployment.objects.count() == Change.objects.count() == 0


@pytest.mark.parametrize("report_id", ["x", ".hidden", "lms/prod@2026-11-25+1:a_b", "x" * 200, "heads-1"])
def test_ids_of_the_contracts_grammar_are_accepted(client, pilot, recording, report_id):
    assert h.post(client, h.report(id=report_id)).status_code == 201


def test_every_problem_is_listed_in_one_400(client, recording):
    document = h.report(deployed_at="yesterday", changes=[h.change(pr_number=0, merge_sha="x"),
                                                          h.change(merged_at="2026-01-01T00:00:00")])
    fields = {e["field"] for e in h.post(client, document).json()["errors"]}
    assert fields == {"deployed_at", "changes[0].pr_number", "changes[0].merge_sha", "changes[1].merged_at"}


def test_a_pull_request_reported_again_with_another_sha_is_refused(client, recording):
    h.post(client, h.report("a", changes=[h.change(pr_number=7, merge_sha=h.sha(70))]))
    response = h.post(client, h.report("b", changes=[h.change(pr_number=7, merge_sha=h.sha(71))]))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "changes[0].merge_sha"
    assert Deployment.objects.count() == 1


def test_rolling_back_a_deployment_of_another_environment_is_refused(client, recording):
    h.post(client, h.report("stage-1", environment="staging", changes=[h.change()]))
    response = h.post(client, h.report("prod-rb", kind="rollback", rolls_back=["stage-1"]))
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "rolls_back[0]",
                                          "message": "deployment 'stage-1' was to staging, not production"}]


def test_deployed_is_sent_once_per_change_and_environment(client, pilot, recording, captured_events):
    change = cc_change()
    h.post(client, h.report("stage-1", environment="staging", changes=[change]))
    h.post(client, h.report("prod-1", changes=[change]))
    h.post(client, h.report("prod-2", changes=[change, h.change()]))  # already in production
    assert [(k["deployment"].environment, k["change"].pr_number) for _t, k in captured_events] == [
        ("staging", change["pr_number"]), ("production", change["pr_number"])]


def test_a_deployed_revert_reverts_the_cc_change_where_it_is_deployed(client, pilot, recording, captured_events):
    original = cc_change(pr_number=500, title="feat: add the widget")
    h.post(client, h.report("prod-1", changes=[original]))
    h.post(client, h.report("stage-1", environment="staging", changes=[original]))
    revert = h.change(pr_number=501, title='Revert "feat: add the widget"',
                      body="Reverts openedx/edx-platform#500", merged_at="2026-11-25T09:00:00Z")
    captured_events.clear()
    response = h.post(client, h.report("prod-2", changes=[revert], deployed_at="2026-11-26T10:00:00Z"))
    assert response.json()["changes"][0]["reverts"] == ["openedx/openedx-platform#500"]
    assert response.json()["removed"] == [{"repository": "openedx/openedx-platform", "pr_number": 500,
                                           "kind": "revert", "by": "openedx/openedx-platform#501"}]
    (event_type, kwargs), = captured_events
    assert event_type == REVERTED
    assert kwargs["change"].pr_number == 500
    assert kwargs["deployment"].deployment_id == "prod-1"  # the deployment that had brought it
    assert kwargs["revert"] == CCRevertData(kind="revert", by_deployment_id="prod-2", revert_pr_number=501,
                                            revert_merge_sha=revert["merge_sha"],
                                            reverted_at=Deployment.objects.get(report_id="prod-2").deployed_at)
    staging = Presence.objects.get(change__pr_number=500, environment="staging")
    assert staging.present  # the revert has not reached staging


def test_a_revert_of_a_revert_re_applies_the_original(client, pilot, recording, captured_events):
    original = cc_change(pr_number=600, title="feat: update special exams lib")
    first_revert = h.change(pr_number=601, title='Revert "feat: update special exams lib (#600)"')
    second_revert = h.change(pr_number=602, title='Revert "Revert "feat: update special exams lib (#600)" (#601)"',
                             body=f"This reverts commit {first_revert['merge_sha']}.")
    h.post(client, h.report("d1", changes=[original]))
    h.post(client, h.report("d2", changes=[first_revert]))
    h.post(client, h.report("d3", changes=[second_revert]))
    assert [(t, k["change"].pr_number, k["deployment"].deployment_id) for t, k in captured_events] == [
        (DEPLOYED, 600, "d1"), (REVERTED, 600, "d1"), (DEPLOYED, 600, "d3")]
    assert Presence.objects.get(change__pr_number=600).present
    assert not Presence.objects.get(change__pr_number=601).present


def test_a_rollback_reverts_what_the_rolled_back_deployments_brought(client, pilot, recording, captured_events):
    before = cc_change(pr_number=700)
    h.post(client, h.report("d1", changes=[before]))
    brought = cc_change(pr_number=701)
    plain = h.change(pr_number=702)
    h.post(client, h.report("d2", changes=[before, brought, plain], deployed_at="2026-11-25T11:00:00Z"))
    h.post(client, h.report("stage", environment="staging", changes=[brought]))
    captured_events.clear()
    response = h.post(client, h.report("rb", kind="rollback", rolls_back=["d2"], deployed_at="2026-11-25T12:00:00Z"))
    assert response.status_code == 201, response.content
    (event_type, kwargs), = captured_events  # 700 came with d1 and stays; 702 is not a CC change
    assert event_type == REVERTED and kwargs["change"].pr_number == 701
    assert kwargs["revert"].kind == "rollback" and kwargs["revert"].revert_pr_number is None
    assert kwargs["deployment"].deployment_id == "d2"
    assert not Presence.objects.get(change__pr_number=702, environment="production").present
    assert Presence.objects.get(change__pr_number=701, environment="staging").present
    captured_events.clear()
    h.post(client, h.report("d3", changes=[brought], deployed_at="2026-11-25T13:00:00Z"))
    assert [(t, k["change"].pr_number) for t, k in captured_events] == [(DEPLOYED, 701)]  # it reached it again


def test_a_rollback_dated_before_what_it_rolls_back_is_400_naming_deployed_at(client, pilot, recording):
    """Hostile input (docs/decisions/0012): the time to removal would be negative (it was clamped to 0 and pulled the
    median down)."""
    assert h.post(client, h.report("d1", changes=[cc_change(pr_number=800)],
                                   deployed_at="2026-11-25T11:00:00Z")).status_code == 201
    response = h.post(client, h.report("rb", kind="rollback", rolls_back=["d1"], deployed_at="2026-11-25T10:59:59Z"))
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "deployed_at" and "before deployment 'd1' that it rolls back" in error["message"]
    assert Deployment.objects.count() == 1
    same_second = h.post(client, h.report("rb", kind="rollback", rolls_back=["d1"], deployed_at="2026-11-25T11:00:00Z"))
    assert same_second.status_code == 201


def test_real_reverts_point_at_the_right_original(client, recording):
    """
    Every real revert commit reported as a change, oldest first: each one whose message names a commit or a pull
    request of the data set is linked to exactly that change.
    """
    bodies = {}
    data = list(reversed(rows()))  # the TSV is newest first
    numbers = {}
    for index, (repository, commit, own, subject, body) in enumerate(data):
        number = own or 90_000 + index
        numbers[(repository, commit)] = number
        title = subject[: subject.rfind("(#")].rstrip() if own else subject
        bodies[commit] = body
        document = h.report(f"real-{index}", changes=[h.change(repository=repository, pr_number=number, title=title,
                                                               body=body or "", merge_sha=commit)])
        assert h.post(client, document).status_code == 201
    by_sha = {commit: (repository, numbers[(repository, commit)]) for repository, commit, *_ in data}
    by_pr = {(repository, numbers[(repository, commit)]): commit for repository, commit, *_ in data}
    checked = 0
    for repository, commit, _own, subject, body in data:
        change = Change.objects.get(merge_sha=commit)
        linked = {c.merge_sha for c in change.reverts.all()}
        expected = set()
        for line in (body or "").splitlines():
            if "reverts commit" in line:
                sha = line.split("reverts commit")[1].strip(" .")
                if sha in by_sha:
                    expected.add(sha)
        inner = subject[subject.find('"') + 1: subject.rfind('"')] if '"' in subject else ""
        if inner.endswith(")") and "(#" in inner:
            number = int(inner[inner.rfind("(#") + 2: -1])
            if (repository, number) in by_pr:
                expected.add(by_pr[(repository, number)])
        if expected:
            assert linked == expected, subject
            checked += 1
        assert change.revert_rule, subject
    assert checked == 4  # the revert-of-revert pairs of frontend-app-learning (#1161, #1007, #254, #229)


def test_a_failing_subscriber_never_fails_the_api(client, pilot, recording, settings):
    settings.DEBUG = True  # where openedx-events re-raises receiver errors

    def broken(**kwargs):
        raise RuntimeError("subscriber bug")

    CC_CHANGE_DEPLOYED.connect(broken, dispatch_uid="broken-subscriber")
    try:
        response = h.post(client, h.report(changes=[cc_change()]))
    finally:
        CC_CHANGE_DEPLOYED.disconnect(dispatch_uid="broken-subscriber")
    assert response.status_code == 201
    logged = change_events().get()
    assert "subscriber bug" in logged.last_error and logged.sent_at is None
    assert Deployment.objects.count() == 1


def test_events_switched_off_are_logged_and_replayed_later(client, pilot, enabled, captured_events):
    from openedx_cc.plugins.eventlog.toggles import EMIT_EVENTS

    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        assert h.post(client, h.report(changes=[cc_change()])).status_code == 201
    assert captured_events == [] and change_events().filter(sent_at__isnull=True).count() == 1
    with override_waffle_switch(EMIT_EVENTS, True):
        call_command("cc_replay_events", "--unsent", "--type", DEPLOYED)
    assert types(captured_events) == [DEPLOYED]


def test_ingestion_queries_do_not_grow_with_the_number_of_changes(client, pilot, recording):
    def queries(report_id, count):
        changes = [cc_change() if i % 3 == 0 else h.change() for i in range(count)]
        changes.append(h.change(title='Revert "feat: something"'))
        with CaptureQueriesContext(connection) as captured:
            assert h.post(client, h.report(report_id, changes=changes)).status_code == 201
        return len(captured)

    queries("warm-up", 2)
    assert queries("small", 4) == queries("large", 40)


def test_the_command_records_the_same_way(tmp_path, pilot, recording, capsys):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(h.report(changes=[cc_change()])))
    call_command("cc_record_deployment", str(path))
    assert json.loads(capsys.readouterr().out)["changes"][0]["core_committer"] == "bradenmacdonald"
    call_command("cc_record_deployment", str(path))  # the same again: the stored answer, exit 0
    path.write_text(json.dumps(h.report(changes=[h.change(pr_number=-1)])))
    with pytest.raises(SystemExit) as info:
        call_command("cc_record_deployment", str(path))
    assert info.value.code == 1
    assert "changes[0].pr_number" in capsys.readouterr().err
    assert Deployment.objects.count() == 1


def test_the_command_exits_2_for_a_different_report_under_a_used_id(tmp_path, pilot, recording, capsys):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(h.report("same-id", changes=[cc_change()])))
    call_command("cc_record_deployment", str(path))
    capsys.readouterr()
    path.write_text(json.dumps(h.report("same-id", release="release/other")))
    with pytest.raises(SystemExit) as info:
        call_command("cc_record_deployment", str(path))
    assert info.value.code == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["field"] == "id"
    assert Deployment.objects.count() == 1


def test_reading_deployments(client, api_client, pilot, recording, staff_user, plain_user):
    from openedx_cc.plugins.ownership.models import CoreCommitter

    h.post(client, h.report("d1", changes=[cc_change(pr_number=800), h.change(pr_number=801, merged_by="pdpinch")]))
    h.post(client, h.report("d2", changes=[h.change(pr_number=802)]))
    api_client.force_authenticate(staff_user)
    listing = api_client.get("/api/cc/v1/deployments/").json()
    assert [d["id"] for d in listing["results"]] == ["d2", "d1"]  # same deployed_at: newest record first
    detail = api_client.get("/api/cc/v1/deployments/d1/").json()
    assert {c["pr_number"] for c in detail["changes"]} == {800, 801}
    api_client.force_authenticate(plain_user)
    assert api_client.get("/api/cc/v1/deployments/").status_code == 403
    CoreCommitter.objects.filter(github_key="bradenmacdonald").update(user=plain_user)
    mine = api_client.get("/api/cc/v1/deployments/").json()
    assert [d["id"] for d in mine["results"]] == ["d1"]
    assert [c["pr_number"] for c in mine["results"][0]["changes"]] == [800]  # not pdpinch's change
    assert api_client.get("/api/cc/v1/deployments/d2/").status_code == 404


def test_a_report_id_with_slashes_has_a_detail_url(client, api_client, pilot, recording, staff_user):
    from django.urls import reverse

    report_id = "lms/prod/2026-11-25.1"
    assert h.post(client, h.report(report_id, changes=[cc_change()])).status_code == 201
    url = reverse("openedx_cc:v1:deployment-detail", kwargs={"deployment_id": report_id})
    assert url.endswith("/deployments/lms/prod/2026-11-25.1/")
    api_client.force_authenticate(staff_user)
    assert api_client.get(url).json()["id"] == report_id
    assert api_client.get("/api/cc/v1/deployments/lms/prod/").status_code == 404


def test_recording_is_not_wrapped_in_the_request_transaction():
    """Hosts with ATOMIC_REQUESTS (the LMS, the CMS): recording must own its transactions to retry a lost race."""
    from django.urls import resolve

    assert "default" in getattr(resolve("/api/cc/v1/deployments/").func, "_non_atomic_requests", set())


def test_losing_the_race_for_an_id_answers_with_the_winners_record(pilot, recording, captured_events, monkeypatch):
    """The path taken when another transaction inserted the same id between our check and our insert."""
    from openedx_cc.plugins.deployments import api, recording

    raw = h.body(h.report("race", changes=[cc_change()]))
    winner = api.record_deployment(raw)
    real = recording.previous_answer
    calls = []

    def first_blind(report):
        calls.append(report)
        return None if len(calls) == 1 else real(report)

    monkeypatch.setattr(recording, "previous_answer", first_blind)
    captured_events.clear()
    loser = api.record_deployment(raw)
    assert len(calls) == 2  # the insert failed on the unique id, and the stored answer was read
    assert (loser.outcome, loser.body) == (api.RecordOutcome.ALREADY_RECORDED, winner.body)
    assert captured_events == [] and Deployment.objects.count() == 1


def test_a_change_stays_out_where_its_revert_is_deployed(client, pilot, recording, captured_events):
    """Another service deploys a release listing a change and its revert, after the revert reached production."""
    change = cc_change(pr_number=1100, title="feat: X")
    revert = h.change(pr_number=1101, title='Revert "feat: X"', body="Reverts openedx/openedx-platform#1100",
                      merged_at="2026-11-25T09:00:00Z")
    h.post(client, h.report("lms-1", changes=[change]))
    h.post(client, h.report("lms-2", changes=[revert], deployed_at="2026-11-26T10:00:00Z"))
    captured_events.clear()
    response = h.post(client, h.report("cms-1", service="cms", changes=[change, revert],
                                       deployed_at="2026-11-27T10:00:00Z"))
    assert captured_events == []
    assert response.json()["kept_out"] == [{"repository": "openedx/openedx-platform", "pr_number": 1100,
                                            "reverted_by": "openedx/openedx-platform#1101"}]
    assert not Presence.objects.get(change__pr_number=1100, environment="production").present
    from openedx_cc.plugins.deployments.models import DeploymentSpan

    assert DeploymentSpan.objects.filter(change__pr_number=1100, removed_at__isnull=True).count() == 0


def test_a_change_whose_revert_arrived_first_stays_out(client, pilot, recording, captured_events):
    change = cc_change(pr_number=1200, title="feat: Y")
    revert = h.change(pr_number=1201, title='Revert "feat: Y"', body="Reverts openedx/openedx-platform#1200",
                      merged_at="2026-11-25T09:00:00Z")
    h.post(client, h.report("stage-1", environment="staging", changes=[change]))  # so the revert can be linked
    h.post(client, h.report("hotfix", changes=[revert]))
    captured_events.clear()
    h.post(client, h.report("later", changes=[change, revert], deployed_at="2026-11-27T10:00:00Z"))
    assert captured_events == []
    assert not Presence.objects.filter(change__pr_number=1200, environment="production", present=True).exists()


def test_a_change_deployed_with_its_revert_was_never_there(client, pilot, recording, captured_events):
    change = cc_change(pr_number=1300, title="feat: Z")
    h.post(client, h.report("stage-1", environment="staging", changes=[change]))
    captured_events.clear()
    revert = h.change(pr_number=1301, title='Revert "feat: Z"', body="Reverts openedx/openedx-platform#1300",
                      merged_at="2026-11-25T09:00:00Z")
    response = h.post(client, h.report("prod-1", changes=[change, revert]))
    assert captured_events == [] and response.json()["removed"] == []
    from openedx_cc.plugins.deployments.models import DeploymentSpan

    assert not DeploymentSpan.objects.filter(change__pr_number=1300, environment="production").exists()
    # and a later revert of the revert brings the change to production
    rerevert = h.change(
        pr_number=1302, title='Revert "Revert "feat: Z (#1300)" (#1301)"', merged_at="2026-11-26T09:00:00Z"
    )
    h.post(client, h.report("prod-2", changes=[rerevert], deployed_at="2026-11-27T10:00:00Z"))
    assert [(t, k["change"].pr_number, k["deployment"].environment) for t, k in captured_events] == [
        (DEPLOYED, 1300, "production")]


def _losing(times, error):
    """An ``ingest_report`` that loses ``times`` races with ``error`` before it runs for real."""
    from openedx_cc.plugins.deployments import recording

    real_run, calls = recording.ingest_report, []

    def run(report, **options):
        calls.append(1)
        if len(calls) <= times:
            raise error
        return real_run(report, **options)

    return run, calls


@pytest.mark.parametrize("error", [IntegrityError("UNIQUE constraint failed: openedx_cc_change.change_key"),
                                   OperationalError("database is locked")])
def test_a_report_that_keeps_losing_races_is_recorded_once_it_wins(client, pilot, recording, monkeypatch, error):
    """Hostile input (docs/decisions/0012): three lost races were a 500; SQLite's busy error was a 500 at once."""
    from openedx_cc.plugins.deployments import recording

    run, calls = _losing(6, error)
    monkeypatch.setattr(recording, "ingest_report", run)
    monkeypatch.setattr(recording.time, "sleep", lambda seconds: None)
    response = h.post(client, h.report(changes=[cc_change()]))
    assert response.status_code == 201, response.content
    assert len(calls) == 7 and Deployment.objects.count() == 1


def test_a_report_that_never_wins_is_503_with_retry_after(client, pilot, recording, monkeypatch):
    from openedx_cc.plugins.deployments import recording

    run, _calls = _losing(10**6, IntegrityError("UNIQUE constraint failed"))
    monkeypatch.setattr(recording, "ingest_report", run)
    monkeypatch.setattr(recording, "RETRY_DEADLINE_SECONDS", 0.05)
    response = h.post(client, h.report(changes=[cc_change()]))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "send the report again" in response.json()["errors"][0]["message"]
    assert Deployment.objects.count() == 0


def test_a_report_whose_winner_is_not_visible_yet_is_503_not_a_crash(client, pilot, recording, monkeypatch):
    """
    The report id is taken, but the caller's snapshot cannot see the row that took it (REPEATABLE READ inside a
    caller's transaction): the answer is "send it again", never an AttributeError on None.
    """
    from openedx_cc.plugins.deployments import recording

    def taken(report, **options):
        raise recording.AlreadyRecorded()

    monkeypatch.setattr(recording, "ingest_report", taken)
    response = h.post(client, h.report(changes=[cc_change()]))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "send the report again" in response.json()["errors"][0]["message"]


def test_other_database_errors_are_not_taken_for_races(client, pilot, recording, monkeypatch):
    from openedx_cc.plugins.deployments import recording

    run, calls = _losing(1, OperationalError("no such table: openedx_cc_change"))
    monkeypatch.setattr(recording, "ingest_report", run)
    with pytest.raises(OperationalError):
        h.post(client, h.report(changes=[cc_change()]))
    assert len(calls) == 1


def test_ids_and_environments_are_compared_exactly_on_every_database(client, pilot, recording):
    """
    Hostile input (docs/decisions/0012): MariaDB compared report ids and environment names without case (its default
    collation), so the same two reports gave 409 there and 201 elsewhere, and a revert deployed to PROD removed a change
    from prod. The suite runs this on SQLite, MariaDB and PostgreSQL.
    """
    original = cc_change(pr_number=900, title="feat: exact names")
    assert h.post(client, h.report("Lms-1", environment="prod", changes=[original])).status_code == 201
    assert h.post(client, h.report("lms-1", environment="prod")).status_code == 201  # another report
    revert = h.change(pr_number=901, title='Revert "feat: exact names"', body="Reverts openedx/openedx-platform#900")
    assert h.post(client, h.report("revert-1", environment="PROD", changes=[revert],
                                   deployed_at="2026-11-25T11:00:00Z")).status_code == 201
    assert Presence.objects.get(change__pr_number=900, environment="prod").present  # PROD is another environment
    assert set(Deployment.objects.values_list("report_id", flat=True)) == {"Lms-1", "lms-1", "revert-1"}
    assert Deployment.objects.filter(report_id="LMS-1").count() == 0


def test_a_long_body_is_read_whole_for_reverts_and_stored_cut(client, pilot, recording):
    original = cc_change(pr_number=950, title="feat: far away")
    assert h.post(client, h.report("d-950", changes=[original])).status_code == 201
    body = "x\n" * 20_000 + "Reverts openedx/openedx-platform#950\n"  # past the stored part
    revert = h.change(pr_number=951, title="chore: tidy", body=body)
    assert h.post(client, h.report("d-951", changes=[revert], deployed_at="2026-11-25T11:00:00Z")).status_code == 201
    stored = Change.objects.get(pr_number=951)
    assert stored.revert_rule == "body"
    assert len(stored.body) < 4_200 and stored.body.endswith("more characters not stored]")
    assert not Presence.objects.get(change__pr_number=950).present
