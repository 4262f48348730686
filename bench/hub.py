"""
The community hub, measured beside what it stands on (docs/reference/hub.rst):

* **ingest** -- the hub taking a signed batch of 500 events (``receive_batch``: signature, checks, changes upserted,
  duplicates counted, events stored, notes) against ``bulk_create`` of the same change and event rows alone
  (``bench/baselines.py``). Its queries are counted for 50 and 500 events: they must not grow. Target: at most 2x.
* **forwarding** -- an instance forwarding 10,000 pending events of its event log (``forward_pending``: enrolled,
  read, reduced to the allow-list, signed, posted in batches of 500, marked sent) to a hub server process on
  loopback, against posting the same batches, built beforehand, with a plain HTTP client (``urllib``) to the same
  hub as another instance. Target: a throughput ratio of at least 0.5.
* **reads** -- a hub holding 1,000,000 events from 100 instances answering ``GET hub/changes/?user=`` for one Core
  Committer: the queries for a CC with few changes and one with many must be the same number; the median time is
  recorded.
"""
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from edx_django_utils.cache import RequestCache
from waffle.models import Switch

from bench import baselines, fixtures
from openedx_cc.events import CC_CHANGE_DEPLOYED, CC_CHANGE_REVERTED
from openedx_cc.events.data import CCChangeData, CCDeploymentData, CCRevertData
from openedx_cc.plugins.eventlog.api import PendingEvent, emit_events
from openedx_cc.plugins.hub import api as hub_api

ROOT = Path(__file__).resolve().parent.parent
BASE = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _switches(**names):
    for name, active in names.items():
        Switch.objects.update_or_create(name=f"openedx_cc.{name}", defaults={"active": active})
    RequestCache.clear_all_namespaces()


def _sign(secret, raw):
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def _wire_events(count, run, *, changes=100):
    """``count`` events as an instance sends them: deployments of ``changes`` changes, every tenth a production
    revert or rollback."""
    events = []
    for i in range(count):
        number = 100_000 * run + i % changes + 1
        deployed_at = BASE + timedelta(minutes=i)
        data = {
            "change": {"repository": f"openedx/bench-hub-{i % 7}", "pr_number": number,
                       "title": f"feat: change {number}",
                       "url": f"https://github.com/openedx/bench-hub-{i % 7}/pull/{number}",
                       "merge_sha": hashlib.sha1(f"{run}:{number}".encode()).hexdigest(),
                       "core_committer": f"bench-cc-{number % 40}",
                       "merged_at": (BASE - timedelta(days=1)).isoformat()},
            "deployment": {"environment": ("production", "staging", "sandbox")[i % 3],
                           "deployed_at": deployed_at.isoformat()},
        }
        reverted = i % 10 == 9
        if reverted:
            data["deployment"]["environment"] = "production"
            data["revert"] = {"kind": "revert" if i % 20 == 9 else "rollback",
                              "reverted_at": (deployed_at + timedelta(hours=2)).isoformat()}
        events.append(hub_api.wire_event(
            event_id=uuid.uuid4(), event_type=(CC_CHANGE_REVERTED if reverted else CC_CHANGE_DEPLOYED).event_type,
            time=deployed_at.isoformat(), data=data))
    return events


def bench_ingest(rounds=5):
    issued = hub_api.register_instance(f"bench-ingest-{uuid.uuid4().hex[:8]}")
    name, secret = issued.instance.name, issued.secret
    counts = {}
    for size in (50, 500):
        raw = hub_api.encode_batch(_wire_events(size, run=size))
        with CaptureQueriesContext(connection) as queries:
            receipt = hub_api.receive_batch(raw, name, _sign(secret, raw))
        assert receipt.accepted == size, receipt
        counts[size] = len(queries)
    ours, bulk = [], []
    for round_ in range(rounds):
        events = _wire_events(500, run=1_000 + 2 * round_)
        raw = hub_api.encode_batch(events)
        start = time.perf_counter()
        hub_api.receive_batch(raw, name, _sign(secret, raw))
        ours.append(time.perf_counter() - start)
        same_rows = json.loads(hub_api.encode_batch(_wire_events(500, run=1_001 + 2 * round_)))["events"]
        start = time.perf_counter()
        baselines.bulk_create_hub_events(name, same_rows)
        bulk.append(time.perf_counter() - start)
    ours_ms, bulk_ms = statistics.median(ours) * 1e3, statistics.median(bulk) * 1e3
    print(f"  hub ingest: {counts[50]} SQL queries for a batch of 50 events, {counts[500]} for 500")
    print(f"  hub ingest: a batch of 500 events, median receive_batch {ours_ms:.0f} ms, bulk_create of the same rows "
          f"{bulk_ms:.0f} ms, ratio {ours_ms / bulk_ms:.2f} (target <= 2)")
    return ours_ms / bulk_ms


