"""
Forwarding the event log's change events to a hub (docs/reference/hub.rst, docs/how-to/join-a-hub.rst): in log
order, in bounded batches, signed, marked sent only on the hub's 200, failing with a reason and a backoff otherwise,
and never while sharing is off.
"""
import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.lib.signing import check_signature
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.hub import forwarding, wire
from openedx_cc.plugins.hub.api import forward_pending
from openedx_cc.plugins.hub.models import ForwardedEvent, ForwardingStatus
from openedx_cc.plugins.hub.toggles import SHARE_WITH_HUB
from openedx_cc.plugins.hub.wire import EVENTS_PATH, MAX_EVENTS
from tests.plugins.hub.conftest import ids, log_deployed, log_reverted
from tests.plugins.hub.stubhub import HANG

pytestmark = pytest.mark.django_db


def statuses():
    return {status: ForwardedEvent.objects.filter(status=status).count() for status in ForwardingStatus.values}


def test_events_go_in_log_order_in_signed_batches_of_at_most_500(sharing):
    hub = sharing
    logged = log_deployed(1201)
    result = forward_pending()
    assert (result.sent, result.failed, result.pending, result.error) == (1201, 0, 0, "")
    assert result.complete
    assert [len(request.events) for request in hub.requests] == [500, 500, 201]
    assert hub.received_ids == ids(logged)
    for request in hub.requests:
        assert request.path == EVENTS_PATH
        assert request.headers["X-CC-Instance"] == "acme"
        check_signature(request.body, request.headers["X-CC-Signature-256"], secret=hub.secret,
                        header_name="X-CC-Signature-256")
    assert statuses() == {"pending": 0, "failing": 0, "sent": 1201}
    assert list(ForwardedEvent.objects.values_list("position", flat=True)) == sorted(
        LoggedEvent.objects.values_list("id", flat=True))
    assert forward_pending().sent == 0 and len(hub.requests) == 3  # nothing is sent twice


def test_a_batch_also_stays_within_the_byte_limit(sharing, monkeypatch):
    hub = sharing
    logged = log_deployed(30)
    one = len(wire.encode_batch([forwarding.wire_event(
        event_id=logged[0].event_id, event_type=logged[0].event_type, time=logged[0].metadata["time"],
        data=logged[0].data)]))
    monkeypatch.setattr(forwarding, "MAX_BATCH_BYTES", one * 7)
    assert forward_pending().sent == 30
    assert all(len(request.body) <= one * 7 for request in hub.requests)
    assert 5 <= len(hub.requests) <= 6
    assert hub.received_ids == ids(logged)


def test_an_event_larger_than_a_batch_goes_alone_rather_than_block_the_outbox(sharing, monkeypatch):
    monkeypatch.setattr(forwarding, "MAX_BATCH_BYTES", 10)
    log_deployed(2)
    assert forward_pending().sent == 2
    assert [len(request.events) for request in sharing.requests] == [1, 1]


def test_a_5xx_leaves_the_batch_failing_then_nothing_is_lost_or_resent(sharing):
    hub = sharing
    logged = log_deployed(MAX_EVENTS + 20)
    hub.script = [(503, {"detail": "down for maintenance"})]
    before = timezone.now()
    result = forward_pending()
    assert (result.sent, result.failed, result.pending) == (0, MAX_EVENTS, MAX_EVENTS + 20)
    assert result.error == "the hub answered 503: down for maintenance"
    assert len(hub.requests) == 1  # stopped at the failing batch: never skips ahead
    failing = ForwardedEvent.objects.filter(status="failing")
    assert failing.count() == MAX_EVENTS and statuses()["pending"] == 20
    row = failing.first()
    assert row.attempts == 1 and row.last_error == result.error and row.last_attempt_at >= before
    assert before <= row.next_attempt_at <= timezone.now() + timedelta(seconds=forwarding.BACKOFF_BASE)
    assert result.retry_at == row.next_attempt_at

    result = forward_pending(respect_backoff=False)
    assert (result.sent, result.failed, result.pending, result.error) == (MAX_EVENTS + 20, 0, 0, "")
    assert hub.accepted_ids == ids(logged)  # each event accepted once, in log order
    assert statuses()["sent"] == MAX_EVENTS + 20
    assert ForwardedEvent.objects.get(event_id=logged[0].event_id).last_error == ""


def test_the_backoff_is_waited_for_unless_asked_not_to(sharing):
    hub = sharing
    log_deployed(3)
    hub.script = [500]
    forward_pending()
    result = forward_pending()
    assert len(hub.requests) == 1  # not due yet: no request
    assert result.error.startswith("waiting until ") and "the hub answered 500" in result.error
    assert result.retry_at == ForwardedEvent.objects.first().next_attempt_at
    ForwardedEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert forward_pending().sent == 3


def test_the_backoff_doubles_with_full_jitter_up_to_ten_minutes(monkeypatch):
    monkeypatch.setattr(forwarding.random, "uniform", lambda low, high: high)
    assert [forwarding.backoff_seconds(n) for n in range(1, 12)] == [
        2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]
    monkeypatch.setattr(forwarding.random, "uniform", lambda low, high: low)
    assert forwarding.backoff_seconds(5) == 0


