"""
The deployments benchmark: a release-branch deploy of 1,000 changes, 300 of them by Core Committers of the
benchmark registry, recorded with ``record_deployment`` -- against bulk-inserting the same rows with
``bulk_create`` alone -- and its 300 events published to Redis through openedx-cc's emitting path against calling
the event-bus producer directly with the same payloads.
"""
import hashlib
import json
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from edx_django_utils.cache import RequestCache
from waffle.models import Switch

from bench import baselines, fixtures
from openedx_cc.events import CC_CHANGE_DEPLOYED
from openedx_cc.plugins.deployments.api import RecordOutcome, record_deployment
from openedx_cc.plugins.eventlog.api import logged_events, replay_events

MERGED = datetime(2026, 11, 20, tzinfo=timezone.utc)


def _switches(**states):
    for name, active in states.items():
        Switch.objects.update_or_create(name=name, defaults={"active": active})
    RequestCache.clear_all_namespaces()


def make_report(total=1_000, cc=300, *, seed=0):
    """A report of ``total`` changes, ``cc`` of them merged by effective Core Committers."""
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]
    changes = []
    pairs = fixtures.cc_pairs(cc)
    for index in range(total):
        if index < len(pairs):
            login, repository = pairs[index]
        else:
            login, repository = f"contributor-{rng.randrange(10_000)}", f"openedx/repo-{rng.randrange(2_000)}"
        number = 100_000 + seed * 10_000 + index
        changes.append({
            "repository": repository, "pr_number": number, "title": f"feat: change {run}-{index}", "body": "",
            "url": f"https://github.com/{repository}/pull/{number}",
            "merge_sha": hashlib.sha1(f"{run}-{index}".encode()).hexdigest(),
            "author": login, "merged_by": login, "merged_at": (MERGED + timedelta(minutes=index)).isoformat(),
            "paths": ["src/any/file.py"],
        })
    rng.shuffle(changes)
    return {"id": f"release-{run}", "environment": "production", "service": "lms", "release": "release/verawood",
            "deployed_at": "2026-11-25T10:00:00+00:00", "kind": "deploy", "rolls_back": [], "changes": changes}


