"""
The intake: a delivery is stored first, once per delivery id, then processed after its commit (with Celery, or in
the process); what processing makes of it -- ignored, failed with the reason, processed -- stays on the delivery, and
``cc_process_github_deliveries`` processes deliveries again, idempotently.
"""
import json
import zlib

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client

from openedx_cc.plugins.deployments.api import RecordingBusy
from openedx_cc.plugins.github import deliveries, deploying, processing
from openedx_cc.plugins.github.models import GitHubDelivery, GitHubDeployment, GitHubPush, GitHubPushedCommit
from openedx_cc.plugins.github.pushes import MAX_KEPT_COMMITS
from tests.plugins.github import builders as b
from tests.plugins.github.scenario import changes_of, seed, send

pytestmark = pytest.mark.django_db(transaction=True)
A, B, C = (b.sha(name) for name in "ABC")


def test_a_delivery_is_stored_with_its_raw_body_then_processed(client, intake):
    document = b.push(A, [(B, "chore: x")])
    raw = json.dumps(document, indent=2).encode()
    response = b.deliver(client, "push", raw=raw, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    assert response.status_code == 202, response.content
    assert response.json() == {"delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "event": "push", "action": "",
                               "status": "processed", "detail": ""}
    row = GitHubDelivery.objects.get()
    assert (row.event, row.repository, row.body_size, row.attempts) == ("push", b.REPOSITORY, len(raw), 1)
    assert processing.raw_body(row) == raw  # the bytes GitHub signed, exactly
    assert row.processed_at is not None
    push = GitHubPush.objects.get()
    assert (push.before, push.after, push.ref, push.forced, push.pusher) == (A, B, "refs/heads/master", False,
                                                                             "Codertocat")


def test_the_same_delivery_again_is_200_and_nothing_new(client, intake):
    document = b.merged_pr(101, B)
    first = b.deliver(client, "pull_request", document, delivery="d-1")
    again = b.deliver(client, "pull_request", document, delivery="d-1")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["status"] == "processed"
    assert GitHubDelivery.objects.get().attempts == 1


def test_the_same_push_from_two_hooks_is_kept_once(client, intake):
    document = b.push(A, [(B, "chore: x")])
    send(client, "push", document, delivery="repository-hook")
    response = send(client, "push", document, delivery="organization-hook")
    assert response.json()["detail"] == "the same push was recorded from another delivery"
    assert GitHubPush.objects.count() == 1 and GitHubPushedCommit.objects.count() == 1


def test_a_body_that_is_not_json_is_stored_and_fails_without_a_5xx(client, intake):
    response = b.deliver(client, "push", raw=b"this is not JSON")
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["detail"]) == (
        "failed", "invalid payload: the body is not JSON: Expecting value at line 1 column 1")
    assert processing.raw_body(GitHubDelivery.objects.get()) == b"this is not JSON"


def test_a_form_encoded_delivery_is_read(client, intake):
    from urllib.parse import quote

    raw = ("payload=" + quote(json.dumps(b.push(A, [(B, "chore: x")])))).encode()
    response = b.deliver(client, "push", raw=raw)
    assert response.json()["status"] == "processed"
    assert GitHubPush.objects.get().after == B


@pytest.mark.parametrize("event, document, detail", [
    ("issues", {"action": "opened"}, "the set does nothing with issues events"),
    ("pull_request", b.real("pull_request.opened"), "a pull request opened: only merged ones are recorded"),
    ("pull_request", b.real("pull_request.closed"), "a pull request closed without being merged"),
    ("push", b.real("push"), "a push to refs/tags/simple-tag: only branches make the history"),
    ("deployment_status", dict(b.real("deployment_status"), action="deleted"), "a deployment status deleted"),
    ("deployment", dict(b.real("deployment"), action="edited"), "a deployment edited"),
])
def test_events_and_actions_the_set_does_not_use_are_202_stored_and_ignored(client, intake, event, document, detail):
    response = b.deliver(client, event, document)
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["detail"]) == ("ignored", detail)
    assert GitHubDelivery.objects.count() == 1 and not GitHubPush.objects.exists()


def test_a_branch_deletion_is_ignored(client, intake):
    document = b.push(A, [])
    document.update(after=b.ZERO, deleted=True, head_commit=None)
    assert b.deliver(client, "push", document).json()["detail"] == "the branch master was deleted"


def test_a_payload_missing_a_field_fails_naming_it(client, intake):
    document = b.merged_pr(101, B)
    del document["pull_request"]["merged_at"]
    response = b.deliver(client, "pull_request", document)
    assert response.status_code == 202
    assert response.json()["status"] == "failed"
    assert "pull_request.merged_at: required field is missing" in response.json()["detail"]


