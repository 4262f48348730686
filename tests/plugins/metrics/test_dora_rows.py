"""
DORA figures in the rows by Core Committer and by repository (docs/reference/rest.rst, "DORA metrics"): the row of
Core Committer X (of repository R) holds what ``compute_dora(user=X)`` (``repository=R``) gives for the answer's
window and other filters, computed for every row at once, in a number of queries that does not grow with the rows.

The history, in October 2026 (the 5th, 12th, 19th and 26th are Mondays). P is openedx/openedx-platform, X is
openedx/xblock; braden, felipe and pdpinch are Core Committers of both, ``someone`` is none:

====  ==================  ===========  ===================================================  ============================
id    deployed at         environment  brings                                               fate
====  ==================  ===========  ===================================================  ============================
q-1   Mon 10-05 10:00     production   bA (P, braden, merged 10-05 08:00),                  bA reverted by q-3
                                       fB (X, felipe, merged 10-04 10:00),
                                       nC (P, someone, merged 10-01 10:00)
q-2   Mon 10-05 16:00     production   pD (X, pdpinch, merged 10-05 15:00)
q-3   Tue 10-06 09:00     production   pR, the revert of bA (P, pdpinch, merged 10-06 08:00)
q-4   Wed 10-07 10:00     production   failed attempt
q-5   Wed 10-07 12:00     production   fE (P, felipe, merged 10-06 12:00),                   both rolled back by q-6
                                       nF (X, someone, merged 10-02 12:00)
q-6   Wed 10-07 13:00     production   rollback of q-5
q-7   Mon 10-19 10:00     staging      bG (X, braden, merged 10-16 10:00),                  bG reverted by q-8
                                       pH (P, pdpinch, merged 10-19 09:00)
q-8   Tue 10-20 10:00     staging      nV, the revert of bG (X, someone, merged 10-20 09:00)
q-9   Tue 10-27 10:00     production   pI (X, pdpinch, merged 10-26 10:00),
      (release/w2)                     bJ (P, braden, merged 10-26 10:00)
====  ==================  ===========  ===================================================  ============================

Deployments meet several rows: q-1 is braden's, felipe's, P's and X's; q-3 brought pdpinch's revert and removed
braden's bA (for braden and for P it is a deployment that removed a change); q-6 removed a change of felipe, of P
and of X, on the day q-5 brought them (one deployment day, not two).

Worked by hand, window 10-05 to 11-02 (four weeks):

braden, CC changes (the deployments that brought a change of his: q-1, q-7, q-9):

- frequency: weeks [10-05] = 1, 0, [10-19] = 1, [10-27] = 1 → [0, 1, 1, 1] → 1 → high;
- lead time: bA 2 h, bG 3 d, bJ 1 d → 1 d = 86,400 s → high (not less than a day);
- change failure rate: q-1 (bA), q-7 (bG) → 2 / 3 = 0.6667 → low;
- recovery: q-1 → q-3 23 h = 82,800 s, q-7 → q-8 24 h → lower middle 82,800 → high;
- rework: none → 0.0.

X, all changes (the deployments that brought or removed a change of X: q-1, q-2, q-5, q-6, q-7, q-8, q-9 = 7):

- frequency: weeks [10-05, 10-07] = 2, 0, [10-19, 10-20] = 2, [10-27] = 1 → [0, 1, 2, 2] → 1 → high; over week 1
  alone, 2 (q-5 and q-6 on 10-07 are one day);
- lead time: fB 1 d, pD 1 h, nF 5 d, bG 3 d, nV 1 h, pI 1 d → 1 h, 1 h, 1 d, 1 d, 3 d, 5 d → 1 d → high;
- change failure rate: q-5 (nF), q-7 (bG) → 2 / 7 = 0.2857 → low;
- recovery: q-5 → q-6 1 h, q-7 → q-8 24 h → 3,600 s → high;
- rework: q-6 (a rollback) and q-8 (only a revert) → 2 / 7 = 0.2857.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.plugins.metrics.api import compute_dora, compute_metrics
from tests.plugins.deployments import helpers as h
from tests.scripted import record_history

pytestmark = pytest.mark.django_db

HOUR, DAY = 3_600, 86_400
P, X = "openedx/openedx-platform", "openedx/xblock"
WINDOW = {"since": "2026-10-05T00:00:00Z", "until": "2026-11-02T00:00:00Z"}
# Without since and until, the answer's window runs from its first deployment (q-1) to just after its last (q-9).
ANSWER_WINDOW = {"since": "2026-10-05T10:00:00Z", "until": "2026-10-27T10:00:00.000001Z"}

bA = h.change(P, pr_number=301, title="feat: bA", merged_by="bradenmacdonald", merged_at="2026-10-05T08:00:00Z")
fB = h.change(X, pr_number=401, title="feat: fB", merged_by="felipemontoya", merged_at="2026-10-04T10:00:00Z")
nC = h.change(P, pr_number=302, title="chore: nC", merged_by="someone", author="someone",
              merged_at="2026-10-01T10:00:00Z")
pD = h.change(X, pr_number=402, title="feat: pD", merged_by="pdpinch", merged_at="2026-10-05T15:00:00Z")
pR = h.change(P, pr_number=303, title='Revert "feat: bA"', body=f"Reverts {P}#301", merged_by="pdpinch",
              merged_at="2026-10-06T08:00:00Z")
fE = h.change(P, pr_number=304, title="feat: fE", merged_by="felipemontoya", merged_at="2026-10-06T12:00:00Z")
nF = h.change(X, pr_number=403, title="fix: nF", merged_by="someone", author="someone",
              merged_at="2026-10-02T12:00:00Z")
bG = h.change(X, pr_number=404, title="feat: bG", merged_by="bradenmacdonald", merged_at="2026-10-16T10:00:00Z")
pH = h.change(P, pr_number=305, title="feat: pH", merged_by="pdpinch", merged_at="2026-10-19T09:00:00Z")
nV = h.change(X, pr_number=405, title='Revert "feat: bG"', body=f"Reverts {X}#404", merged_by="someone",
              author="someone", merged_at="2026-10-20T09:00:00Z")
pI = h.change(X, pr_number=406, title="feat: pI", merged_by="pdpinch", merged_at="2026-10-26T10:00:00Z")
bJ = h.change(P, pr_number=306, title="feat: bJ", merged_by="bradenmacdonald", merged_at="2026-10-26T10:00:00Z")

REPORTS = [
    h.report("q-1", changes=[bA, fB, nC], deployed_at="2026-10-05T10:00:00Z"),
    h.report("q-2", changes=[pD], deployed_at="2026-10-05T16:00:00Z"),
    h.report("q-3", changes=[pR], deployed_at="2026-10-06T09:00:00Z"),
    h.report("q-4", result="failure", deployed_at="2026-10-07T10:00:00Z"),
    h.report("q-5", changes=[fE, nF], deployed_at="2026-10-07T12:00:00Z"),
    h.report("q-6", kind="rollback", rolls_back=["q-5"], deployed_at="2026-10-07T13:00:00Z"),
    h.report("q-7", environment="staging", changes=[bG, pH], deployed_at="2026-10-19T10:00:00Z"),
    h.report("q-8", environment="staging", changes=[nV], deployed_at="2026-10-20T10:00:00Z"),
    h.report("q-9", release="release/w2", changes=[pI, bJ], deployed_at="2026-10-27T10:00:00Z"),
]


def fig(value, band):
    return {"value": value, "band": band}


@pytest.fixture
def history(pilot, enabled):
    results = record_history(REPORTS)
    assert all(result.outcome.value == "recorded" for result in results)
    return results


def _rows(result, name, label):
    return {row[label]: row for row in result[name]}


def test_braden_worked_by_hand(history):
    row = _rows(compute_metrics(**WINDOW), "by_core_committer", "core_committer")["bradenmacdonald"]
    assert set(row) == {"core_committer", "cc_changes"}
    assert row["cc_changes"]["dora"] == {
        "deployment_frequency": fig(1, "high"),
        "lead_time_for_changes": fig(DAY, "high"),
        "change_failure_rate": fig(0.6667, "low"),
        "failed_deployment_recovery_time": fig(23 * HOUR, "high"),
        "rework_rate": fig(0.0, None),
    }


def test_xblock_worked_by_hand(history):
    row = _rows(compute_metrics(**WINDOW), "by_repository", "repository")[X]
    assert row["all_changes"]["dora"] == {
        "deployment_frequency": fig(1, "high"),
        "lead_time_for_changes": fig(DAY, "high"),
        "change_failure_rate": fig(0.2857, "low"),
        "failed_deployment_recovery_time": fig(HOUR, "high"),
        "rework_rate": fig(0.2857, None),
    }
    week_1 = compute_metrics(since="2026-10-05T00:00:00Z", until="2026-10-12T00:00:00Z")
    row = _rows(week_1, "by_repository", "repository")[X]
    assert row["all_changes"]["dora"]["deployment_frequency"] == fig(2, "high")


@pytest.mark.parametrize("params", [
    WINDOW,
    {"since": "2026-10-05T00:00:00Z", "until": "2026-10-12T00:00:00Z"},  # week 1: q-5 and q-6 on one day
    {"since": "2026-10-06T00:00:00Z", "until": "2026-10-21T00:00:00Z"},  # q-1 out, what it brought removed in
    {"since": "2026-10-07T12:30:00Z"},  # q-6 in, q-5 out
    {},
    {"environment": "staging", **WINDOW},
    {"release": "release/w2", **WINDOW},
    {"user": "pdpinch", **WINDOW},
    {"user": "bradenmacdonald"},
    {"repository": X, **WINDOW},
    {"repository": P, "environment": "production"},
])
def test_each_row_is_the_filtered_answer(history, params):
    """Every row's dora is ``compute_dora`` with the row's value added to the filters, over the answer's window."""
    result = compute_metrics(**params)
    window = {"since": result["since"], "until": result["until"]}
    if window["since"] is None or window["until"] is None:  # the answer's window: q-1 to just after q-9 here
        window = {"since": window["since"] or ANSWER_WINDOW["since"],
                  "until": window["until"] or ANSWER_WINDOW["until"]}
    others = {k: v for k, v in params.items() if k not in ("since", "until")}
    assert result["by_core_committer"] and result["by_repository"]
    for row in result["by_core_committer"]:
        expected = compute_dora(**{**others, **window, "user": row["core_committer"]})
        assert row["cc_changes"]["dora"] == expected["cc_changes"], row["core_committer"]
    for name, label in (("by_repository", "repository"), ("by_environment", "environment"),
                        ("by_release", "release")):
        for row in result[name]:
            expected = compute_dora(**{**others, **window, label: row[label]})
            assert row["all_changes"]["dora"] == expected["all_changes"], row[label]
            assert row["cc_changes"]["dora"] == expected["cc_changes"], row[label]


