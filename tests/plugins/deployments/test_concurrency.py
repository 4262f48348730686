"""
Two identical reports posted at the same time (contract section 7: ``id`` is the idempotency key) make one
deployment and one set of events. Needs a database shared between threads (MySQL/MariaDB, PostgreSQL).
"""
import threading

import pytest
from django.db import connection, connections
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments.api import record_deployment
from openedx_cc.plugins.deployments.models import Change, Deployment
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.plugins.eventlog.models import LoggedEvent
from tests.plugins.deployments import helpers as h

pytestmark = [pytest.mark.mysql, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_identical_reports_at_the_same_time_record_once(pilot, events_on, captured_events, attempt):  # pylint: disable=unused-argument
    if connection.vendor == "sqlite":
        pytest.skip("an in-memory SQLite database is not shared between threads; runs on MySQL and PostgreSQL")
    raw = h.body(h.report(f"same-{attempt}", changes=[h.change(merged_by="bradenmacdonald") for _ in range(20)]))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def post():
        try:
            barrier.wait()
            with override_waffle_switch(RECORD_DEPLOYMENTS, True):
                results.append(record_deployment(raw))
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(r.status for r in results) == [200, 201]
    assert results[0].body == results[1].body
    assert Deployment.objects.count() == 1 and Change.objects.count() == 20
    change_events = LoggedEvent.objects.filter(event_type="org.openedx.core_committer.change.deployed.v1")
    assert change_events.count() == 20
    assert len([e for e in captured_events if e[0].endswith("change.deployed.v1")]) == 20
