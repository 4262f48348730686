"""
The metrics benchmark: the metrics endpoint's computation over 100,000 recorded presences of changes, beside one
hand-written SQL aggregation of the same headline figure (the change failure rate of CC changes and of all changes).
"""
import statistics
import time
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import baselines, fixtures
from openedx_cc.plugins.metrics.api import compute_metrics

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
