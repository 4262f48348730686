"""
Change-failure metrics on a scripted history with known answers.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.metrics.api import compute_metrics
from tests.plugins.deployments import helpers as h
from tests.scripted import record_history

pytestmark = pytest.mark.django_db

DAY = 86_400


@pytest.fixture
def history(pilot, enabled):
    return record_history()


def test_overall_figures(history):
    result = compute_metrics()
    for block in ("all_changes", "cc_changes"):
        assert set(result[block].pop("dora")) == {"deployment_frequency", "lead_time_for_changes",
                                                  "change_failure_rate", "failed_deployment_recovery_time",
                                                  "rework_rate"}
    assert result["all_changes"] == {
        "deployed": 6, "reverted": 1, "rolled_back": 2, "change_failure_rate": 0.5,
        "time_to_revert": {"median_seconds": DAY, "p90_seconds": 2 * DAY, "count": 3},
    }
    assert result["cc_changes"] == {
        "deployed": 3, "reverted": 1, "rolled_back": 1, "change_failure_rate": 0.6667,
        "time_to_revert": {"median_seconds": DAY, "p90_seconds": 2 * DAY, "count": 2},
    }


def test_breakdowns(history):
    result = compute_metrics()
    for row in result["by_core_committer"] + result["by_repository"]:  # their dora: test_dora_rows.py
        for block in ("cc_changes", "all_changes"):
            if block in row:
                assert set(row[block].pop("dora")) == set(result["cc_changes"]["dora"])
    by_cc = {row["core_committer"]: row["cc_changes"] for row in result["by_core_committer"]}
    assert by_cc["bradenmacdonald"]["change_failure_rate"] == 1.0
    assert by_cc["bradenmacdonald"]["time_to_revert"]["median_seconds"] == 2 * DAY
    assert by_cc["pdpinch"] == {"deployed": 1, "reverted": 0, "rolled_back": 0, "change_failure_rate": 0.0,
                                "time_to_revert": {"median_seconds": None, "p90_seconds": None, "count": 0}}
    assert by_cc["felipemontoya"]["rolled_back"] == 1
    by_repo = {row["repository"]: row for row in result["by_repository"]}
    assert by_repo["openedx/openedx-platform"]["all_changes"]["deployed"] == 3
    assert by_repo["openedx/openedx-platform"]["cc_changes"]["deployed"] == 1
    assert by_repo["openedx/xblock"]["all_changes"]["rolled_back"] == 2
    assert [row["environment"] for row in result["by_environment"]] == ["production"]
    assert [row["release"] for row in result["by_release"]] == ["release/verawood"]
    for row in result["by_month"]:
        row["cc_changes"].pop("dora"), row["all_changes"].pop("dora")
    assert result["by_month"] == [
        {"month": "2026-08",
         "cc_changes": {"deployed": 2, "reverted": 1, "rolled_back": 0, "change_failure_rate": 0.5},
         "all_changes": {"deployed": 4, "reverted": 1, "rolled_back": 0, "change_failure_rate": 0.25}},
        {"month": "2026-09",
         "cc_changes": {"deployed": 1, "reverted": 0, "rolled_back": 1, "change_failure_rate": 1.0},
         "all_changes": {"deployed": 2, "reverted": 0, "rolled_back": 2, "change_failure_rate": 1.0}},
    ]


def test_window_and_filters(history):
    september = compute_metrics(since="2026-09-01T00:00:00Z")
    assert september["all_changes"]["deployed"] == 2 and september["cc_changes"]["deployed"] == 1
    august = compute_metrics(until="2026-09-01T00:00:00Z", repository="edx/edx-platform")
    assert august["all_changes"]["deployed"] == 3 and august["filters"]["repository"] == "openedx/openedx-platform"
    mine = compute_metrics(user="BradenMacDonald")
    assert mine["cc_changes"]["deployed"] == 1 and mine["all_changes"]["deployed"] == 1


@pytest.mark.parametrize("params, field, message", [
    ({"since": "last week"}, "since", "not an ISO 8601 datetime"),
    ({"until": "2026-09-01"}, "until", "is a date"),
    ({"since": "2026-09-01T00:00:00Z", "until": "2026-08-01T00:00:00Z"}, "until", "must be after since"),
    ({"environment": "moon"}, "environment", "no deployment to environment 'moon'"),
    ({"release": "release/zebra"}, "release", "no deployment of release 'release/zebra'"),
    ({"user": "nobody"}, "user", "no change is credited"),
    ({"repository": "not-a-repo"}, "repository", "has no owner"),
    ({"colour": "red"}, "colour", "unknown filter"),
])
def test_bad_queries_name_the_field(history, params, field, message):
    with pytest.raises(ValidationFailed) as info:
        compute_metrics(**params)
    assert any(p.field == field and message in p.message for p in info.value.problems), info.value.problems


def test_a_constant_number_of_queries(history, pilot):
    with CaptureQueriesContext(connection) as small:
        compute_metrics(environment="production")
    more = [h.report(f"more-{i}", changes=[h.change(merged_by="bradenmacdonald") for _ in range(5)],
                     environment=f"env-{i % 3}", release=f"release/r{i}", deployed_at=f"2026-10-{i + 1:02d}T10:00:00Z")
            for i in range(12)]
    record_history(more)
    with CaptureQueriesContext(connection) as large:
        compute_metrics(environment="production")
    assert len(small) == len(large)


def test_the_endpoint(history, api_client, staff_user, plain_user):
    from openedx_cc.plugins.ownership.models import CoreCommitter

    api_client.force_authenticate(staff_user)
    body = api_client.get("/api/cc/v1/metrics/", {"since": "2026-08-01T00:00:00Z"}).json()
    assert body["all_changes"]["change_failure_rate"] == 0.5
    bad = api_client.get("/api/cc/v1/metrics/", {"environment": "moon"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "environment"
    api_client.force_authenticate(plain_user)
    assert api_client.get("/api/cc/v1/metrics/").status_code == 403
    CoreCommitter.objects.filter(github_key="pdpinch").update(user=plain_user)
    own = api_client.get("/api/cc/v1/metrics/").json()
    assert own["filters"]["user"] == "pdpinch" and own["cc_changes"]["deployed"] == 1
    assert api_client.get("/api/cc/v1/metrics/", {"user": "bradenmacdonald"}).status_code == 403


def test_a_core_committer_cannot_learn_what_exists_from_the_answers(history, api_client, plain_user):
    """
    Hostile input (docs/decisions/0012): for a Core Committer who is not staff, a real environment, release or
    repository that holds only others' changes answers exactly as a made-up one does: 200 with empty figures, never 400
    for one and not the other.
    """
    from openedx_cc.plugins.ownership.models import CoreCommitter

    CoreCommitter.objects.filter(github_key="symbolist").update(user=plain_user)  # no change credited to them
    api_client.force_authenticate(plain_user)
    for name, real, made_up in [("environment", "production", "moon"), ("release", "release/verawood", "release/x"),
                                ("repository", "openedx/openedx-platform", "openedx/not-a-repo")]:
        answers = [api_client.get("/api/cc/v1/metrics/", {name: value}) for value in (real, made_up)]
        assert [answer.status_code for answer in answers] == [200, 200], name
        first, second = (answer.json() for answer in answers)
        first["filters"].pop(name), second["filters"].pop(name)
        assert first == second, name
        assert first["all_changes"]["deployed"] == 0
