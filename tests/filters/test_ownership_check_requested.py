"""
``OwnershipCheckRequested``: every ownership check (REST, Python API, the attribution of deployed changes) runs the
configured steps; a step may refuse a grant or add reasons, never grant, and a failing step refuses.
"""
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from openedx_cc.filters import OwnershipCheckRequested
from openedx_cc.plugins.ownership import api
from tests.filters import steps

FILTER = "org.openedx.core_committer.ownership.check.requested.v1"
CHECK = "/api/cc/v1/ownership/check/"
STEPS = "tests.filters.steps."


def configured(*names, fail_silently=True, **extra):
    return override_settings(OPEN_EDX_FILTERS_CONFIG={
        FILTER: {"pipeline": [STEPS + name for name in names], "fail_silently": fail_silently, **extra},
    })


@pytest.fixture
def as_user(api_client, plain_user, enabled):
    api_client.force_authenticate(plain_user)
    return api_client


def test_the_filter_type_and_exception_are_those_of_the_contract():
    assert OwnershipCheckRequested.filter_type == FILTER
    assert issubclass(OwnershipCheckRequested.PreventOwnershipGrant, Exception)
    assert "openedx_filters" in OwnershipCheckRequested.__mro__[1].__module__


@pytest.mark.django_db
def test_a_step_gets_the_check_once_the_set_has_decided(pilot):
    steps.seen.clear()
    with configured("Record", log_level="debug"):
        result = api.check_ownership("BradenMacDonald", "edx/edx-platform", path="lms/urls.py")
    assert result.allowed
    (check,) = steps.seen
    assert check["user"] == "bradenmacdonald" and check["repository"] == "openedx/openedx-platform"
    assert check["path"] == "lms/urls.py" and check["paths"] == ["lms/urls.py"]
    assert check["at"] == result.at.isoformat() and check["allowed"] is True
    assert check["reasons"] == list(result.reasons)
    assert check["filter_type"] == FILTER and check["extra_config"] == {"log_level": "debug"}


@pytest.mark.django_db
def test_a_step_adds_reasons_to_a_grant_and_to_a_refusal(pilot):
    with configured("AddReason"):
        yes = api.check_ownership("bradenmacdonald", "openedx/openedx-platform")
        no = api.check_ownership("regisb", "openedx/xblock")
    assert yes.allowed and yes.reasons[-1].startswith("checked by the fixture step at ")
    assert not no.allowed and no.reasons[-1].startswith("checked by the fixture step at ")
    assert len(yes.reasons) >= 2 and len(no.reasons) >= 2


@pytest.mark.django_db
def test_a_veto_turns_a_grant_into_a_refusal_shown_in_the_rest_reasons(pilot, as_user):
    with configured("VetoPlatform"):
        body = as_user.get(CHECK, {"user": "bradenmacdonald", "repository": "edx/edx-platform"}).json()
        other = api.check_ownership("omarithawi", "openedx/edx-ace")
    assert body["allowed"] is False
    assert body["reasons"][0] == ("refused by the ownership-check filter step tests.filters.steps.VetoPlatform: "
                                  "the platform is frozen this week")
    assert other.allowed


