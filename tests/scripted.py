"""
A scripted history of deployments, reverts and a rollback, with known answers, for the metrics and notification
tests (and the same shape as the demo's history).
"""
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments.api import record_deployment
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from tests.plugins.deployments import helpers as h

A = h.change(pr_number=101, title="feat: A", merged_by="bradenmacdonald", merged_at="2026-08-01T10:00:00Z")
B = h.change(repository="openedx/ccx-keys", pr_number=7, title="feat: B", merged_by="pdpinch",
             merged_at="2026-08-02T10:00:00Z")
C = h.change(pr_number=102, title="chore: C", merged_by="a-bot", author="a-bot", merged_at="2026-08-03T10:00:00Z")
R1 = h.change(pr_number=103, title='Revert "feat: A"', body="Reverts openedx/openedx-platform#101",
              merged_by="a-maintainer", author="a-maintainer", merged_at="2026-08-11T10:00:00Z")
D = h.change(repository="openedx/xblock", pr_number=900, title="feat: D", merged_by="felipemontoya",
             merged_at="2026-09-01T10:00:00Z")
E = h.change(repository="openedx/xblock", pr_number=901, title="fix: E", merged_by="someone", author="someone",
             merged_at="2026-09-02T10:00:00Z")

REPORTS = [
    h.report("prod-08-10", changes=[A, B, C], deployed_at="2026-08-10T10:00:00Z"),
    h.report("prod-08-12", changes=[R1], deployed_at="2026-08-12T10:00:00Z"),
    h.report("prod-09-05", changes=[D, E], deployed_at="2026-09-05T10:00:00Z"),
    h.report("prod-09-06-rollback", kind="rollback", rolls_back=["prod-09-05"], deployed_at="2026-09-06T10:00:00Z"),
]


def record_history(reports=REPORTS):
    """Record the reports (the set and recording must be switched on by the caller's fixtures or here)."""
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        return [record_deployment(h.body(report)) for report in reports]
