"""
``cc_export_deployments --format devlake``: the recorded deployments as Apache DevLake's deployment webhook takes
them, one JSON document per line (docs/reference/cli.rst).
"""
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments import api
from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS
from tests.plugins.deployments import helpers as h

pytestmark = pytest.mark.django_db(transaction=True)
PLATFORM = "openedx/openedx-platform"


@pytest.fixture
def recording(events_on):
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        yield


def export(*args):
    out = io.StringIO()
    call_command("cc_export_deployments", "--format", "devlake", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_deployment_is_one_line_as_devlake_takes_it(pilot, recording):
    one = h.change(pr_number=1, title="feat: one")
    api.record_deployment(h.report("stage-1", environment="staging", deployed_at="2026-11-24T10:00:00Z",
                                   changes=[one]))
    api.record_deployment(h.report("prod-1", changes=[one], release="release/verawood",
                                   direct_pushes=[{"repository": PLATFORM, "sha": h.sha("dp"), "title": "Bump"}]))
    api.record_deployment(h.report("prod-attempt", result="failure", deployed_at="2026-11-25T11:00:00Z"))
    api.record_deployment(h.report("prod-back", kind="rollback", rolls_back=["prod-1"],
                                   deployed_at="2026-11-25T12:00:00Z", heads={PLATFORM: h.sha("base")}))
    api.record_deployment(h.report("qa-1", environment="qa-east", deployed_at="2026-11-26T10:00:00Z"))
    lines = export()
    assert [line["id"] for line in lines] == ["stage-1", "prod-1", "prod-attempt", "prod-back", "qa-1"]
    stage, prod, attempt, back, qa = lines
    assert (stage["environment"], prod["environment"], qa["environment"]) == ("STAGING", "PRODUCTION", "TESTING")
    assert (prod["result"], attempt["result"]) == ("SUCCESS", "FAILURE")
    assert prod["startedDate"] == prod["finishedDate"] == "2026-11-25T10:00:00Z"
    assert prod["deploymentCommits"] == [
        {"repoUrl": f"https://github.com/{PLATFORM}", "commitSha": one["merge_sha"], "commitMsg": "feat: one",
         "refName": "release/verawood"},
        {"repoUrl": f"https://github.com/{PLATFORM}", "commitSha": h.sha("dp"), "commitMsg": "Bump",
         "refName": "release/verawood"},
    ]
    # a rollback brings no change: the commit it put back is its head
    assert [c["commitSha"] for c in back["deploymentCommits"]] == [h.sha("base")]
    assert attempt["deploymentCommits"] == []
    assert [line["id"] for line in export("--since", "2026-11-25T11:30:00Z")] == ["prod-back", "qa-1"]


def test_the_export_reads_a_fixed_number_of_queries(pilot, recording):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            export()
        return len(captured)

    api.record_deployment(h.report("d-1", changes=[h.change(pr_number=1)]))
    few = queries()
    for n in range(2, 12):
        api.record_deployment(h.report(f"d-{n}", deployed_at=f"2026-11-25T{n:02d}:00:00Z",
                                       changes=[h.change(pr_number=n * 10), h.change(pr_number=n * 10 + 1)]))
    assert queries() == few


def test_bad_options_are_refused(db):
    with pytest.raises(CommandError, match="--since"):
        export("--since", "yesterday")
    with pytest.raises(CommandError):
        call_command("cc_export_deployments", "--format", "four-keys", stdout=io.StringIO())
    assert api.devlake_deployments() is not None and export() == []
