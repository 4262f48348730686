"""
The Backstage benchmark: ``GET /api/cc/v1/backstage/entities.yaml``'s work (``backstage_entities_yaml``) on the
foundation registry (10,000 CCs, 2,000 repositories, 100,000 rights), against the (repository, committer) rows of the
same entities, read by one hand-written SQL query and written directly as the same YAML documents with the same dumper
(``bench/baselines.py``); both must write the same bytes. Target: under 2x, a constant number of queries.
"""
import statistics
import time

import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import baselines
from openedx_cc.plugins.catalog.api import backstage_entities_yaml

LOCATION = "https://lms.example.org/api/cc/v1/backstage/entities.yaml"


def bench(rounds=5):
    with CaptureQueriesContext(connection) as queries:
        body = backstage_entities_yaml(LOCATION)
    kinds = [doc["kind"] for doc in yaml.load_all(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))]
    baseline_body, pairs = baselines.backstage_yaml(LOCATION)
    assert baseline_body == body, "the baseline must write the same YAML"
    def timed(work, times):
        start = time.perf_counter()
        work(LOCATION)
        times.append(time.perf_counter() - start)

    ours, hand = [], []
    for round_ in range(rounds):
        # interleaved, the order alternated by round: the second of a pair finds the garbage the first left
        pair = [(backstage_entities_yaml, ours), (baselines.backstage_yaml, hand)]
        for work, times in pair if round_ % 2 == 0 else reversed(pair):
            timed(work, times)
    ours_s, hand_s = statistics.median(ours), statistics.median(hand)
    print(f"  backstage entities.yaml: {kinds.count('Group')} groups, {kinds.count('User')} users, "
          f"{len(body) / 1e6:.1f} MB, {len(queries)} SQL queries; baseline: {pairs} rows of rights, the same YAML")
    print(f"  backstage entities.yaml: median {ours_s:.2f} s, the same rows written to YAML directly {hand_s:.2f} s, "
          f"ratio {ours_s / hand_s:.2f} (target < 2)")
    return ours_s / hand_s
