"""
How the hub takes a batch (``receive_batch``): every bad input of issue 13 and what each side sees, idempotence,
the same event ids from two instances, clocks ahead of the hub's, concurrent posts, and a fixed number of queries
whatever the batch holds.
"""
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.hub import api as hub_api
from openedx_cc.plugins.hub.api import receive_batch
from openedx_cc.plugins.hub.models import HubChange, HubEvent, HubInstance
from openedx_cc.plugins.hub.wire import MAX_EVENTS
from tests.plugins.hub.hub_builders import batch, event, register, signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret():
    return register("edx-prod")


def receive(events, secret, instance="edx-prod"):
    raw = events if isinstance(events, bytes) else batch(events)
    return receive_batch(raw, instance, signature(raw, secret))


def nothing_stored():
    return not HubEvent.objects.exists() and not HubChange.objects.exists()


def test_a_batch_is_stored_with_its_changes(secret):
    events = [event(pr=101), event(pr=101, reverted="revert"), event(pr=102, environment_class="staging")]
    receipt = receive(events, secret)
    assert receipt.as_dict() == {"accepted": 3, "duplicates": 0, "unknown": []}
    change = HubChange.objects.get(pr_number=101)
    assert (change.repository, change.repository_key, change.core_committer_key) == (
        "openedx/openedx-platform", "openedx/openedx-platform", "bradenmacdonald")
    assert HubEvent.objects.filter(change=change).count() == 2
    removal = HubEvent.objects.get(kind="reverted")
    assert (removal.revert_kind, removal.environment_class, str(removal.event_id)) == (
        "revert", "production", events[1]["event_id"])
    assert HubInstance.objects.get().last_accepted_at is not None


def test_the_same_batch_again_is_all_duplicates(secret):
    events = [event(pr=n) for n in range(1, 6)]
    assert receive(events, secret).as_dict() == {"accepted": 5, "duplicates": 0, "unknown": []}
    assert receive(events, secret).as_dict() == {"accepted": 0, "duplicates": 5, "unknown": []}
    mixed = events[:2] + [event(pr=9)]
    assert receive(mixed, secret).as_dict() == {"accepted": 1, "duplicates": 2, "unknown": []}
    assert HubEvent.objects.count() == 6 and HubChange.objects.count() == 6


def test_a_batch_over_500_events_is_refused_and_nothing_stored(secret):
    with pytest.raises(ValidationFailed) as refused:
        receive([event(pr=n) for n in range(1, MAX_EVENTS + 2)], secret)
    assert [p.field for p in refused.value.problems] == ["events"]
    assert "at most 500 events; this one holds 501" in refused.value.problems[0].message
    assert nothing_stored()


def test_a_malformed_batch_names_every_wrong_field_and_stores_nothing(secret):
    good = event(pr=1)
    bad_pr = event(pr=2)
    bad_pr["data"]["change"]["pr_number"] = "2"
    no_revert = event(pr=3, reverted="revert")
    del no_revert["data"]["revert"]
    extra = event(pr=4)
    extra["data"]["deployment"]["environment"] = "prod-lms"  # nothing beyond the allow-list
    bad_class = event(pr=5, environment_class="prod")
    with pytest.raises(ValidationFailed) as refused:
        receive([good, bad_pr, no_revert, extra, bad_class, dict(good)], secret)
    fields = {p.field for p in refused.value.problems}
    assert {"events[1].data.change.pr_number", "events[3].data.deployment.environment",
            "events[4].data.deployment.environment_class", "events[5].event_id"} <= fields
    assert any(f.startswith("events[2]") for f in fields)
    assert nothing_stored()
    assert HubInstance.objects.get().last_accepted_at is None


