"""
Property-based tests (hypothesis) of the parsing layer (docs/decisions/0012): whatever text reaches the REST filters,
the deployment report parser or the roster parser, the answer is a 400 (or a ``ValidationFailed`` naming a field) or a
success -- never a 5xx, never another exception.
"""
import json

import pytest
from django.test import Client
from edx_toggles.toggles.testutils import override_waffle_switch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.deployments.report import parse_report
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from openedx_cc.plugins.ownership.formats.roster import parse_roster
from openedx_cc.lib.toggles import ENABLED
from tests.plugins.deployments import helpers as h
from tests.plugins.github import builders as gh

pytestmark = pytest.mark.django_db
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
TEXT = st.text(st.characters(codec="utf-8"), max_size=60)
# Values that look like what the fields take, bent: datetimes of every range and offset, names with line breaks.
DATETIMES = st.builds(lambda year, month, day, offset: f"{year:04d}-{month:02d}-{day:02d}T00:00:00{offset}",
                      st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32),
                      st.sampled_from(["Z", "+01:00", "-23:59", "+24:00", "", "+00:00"]))
VALUES = st.one_of(TEXT, DATETIMES, st.sampled_from(["prod\n", "openedx\n/xblock", "a/b", "0" * 5000, "-1", "nan"]))


@pytest.fixture
def staff_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@SETTINGS
@given(path=st.sampled_from(["ownership/check/", "metrics/", "deployments/", "committers/", "repositories/",
                             "audit/"]),
       params=st.dictionaries(st.sampled_from(["user", "repository", "path", "branch", "at", "since", "until",
                                               "environment", "release", "kind", "days", "q", "status", "owner",
                                               "organization", "page", "page_size"]), VALUES, max_size=4))
def test_rest_filters_answer_400_or_success(staff_client, path, params):
    with override_waffle_switch(ENABLED, True):
        response = staff_client.get(f"/api/cc/v1/{path}", params)
    assert response.status_code in (200, 400, 404), (path, params, response.status_code)
    if response.status_code == 400:
        body = response.json()
        assert body.get("errors") or body.get("detail"), body


def _report_documents():
    change = st.fixed_dictionaries({
        "repository": VALUES, "pr_number": st.one_of(st.integers(-5, 2**40), VALUES), "merge_sha": VALUES,
        "merged_at": VALUES, "author": VALUES, "merged_by": VALUES, "title": VALUES, "body": VALUES,
        "paths": st.lists(VALUES, max_size=3),
    })
    return st.fixed_dictionaries({
        "id": VALUES, "environment": VALUES, "deployed_at": VALUES,
        "kind": st.sampled_from(["deploy", "rollback", "x"]), "changes": st.lists(change, max_size=3),
    })


@SETTINGS
@given(document=st.one_of(_report_documents(), st.binary(max_size=200)))
def test_the_report_parser_refuses_or_accepts(document):
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    try:
        parse_report(raw)
    except ValidationFailed as exc:
        assert exc.problems and all(problem.message for problem in exc.problems)


@SETTINGS
@given(document=_report_documents())
def test_signed_reports_answer_400_or_success(client, pilot, events_on, document):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        response = h.post(client, document)
    assert response.status_code in (200, 201, 400, 409), response.content[:500]


ROSTER_VALUES = st.recursive(st.one_of(VALUES, st.integers(), st.booleans(), st.none()),
                             lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(TEXT, inner, max_size=3)), max_leaves=10)


@SETTINGS
@given(committers=st.lists(st.dictionaries(st.sampled_from(["github", "name", "organization", "since", "until",
                                                             "repos", "rights", "agreements", "champions", "status"]),
                                           ROSTER_VALUES, max_size=6), max_size=3),
       text=st.one_of(st.none(), TEXT))
def test_the_roster_parser_refuses_or_accepts(committers, text):
    source = text if text is not None else json.dumps({"format": "openedx-cc-roster/v1", "committers": committers})
    try:
        parse_roster(source, filename="roster.yaml")
    except ValidationFailed as exc:
        assert exc.problems and all(problem.message for problem in exc.problems)


def _github_documents():
    """GitHub's example payloads with one field at any depth replaced by a value of any kind."""
    names = ["ping", "push", "push.with-new-branch", "pull_request.closed", "deployment", "deployment_status"]
    return st.tuples(st.sampled_from(names), st.lists(st.sampled_from(["repository", "pull_request", "deployment",
                                                                      "deployment_status", "commits", "head_commit",
                                                                      "merged", "merge_commit_sha", "sha", "before",
                                                                      "after", "state", "id", "created_at", "ref",
                                                                      "full_name", "user", "login", "payload"]),
                                                     min_size=1, max_size=3),
                     st.one_of(VALUES, st.integers(), st.none(), st.booleans(), st.lists(VALUES, max_size=2)))


def _bend(document, path, value):
    node = document
    for key in path[:-1]:
        child = node.get(key) if isinstance(node, dict) else None
        if not isinstance(child, dict):
            break
        node = child
    if isinstance(node, dict):
        node[path[-1]] = value
    return document


@pytest.mark.django_db(transaction=True)  # processing runs after each delivery's commit
@SETTINGS
@given(bent=_github_documents(), event=st.sampled_from(["ping", "push", "pull_request", "deployment",
                                                        "deployment_status", "issues"]),
       raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_signed_github_deliveries_never_answer_5xx(client, pilot, events_on, bent, event, raw):
    name, path, value = bent
    document = _bend(gh.real(name), path, value)
    if name == "pull_request.closed" and isinstance(document.get("pull_request"), dict):
        document["pull_request"]["merged"] = True
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        response = gh.deliver(client, event, document, raw=raw)
    assert response.status_code in (200, 202), response.content[:500]
    answer = response.json()
    assert answer["status"] != "pending"  # processed in the process
    # a failure names what is wrong with the payload; any other exception would be a bug of the intake
    assert answer["status"] != "failed" or answer["detail"].startswith("invalid payload: "), answer
