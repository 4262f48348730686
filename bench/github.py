"""
The GitHub intake, measured beside the deployment report it stands in for:

* **range** -- a ``deployment_status`` whose range holds N commits, pushed 20 at a time as GitHub lists them, with
  one in four the merge commit of a merged pull request (2,000 commits and 500 pull requests), resolved and recorded
  through ``receive_delivery`` (stored, then processed after the commit, in process); against ``record_deployment``
  of a report listing the same 500 changes (of another repository, so both record new changes). Its queries are
  counted at two sizes: they must not grow with the commits. Target: at most 3x the report's time.
* **webhook** -- 1,000 deliveries posted by 8 concurrent senders (one repository and environment each: pushes,
  merged pull requests and every 25th a ``deployment_status`` that records a deployment) to a real server process
  (``runserver``, threaded) on loopback, against 1,000 signed reports of two changes posted the same way; the median
  and 99th percentile of each, as a sender sees them. Target: p99 under 250 ms on MariaDB.
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
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_django_utils.cache import RequestCache
from waffle.models import Switch

from host import github_payloads as gh
from openedx_cc.plugins.deployments.api import RecordOutcome, record_deployment
from openedx_cc.plugins.github.api import process_again, receive_delivery

ROOT = Path(__file__).resolve().parent.parent
MERGED = datetime(2026, 11, 20, tzinfo=timezone.utc)
SECRET, GITHUB_SECRET = "bench-webhook-secret", "bench-github-secret"


def _switches():
    for name in ("openedx_cc.enabled", "openedx_cc.record_deployments"):
        Switch.objects.update_or_create(name=name, defaults={"active": True})
    RequestCache.clear_all_namespaces()


def _sha(*parts):
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()


def _history(repository, commits, pull_requests, *, run):
    """
    The deliveries of a branch that gained ``commits`` commits, ``pull_requests`` of them (evenly spread) the merge
    commits of pull requests: the merged pull requests, then the pushes (20 commits each). Returns (base sha, head
    sha, deliveries, changes as a report would list them).
    """
    base = _sha(run, repository, "base")
    shas = [_sha(run, repository, index) for index in range(commits)]
    deliveries, changes = [], []
    every = commits // pull_requests
    for index, sha in enumerate(shas):
        if index % every == every - 1:
            number = 10_000 + index
            title = f"feat: change {run}-{index}"
            merged_at = (MERGED + timedelta(minutes=index)).isoformat()
            deliveries.append(gh.merged_pull_request(repository, number, sha, title=title, author="contributor",
                                                     merged_by="merger", merged_at=merged_at))
            changes.append({"repository": repository, "pr_number": number, "title": title, "merge_sha": sha,
                            "author": "contributor", "merged_by": "merger", "merged_at": merged_at})
    before = base
    for start in range(0, commits, 20):
        chunk = [gh.commit(repository, sha, f"commit {index}", login="contributor")
                 for index, sha in enumerate(shas[start:start + 20], start=start)]
        deliveries.append(gh.push(repository, before, chunk, login="contributor"))
        before = chunk[-1]["id"]
    return base, shas[-1], deliveries, changes


def _receive(event, payload, seed):
    body = json.dumps(payload).encode()
    return receive_delivery(body, event=event, delivery_id=f"bench-{seed}-{hashlib.sha1(body).hexdigest()[:20]}")


def _github_deployment(commits, pull_requests, *, run):
    """Deliver a history, then time the deployment_status that deploys it: (seconds, queries)."""
    repository = f"openedx/bench-gh-{run}-{commits}"
    environment = f"gh-{run}-{commits}"
    base, head, deliveries, _changes = _history(repository, commits, pull_requests, run=run)
    # where the environment stood before: set by a report (GitHub's previous deployment would do the same)
    record_deployment({"id": f"base-{run}-{commits}", "environment": environment,
                       "deployed_at": "2026-11-20T00:00:00Z", "heads": {repository: base}})
    for seed, (event, payload) in enumerate(deliveries):
        _receive(event, payload, seed)
    deployment_id = int(_sha(repository)[:8], 16)  # GitHub's deployment ids are unique across repositories
    event, payload = gh.deployment_status(repository, deployment_id, head, "success", ref="master",
                                          environment=environment, at="2026-11-25T10:00:00Z", service="lms")
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        answer = _receive(event, payload, "status")
        elapsed = time.perf_counter() - start
    assert answer.status == "processed", answer.as_dict()
    return elapsed, len(queries)


def _report_of(commits, pull_requests, *, run):
    _base, _head, _deliveries, changes = _history(f"openedx/bench-report-{run}-{commits}", commits, pull_requests,
                                                  run=run)
    return {"id": f"bench-report-{run}-{commits}", "environment": f"report-{run}-{commits}", "service": "lms",
            "deployed_at": "2026-11-25T10:00:00Z", "changes": changes}


def bench_range(rounds=3, commits=2_000, pull_requests=500):
    _switches()
    github_times, report_times, queries = [], [], {}
    for run in range(rounds):
        seconds, queries[commits] = _github_deployment(commits, pull_requests, run=f"r{run}")
        github_times.append(seconds)
        document = _report_of(commits, pull_requests, run=f"r{run}")
        start = time.perf_counter()
        result = record_deployment(document)
        report_times.append(time.perf_counter() - start)
        assert result.outcome is RecordOutcome.RECORDED
    _seconds, queries[commits // 2] = _github_deployment(commits // 2, pull_requests, run="half")
    github_ms, report_ms = statistics.median(github_times) * 1e3, statistics.median(report_times) * 1e3
    print(f"  GitHub deployment_status over {commits} commits ({pull_requests} pull requests): median "
          f"{github_ms:.0f} ms, {queries[commits]} queries ({queries[commits // 2]} for {commits // 2} commits and "
          f"the same pull requests); the same {pull_requests} changes as a report: {report_ms:.0f} ms; ratio "
          f"{github_ms / report_ms:.2f} (target <= 3)")
    return github_ms / report_ms


def _post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  (loopback)
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return time.perf_counter() - start, status


def _sender_deliveries(sender, count, tag):
    """
    ``count`` deliveries of one sender's repository: pushes and merged pull requests, every 25th a deployment;
    (repository, environment, the commit it starts from, the deliveries).
    """
    repository, environment = f"openedx/bench-hook-{tag}-{sender}", f"hook-{tag}-{sender}"
    base = _sha("hook", tag, sender, "base")
    out, before, deployments = [], base, 0
    for index in range(count):
        sha = _sha("hook", tag, sender, index)
        if index % 25 == 24:
            deployments += 1
            out.append(gh.deployment_status(repository, int(_sha(repository, deployments)[:8], 16), before, "success",
                                            ref="master",
                                            environment=environment, at=f"2026-11-25T10:{deployments:02d}:00Z"))
        elif index % 2:
            out.append(gh.merged_pull_request(repository, 20_000 + index, before, title=f"feat: {index}",
                                              author="contributor", merged_by="merger",
                                              merged_at="2026-11-24T10:00:00Z"))
        else:
            out.append(gh.push(repository, before, [gh.commit(repository, sha, f"commit {index}",
                                                              login="contributor")], login="contributor"))
            before = sha
    return repository, environment, base, out


def _percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered) * 1e3, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3


def bench_webhook(db, total=1_000, senders=8, *, celery_broker=None):
    """
    Start a server process on this benchmark's database, and time both kinds of requests from 8 senders. With
    ``celery_broker`` the server queues the processing of deliveries to Celery (as LMS and CMS do); they are processed
    afterwards, here, by what ``cc_process_github_deliveries`` runs.
    """
    _switches()
    per_sender = total // senders
    tag = "celery" if celery_broker else "inprocess"
    plans = [_sender_deliveries(sender, per_sender, tag) for sender in range(senders)]
    for repository, environment, base, _deliveries in plans:  # where each environment starts
        record_deployment({"id": f"hook-base-{environment}", "environment": environment,
                           "deployed_at": "2026-11-20T00:00:00Z", "heads": {repository: base}})
    env = dict(os.environ, OPENEDX_CC_WEBHOOK_SECRET=SECRET, OPENEDX_CC_GITHUB_WEBHOOK_SECRET=GITHUB_SECRET,
               OPENEDX_CC_HOST_DEBUG="0", OPENEDX_CC_HOST_CELERY_BROKER=celery_broker or "")
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}/api/cc/v1"
            _wait(base + "/schema/", server)

            def github_sender(plan):
                samples = []
                for event, payload in plan[3]:
                    body = json.dumps(payload).encode()
                    elapsed, status = _post(base + "/github/", body, gh.signed_headers(event, body, GITHUB_SECRET))
                    assert status in (200, 202), status
                    samples.append((event, elapsed))
                return samples

            def report_sender(sender):
                samples = []
                for index in range(per_sender):
                    body = json.dumps({
                        "id": f"hook-report-{tag}-{sender}-{index}", "environment": f"report-hook-{tag}-{sender}",
                        "deployed_at": f"2026-11-25T10:00:{index % 60:02d}Z",
                        "changes": [{"repository": f"openedx/bench-hook-report-{tag}-{sender}", "pr_number": n,
                                     "merge_sha": _sha("report", tag, sender, n), "merged_at": "2026-11-24T10:00:00Z",
                                     "author": "contributor", "merged_by": "merger"}
                                    for n in (2 * index + 1, 2 * index + 2)]}).encode()
                    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                    elapsed, status = _post(base + "/deployments/", body, {"Content-Type": "application/json",
                                                                          "X-CC-Signature-256": signature})
                    assert status == 201, status
                    samples.append(elapsed)
                return samples

            with ThreadPoolExecutor(senders) as pool:
                by_event = [s for samples in pool.map(github_sender, plans) for s in samples]
            with ThreadPoolExecutor(senders) as pool:
                reports = [s for samples in pool.map(report_sender, range(senders)) for s in samples]
        finally:
            server.terminate()
            server.wait(20)
    how = "in process (no Celery)"
    if celery_broker:
        start = time.perf_counter()
        summary = process_again()
        counts = ", ".join(f"{count} {status}" for status, count in sorted(summary.statuses.items()))
        how = (f"queued to Celery; then, without a worker, cc_process_github_deliveries processed them in "
               f"{time.perf_counter() - start:.1f} s: {counts}, {summary.unresolved} deployment(s) left unresolved")
        _purge(celery_broker)
    github = [elapsed for _event, elapsed in by_event]
    github_median, github_p99 = _percentiles(github)
    report_median, report_p99 = _percentiles(reports)
    kinds = ", ".join(
        f"{event} {count} (median {median:.0f}, p99 {p99:.0f})"
        for event, count, (median, p99) in (
            (event, len(times), _percentiles(times))
            for event in sorted({e for e, _t in by_event})
            for times in [[t for e, t in by_event if e == event]]))
    print(f"  webhook, processing {how}:")
    print(f"  webhook, {len(github)} GitHub deliveries by {senders} senders to runserver on {db}: median "
          f"{github_median:.0f} ms, p99 {github_p99:.0f} ms (target < 250); {len(reports)} reports the same way: "
          f"median {report_median:.0f} ms, p99 {report_p99:.0f} ms")
    print(f"  webhook, by event, ms: {kinds}")
    return github_p99


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url, server):
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310  (loopback)
            return
        except urllib.error.HTTPError:
            return  # answering
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the benchmark's server did not start") from None
            time.sleep(0.2)


def _purge(broker):
    """Drop the task messages the server queued (they were processed above, without a worker)."""
    import redis

    redis.Redis.from_url(broker).flushdb()