def test_a_push_of_3000_commits_keeps_the_last_ones_and_still_links_them(client, intake):
    commits = [(b.sha(f"big-{n}"), f"commit {n}") for n in range(3000)]
    response = send(client, "push", b.push(A, commits))
    assert response.json()["status"] == "processed"
    push = GitHubPush.objects.get()
    assert (push.commits_listed, push.commits_kept) == (3000, MAX_KEPT_COMMITS)
    kept = list(push.commits.order_by("position").values_list("sha", flat=True))
    assert kept == [sha for sha, _title in commits[-MAX_KEPT_COMMITS:]]
    seed(A)
    send(client, "pull_request", b.merged_pr(7, commits[-10][0]))
    send(client, "deployment_status", b.status(1, commits[-1][0]))
    assert changes_of("github:openedx/openedx-platform:1") == [7]


def test_a_push_listing_no_commits_keeps_its_head(client, intake):
    document = b.push(A, [(B, "x")])
    document.update(commits=[], head_commit=None)
    send(client, "push", document)
    assert list(GitHubPushedCommit.objects.values_list("sha", "title")) == [(B, "")]


def test_a_failure_of_processing_is_kept_with_its_error_and_processed_again_by_the_command(client, intake,
                                                                                           monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(processing.pushes, "record_push", broken)
    response = b.deliver(client, "push", b.push(A, [(B, "chore: x")]))
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["detail"]) == ("failed", "RuntimeError: the database went away")
    monkeypatch.undo()
    call_command("cc_process_github_deliveries")  # pending ones only: the failed one waits for --failed
    assert GitHubDelivery.objects.get().status == "failed"
    call_command("cc_process_github_deliveries", "--failed")
    row = GitHubDelivery.objects.get()
    assert (row.status, row.detail, row.attempts) == ("processed", "", 2)
    assert GitHubPush.objects.count() == 1


@pytest.mark.parametrize("passing", [
    RecordingBusy("other reports kept recording the same rows for 30 s (12 attempts)"),
    OperationalError("database is locked"),
    OperationalError(1213, "Deadlock found when trying to get lock; try restarting transaction"),
])
def test_a_passing_error_leaves_the_delivery_pending_for_the_next_run_of_the_command(client, intake, monkeypatch,
                                                                                     capsys, passing):
    seed(A)
    send(client, "push", b.push(A, [(B, "chore: x")]))
    record = deploying.record_status_event

    def busy(*args, **kwargs):
        record(*args, **kwargs)  # the status is kept; recording the deployment lost a race
        raise passing

    monkeypatch.setattr(deploying, "record_status_event", busy)
    response = b.deliver(client, "deployment_status", b.status(1, B), delivery="lost-a-race")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    row = GitHubDelivery.objects.get(delivery_id="lost-a-race")
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.detail.startswith(processing.RETRY_LATER) and type(passing).__name__ in row.detail
    monkeypatch.undo()
    call_command("cc_process_github_deliveries")  # the cron's run, without --failed
    row.refresh_from_db()
    assert (row.status, row.detail, row.attempts) == ("processed", "", 2)
    assert "1 processed" in capsys.readouterr().out
    assert GitHubDeployment.objects.get(github_id=1).recorded == "deployment"


def test_the_command_exits_1_when_a_delivery_fails(client, intake, capsys):
    b.deliver(client, "push", raw=b"{}")
    with pytest.raises(SystemExit) as exited:
        call_command("cc_process_github_deliveries", "--failed")
    assert exited.value.code == 1
    out = capsys.readouterr()
    assert "Deliveries processed: 1 failed." in out.out
    assert "errors are in the admin" in out.err


def _pending(event, document, delivery_id, **fields):
    return GitHubDelivery.objects.create(delivery_id=delivery_id, event=event, body=zlib.compress(
        json.dumps(document).encode()), **fields)


def test_the_command_processes_pending_deliveries_since_a_time_twice_changing_nothing(intake, capsys):
    old = _pending("push", b.push(A, [(B, "x")]), "old", received_at="2026-11-01T00:00:00Z")
    new = _pending("push", b.push(B, [(C, "y")]), "new", received_at="2026-11-20T00:00:00Z")
    call_command("cc_process_github_deliveries", "--since", "2026-11-10T00:00:00Z")
    assert dict(GitHubDelivery.objects.values_list("delivery_id", "status")) == {"old": "pending", "new": "processed"}
    assert "Deliveries processed: 1 processed." in capsys.readouterr().out
    call_command("cc_process_github_deliveries")
    call_command("cc_process_github_deliveries", "--failed")
    assert GitHubPush.objects.count() == 2
    assert GitHubDelivery.objects.get(pk=old.pk).attempts == 1 and GitHubDelivery.objects.get(pk=new.pk).attempts == 1


