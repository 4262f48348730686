"""
Deliveries arrive in any order, and some twice: once everything has arrived, the recorded deployments are the same.

The scripted history has, in one repository: four pushes on master (a merge of #1, a direct push, a squash of #2, a
branch merged as #3), four merged pull requests (#4's merge commit is in no push), a production deployment whose
previous head a report gave, a failed attempt, and two staging deployments -- the first with no earlier head, so it
stays unresolved and the second starts from it. Each example delivers every delivery in another order (one of them
twice), under a repository and environments of its own.
"""
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openedx_cc.plugins.deployments.models import Deployment
from openedx_cc.plugins.eventlog.models import LoggedEvent
from tests.plugins.github import builders as b
from tests.plugins.github.scenario import DEPLOYED, seed, send

pytestmark = pytest.mark.django_db(transaction=True)
_examples = count(1)
SCRIPT_LENGTH = 14


def script(n):
    """The deliveries of example ``n``, and what must be recorded once all have arrived."""
    repository, production, staging = f"openedx/order-{n}", f"production-{n}", f"staging-{n}"
    A, B, C, D, E, F = (b.sha(f"{n}-{name}") for name in "ABCDEF")
    base = n * 100

    def at(minute):
        return f"2026-11-25T10:{minute:02d}:00Z"

    seed(A, repository=repository, environment=production, at="2026-11-20T10:00:00Z", report_id=f"seed-{n}")
    deliveries = [
        ("push", b.push(A, [(B, "Merge pull request #1 from someone/one")], repository=repository)),
        ("push", b.push(B, [(C, "Bump the version")], repository=repository)),
        ("push", b.push(C, [(D, "fix: two (#2)")], repository=repository)),
        ("push", b.push(D, [(b.sha(f"{n}-wip"), "wip"), (E, "Merge pull request #3 from someone/three")],
                        repository=repository)),
        ("pull_request", b.merged_pr(1, B, repository=repository)),
        ("pull_request", b.merged_pr(2, D, repository=repository)),
        ("pull_request", b.merged_pr(3, E, repository=repository)),
        ("pull_request", b.merged_pr(4, F, repository=repository)),
        ("deployment", b.deployment(base + 1, C, environment=production, repository=repository)),
        ("deployment_status", b.status(base + 1, C, "in_progress", environment=production, repository=repository,
                                       status_id=base + 11, created_at=at(1))),
        ("deployment_status", b.status(base + 1, C, "success", environment=production, repository=repository,
                                       status_id=base + 12, created_at=at(2))),
        ("deployment_status", b.status(base + 4, E, "failure", environment=production, repository=repository,
                                       status_id=base + 41, created_at=at(9))),
        ("deployment_status", b.status(base + 2, B, "success", environment=staging, repository=repository,
                                       status_id=base + 21, created_at=at(3))),
        ("deployment_status", b.status(base + 3, E, "success", environment=staging, repository=repository,
                                       status_id=base + 31, created_at=at(5))),
    ]
    assert len(deliveries) == SCRIPT_LENGTH
    prefix = f"github:{repository}:"
    expected = {
        f"{prefix}{base + 1}": ("deploy", "success", False, [1], [C], {repository: C}),
        f"{prefix}{base + 2}": ("deploy", "success", True, [], [], {repository: B}),
        f"{prefix}{base + 3}": ("deploy", "success", False, [2, 3], [C], {repository: E}),
        f"{prefix}{base + 4}:failure": ("deploy", "failure", False, [], [], {}),
    }
    return repository, [(event, document, f"{n}-{index}") for index, (event, document) in enumerate(deliveries)], \
        expected


def recorded(repository):
    """What was recorded of the GitHub deployments of ``repository``."""
    out = {}
    for deployment in Deployment.objects.filter(report_id__startswith=f"github:{repository}:"):
        out[deployment.report_id] = (
            deployment.kind, deployment.result, bool(deployment.missing),
            sorted(deployment.changes.values_list("pr_number", flat=True)),
            sorted(deployment.direct_pushes.values_list("sha", flat=True)),
            dict(deployment.heads.values_list("repository", "sha")),
        )
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(order=st.permutations(range(SCRIPT_LENGTH)), twice=st.integers(0, SCRIPT_LENGTH - 1))
def test_every_order_records_the_same_deployments(client, pilot, intake, order, twice):
    repository, deliveries, expected = script(next(_examples))
    for index in list(order) + [twice]:
        event, document, delivery_id = deliveries[index]
        send(client, event, document, delivery=delivery_id)
    assert recorded(repository) == expected
    announced = LoggedEvent.objects.filter(event_type=DEPLOYED, data__change__repository=repository)
    assert announced.count() == 0  # openedx/order-* is nobody's repository: no CC change, no event


def test_deliveries_in_order_record_the_same(client, pilot, intake):
    repository, deliveries, expected = script(next(_examples))
    for event, document, delivery_id in deliveries:
        send(client, event, document, delivery=delivery_id)
    assert recorded(repository) == expected