def _hub_server(workdir):
    """A hub in a server process of its own (its own SQLite file), with two instances: (url, process, secrets)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENEDX_CC_HOST_DB="sqlite", OPENEDX_CC_HOST_DEBUG="0",
               OPENEDX_CC_HOST_SQLITE=str(Path(workdir) / "hub.sqlite3"),
               OPENEDX_CC_HOST_SECRET_KEY="bench-hub-key")

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args, "--settings", "host.settings"], cwd=ROOT, env=env,
                              check=True, capture_output=True, text=True).stdout

    manage("migrate", "--noinput", "-v", "0")
    for switch in ("openedx_cc.enabled", "openedx_cc.hub"):
        manage("waffle_switch", switch, "on", "--create")
    secrets = {name: manage("cc_hub_instance", "add", name).strip().splitlines()[-1] for name in ("fwd", "plain")}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload",
                                "--settings", "host.settings"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return f"http://127.0.0.1:{port}", process, secrets


def _log_events(count):
    """``count`` change events in the event log (as deployments log them), with forwarding off while they are."""
    pending = []
    for i in range(count):
        change = CCChangeData(repository=f"openedx/bench-fwd-{i % 9}", pr_number=1 + i // 2, title=f"feat: {i // 2}",
                              url=f"https://github.com/openedx/bench-fwd-{i % 9}/pull/{1 + i // 2}",
                              merge_sha=hashlib.sha1(str(i // 2).encode()).hexdigest(), author="someone",
                              merged_by="bench-cc", core_committer="bench-cc", merged_at=BASE)
        deployment = CCDeploymentData(deployment_id=f"bench-{i}", environment="prod-lms", service="lms",
                                      release="release/bench", deployed_at=BASE + timedelta(minutes=i))
        if i % 2:
            revert = CCRevertData(kind="rollback", by_deployment_id=f"bench-{i}-back",
                                  reverted_at=BASE + timedelta(minutes=i, seconds=30))
            pending.append(PendingEvent(signal=CC_CHANGE_REVERTED,
                                        data={"change": change, "deployment": deployment, "revert": revert}))
        else:
            pending.append(PendingEvent(signal=CC_CHANGE_DEPLOYED, data={"change": change, "deployment": deployment}))
    for start in range(0, count, 1_000):
        with transaction.atomic():
            emit_events(pending[start:start + 1_000])


def bench_forwarding(total=10_000):
    _switches(enabled=True, emit_events=False, share_with_hub=False)
    _log_events(total)
    with tempfile.TemporaryDirectory() as workdir:
        url, process, secrets = _hub_server(workdir)
        try:
            _switches(share_with_hub=True)
            with override_settings(OPENEDX_CC_HUB={"url": url, "instance": "fwd", "secret": secrets["fwd"]}):
                start = time.perf_counter()
                sent = 0
                while True:
                    result = hub_api.forward_pending(respect_backoff=False)
                    sent += result.sent
                    if not result.sent or result.error:
                        break
                ours = time.perf_counter() - start
            assert sent == total and not result.error, result
            # The same batches, built beforehand, posted by a plain client as the instance "plain".
            _switches(share_with_hub=False)
            bodies = baselines.forwarded_batches(hub_api)
            start = time.perf_counter()
            for raw in bodies:
                request = urllib.request.Request(url + hub_api.EVENTS_PATH, data=raw, method="POST", headers={
                    "Content-Type": "application/json", hub_api.INSTANCE_HEADER: "plain",
                    hub_api.SIGNATURE_HEADER: _sign(secrets["plain"], raw)})
                with urllib.request.urlopen(request, timeout=60) as response:
                    assert json.loads(response.read())["accepted"] == 500
            plain = time.perf_counter() - start
        finally:
            process.terminate()
            process.wait(10)
    ours_rate, plain_rate = total / ours, total / plain
    print(f"  hub forwarding: {total} events to a hub server process on loopback: forward_pending "
          f"{ours_rate:.0f} events/s, the same {len(bodies)} batches by a plain HTTP client {plain_rate:.0f} events/s, "
          f"ratio {ours_rate / plain_rate:.2f} (target >= 0.5)")
    return ours_rate / plain_rate


def bench_reads(instances=100, events=1_000_000, rounds=5):
    started = time.perf_counter()
    few, many = fixtures.generate_hub_history(instances=instances, events=events)
    print(f"  hub reads: {instances} instances, {events} events (generated in {time.perf_counter() - started:.0f} s)")
    _switches(enabled=True, hub=True)
    from django.contrib.auth import get_user_model

    staff, _ = get_user_model().objects.get_or_create(username="bench-hub-staff",
                                                      defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(staff)
    counts, times = {}, {}
    client.get(f"/api/cc/v1/hub/changes/?user={few}")  # the session and the switches, read once for the process
    for login, label in ((few, "few"), (many, "many")):
        path = f"/api/cc/v1/hub/changes/?user={login}"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, response.content
        counts[label] = (len(queries), response.json()["count"])
        samples = []
        for _ in range(rounds):
            RequestCache.clear_all_namespaces()
            start = time.perf_counter()
            client.get(path)
            samples.append(time.perf_counter() - start)
        times[label] = statistics.median(samples) * 1e3
    print(f"  hub reads: hub/changes/?user= for a CC of {counts['few'][1]} changes: {counts['few'][0]} SQL queries, "
          f"median {times['few']:.0f} ms; for a CC of {counts['many'][1]} changes (a page): {counts['many'][0]} "
          f"queries, median {times['many']:.0f} ms")
    return counts
