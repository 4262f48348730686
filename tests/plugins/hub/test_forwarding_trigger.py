"""
When forwarding happens: after the commit that logged change events, in a background thread of the process (or a
Celery task), never in the request -- and never for a transaction that rolled back.
"""
import threading
import time

import pytest
from django.db import transaction
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.events import CC_OWNERSHIP_CHANGED, CCOwnershipData
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.plugins.eventlog.api import emit_event
from openedx_cc.plugins.hub import dispatch, forwarding
from openedx_cc.plugins.hub.models import ForwardedEvent
from openedx_cc.plugins.hub.toggles import SHARE_WITH_HUB
from tests.conftest import utc
from tests.plugins.deployments import helpers as h
from tests.plugins.hub.conftest import ids, log_deployed
from tests.plugins.hub.stubhub import HANG

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _idle_forwarder():
    """Each test starts and ends with no forwarder thread running (and waits for it before the database goes)."""
    assert dispatch.wait_until_idle(30)
    yield
    assert dispatch.wait_until_idle(30)


@pytest.fixture
def quick_backoff(monkeypatch):
    monkeypatch.setattr(forwarding, "BACKOFF_BASE", 0.05)
    monkeypatch.setattr(dispatch, "_sleep", lambda seconds: time.sleep(min(seconds, 0.2)))


def forwarder_threads():
    return [thread for thread in threading.enumerate() if thread.name == "openedx-cc-hub-forwarder"]


def test_change_events_are_forwarded_after_their_commit(sharing):
    with transaction.atomic():
        logged = log_deployed(3)
        assert not forwarder_threads()  # nothing before the commit
    assert dispatch.wait_until_idle(10)
    assert sharing.accepted_ids == ids(logged)
    assert set(ForwardedEvent.objects.values_list("status", flat=True)) == {"sent"}


def test_nothing_is_forwarded_for_a_rolled_back_transaction(sharing, kicks):
    with pytest.raises(RuntimeError), transaction.atomic():
        log_deployed(2)
        raise RuntimeError("the request failed")
    assert not kicks and not sharing.requests


def test_only_change_events_wake_the_forwarder(sharing, kicks):
    emit_event(CC_OWNERSHIP_CHANGED, ownership=CCOwnershipData(
        github_username="a", repository="openedx/xblock", scope="", action="granted", effective=True,
        changed_at=utc(2026, 1, 1)))
    assert not kicks
    log_deployed(1)
    assert kicks == [1]


def test_nothing_wakes_while_sharing_is_off_or_the_hub_is_unset(enabled, hub, settings, kicks):
    settings.OPENEDX_CC_HUB = hub.setting()
    log_deployed(1)
    with override_waffle_switch(SHARE_WITH_HUB, True):
        settings.OPENEDX_CC_HUB = None
        log_deployed(1, first=2)
        settings.OPENEDX_CC_HUB = {"url": "nowhere"}
        log_deployed(1, first=3)
    assert not kicks and not hub.requests


def test_the_thread_retries_with_backoff_until_the_hub_takes_them(sharing, quick_backoff):
    sharing.script = [500, (502, b"bad gateway")]
    logged = log_deployed(2)
    assert dispatch.wait_until_idle(10)
    assert [request.status for request in sharing.requests] == [500, 502, 200]
    assert sharing.accepted_ids == ids(logged)
    assert ForwardedEvent.objects.first().attempts == 3


def test_the_thread_gives_up_after_its_retries_and_the_events_wait(sharing, quick_backoff, monkeypatch):
    monkeypatch.setattr(dispatch, "MAX_RETRIES", 2)
    sharing.script = [500] * 10
    log_deployed(1)
    assert dispatch.wait_until_idle(10)
    assert len(sharing.requests) == 3  # the first try and two retries
    assert ForwardedEvent.objects.get().status == "failing"


def test_one_thread_per_process_and_a_wake_up_while_it_runs_goes_round_again(sharing):
    sharing.delay = 0.3
    first = log_deployed(2)
    time.sleep(0.1)  # the thread is in its request to the hub
    second = log_deployed(2, first=10)
    assert len(forwarder_threads()) == 1
    assert dispatch.wait_until_idle(10)
    assert sharing.accepted_ids == ids(first) + ids(second)