def bench_ingestion(rounds=5):
    """
    Median time of recording the report vs bulk-inserting the rows it writes (the deployment, the changes, their
    links, presences and spans, the logged events); queries for 100 and 1,000 changes.
    """
    _switches(**{"openedx_cc.enabled": True, "openedx_cc.record_deployments": True, "openedx_cc.emit_events": False})
    for size in (100, 1_000):
        document = make_report(size, size * 3 // 10, seed=90 + size)
        with CaptureQueriesContext(connection) as queries:
            result = record_deployment(json.dumps(document).encode())
        print(f"  deployment of {size} changes: {len(queries)} SQL queries, "
              f"{sum(c['cc_change'] for c in result.body['changes'])} CC changes, {len(result.body['events'])} events")
    ours, bulk = [], []
    for round_number in range(rounds):
        document = make_report(seed=round_number + 1)
        raw = json.dumps(document).encode()
        start = time.perf_counter()
        result = record_deployment(raw)
        ours.append(time.perf_counter() - start)
        assert result.outcome is RecordOutcome.RECORDED and len(result.body["events"]) == 300, (
            result.outcome, len(result.body["events"]))
        start = time.perf_counter()
        baselines.bulk_create_report(document)
        bulk.append(time.perf_counter() - start)
    ours_ms, bulk_ms = statistics.median(ours) * 1e3, statistics.median(bulk) * 1e3
    print(f"  deployment of 1,000 changes (300 CC): median record_deployment {ours_ms:.0f} ms, bulk_create alone "
          f"{bulk_ms:.0f} ms, ratio {ours_ms / bulk_ms:.2f} (target <= 3)")
    return ours_ms / bulk_ms


def bench_publishing(redis_url="redis://127.0.0.1:6379/"):
    """300 events to Redis: openedx-cc's sending path vs the producer called directly."""
    from openedx_events.event_bus import get_producer

    from openedx_cc.settings.common import CHANGE_TOPIC

    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    config = {event_type: {topic: {**options, "enabled": True} for topic, options in topics.items()}
              for event_type, topics in settings.EVENT_BUS_PRODUCER_CONFIG.items()}
    events = list(logged_events(event_type=CC_CHANGE_DEPLOYED.event_type).order_by("-recorded_at", "-id")[:300])
    assert len(events) == 300, len(events)
    with override_settings(EVENT_BUS_PRODUCER="edx_event_bus_redis.create_producer",
                           EVENT_BUS_REDIS_CONNECTION_URL=redis_url, EVENT_BUS_TOPIC_PREFIX=prefix,
                           EVENT_BUS_PRODUCER_CONFIG=config):
        _switches(**{"openedx_cc.enabled": True, "openedx_cc.emit_events": True})
        producer = get_producer()
        items = baselines.producer_items(events, CC_CHANGE_DEPLOYED)
        producer.send(signal=CC_CHANGE_DEPLOYED, topic=CHANGE_TOPIC, event_key_field="change.repository",
                      event_data=items[0][1], event_metadata=items[0][0])  # connect once before timing
        ours, direct = [], []
        for _round in range(3):
            start = time.perf_counter()
            result = replay_events(events)
            ours.append(time.perf_counter() - start)
            assert result.sent == 300, result
            start = time.perf_counter()
            for metadata, data in items:
                producer.send(signal=CC_CHANGE_DEPLOYED, topic=CHANGE_TOPIC, event_key_field="change.repository",
                              event_data=data, event_metadata=metadata)
            direct.append(time.perf_counter() - start)
    ours_rate, direct_rate = 300 / statistics.median(ours), 300 / statistics.median(direct)
    print(f"  publishing 300 events to Redis: openedx-cc {ours_rate:.0f}/s, producer called directly "
          f"{direct_rate:.0f}/s, ratio {ours_rate / direct_rate:.2f} (target >= 0.5)")
    return ours_rate / direct_rate


def _rollback_of(document, run):
    return {"id": f"rollback-{run}", "environment": "production", "service": "lms", "release": "",
            "deployed_at": "2026-11-25T12:00:00+00:00", "kind": "rollback", "rolls_back": [document["id"]],
            "changes": []}


def _deploy_then_roll_back(size, *, seed, measure_memory=False):
    """Seconds (or peak bytes) of recording a deployment of ``size`` changes, then of its rollback."""
    import tracemalloc

    document = make_report(size, 0, seed=seed)
    rollback = json.dumps(_rollback_of(document, document["id"])).encode()
    raw = json.dumps(document).encode()
    figures = []
    for payload in (raw, rollback):
        if measure_memory:
            tracemalloc.start()
        start = time.perf_counter()
        result = record_deployment(payload)
        elapsed = time.perf_counter() - start
        if measure_memory:
            figures.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        else:
            figures.append(elapsed)
        assert result.outcome is RecordOutcome.RECORDED, result.body
    return figures


def bench_rollbacks():
    """
    Rolling back a deployment of N changes grows linearly with N (docs/decisions/0012; before it, it grew with N
    squared): time and peak memory at N = 4,000 against N = 1,000 (linear is 4x; target <= 5x), and the rollback of
    1,000 changes against their deployment (target <= 2x).
    """
    _switches(**{"openedx_cc.enabled": True, "openedx_cc.record_deployments": True, "openedx_cc.emit_events": False})
    deploy_1k, rollback_1k = _deploy_then_roll_back(1_000, seed=301)
    _deploy_4k, rollback_4k = _deploy_then_roll_back(4_000, seed=302)
    _mem_deploy_1k, mem_1k = _deploy_then_roll_back(1_000, seed=303, measure_memory=True)
    _mem_deploy_4k, mem_4k = _deploy_then_roll_back(4_000, seed=304, measure_memory=True)
    print(f"  rollback of 1,000 changes {rollback_1k * 1e3:.0f} ms, of 4,000 {rollback_4k * 1e3:.0f} ms: ratio "
          f"{rollback_4k / rollback_1k:.2f} (linear 4, target <= 5); peak memory {mem_1k / 2**20:.1f} MiB vs "
          f"{mem_4k / 2**20:.1f} MiB: ratio {mem_4k / mem_1k:.2f} (target <= 5)")
    print(f"  rollback of 1,000 changes vs their deployment ({deploy_1k * 1e3:.0f} ms): ratio "
          f"{rollback_1k / deploy_1k:.2f} (target <= 2)")


def bench_bodies(size=100):
    """
    A report whose every change has a body of GitHub's maximum size (65,536 characters, all newlines: the input that
    made revert detection quadratic) against the same report with empty bodies (target <= 2x).
    """
    _switches(**{"openedx_cc.enabled": True, "openedx_cc.record_deployments": True, "openedx_cc.emit_events": False})
    timings = {}
    for label, body in (("empty", ""), ("65,536 newlines", "\n" * 65_536)):
        samples = []
        for round_number in range(3):
            document = make_report(size, 0, seed=400 + round_number + (10 if body else 0))
            for change in document["changes"]:
                change["body"] = body
            start = time.perf_counter()
            result = record_deployment(document)  # decoded: a report of this size is over the 5 MB wire limit
            samples.append(time.perf_counter() - start)
            assert result.outcome is RecordOutcome.RECORDED, result.body
        timings[label] = statistics.median(samples)
    ratio = timings["65,536 newlines"] / timings["empty"]
    print(f"  report of {size} changes with 65,536-character bodies {timings['65,536 newlines'] * 1e3:.0f} ms, with "
          f"empty bodies {timings['empty'] * 1e3:.0f} ms: ratio {ratio:.2f} (target <= 2)")
    return ratio