def test_consecutive_failures_count_and_wait_longer(sharing, monkeypatch):
    monkeypatch.setattr(forwarding.random, "uniform", lambda low, high: high)
    log_deployed(1)
    sharing.script = [500, 500, 500]
    for _ in range(3):
        forward_pending(respect_backoff=False)
    row = ForwardedEvent.objects.get()
    assert row.attempts == 3
    assert (row.next_attempt_at - row.last_attempt_at).total_seconds() == pytest.approx(8)


def test_a_retry_after_from_the_hub_is_honoured_up_to_the_cap(sharing):
    log_deployed(1)
    sharing.script = [(503, {"detail": "busy"}, {"Retry-After": "120"}),
                      (503, {"detail": "busy"}, {"Retry-After": "86400"})]
    result = forward_pending()
    assert 115 <= (result.retry_at - timezone.now()).total_seconds() <= 120
    result = forward_pending(respect_backoff=False)
    assert 590 <= (result.retry_at - timezone.now()).total_seconds() <= forwarding.BACKOFF_CAP


def test_a_hung_hub_times_out_within_the_timeout(sharing):
    sharing.script = [HANG]
    log_deployed(2)
    started = time.monotonic()
    result = forward_pending(timeout=0.5)
    assert time.monotonic() - started < 3
    assert result.error == f"the hub did not answer within 0.5 s at {sharing.url}{EVENTS_PATH}"
    assert statuses() == {"pending": 0, "failing": 2, "sent": 0}


def test_an_unreachable_hub_is_said_so(enabled, settings, hub):
    with override_waffle_switch(SHARE_WITH_HUB, True):
        settings.OPENEDX_CC_HUB = hub.setting(url="http://127.0.0.1:1")
        log_deployed(1)
        result = forward_pending()
    assert result.error.startswith("could not reach the hub at http://127.0.0.1:1/api/cc/v1/hub/events/: "
                                   "ConnectionRefusedError")
    assert ForwardedEvent.objects.get().status == "failing"


def test_a_rotated_secret_leaves_the_events_failing_until_the_new_one_is_set(sharing, settings):
    hub = sharing
    logged = log_deployed(2)
    hub.secret = "rotated-on-the-hub"
    result = forward_pending()
    assert result.error.startswith("the hub refused this instance or its signature (401: the X-CC-Signature-256 "
                                   "signature does not match the body). Ask the hub's operators whether 'acme' is "
                                   "registered and not revoked; if they rotated its secret, set the new one in "
                                   "OPENEDX_CC_HUB['secret']")
    assert statuses()["failing"] == 2
    assert ForwardedEvent.objects.first().last_error == result.error
    settings.OPENEDX_CC_HUB = hub.setting(secret="rotated-on-the-hub")
    assert forward_pending(respect_backoff=False).complete
    assert hub.accepted_ids == ids(logged)


def test_a_400_shows_the_hubs_field_errors(sharing):
    sharing.script = [(400, {"errors": [{"field": "events[0].data.change.pr_number",
                                         "message": "Input should be greater than 0"}]})]
    log_deployed(1)
    result = forward_pending()
    assert result.error == ("the hub refused the batch as malformed (400): events[0].data.change.pr_number: "
                            "Input should be greater than 0")


def test_a_200_that_is_not_a_hubs_answer_sends_nothing(sharing):
    sharing.script = [(200, b"<html>Welcome to nginx</html>")]
    log_deployed(1)
    result = forward_pending()
    assert result.error.startswith("the answer at http://127.0.0.1:")
    assert "is not a hub's (200 without \"accepted\"): <html>Welcome to nginx</html>: check" in result.error
    assert statuses()["failing"] == 1


def test_a_404_names_the_url_and_the_hubs_switch(sharing):
    sharing.script = [404]
    log_deployed(1)
    assert "check OPENEDX_CC_HUB['url'], and ask the hub's operators whether its openedx_cc.hub switch is on" in \
        forward_pending().error


def test_events_of_a_type_the_hub_does_not_know_are_done_with(sharing):
    logged = log_deployed(2)
    sharing.script = [(200, {"accepted": 1, "duplicates": 0, "unknown": [str(logged[1].event_id)]})]
    result = forward_pending()
    assert (result.sent, result.unknown, result.pending) == (2, 1, 0)


def test_duplicates_are_counted_and_sent(sharing):
    logged = log_deployed(2)
    sharing.seen.add(str(logged[0].event_id))
    result = forward_pending()
    assert (result.sent, result.duplicates) == (2, 1)


