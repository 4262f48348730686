"""
Who gets which message (and that nobody else does), the switch, the retry path, broken templates, Celery.
"""
import pytest
from django.core import mail
from django.core.management import call_command
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments.api import RecordOutcome
from openedx_cc.plugins.eventlog.api import logged_events, replay_events
from openedx_cc.plugins.notifications.models import NotificationLog, NotificationPreference
from openedx_cc.plugins.notifications.toggles import NOTIFY
from openedx_cc.plugins.ownership import api as ownership_api
from openedx_cc.plugins.ownership.models import Champion, CoreCommitter
from tests.scripted import record_history

pytestmark = pytest.mark.django_db(transaction=True)

OPERATORS = ["ops@example.org", "sre@example.org"]


@pytest.fixture
def people(pilot, django_user_model):
    """Emails for some CCs and champions; a learner account that must never hear anything."""
    CoreCommitter.objects.filter(github_key="bradenmacdonald").update(email="braden@example.org")
    CoreCommitter.objects.filter(github_key="felipemontoya").update(email="felipe@example.org")
    CoreCommitter.objects.filter(github_key="pdpinch").update(email="peter@example.org")
    Champion.objects.filter(committer__github_key="bradenmacdonald", name="Dave Ormsbee").update(
        email="dave@example.org")
    django_user_model.objects.create_user("a-maintainer", "learner@example.org", "pw")


@pytest.fixture
def notify(events_on, settings):
    settings.OPENEDX_CC_OPERATOR_EMAILS = OPERATORS
    with override_waffle_switch(NOTIFY, True):
        yield


def sent_to(kind):
    return sorted(m.to[0] for m in mail.outbox if m.subject.startswith(kind))


def test_who_hears_about_what(people, notify):
    mail.outbox.clear()
    record_history()
    reverted = [m for m in mail.outbox if "was reverted" in m.subject]
    assert sorted(m.to[0] for m in reverted) == ["braden@example.org", "dave@example.org"] + OPERATORS
    assert reverted[0].subject == "[openedx-cc] openedx/openedx-platform#101 was reverted in production"
    rolled = [m for m in mail.outbox if "rolled back" in m.subject]
    assert sorted(m.to[0] for m in rolled) == ["felipe@example.org"] + OPERATORS  # no champion email known
    assert not [m for m in mail.outbox if "is deployed" in m.subject]  # nobody opted in
    everyone = {m.to[0] for m in mail.outbox}
    assert "learner@example.org" not in everyone and "peter@example.org" not in everyone
    body = next(m for m in reverted if m.to == ["braden@example.org"])
    assert "credited to you as a Core Committer" in body.body
    assert body.alternatives and "<strong>openedx/openedx-platform#101</strong>" in body.alternatives[0][0]


def test_a_cc_who_opted_in_hears_about_deployments(people, notify):
    NotificationPreference.objects.create(github_username="pdpinch", notify_on_deploy=True)
    mail.outbox.clear()
    record_history()
    deployed = [m for m in mail.outbox if "is deployed" in m.subject]
    assert [m.to for m in deployed] == [["peter@example.org"]]
    assert deployed[0].subject == "[openedx-cc] openedx/ccx-keys#7 is deployed in production"


def test_ownership_changes_go_to_the_cc_and_the_operators(people, notify):
    mail.outbox.clear()
    braden = CoreCommitter.objects.get(github_key="bradenmacdonald")
    ownership_api.grant_right(braden, "openedx/edx-ora2", paths=["openassessment/"])
    assert sorted(m.to[0] for m in mail.outbox) == ["braden@example.org"] + OPERATORS
    assert mail.outbox[0].subject == "[openedx-cc] Commit right of bradenmacdonald on openedx/edx-ora2 granted"


def test_nothing_while_the_switch_is_off(people, events_on):
    mail.outbox.clear()
    record_history()
    assert mail.outbox == [] and not NotificationLog.objects.exists()


def test_a_replayed_event_is_not_mailed_twice(people, notify):
    record_history()
    count = len(mail.outbox)
    replay_events(logged_events(event_type="org.openedx.core_committer.change.reverted.v1"))
    assert len(mail.outbox) == count


class BrokenBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failing_mail_server_loses_nothing_and_the_retry_sends(people, notify, settings):
    settings.EMAIL_BACKEND = "tests.plugins.notifications.test_notifications.BrokenBackend"
    results = record_history()
    assert [r.outcome for r in results] == [RecordOutcome.RECORDED] * 4
    failed = NotificationLog.objects.filter(status="failed")
    assert failed.count() == 7 and "mail server down" in failed.first().last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    call_command("cc_retry_notifications")
    assert len(mail.outbox) == 7 and not NotificationLog.objects.exclude(status="sent").exists()


def test_a_broken_template_is_logged_and_the_api_keeps_working(people, notify, settings, tmp_path):
    override = tmp_path / "openedx_cc" / "notifications" / "change_reverted"
    override.mkdir(parents=True)
    (override / "subject.txt").write_text("{% if %}broken")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    results = record_history()
    assert all(r.outcome is RecordOutcome.RECORDED for r in results)
    broken = NotificationLog.objects.filter(kind="change_reverted")
    assert broken.exists() and all(n.status == "failed" and "TemplateSyntaxError" in n.last_error for n in broken)


def test_operators_can_override_a_template(people, notify, settings, tmp_path):
    override = tmp_path / "openedx_cc" / "notifications" / "change_reverted"
    override.mkdir(parents=True)
    (override / "subject.txt").write_text("Heads up: {{ change.repository }}#{{ change.pr_number }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    mail.outbox.clear()
    record_history()
    assert "Heads up: openedx/openedx-platform#101" in {m.subject for m in mail.outbox}


def test_with_celery_the_task_sends(people, notify, monkeypatch):
    from celery import current_app

    from openedx_cc.plugins.notifications import tasks

    queued = []
    original = tasks.send_notifications_task.delay
    monkeypatch.setattr(tasks.send_notifications_task, "delay", lambda ids: (queued.append(ids), original(ids)))
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    mail.outbox.clear()
    record_history()
    assert queued and len(mail.outbox) == 7
