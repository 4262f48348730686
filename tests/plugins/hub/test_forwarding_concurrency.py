"""
Two forwarders at once -- two threads of a process, or two processes (a web worker's thread and a Celery worker, or
cron) -- never send the same batch at the same time nor out of order, and each row is marked once.
"""
import threading

import pytest
from django.db import connection, connections, transaction

from openedx_cc.plugins.hub import forwarding
from openedx_cc.plugins.hub.api import forward_pending
from openedx_cc.plugins.hub.models import ForwardedEvent
from tests.plugins.hub.conftest import ids, log_deployed

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(target):
    results = []

    def run():
        try:
            results.append(target())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def test_two_forwarders_at_once_send_each_batch_once_in_order(sharing, kicks):
    sharing.delay = 0.2
    logged = log_deployed(1100)
    first, first_result = in_thread(forward_pending)
    second, second_result = in_thread(forward_pending)
    first.join(30)
    second.join(30)
    results = first_result + second_result
    assert sum(result.sent for result in results) == 1100
    assert sharing.accepted_ids == ids(logged)  # nothing twice, in log order
    assert set(ForwardedEvent.objects.values_list("attempts", flat=True)) == {1}  # each row marked once


def test_a_forwarder_elsewhere_holding_the_head_makes_this_one_stop(sharing, kicks):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("the database cannot lock rows without waiting (SQLite): the process lock is all there is")
    log_deployed(20)
    forwarding.enrol_pending()
    holding, release = threading.Event(), threading.Event()

    def other_forwarder():  # another process's forwarder, in the middle of sending the first ten
        with transaction.atomic():
            list(ForwardedEvent.objects.order_by("position").select_for_update()[:10])
            holding.set()
            release.wait(10)

    thread, _results = in_thread(other_forwarder)
    assert holding.wait(10)
    try:
        result = forward_pending()
    finally:
        release.set()
        thread.join(10)
    assert result.error == forwarding.BUSY and result.retry_at is not None
    assert result.sent == 0 and not sharing.requests  # it did not skip ahead to the eleventh
    assert forward_pending().sent == 20