@pytest.mark.parametrize("event_id, message", [
    ("39a44721-de85-eb90-25ac-45a0aa8b230f", "is not an RFC 4122 UUID"),  # MariaDB's UUID column refuses it
    ("not-a-uuid", "is not a UUID"),
])
def test_an_event_id_that_is_no_rfc_4122_uuid_is_a_field_error_not_a_failure_to_store(secret, event_id, message):
    odd = event(pr=8)
    odd["event_id"] = event_id
    with pytest.raises(ValidationFailed) as refused:
        receive([event(pr=1), odd], secret)
    [problem] = refused.value.problems
    assert problem.field == "events[1].event_id" and message in problem.message
    assert nothing_stored()


@pytest.mark.parametrize("raw, field", [
    (b"not json", ""), (b'{"events": {}}', "events"), (b"[]", "events"), (b'{"events": [], "more": 1}', "events"),
    (b'{"events": [1]}', "events[0]"),
])
def test_a_body_that_is_no_batch_is_refused(secret, raw, field):
    with pytest.raises(ValidationFailed) as refused:
        receive(raw, secret)
    assert refused.value.problems[0].field == field
    assert nothing_stored()


def test_events_of_unknown_types_are_left_out_reported_and_noted(secret):
    newer = event(pr=7)
    newer["event_type"] = "org.openedx.core_committer.change.deployed.v2"
    receipt = receive([event(pr=1), newer], secret)
    assert receipt.as_dict() == {"accepted": 1, "duplicates": 0, "unknown": [newer["event_id"]]}
    assert HubEvent.objects.count() == 1 and not HubChange.objects.filter(pr_number=7).exists()
    notes = HubInstance.objects.get().notes
    assert "1 event(s) of a type this hub does not know left out" in notes
    assert "change.deployed.v2" in notes and newer["event_id"] in notes


def test_the_same_event_ids_from_another_instance_are_its_own_and_noted(secret):
    other = register("stage-other")
    events = [event(pr=1), event(pr=2)]
    receive(events, secret)
    receipt = receive(events, other, instance="stage-other")
    assert receipt.as_dict() == {"accepted": 2, "duplicates": 0, "unknown": []}
    assert HubEvent.objects.count() == 4 and HubChange.objects.count() == 2
    notes = HubInstance.objects.get(name="stage-other").notes
    assert "2 event id(s) also sent by another instance, kept as this instance's own" in notes
    assert f"{events[0]['event_id']} (also from edx-prod)" in notes
    assert HubInstance.objects.get(name="edx-prod").notes == ""


def test_an_event_dated_ahead_of_the_hubs_clock_is_kept_and_the_lead_recorded(secret):
    ahead = timezone.now() + timedelta(hours=2)
    slightly = timezone.now() + timedelta(minutes=2)
    receive([event(pr=1, time=ahead), event(pr=2, time=slightly)], secret)
    row = HubInstance.objects.get()
    assert 7100 < row.max_clock_skew_seconds <= 7200
    assert "1 event(s) dated ahead of the hub's clock, by up to 71" in row.notes
    assert HubEvent.objects.count() == 2
    receive([event(pr=3, time=timezone.now() + timedelta(minutes=30))], secret)
    assert HubInstance.objects.get().max_clock_skew_seconds == row.max_clock_skew_seconds  # the largest stays


def test_a_far_future_time_fits_the_column(secret):
    receive([event(pr=1, time=timezone.now().replace(year=8999))], secret)
    assert HubInstance.objects.get().max_clock_skew_seconds == 2**31 - 1


def test_a_rotated_secret_is_refused_and_explained_on_the_row(secret):
    hub_api.rotate_instance_secret("edx-prod")
    with pytest.raises(hub_api.InstanceRefused, match="may still hold the secret from before a rotation"):
        receive([event(pr=1)], secret)
    row = HubInstance.objects.get()
    assert "from before a rotation" in row.last_refusal and row.last_refused_at is not None
    assert nothing_stored()