def test_rows_have_figures_where_a_removal_is_all_there_is(history):
    """
    From 10-07 12:30: felipe's only deployment there is q-6, which removed fE: no CC-change deployment of his, so
    nothing to measure in his CC block; P's and X's blocks count q-6 among all changes.
    """
    result = compute_metrics(since="2026-10-07T12:30:00Z")
    assert "felipemontoya" not in _rows(result, "by_core_committer", "core_committer")  # no change of his deployed
    xblock = _rows(result, "by_repository", "repository")[X]
    assert xblock["all_changes"]["dora"]["rework_rate"]["value"] == 0.5  # q-6 (rollback), q-8 (revert) of q-6..q-9


def test_queries_do_not_grow_with_committers_and_repositories(pilot, enabled):
    def count():
        with CaptureQueriesContext(connection) as queries:
            result = compute_metrics()
        return len(queries), len(result["by_core_committer"]), len(result["by_repository"])

    record_history(REPORTS)
    few = count()
    more = []
    newcomers = [("symbolist", "openedx/xblock-sdk"), ("ziafazal", "openedx/openedx-platform"),
                 ("felipemontoya", "openedx/xblock-utils"), ("pdpinch", "openedx/ccx-keys"),
                 ("regisb", "openedx/edx-toggles"), ("someone", "openedx/other-repo")]
    for i, (login, repository) in enumerate(newcomers):
        change = h.change(repository, pr_number=500 + i, merged_by=login, author=login,
                          merged_at=f"2026-11-{i + 1:02d}T08:00:00Z")
        revert = h.change(repository, pr_number=600 + i, title=f'Revert "{change["title"]}"',
                          body=f"Reverts {repository}#{500 + i}", merged_by="someone", author="someone",
                          merged_at=f"2026-11-{i + 1:02d}T09:00:00Z")
        more += [h.report(f"more-{i}", changes=[change, h.change(pr_number=700 + i)],
                          deployed_at=f"2026-11-{i + 1:02d}T10:00:00Z"),
                 h.report(f"more-revert-{i}", changes=[revert], deployed_at=f"2026-11-{i + 1:02d}T11:00:00Z")]
    record_history(more)
    many = count()
    assert many[1] > few[1] and many[2] > few[2]
    assert many[0] == few[0]
