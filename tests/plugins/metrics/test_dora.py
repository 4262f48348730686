"""
DORA metrics (contract §13, docs/reference/rest.rst "DORA metrics") on a scripted history whose answers were worked
out by hand, below.

The history, all to ``production`` (release/verawood), in September 2026 (the 7th, 14th, 21st and 28th are Mondays):

====  =====================  ==============================================  ========================================
id    deployed at            brings                                          fate
====  =====================  ==============================================  ========================================
p-1   Mon 09-07 10:00        A (CC bradenmacdonald, merged 09-07 08:00),     A reverted by p-4
                             C (not CC, merged 09-04 10:00)
p-2   Mon 09-07 15:00        B (CC pdpinch, merged 09-07 14:00)
p-3   Wed 09-09 10:00        failed attempt (result "failure"), nothing
p-4   Wed 09-09 12:00        R1, the revert of A (not CC, merged 09-09 11:00) a revert-only deployment
p-5   Tue 09-22 10:00        D (CC felipemontoya, merged 09-21 10:00),        both rolled back by p-6
                             E (not CC, merged 09-15 10:00)
p-6   Tue 09-22 11:00        rollback of p-5
====  =====================  ==============================================  ========================================

Window: 2026-09-07T00:00Z to 2026-09-28T00:00Z = three Monday-aligned weeks (09-07, 09-14, 09-21).

All changes (deployments p-1 … p-6: 6):

- frequency: successful deployment days per week: week 1 {09-07 (p-1 and p-2 are one day), 09-09} = 2, week 2 = 0
  (no deployment, still counted), week 3 {09-22} = 1 → sorted [0, 1, 2] → median 1 → band high (1 to 4).
- lead time (first deployment to production minus merge): A 2 h, B 1 h, C 3 d, R1 1 h, D 1 d, E 7 d → sorted 1 h, 1 h,
  2 h, 1 d, 3 d, 7 d → six values, the lower middle is the 3rd: 2 h = 7,200 s → elite (< 1 day).
- change failure rate: failing p-1 (A reverted), p-3 (failed attempt), p-5 (D and E rolled back: one deployment,
  counted once, so the rate cannot exceed 1) → 3 / 6 = 0.5 → low (> 15 %).
- recovery: p-1 → p-4 removed A: 2 d 2 h = 180,000 s; p-3 → next success p-4: 2 h = 7,200 s; p-5 → p-6: 3,600 s →
  sorted 3,600, 7,200, 180,000 → median 7,200 → high (< 1 day).
- rework: p-4 (only a revert) and p-6 (a rollback) → 2 / 6 = 0.3333, band null.

CC changes (deployments that brought a CC change: p-1, p-2, p-5: 3):

- frequency: week 1 {09-07} = 1, week 2 = 0, week 3 {09-22} = 1 → [0, 1, 1] → 1 → high.
- lead time: A 2 h, B 1 h, D 1 d → median 2 h = 7,200 → elite.
- change failure rate: p-1 (A), p-5 (D) → 2 / 3 = 0.6667 → low.
- recovery: p-1 180,000, p-5 3,600 → two values, the lower middle: 3,600 (not < 1 hour) → high.
- rework: none of p-1, p-2, p-5 only reverts → 0.0.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.metrics import dora
from openedx_cc.plugins.metrics.api import compute_metrics
from tests.plugins.deployments import helpers as h
from tests.scripted import record_history

pytestmark = pytest.mark.django_db

HOUR, DAY = 3_600, 86_400
WINDOW = {"since": "2026-09-07T00:00:00Z", "until": "2026-09-28T00:00:00Z"}

A = h.change(pr_number=201, title="feat: A", merged_by="bradenmacdonald", merged_at="2026-09-07T08:00:00Z")
B = h.change(repository="openedx/ccx-keys", pr_number=20, title="feat: B", merged_by="pdpinch",
             merged_at="2026-09-07T14:00:00Z")
C = h.change(pr_number=202, title="chore: C", merged_by="a-bot", author="a-bot", merged_at="2026-09-04T10:00:00Z")
R1 = h.change(pr_number=203, title='Revert "feat: A"', body="Reverts openedx/openedx-platform#201",
              merged_by="a-maintainer", author="a-maintainer", merged_at="2026-09-09T11:00:00Z")
D = h.change(repository="openedx/xblock", pr_number=950, title="feat: D", merged_by="felipemontoya",
             merged_at="2026-09-21T10:00:00Z")
E = h.change(repository="openedx/xblock", pr_number=951, title="fix: E", merged_by="someone", author="someone",
             merged_at="2026-09-15T10:00:00Z")

REPORTS = [
    h.report("p-1", changes=[A, C], deployed_at="2026-09-07T10:00:00Z"),
    h.report("p-2", changes=[B], deployed_at="2026-09-07T15:00:00Z"),
    h.report("p-3", result="failure", deployed_at="2026-09-09T10:00:00Z"),
    h.report("p-4", changes=[R1], deployed_at="2026-09-09T12:00:00Z"),
    h.report("p-5", changes=[D, E], deployed_at="2026-09-22T10:00:00Z"),
    h.report("p-6", kind="rollback", rolls_back=["p-5"], deployed_at="2026-09-22T11:00:00Z"),
]


def fig(value, band):
    return {"value": value, "band": band}


@pytest.fixture
def history(pilot, enabled):
    results = record_history(REPORTS)
    assert all(result.outcome.value == "recorded" for result in results)
    return results


def test_all_changes(history):
    assert compute_metrics(**WINDOW)["all_changes"]["dora"] == {
        "deployment_frequency": fig(1, "high"),
        "lead_time_for_changes": fig(2 * HOUR, "elite"),
        "change_failure_rate": fig(0.5, "low"),
        "failed_deployment_recovery_time": fig(2 * HOUR, "high"),
        "rework_rate": fig(0.3333, None),
    }


def test_cc_changes(history):
    assert compute_metrics(**WINDOW)["cc_changes"]["dora"] == {
        "deployment_frequency": fig(1, "high"),
        "lead_time_for_changes": fig(2 * HOUR, "elite"),
        "change_failure_rate": fig(0.6667, "low"),
        "failed_deployment_recovery_time": fig(HOUR, "high"),
        "rework_rate": fig(0.0, None),
    }


def test_breakdown_rows(history):
    """
    Every deployment of the window is in production, release/verawood and September: the one row of each of these
    breakdowns has the overall figures (September clipped to the window is the window). Rows by Core Committer and by
    repository carry theirs too (tests/plugins/metrics/test_dora_rows.py); a Core Committer's row its CC block only.
    """
    result = compute_metrics(**WINDOW)
    for name in ("by_environment", "by_release", "by_month"):
        [row] = result[name]
        assert row["all_changes"]["dora"] == result["all_changes"]["dora"]
        assert row["cc_changes"]["dora"] == result["cc_changes"]["dora"]
    assert all("dora" in row["cc_changes"] for row in result["by_repository"] + result["by_core_committer"])
    assert all("dora" in row["all_changes"] for row in result["by_repository"])
    assert all("all_changes" not in row for row in result["by_core_committer"])


def test_breakdown_by_month_clips_the_weeks(history):
    """
    No window: the deployments run from p-1 (09-07) to p-6 (09-22), so September's weeks are those of 09-07, 09-14
    and 09-21, as in the window of the other tests: the same figures.
    """
    result = compute_metrics()
    [september] = result["by_month"]
    assert september["all_changes"]["dora"]["deployment_frequency"] == fig(1, "high")
    assert september["all_changes"]["dora"] == result["all_changes"]["dora"]


def test_existing_figures_keep_their_keys(history):
    result = compute_metrics(**WINDOW)
    assert set(result["all_changes"]) == {"deployed", "reverted", "rolled_back", "change_failure_rate",
                                          "time_to_revert", "dora"}


def test_user_filter(history):
    """
    bradenmacdonald: the deployments that brought or removed a change of theirs are p-1 (brought A) and p-4
    (removed A). All changes: failing p-1 → 1/2; rework p-4 → 1/2; lead time A 2 h; recovery p-1 180,000 s (< 1 week:
    medium); frequency: week 1 {09-07, 09-09} = 2, weeks 2 and 3 = 0 → [0, 0, 2] → 0; 2 deployment days in 3 weeks is
    at least one per 4 weeks → medium. CC changes: p-1 only → rate 1.0, frequency [0, 0, 1] → 0, medium.
    """
    result = compute_metrics(user="bradenmacdonald", **WINDOW)
    assert result["all_changes"]["dora"] == {
        "deployment_frequency": fig(0, "medium"),
        "lead_time_for_changes": fig(2 * HOUR, "elite"),
        "change_failure_rate": fig(0.5, "low"),
        "failed_deployment_recovery_time": fig(2 * DAY + 2 * HOUR, "medium"),
        "rework_rate": fig(0.5, None),
    }
    assert result["cc_changes"]["dora"]["change_failure_rate"] == fig(1.0, "low")
    assert result["cc_changes"]["dora"]["deployment_frequency"] == fig(0, "medium")


def test_same_day_deployments_are_one_day(history):
    """Only week 1 (09-07 to 09-14): p-1 and p-2 on 09-07, p-4 on 09-09 (p-3 failed) → 2 deployment days."""
    result = compute_metrics(since="2026-09-07T00:00:00Z", until="2026-09-14T00:00:00Z")
    assert result["all_changes"]["dora"]["deployment_frequency"] == fig(2, "high")
    assert result["cc_changes"]["dora"]["deployment_frequency"] == fig(1, "high")


def test_weeks_overlapping_the_window_count(history):
    """
    From Wednesday 09-09 to Wednesday 09-23: the weeks of 09-07, 09-14 and 09-21 overlap it. Week 1: p-4 on 09-09 (p-3
    failed) = 1 day; week 2: 0; week 3: 09-22 = 1 → [0, 1, 1] → 1.
    """
    result = compute_metrics(since="2026-09-09T00:00:00Z", until="2026-09-23T00:00:00Z")
    assert result["all_changes"]["dora"]["deployment_frequency"] == fig(1, "high")


def test_empty_window_gives_nulls(history):
    result = compute_metrics(since="2026-10-01T00:00:00Z", until="2026-10-08T00:00:00Z")
    for block in (result["all_changes"]["dora"], result["cc_changes"]["dora"]):
        assert block == {name: fig(None, None) for name in dora.FIGURES}


def test_filters_matching_nothing_give_nulls(history):
    result = compute_metrics(environment="staging", name_unknown_values=False, **WINDOW)
    assert result["all_changes"]["dora"] == dora.empty_dora()


def test_nothing_recorded_gives_nulls(db):
    assert compute_metrics()["all_changes"]["dora"] == dora.empty_dora()


@pytest.mark.parametrize("window", [
    {"since": "2026-09-07T00:00:00Z", "until": "2026-09-07T00:00:00Z"},
    {"since": "2026-09-08T00:00:00Z", "until": "2026-09-07T00:00:00Z"},
])
def test_empty_or_reversed_window_names_until(history, window):
    with pytest.raises(ValidationFailed) as info:
        compute_metrics(**window)
    assert [problem.field for problem in info.value.problems] == ["until"]


def test_constant_number_of_queries(pilot, enabled):
    def count():
        with CaptureQueriesContext(connection) as queries:
            compute_metrics()
        return len(queries)

    record_history(REPORTS[:2])
    few = count()
    record_history(REPORTS[2:] + [h.report(f"more-{i}", changes=[h.change(pr_number=300 + i, merged_by="pdpinch")],
                                           deployed_at=f"2026-10-{i + 1:02d}T10:00:00Z") for i in range(8)])
    assert count() == few


@pytest.mark.parametrize("function, value, band", [
    (dora.frequency_band, (5, 10, 2), "elite"), (dora.frequency_band, (4, 8, 2), "high"),
    (dora.frequency_band, (1, 1, 1), "high"), (dora.frequency_band, (0, 1, 4), "medium"),
    (dora.frequency_band, (0, 1, 5), "low"),
    (dora.lead_time_band, (DAY - 1,), "elite"), (dora.lead_time_band, (DAY,), "high"),
    (dora.lead_time_band, (7 * DAY,), "medium"), (dora.lead_time_band, (30 * DAY,), "low"),
    (dora.failure_rate_band, (0.05,), "elite"), (dora.failure_rate_band, (0.1,), "high"),
    (dora.failure_rate_band, (0.15,), "medium"), (dora.failure_rate_band, (0.1501,), "low"),
    (dora.recovery_band, (HOUR - 1,), "elite"), (dora.recovery_band, (HOUR,), "high"),
    (dora.recovery_band, (DAY,), "medium"), (dora.recovery_band, (7 * DAY,), "low"),
])
def test_bands(function, value, band):
    assert function(*value) == band


def test_the_endpoint(history, api_client, staff_user):
    """The dora blocks over REST; a zero-length or reversed window is a 400 naming ``until``; no window is fine."""
    api_client.force_authenticate(staff_user)
    body = api_client.get("/api/cc/v1/metrics/", WINDOW).json()
    assert body["all_changes"]["dora"]["change_failure_rate"] == fig(0.5, "low")
    assert body["by_environment"][0]["all_changes"]["dora"]["rework_rate"] == fig(0.3333, None)
    for since, until in (("2026-09-07T00:00:00Z", "2026-09-07T00:00:00Z"),
                         ("2026-09-08T00:00:00Z", "2026-09-07T00:00:00Z")):
        bad = api_client.get("/api/cc/v1/metrics/", {"since": since, "until": until})
        assert bad.status_code == 400 and [e["field"] for e in bad.json()["errors"]] == ["until"]
    empty = api_client.get("/api/cc/v1/metrics/", {"since": "2030-01-01T00:00:00Z"})
    assert empty.status_code == 200 and empty.json()["cc_changes"]["dora"] == dora.empty_dora()