def test_a_revoked_instance_is_refused_and_what_it_sent_stays(secret):
    receive([event(pr=1)], secret)
    hub_api.revoke_instance("edx-prod")
    with pytest.raises(hub_api.InstanceRefused, match="was revoked"):
        receive([event(pr=2)], secret)
    assert list(HubChange.objects.values_list("pr_number", flat=True)) == [1]
    assert HubEvent.objects.count() == 1


def test_an_unknown_instance_is_refused(secret):
    with pytest.raises(hub_api.InstanceRefused, match="no instance named 'elsewhere'"):
        receive([event(pr=1)], secret, instance="elsewhere")
    assert nothing_stored()


def test_a_malformed_batch_is_checked_only_after_the_signature(secret):
    with pytest.raises(hub_api.InstanceRefused):
        receive_batch(b"not json", "edx-prod", signature(b"not json", "0" * 64))


def test_renamed_repositories_are_one_change(secret):
    receive([event(pr=5, repository="edx/edx-platform"), event(pr=5, repository="openedx/openedx-platform")],
            secret)
    change = HubChange.objects.get()
    assert change.repository == "openedx/openedx-platform" and change.events.count() == 2


def test_the_first_instance_to_report_a_change_describes_it(secret):
    other = register("other")
    receive([event(pr=1, title="first title")], secret)
    receive([event(pr=1, title="another title", cc="felipemontoya")], other, instance="other")
    change = HubChange.objects.get()
    assert (change.title, change.core_committer) == ("first title", "bradenmacdonald")


def _statements(queries):
    """
    The statements run, one per table for a run of INSERTs into it: Django splits a bulk insert into chunks of at
    most 999 parameters on SQLite (one statement on MySQL and PostgreSQL), which is no query per event.
    """
    out = []
    for query in queries:
        sql = query["sql"]
        head = " ".join(sql.split()[:3]) if sql.upper().startswith("INSERT") else None
        if head is not None and out and out[-1] == head:
            continue
        out.append(head or sql)
    return out


def test_a_fixed_number_of_queries_whatever_the_batch_holds(secret):
    register("other")
    counts = []
    for size, offset in ((50, 1000), (500, 2000)):
        events = [event(pr=offset + n, reverted="revert" if n % 3 == 0 else None,
                        repository=f"openedx/repo-{n % 7}", time=timezone.now() + timedelta(hours=1))
                  for n in range(size)]
        events[-1]["event_type"] = "org.openedx.core_committer.change.unknown.v1"
        raw = batch(events)
        receive_batch(raw, "other", signature(raw, HubInstanceSecret.of("other")))  # the same ids elsewhere
        with CaptureQueriesContext(connection) as queries:
            receipt = receive(raw, secret)
        assert receipt.accepted == size - 1
        counts.append((len(queries), _statements(queries)))
    (small, small_statements), (large, large_statements) = counts
    assert len(small_statements) == len(large_statements) <= 12, large_statements
    if connection.vendor != "sqlite":
        assert small == large


class HubInstanceSecret:
    """The secret of a registered instance, as its operators hold it (derived again, for the tests)."""

    @staticmethod
    def of(name):
        from django.conf import settings

        from openedx_cc.plugins.hub.instances import derive_secret

        row = HubInstance.objects.get(name=name)
        return derive_secret(row.name, row.secret_salt, settings.SECRET_KEY)


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_posted_concurrently_is_stored_once(secret):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite takes one writer at a time: no race to lose")
    events = [event(pr=n) for n in range(1, 41)]
    raw = batch(events)
    header = signature(raw, secret)
    receipts, errors = [], []
    start = threading.Barrier(4)

    def post():
        try:
            start.wait()
            receipts.append(receive_batch(raw, "edx-prod", header))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.accepted for r in receipts) == [0, 0, 0, 40]
    assert all(r.accepted + r.duplicates == 40 for r in receipts)
    assert HubEvent.objects.count() == 40


def test_an_answer_is_json_ready(secret):
    assert json.loads(json.dumps(receive([event()], secret).as_dict()))["accepted"] == 1