@pytest.mark.django_db
@pytest.mark.parametrize("fail_silently", [True, False])
def test_a_step_that_raises_refuses_naming_the_step_and_is_logged(pilot, caplog, fail_silently):
    with configured("Broken", "Grant", fail_silently=fail_silently), caplog.at_level(logging.ERROR, "openedx_cc"):
        result = api.check_ownership("bradenmacdonald", "openedx/openedx-platform")
    assert not result.allowed
    assert "tests.filters.steps.Broken failed (ValueError: the fixture step is broken)" in result.reasons[0]
    assert "granted by the fixture step" not in result.reasons
    assert any("tests.filters.steps.Broken" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_a_step_that_cannot_be_imported_refuses(pilot):
    with configured("Missing"):
        result = api.check_ownership("bradenmacdonald", "openedx/openedx-platform")
    assert not result.allowed and "tests.filters.steps.Missing failed (ImportError" in result.reasons[0]


@pytest.mark.django_db
@pytest.mark.parametrize("name, problem", [
    ("WrongShape", "returned list instead of a dict"),
    ("WrongReasons", "returned reasons that are not a list of strings"),
])
def test_a_step_returning_the_wrong_shape_refuses_naming_the_step_and_is_logged(pilot, caplog, name, problem):
    with configured(name), caplog.at_level(logging.ERROR, "openedx_cc"):
        result = api.check_ownership("bradenmacdonald", "openedx/openedx-platform")
    assert not result.allowed
    assert result.reasons[0].startswith(f"the ownership-check filter step tests.filters.steps.{name} {problem}")
    assert any(f"tests.filters.steps.{name}" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_a_step_cannot_grant_a_refusal(pilot, caplog):
    with configured("Grant"), caplog.at_level(logging.WARNING, "openedx_cc"):
        result = api.check_ownership("regisb", "openedx/xblock")
        many = api.check_ownership_many([api.ScopeQuestion(github_username="regisb", repository="openedx/xblock")])
    assert not result.allowed and not many[0].allowed
    assert "tried to grant" in caplog.text


@pytest.mark.django_db
def test_a_step_returning_allowed_false_refuses_naming_the_step(pilot):
    with configured("Refuse"):
        result = api.check_ownership("bradenmacdonald", "openedx/openedx-platform")
    assert not result.allowed
    assert result.reasons[0] == "refused by the ownership-check filter step tests.filters.steps.Refuse"


@pytest.mark.django_db
def test_the_batch_check_runs_it_with_each_questions_paths(pilot):
    steps.seen.clear()
    questions = [
        api.ScopeQuestion(github_username="bradenmacdonald", repository="openedx/openedx-platform",
                          paths=("lms/a.py", "cms/b.py")),
        api.ScopeQuestion(github_username="omarithawi", repository="openedx/edx-ace"),
    ]
    with configured("Record", "VetoPlatform"):
        platform, ace = api.check_ownership_many(questions)
    assert not platform.allowed and "the platform is frozen this week" in platform.reasons[0]
    assert ace.allowed
    assert [(c["path"], c["paths"]) for c in steps.seen] == [(None, ["lms/a.py", "cms/b.py"]), (None, [])]


@pytest.mark.django_db
def test_registry_listings_do_not_run_it(pilot, as_user, staff_user, api_client):
    steps.seen.clear()
    with configured("Record", "VetoPlatform"):
        committers = as_user.get("/api/cc/v1/committers/")
        repository = as_user.get("/api/cc/v1/repositories/openedx/openedx-platform/")
        as_user.force_authenticate(staff_user)
        audit = as_user.get("/api/cc/v1/audit/")
    assert (committers.status_code, repository.status_code, audit.status_code) == (200, 200, 200)
    assert "bradenmacdonald" in [c["github_username"] for c in repository.json()["effective_committers"]]
    assert steps.seen == []


@pytest.mark.django_db
def test_no_step_configured_costs_no_query_and_changes_nothing(pilot):
    plain = api.check_ownership("bradenmacdonald", "openedx/openedx-platform")
    with CaptureQueriesContext(connection) as without:
        api.check_ownership("bradenmacdonald", "openedx/openedx-platform")
    for config in ({}, {FILTER: {"pipeline": []}}, {"org.openedx.learning.other.v1": ["x.Y"]}):
        with override_settings(OPEN_EDX_FILTERS_CONFIG=config), CaptureQueriesContext(connection) as queries:
            again = api.check_ownership("bradenmacdonald", "openedx/openedx-platform")
        assert len(queries) == len(without)
        assert (again.allowed, again.reasons) == (plain.allowed, plain.reasons)


@pytest.fixture
def recording(events_on):
    from edx_toggles.toggles.testutils import override_waffle_switch

    from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS

    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        yield


@pytest.mark.django_db(transaction=True)
def test_the_attribution_of_a_deployed_change_runs_it(client, pilot, recording):
    from tests.plugins.deployments import helpers as h

    document = h.report(changes=[
        h.change(pr_number=36001, merged_by="bradenmacdonald", author="some-contributor"),
        h.change(pr_number=36002, merged_by="omarithawi", author="omarithawi", repository="openedx/edx-ace"),
    ])
    with configured("VetoPlatform"):
        response = h.post(client, document)
    assert response.status_code == 201, response.content
    platform, ace = response.json()["changes"]
    assert (platform["cc_change"], platform["core_committer"]) == (False, None)
    assert "the platform is frozen this week" in platform["attribution"]
    assert (ace["cc_change"], ace["core_committer"]) == (True, "omarithawi")
