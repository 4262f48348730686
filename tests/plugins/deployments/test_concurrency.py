"""
Reports recorded at the same time (docs/reference/report-format.rst). Needs a database shared between threads
(MySQL/MariaDB, PostgreSQL); an in-memory SQLite database is not.

- Two identical reports (``id`` is the idempotency key) make one deployment and one set of events.
- Reports to one environment are recorded one after another (each locks its environment), so that a change is
  deployed, or reverted, there once.
- Reports to different environments run side by side; one that loses a race to insert the same new change is
  recorded again, and both succeed.
"""
import threading

import pytest
from django.db import connection, connections
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments.api import RecordOutcome, record_deployment
from openedx_cc.plugins.deployments.models import Change, Deployment, DeploymentSpan, EnvironmentLock, Presence
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.plugins.eventlog.models import LoggedEvent
from tests.plugins.deployments import helpers as h

pytestmark = [pytest.mark.mysql, pytest.mark.django_db(transaction=True)]

DEPLOYED = "org.openedx.core_committer.change.deployed.v1"
REVERTED = "org.openedx.core_committer.change.reverted.v1"


@pytest.fixture(autouse=True)
def shared_database():
    if connection.vendor == "sqlite":
        pytest.skip("an in-memory SQLite database is not shared between threads; runs on MySQL and PostgreSQL")


def at_the_same_time(*documents):
    """Record the reports from one thread each, released together; the results in the order given."""
    raws = [d if isinstance(d, bytes) else h.body(d) for d in documents]
    barrier = threading.Barrier(len(raws))
    results, errors = [None] * len(raws), []

    def post(index):
        try:
            barrier.wait()
            with override_waffle_switch(RECORD_DEPLOYMENTS, True):
                results[index] = record_deployment(raws[index])
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(raws))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


def record(document):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        result = record_deployment(h.body(document))
    assert result.outcome is RecordOutcome.RECORDED, result.body
    return result


def logged(event_type, **data_filter):
    return [e for e in LoggedEvent.objects.filter(event_type=event_type)
            if all(e.data.get(k) == v for k, v in data_filter.items())]


def cc_change(**overrides):
    return h.change(merged_by="bradenmacdonald", **overrides)


@pytest.mark.parametrize("attempt", range(3))
def test_identical_reports_at_the_same_time_record_once(pilot, events_on, captured_events, attempt):
    raw = h.body(h.report(f"same-{attempt}", changes=[cc_change() for _ in range(20)]))
    results = at_the_same_time(raw, raw)
    assert sorted(r.outcome.value for r in results) == ["already recorded", "recorded"]
    assert results[0].body == results[1].body
    assert Deployment.objects.count() == 1 and Change.objects.count() == 20
    assert len(logged(DEPLOYED)) == 20
    assert len([e for e in captured_events if e[0] == DEPLOYED]) == 20


@pytest.mark.parametrize("attempt", range(3))
def test_reports_to_one_environment_with_the_same_new_changes(pilot, events_on, captured_events, attempt):
    shared = [cc_change() for _ in range(10)]
    first = h.report(f"lms-{attempt}", changes=shared + [cc_change() for _ in range(5)])
    second = h.report(f"cms-{attempt}", service="cms", changes=shared + [cc_change() for _ in range(5)])
    results = at_the_same_time(first, second)
    assert [r.outcome for r in results] == [RecordOutcome.RECORDED] * 2
    assert Change.objects.count() == 20
    assert Presence.objects.filter(environment="production", present=True).count() == 20
    assert DeploymentSpan.objects.filter(environment="production", removed_at__isnull=True).count() == 20
    assert len(logged(DEPLOYED)) == 20  # each change deployed to production once, by whichever report came first
    assert sorted(e[1]["change"].pr_number for e in captured_events if e[0] == DEPLOYED) == sorted(
        c.pr_number for c in Change.objects.all())
    assert list(EnvironmentLock.objects.values_list("name", flat=True)) == ["production"]


@pytest.mark.parametrize("attempt", range(3))
def test_two_reverts_of_one_change_at_the_same_time_revert_it_once(pilot, events_on, captured_events, attempt):
    original = cc_change(title=f"feat: widget {attempt}")
    record(h.report(f"prod-{attempt}", changes=[original]))
    reverts = [
        h.change(title=f'Revert "feat: widget {attempt}"',
                 body=f"Reverts openedx/openedx-platform#{original['pr_number']}",
                 merged_at="2026-11-25T09:00:00Z")
        for _ in range(2)
    ]
    results = at_the_same_time(
        h.report(f"revert-a-{attempt}", changes=[reverts[0]], deployed_at="2026-11-26T10:00:00Z"),
        h.report(f"revert-b-{attempt}", changes=[reverts[1]], deployed_at="2026-11-26T10:00:00Z"),
    )
    assert [r.outcome for r in results] == [RecordOutcome.RECORDED] * 2
    assert len(logged(REVERTED)) == 1
    assert [e[1]["change"].pr_number for e in captured_events if e[0] == REVERTED] == [original["pr_number"]]
    span = DeploymentSpan.objects.get(change__pr_number=original["pr_number"])
    assert span.removed_kind == "revert" and span.removed_by.report_id.startswith("revert-")


@pytest.mark.parametrize("attempt", range(3))
def test_reports_to_two_environments_with_the_same_new_changes(pilot, events_on, captured_events, attempt):
    changes = [cc_change() for _ in range(20)]
    results = at_the_same_time(
        h.report(f"stage-{attempt}", environment="staging", changes=changes),
        h.report(f"prod-{attempt}", environment="production", changes=changes),
    )
    assert [r.outcome for r in results] == [RecordOutcome.RECORDED] * 2
    assert Change.objects.count() == 20
    for environment in ("staging", "production"):
        assert Presence.objects.filter(environment=environment, present=True).count() == 20
        assert len([e for e in logged(DEPLOYED) if e.data["deployment"]["environment"] == environment]) == 20
    assert len([e for e in captured_events if e[0] == DEPLOYED]) == 40


def test_sixteen_environments_racing_on_the_same_new_changes_all_win(pilot, events_on, captured_events):
    """
    Hostile input (docs/decisions/0012): with three attempts, 1 of 4 such reports ended in a 500 (duplicate key). A
    report now tries again after a short random pause until it wins or the deadline passes: every one is recorded.
    """
    changes = [cc_change() for _ in range(40)]
    environments = [f"env-{n}" for n in range(16)]
    results = at_the_same_time(*(h.report(f"race-{name}", environment=name, changes=changes) for name in environments))
    assert [r.outcome for r in results] == [RecordOutcome.RECORDED] * 16
    assert Change.objects.count() == 40
    for name in environments:
        assert Presence.objects.filter(environment=name, present=True).count() == 40
