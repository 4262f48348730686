"""
The metrics benchmark: the metrics endpoint's computation over 100,000 recorded stays of changes, beside one
hand-written SQL aggregation of the same headline figure (the change failure rate of CC changes and of all changes).
"""
import random
import statistics
import time
from datetime import datetime, timedelta, timezone

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from openedx_cc.plugins.deployments.models import Change, Deployment, DeploymentSpan
from openedx_cc.plugins.metrics.api import compute_metrics

START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def generate(count=100_000, seed=5, batch=5_000):
    """``count`` changes, each deployed once to one of three environments; some reverted or rolled back."""
    rng = random.Random(seed)
    with transaction.atomic():
        deployment = Deployment.objects.create(report_id=f"metrics-bench-{seed}", environment="production",
                                               deployed_at=START, body_sha256="0" * 64)
        changes = Change.objects.bulk_create([
            Change(repository=f"openedx/repo-{i % 500}", repository_key=f"openedx/repo-{i % 500}",
                   pr_number=i + 1, change_key=f"metrics-bench/{i}", merge_sha=f"{i:040x}", author="a",
                   merged_by="a", merged_at=START)
            for i in range(count)
        ], batch_size=batch)
        if changes and changes[0].pk is None:
            ids = dict(Change.objects.filter(change_key__startswith="metrics-bench/").values_list("change_key", "id"))
            for change in changes:
                change.pk = ids[change.change_key]
        spans = []
        for i, change in enumerate(changes):
            deployed = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 600))
            fate = rng.random()
            kind = "revert" if fate < 0.03 else "rollback" if fate < 0.05 else ""
            seconds = rng.randrange(600, 86_400 * 7) if kind else None
            spans.append(DeploymentSpan(
                change=change, environment=("production", "staging", "edge")[i % 3], deployed_by=deployment,
                deployed_at=deployed, release=f"release/r{i % 12}", repository_key=change.repository_key,
                is_cc_change=i % 4 == 0, core_committer=f"user-{i % 200}" if i % 4 == 0 else "",
                removed_at=deployed + timedelta(seconds=seconds) if seconds else None, removed_kind=kind,
                seconds_to_removal=seconds, removed_by=deployment if kind else None,
            ))
        DeploymentSpan.objects.bulk_create(spans, batch_size=batch)
    return count


def _hand_written():
    table = connection.ops.quote_name(DeploymentSpan._meta.db_table)
    sql = (f"SELECT SUM(CASE WHEN is_cc_change THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN is_cc_change AND removed_kind IN ('revert', 'rollback') THEN 1 ELSE 0 END), "
           f"COUNT(*), SUM(CASE WHEN removed_kind IN ('revert', 'rollback') THEN 1 ELSE 0 END) FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cc, cc_failed, total, failed = cursor.fetchone()
    return float(cc_failed) / float(cc), float(failed) / float(total)  # MySQL sums are Decimals


def bench(rounds=5):
    started = time.perf_counter()
    generate()
    print(f"  metrics: 100,000 recorded stays generated in {time.perf_counter() - started:.1f} s")
    with CaptureQueriesContext(connection) as queries:
        result = compute_metrics()
    cc_rate, all_rate = _hand_written()
    assert round(cc_rate, 4) == result["cc_changes"]["change_failure_rate"]
    assert round(all_rate, 4) == result["all_changes"]["change_failure_rate"]
    full, headline, hand = [], [], []
    for _ in range(rounds):
        start = time.perf_counter()
        compute_metrics()
        full.append(time.perf_counter() - start)
        start = time.perf_counter()
        compute_metrics(include=())
        headline.append(time.perf_counter() - start)
        start = time.perf_counter()
        _hand_written()
        hand.append(time.perf_counter() - start)
    full_ms, headline_ms, hand_ms = (statistics.median(x) * 1e3 for x in (full, headline, hand))
    print(f"  metrics over 100,000 stays: the endpoint's computation (every figure, four breakdowns, months): "
          f"{len(queries)} SQL queries, median {full_ms:.0f} ms")
    print(f"  metrics over 100,000 stays: the headline figures (change failure rates and time to revert, CC and "
          f"all): median {headline_ms:.0f} ms; hand-written SQL of the change failure rates {hand_ms:.0f} ms; "
          f"ratio {headline_ms / hand_ms:.1f} (recorded, no target)")