def test_switching_sharing_off_stops_the_thread_and_on_again_sends_the_backlog(sharing, quick_backoff):
    sharing.script = [500] * 1000
    logged = log_deployed(2)
    time.sleep(0.3)  # the thread is retrying
    with override_waffle_switch(SHARE_WITH_HUB, False):
        assert dispatch.wait_until_idle(5)  # it saw the switch off and stopped
        tried = len(sharing.requests)
        assert tried >= 1
        dispatch.forward_soon()
        assert dispatch.wait_until_idle(5)
        assert len(sharing.requests) == tried  # nothing is sent while it is off
    sharing.script = []
    dispatch.forward_soon()  # the next trigger (or cc_forward_to_hub)
    assert dispatch.wait_until_idle(5)
    assert sharing.accepted_ids == ids(logged)


def test_a_deployment_report_is_answered_at_once_while_the_hub_hangs(client, pilot, sharing, events_on, quick_backoff):
    sharing.script = [HANG]
    document = h.report(changes=[h.change(pr_number=36001, merged_by="bradenmacdonald", author="x")])
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        started = time.monotonic()
        response = h.post(client, document)
        elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert response.json()["changes"][0]["cc_change"] is True
    assert elapsed < forwarding.TIMEOUT / 2
    assert forwarder_threads()  # still waiting for the hub, in the background
    sharing.released.set()  # the hub lets go without answering: the batch failed; after the backoff it goes
    assert dispatch.wait_until_idle(10)
    assert [request.status for request in sharing.requests] == [None, 200]
    assert sharing.requests[1].events[0]["data"]["change"]["pr_number"] == 36001


def test_with_celery_the_task_forwards(sharing, monkeypatch):
    from celery import current_app

    from openedx_cc.plugins.hub import tasks

    queued = []
    real = tasks.forward_to_hub_task.apply_async

    def apply_async(*args, **kwargs):
        queued.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(dispatch, "celery_ready", lambda: True)
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    monkeypatch.setattr(tasks.forward_to_hub_task, "apply_async", apply_async)
    logged = log_deployed(2)
    assert dispatch.wait_until_idle(10)
    assert queued == ["openedx-cc-hub-forwarder"]  # queued from the thread, not the request
    assert sharing.accepted_ids == ids(logged)


def test_a_broker_that_is_down_leaves_the_forwarding_to_the_thread(sharing, monkeypatch):
    from openedx_cc.plugins.hub import tasks

    def down(*args, **kwargs):
        time.sleep(0.2)  # a broker that takes its time to fail costs the thread, not the request
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(dispatch, "celery_ready", lambda: True)
    monkeypatch.setattr(tasks.forward_to_hub_task, "apply_async", down)
    started = time.monotonic()
    logged = log_deployed(2)
    assert time.monotonic() - started < 0.2
    assert dispatch.wait_until_idle(10)
    assert sharing.accepted_ids == ids(logged)


def test_the_task_retries_after_the_backoff_while_the_hub_fails(sharing, monkeypatch, kicks):
    from celery.exceptions import Retry

    from openedx_cc.plugins.hub import tasks

    sharing.script = [500]
    log_deployed(1)
    with pytest.raises(Retry) as info:
        tasks.forward_to_hub_task.apply(throw=True)
    assert 1 <= info.value.when <= forwarding.BACKOFF_BASE + 1


def test_at_exit_the_attempt_under_way_ends_and_no_retry_is_waited_for(sharing, monkeypatch):
    monkeypatch.setattr(dispatch, "_exiting", threading.Event())
    sharing.delay = 0.3
    sharing.script = [500] * 10
    log_deployed(1)  # as cc_record_deployment does, just before it exits
    time.sleep(0.1)
    started = time.monotonic()
    dispatch._finish_at_exit()
    assert time.monotonic() - started < 3
    assert not forwarder_threads()
    assert [request.status for request in sharing.requests] == [500]
    assert ForwardedEvent.objects.get().status == "failing"  # it waits for the next run, as the docs say