def test_the_command_refuses_a_bad_since():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--since: .* has no time zone"):
        call_command("cc_process_github_deliveries", "--since", "2026-11-10T00:00:00")


def test_with_celery_the_task_processes_the_delivery(client, intake, monkeypatch):
    from celery import current_app

    from openedx_cc.plugins.github import tasks

    queued = []
    real_delay = tasks.process_github_deliveries_task.delay

    def delay(ids):
        queued.append(ids)
        return real_delay(ids)

    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    monkeypatch.setattr(tasks.process_github_deliveries_task, "delay", delay)
    response = b.deliver(client, "push", b.push(A, [(B, "x")]))
    assert response.json()["status"] == "processed"
    assert queued == [[GitHubDelivery.objects.get().pk]]


def test_without_celery_it_is_processed_in_the_process(client, intake, monkeypatch):
    from openedx_cc.plugins.github import tasks

    monkeypatch.setattr(deliveries, "celery_ready", lambda: False)
    monkeypatch.setattr(tasks.process_github_deliveries_task, "delay", lambda ids: pytest.fail("queued"))
    assert b.deliver(client, "push", b.push(A, [(B, "x")])).json()["status"] == "processed"


def test_a_broker_that_is_down_leaves_the_processing_to_the_process(client, intake, monkeypatch):
    from openedx_cc.plugins.github import tasks

    def down(ids):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(deliveries, "celery_ready", lambda: True)
    monkeypatch.setattr(tasks.process_github_deliveries_task, "delay", down)
    assert b.deliver(client, "push", b.push(A, [(B, "x")])).json()["status"] == "processed"


def test_with_a_broker_the_answer_says_pending(client, intake, monkeypatch):
    from openedx_cc.plugins.github import tasks

    monkeypatch.setattr(deliveries, "celery_ready", lambda: True)
    monkeypatch.setattr(tasks.process_github_deliveries_task, "delay", lambda ids: None)
    response = b.deliver(client, "push", b.push(A, [(B, "x")]))
    assert (response.status_code, response.json()["status"]) == (202, "pending")
    call_command("cc_process_github_deliveries")
    assert GitHubDelivery.objects.get().status == "processed"


def test_the_admin_lists_shows_and_processes_deliveries_again(client, intake, admin_user, monkeypatch):
    monkeypatch.setattr(processing.pushes, "record_push", lambda *a, **k: 1 / 0)
    b.deliver(client, "push", b.push(A, [(B, "x")]))
    send(client, "deployment", b.deployment(1, B))
    monkeypatch.undo()
    staff = Client()
    staff.force_login(admin_user)
    listing = staff.get("/admin/openedx_cc/githubdelivery/?status__exact=failed")
    assert listing.status_code == 200 and b"ZeroDivisionError" in listing.content
    row = GitHubDelivery.objects.get(status="failed")
    detail = staff.get(f"/admin/openedx_cc/githubdelivery/{row.pk}/change/")
    assert detail.status_code == 200 and b"refs/heads/master" in detail.content
    response = staff.post("/admin/openedx_cc/githubdelivery/", {"action": "process_selected_again",
                                                                 "_selected_action": [row.pk]}, follow=True)
    assert b"Processed again: 1 processed" in response.content
    assert GitHubDelivery.objects.get(pk=row.pk).status == "processed"
    for page in ("githubpush", "githubdeployment"):
        assert staff.get(f"/admin/openedx_cc/{page}/").status_code == 200
    deployment_page = staff.get(f"/admin/openedx_cc/githubdeployment/{GitHubDeployment.objects.get().pk}/change/")
    assert deployment_page.status_code == 200
    assert staff.get("/admin/openedx_cc/githubdelivery/add/").status_code == 403


def test_while_recording_is_switched_off_deliveries_stay_pending(intake, capsys):
    from edx_toggles.toggles.testutils import override_waffle_switch

    from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS

    row = _pending("push", b.push(A, [(B, "x")]), "queued-before-the-switch")
    with override_waffle_switch(RECORD_DEPLOYMENTS, False):
        assert processing.process_delivery(row) == "pending"  # a Celery task that runs after the switch went off
        with pytest.raises(SystemExit) as exited:
            call_command("cc_process_github_deliveries")
    assert exited.value.code == 3
    assert "switched off" in capsys.readouterr().err
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0) and "switched off" in row.detail
    assert not GitHubPush.objects.exists()
    call_command("cc_process_github_deliveries")
    row.refresh_from_db()
    assert (row.status, row.detail) == ("processed", "")