def test_while_sharing_is_off_nothing_is_sent_and_the_backlog_goes_when_it_is_on(enabled, hub, settings):
    settings.OPENEDX_CC_HUB = hub.setting()
    logged = log_deployed(3) + [log_reverted(1)]
    result = forward_pending()
    assert result.error.startswith("sharing with the hub is switched off")
    assert (result.pending, result.retry_at) == (4, None)
    assert not hub.requests and not ForwardedEvent.objects.exists()
    with override_waffle_switch(SHARE_WITH_HUB, True):
        assert forward_pending().complete
    assert hub.received_ids == ids(logged)
    assert [event["event_type"] for event in hub.requests[0].events][-1] == \
        "org.openedx.core_committer.change.reverted.v1"


def test_sharing_needs_the_set_switched_on_too(hub, settings):
    settings.OPENEDX_CC_HUB = hub.setting()
    with override_waffle_switch(SHARE_WITH_HUB, True):
        log_deployed(1)
        assert forward_pending().error.startswith("sharing with the hub is switched off")
    assert not hub.requests


def test_without_the_setting_nothing_is_sent(enabled, settings):
    settings.OPENEDX_CC_HUB = None
    log_deployed(1)
    with override_waffle_switch(SHARE_WITH_HUB, True):
        result = forward_pending()
    assert result.error.startswith("OPENEDX_CC_HUB is not set") and result.pending == 1


def test_a_malformed_setting_is_named(enabled, settings):
    settings.OPENEDX_CC_HUB = {"url": "ftp://hub", "instance": "acme"}
    log_deployed(1)
    with override_waffle_switch(SHARE_WITH_HUB, True):
        result = forward_pending()
    assert result.error == ("OPENEDX_CC_HUB is malformed, nothing was forwarded: OPENEDX_CC_HUB lacks 'secret'; "
                            "OPENEDX_CC_HUB['url'] 'ftp://hub' is not an http(s) URL such as https://hub.example.org")


def test_since_leaves_older_events_for_a_later_run(sharing):
    old = log_deployed(2)
    LoggedEvent.objects.update(recorded_at=timezone.now() - timedelta(days=2))
    new = log_deployed(2, first=10)
    result = forward_pending(since=timezone.now() - timedelta(days=1))
    assert (result.sent, result.pending) == (2, 0)
    assert sharing.received_ids == ids(new)
    assert forward_pending().sent == 2
    assert sharing.received_ids == ids(new) + ids(old)


def test_only_change_events_are_forwarded(sharing, pilot):
    """The pilot roster's import logged ownership events: they stay home."""
    assert LoggedEvent.objects.exists()
    logged = log_deployed(1)
    assert forward_pending().sent == 1
    assert sharing.received_ids == ids(logged)


def test_an_event_gone_from_the_log_is_dropped(sharing):
    logged = log_deployed(3)
    forwarding.enrol_pending()
    LoggedEvent.objects.filter(event_id=logged[1].event_id).delete()
    assert forward_pending().sent == 2
    assert sharing.received_ids == ids([logged[0], logged[2]])
    assert ForwardedEvent.objects.count() == 2


def test_enrolment_is_idempotent_in_log_order_and_in_constant_queries(sharing, monkeypatch):
    monkeypatch.setattr(forwarding, "ENROL_CHUNK", 50)

    def enrol():
        with CaptureQueriesContext(connection) as queries:
            forwarding.enrol_pending()
        return len(queries)

    log_deployed(10)
    small = enrol()
    log_deployed(40, first=100)
    assert enrol() == small  # one select and one insert per chunk
    log_deployed(120, first=1000)
    assert enrol() == small + 2 * 2  # three chunks
    assert enrol() == 1  # nothing new: one select
    positions = list(ForwardedEvent.objects.order_by("position").values_list("event_id", flat=True))
    assert positions == list(LoggedEvent.objects.order_by("id").values_list("event_id", flat=True))
    assert ForwardedEvent.objects.count() == 170


def test_a_batch_costs_the_same_queries_whatever_its_size(sharing):
    def forward(count, first):
        log_deployed(count, first=first)
        forwarding.enrol_pending()
        with CaptureQueriesContext(connection) as queries:
            assert forward_pending(max_batches=1).sent == count
        return len(queries)

    assert forward(5, 1) == forward(400, 100)


def test_each_logged_payload_is_read_once_per_batch(sharing):
    log_deployed(MAX_EVENTS)
    forwarding.enrol_pending()
    with CaptureQueriesContext(connection) as queries:
        forward_pending()
    reads = [q["sql"] for q in queries.captured_queries if "openedx_cc_loggedevent" in q["sql"]
             and "SELECT" in q["sql"].upper() and '"data"' in q["sql"].replace("`", '"')]
    assert len(reads) == 1


def test_the_body_is_what_wire_event_builds(sharing):
    logged = log_reverted(7)
    forward_pending()
    (event,) = sharing.requests[0].events
    assert event == json.loads(json.dumps(forwarding.wire_event(
        event_id=logged.event_id, event_type=logged.event_type, time=logged.metadata["time"], data=logged.data)))
    assert event["data"]["deployment"] == {"environment_class": "production", "deployed_at": "2026-11-25T10:00:00Z"}
    assert event["data"]["revert"] == {"kind": "rollback", "reverted_at": "2026-11-26T09:00:00Z"}
