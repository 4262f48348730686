"""
Hub notifications (docs/reference/hub.rst): the first time an instance reports a CC change reverted or rolled back
in production, the hub tells the CC and their champions (as its own registry knows them) and its operators -- once
per (change, instance), through the notifications applet (its switch, log, templates and retries).
"""
import pytest
from django.core import mail
from django.core.management import call_command
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.hub.toggles import HUB
from openedx_cc.plugins.notifications.models import NotificationLog
from openedx_cc.plugins.notifications.toggles import NOTIFY
from openedx_cc.plugins.ownership.models import Champion, CoreCommitter
from tests.plugins.hub.hub_builders import batch, event, post, register

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hub_on(enabled):
    """``openedx_cc.enabled`` and ``openedx_cc.hub`` on."""
    with override_waffle_switch(HUB, True):
        yield


OPERATORS = ["hub-ops@example.org"]
BRADEN = ["braden@example.org", "dave@example.org", *OPERATORS]


@pytest.fixture
def people(pilot):
    CoreCommitter.objects.filter(github_key="bradenmacdonald").update(email="braden@example.org")
    Champion.objects.filter(committer__github_key="bradenmacdonald", name="Dave Ormsbee").update(
        email="dave@example.org")


@pytest.fixture
def notify(hub_on, settings):
    settings.OPENEDX_CC_OPERATOR_EMAILS = OPERATORS
    with override_waffle_switch(NOTIFY, True):
        mail.outbox.clear()
        yield


@pytest.fixture
def send(client):
    secrets = {}

    def send(events, instance="edx-prod"):
        if instance not in secrets:
            secrets[instance] = register(instance)
        response = post(client, batch(events), instance=instance, secret=secrets[instance])
        assert response.status_code == 200, response.content
        return response.json()

    return send


def recipients():
    return sorted(m.to[0] for m in mail.outbox)


def test_a_production_removal_tells_the_cc_their_champions_and_the_hubs_operators(people, notify, send):
    send([event(pr=101), event(pr=101, reverted="revert")])
    assert recipients() == sorted(BRADEN)
    message = next(m for m in mail.outbox if m.to == ["braden@example.org"])
    assert message.subject == "[openedx-cc] openedx/openedx-platform#101 was reverted in production at edx-prod"
    assert "edx-prod" in message.body and "openedx/openedx-platform#101" in message.body
    assert "credited to you as a Core Committer" in message.body
    assert "2026-11-21T14:00:00+00:00" in message.body  # when it was reverted
    assert "<strong>edx-prod</strong>" in message.alternatives[0][0]
    champion = next(m for m in mail.outbox if m.to == ["dave@example.org"])
    assert "champion of bradenmacdonald" in champion.body
    operator = next(m for m in mail.outbox if m.to == OPERATORS)
    assert "operator of the hub" in operator.body
    assert set(NotificationLog.objects.values_list("kind", flat=True)) == {"hub_change_removed"}


def test_a_rollback_says_so(people, notify, send):
    send([event(pr=101, reverted="rollback")])
    assert {m.subject for m in mail.outbox} == {
        "[openedx-cc] openedx/openedx-platform#101 was rolled back in production at edx-prod"}


def test_once_per_change_and_instance(people, notify, send):
    raw = [event(pr=101, reverted="revert")]
    send(raw)
    send(raw)  # the same batch again: duplicates
    send([event(pr=101, reverted="rollback")])  # another removal of the same change by the same instance
    send([event(pr=101, reverted="revert"), event(pr=101, reverted="revert")])
    assert recipients() == sorted(BRADEN)
    mail.outbox.clear()
    send([event(pr=101, reverted="revert")], instance="other-prod")  # another instance: told again
    assert recipients() == sorted(BRADEN)
    assert all("other-prod" in m.subject for m in mail.outbox)
    mail.outbox.clear()
    send([event(pr=102, reverted="revert")])  # another change
    assert recipients() == sorted(BRADEN)


def test_production_removals_only(people, notify, send):
    send([event(pr=101), event(pr=101, environment_class="staging", reverted="revert"),
          event(pr=102, environment_class="other", reverted="rollback")])
    assert mail.outbox == [] and not NotificationLog.objects.exists()


def test_a_cc_the_hub_does_not_know_leaves_the_operators(notify, send, db):
    send([event(pr=5, cc="someone-else", reverted="revert")])
    assert recipients() == OPERATORS


def test_nothing_while_notify_is_off(people, hub_on, send):
    mail.outbox.clear()
    send([event(pr=101, reverted="revert")])
    assert mail.outbox == [] and not NotificationLog.objects.exists()


def test_operators_can_override_the_templates(people, notify, send, settings, tmp_path):
    override = tmp_path / "openedx_cc" / "notifications" / "hub_change_removed"
    override.mkdir(parents=True)
    (override / "subject.txt").write_text("Escaped: {{ change.repository }}#{{ change.pr_number }} at {{ instance }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    send([event(pr=101, reverted="revert")])
    assert {m.subject for m in mail.outbox} == {"Escaped: openedx/openedx-platform#101 at edx-prod"}


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failing_mail_server_fails_no_batch_and_the_retry_sends(people, notify, send, settings):
    settings.EMAIL_BACKEND = "tests.plugins.hub.test_hub_notifications.BrokenBackend"
    assert send([event(pr=101, reverted="revert")])["accepted"] == 1
    assert NotificationLog.objects.filter(status="failed").count() == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("cc_retry_notifications")
    assert recipients() == sorted(BRADEN)


def test_told_after_the_commit_only(people, notify):
    from django.db import transaction

    from openedx_cc.plugins.hub.api import receive_batch
    from tests.plugins.hub.hub_builders import signature

    secret = register("edx-prod")
    raw = batch([event(pr=101, reverted="revert")])
    with pytest.raises(RuntimeError), transaction.atomic():  # a host's request transaction that fails afterwards
        assert receive_batch(raw, "edx-prod", signature(raw, secret)).accepted == 1
        assert mail.outbox == []
        raise RuntimeError("rolled back")
    assert mail.outbox == [] and not NotificationLog.objects.exists()
    assert receive_batch(raw, "edx-prod", signature(raw, secret)).accepted == 1  # nothing of it was kept
    assert recipients() == sorted(BRADEN)


def test_a_failure_to_queue_never_fails_a_stored_batch(people, notify, send, monkeypatch):
    from openedx_cc.plugins.notifications import api as notifications_api

    def broken(**kwargs):
        raise RuntimeError("the notification log is unreachable")

    monkeypatch.setattr(notifications_api, "notify_hub_removal", broken)
    assert send([event(pr=101, reverted="revert")]) == {"accepted": 1, "duplicates": 0, "unknown": []}
    assert mail.outbox == []
