"""
The metrics benchmark: the metrics endpoint's computation over 100,000 recorded presences of changes, beside one
hand-written SQL aggregation of the same headline figure (the change failure rate of CC changes and of all changes).
"""
import statistics
import time
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import baselines, fixtures
from openedx_cc.plugins.metrics.api import compute_dora, compute_metrics

def bench(rounds=5):
    started = time.perf_counter()
    fixtures.generate_presences()
    print(f"  metrics: 100,000 recorded presences generated in {time.perf_counter() - started:.1f} s")
    with CaptureQueriesContext(connection) as queries:
        result = compute_metrics()
    cc_rate, all_rate = baselines.change_failure_rates_sql()
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
        baselines.change_failure_rates_sql()
        hand.append(time.perf_counter() - start)
    full_ms, headline_ms, hand_ms = (statistics.median(x) * 1e3 for x in (full, headline, hand))
    print(f"  metrics over 100,000 presences: the endpoint's computation (every figure, four breakdowns, months): "
          f"{len(queries)} SQL queries, median {full_ms:.0f} ms")
    print(f"  metrics over 100,000 presences: the headline figures (change failure rates and time to revert, CC and "
          f"all): median {headline_ms:.0f} ms; hand-written SQL of the change failure rates {hand_ms:.0f} ms; "
          f"ratio {headline_ms / hand_ms:.1f} (recorded, no target)")


def bench_dora(rounds=5):
    """
    The five DORA figures (CC changes and all changes) over 20,000 deployments and 100,000 presences, beside
    hand-written SQL of the same figures; the data is removed afterwards.
    """
    started = time.perf_counter()
    fixtures.generate_dora_history()
    print(f"  dora: 20,000 deployments and 100,000 presences generated in {time.perf_counter() - started:.1f} s")
    try:
        with CaptureQueriesContext(connection) as queries:
            result = compute_dora()
        for block, cc in (("all_changes", False), ("cc_changes", True)):
            total, failed, rework, weeks, lead, recovery = baselines.dora_sql(cc=cc)
            figures = result[block]
            assert figures["change_failure_rate"]["value"] == round(failed / total, 4), block
            assert figures["rework_rate"]["value"] == round(rework / total, 4), block
            assert figures["lead_time_for_changes"]["value"] == lead, block
            assert figures["failed_deployment_recovery_time"]["value"] == recovery, block
            assert sum(weeks) >= figures["deployment_frequency"]["value"], block
        ours, hand = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            compute_dora()
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            baselines.dora_sql(cc=False)
            baselines.dora_sql(cc=True)
            hand.append(time.perf_counter() - start)
        ours_ms, hand_ms = (statistics.median(x) * 1e3 for x in (ours, hand))
        print(f"  dora over 20,000 deployments and 100,000 presences: the five figures, CC and all: "
              f"{len(queries)} SQL queries, median {ours_ms:.0f} ms; hand-written SQL of the same {hand_ms:.0f} ms; "
              f"ratio {ours_ms / hand_ms:.1f} (target at most 3)")
    finally:
        fixtures.remove_dora_history()
