"""
Reads over deployments, presences and reverts cost in proportion to the rows they touch (docs/decisions/0012): no stored
answer of a deployment is decoded once per presence, and the admin pages over big tables show one page of rows,
without counting the whole table twice. The admin is tested over 10,000-row tables.
"""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.plugins.deployments.models import Change, DeployedChange, Deployment, DeploymentSpan, Presence
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.notifications.models import NotificationLog
from tests.conftest import utc
from tests.plugins.deployments import helpers as h

pytestmark = pytest.mark.django_db
ROWS = 10_000
RESULT_COLUMN = re.compile(r'SELECT .*["`]openedx_cc_deployment["`]\.["`]answer["`]', re.S)


@pytest.fixture
def recording(events_on):
    from edx_toggles.toggles.testutils import override_waffle_switch

    from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS

    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        yield


def test_a_rollback_never_loads_the_answers_of_the_deployments_it_rolls_back(client, pilot, recording):
    changes = [h.change(pr_number=1000 + n, merge_sha=h.sha(1000 + n), body="x" * 2000) for n in range(200)]
    assert h.post(client, h.report("big", changes=changes)).status_code == 201
    assert len(Deployment.objects.get(report_id="big").answer["changes"]) == 200  # a large stored answer
    with CaptureQueriesContext(connection) as queries:
        response = h.post(client, h.report("rb", kind="rollback", rolls_back=["big"],
                                           deployed_at="2026-11-25T12:00:00Z"))
    assert response.status_code == 201, response.content
    assert Presence.objects.filter(present=False).count() == 200
    answers_read = [q["sql"] for q in queries.captured_queries if RESULT_COLUMN.search(q["sql"])]
    assert len(answers_read) <= 1, answers_read  # the idempotency check of the rollback's own id, nothing per row
    assert not [sql for sql in answers_read if "openedx_cc_presence" in sql]


@pytest.fixture
def ten_thousand_rows(db):
    """One deployment of 10,000 changes with its presences and spans, 10,000 logged events and notifications."""
    at = utc(2026, 11, 25, 10)
    deployment = Deployment.objects.create(report_id="huge", environment="production", deployed_at=at,
                                           body_sha256="0" * 64, answer={"changes": [{"n": n} for n in range(ROWS)]})
    changes = Change.objects.bulk_create(
        Change(repository="openedx/xblock", repository_key="openedx/xblock", pr_number=n, change_key=f"x#{n}",
               title=f"change {n}", body="b" * 500, merge_sha=f"{n:040x}", author="alice", merged_by="bob",
               merged_at=at - timedelta(hours=1)) for n in range(1, ROWS + 1)
    )
    DeployedChange.objects.bulk_create(DeployedChange(deployment=deployment, change=c) for c in changes)
    Presence.objects.bulk_create(Presence(change=c, environment="production", deployed_by=deployment) for c in changes)
    DeploymentSpan.objects.bulk_create(
        DeploymentSpan(change=c, environment="production", deployed_by=deployment, deployed_at=at,
                       repository_key="openedx/xblock") for c in changes)
    LoggedEvent.objects.bulk_create(
        LoggedEvent(event_id=f"00000000-0000-0000-0000-{n:012d}", event_type="org.openedx.core_committer.test.v1",
                    metadata={}, data={}, recorded_at=at) for n in range(ROWS))
    NotificationLog.objects.bulk_create(
        NotificationLog(kind="change_reverted", recipient=f"cc{n}@example.org", recipient_role="cc",
                        dedupe_key=f"k{n}", subject="s", status="sent") for n in range(ROWS))
    return deployment


def _rows_shown(response):
    return len(re.findall(r'<th class="field-', response.content.decode()))


def test_the_admin_over_ten_thousand_row_tables(admin_client, ten_thousand_rows):
    """
    Each list shows one page of 100 rows in a bounded number of queries, counts the table at most once, and never
    reads a deployment's stored answer; a deployment of 10,000 changes links to them instead of inlining them.
    """
    for path in ["/admin/openedx_cc/deployment/", "/admin/openedx_cc/change/", "/admin/openedx_cc/presence/",
                 "/admin/openedx_cc/loggedevent/", "/admin/openedx_cc/notificationlog/"]:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(path)
        assert response.status_code == 200, path
        assert _rows_shown(response) == (1 if path.endswith("/deployment/") else 100), path
        sqls = [q["sql"] for q in queries.captured_queries]
        assert len(sqls) <= 20, (path, [sql[:120] for sql in sqls])
        assert len([sql for sql in sqls if "COUNT(" in sql.upper()]) <= 1, path  # no second count of the table
        assert not [sql for sql in sqls if RESULT_COLUMN.search(sql)], path

    response = admin_client.get(f"/admin/openedx_cc/deployment/{ten_thousand_rows.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    link = f"/admin/openedx_cc/change/?deployments__id__exact={ten_thousand_rows.pk}"
    assert link.replace("&", "&amp;") in page and "10000 changes" in page
    assert "change 9999<" not in page  # the changes are not inlined
    assert _rows_shown(admin_client.get(link)) == 100
    assert _rows_shown(admin_client.get("/admin/openedx_cc/change/?deployments__id__exact=999999")) == 0


def test_a_rollback_closes_its_presences_and_spans_in_a_few_statements(client, pilot, recording):
    """Django's bulk_update built one CASE per row and field: a rollback of 1,000 changes took 3.8 s of it."""
    changes = [h.change(pr_number=3000 + n, merge_sha=h.sha(3000 + n)) for n in range(1200)]
    assert h.post(client, h.report("many", changes=changes)).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert h.post(client, h.report("rb-many", kind="rollback", rolls_back=["many"],
                                       deployed_at="2026-11-25T12:00:00Z")).status_code == 201
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len([sql for sql in updates if "openedx_cc_presence" in sql]) == 3  # 1,200 ids, 500 a statement
    assert len([sql for sql in updates if "openedx_cc_deploymentspan" in sql]) == 3
    assert not [sql for sql in updates if "CASE WHEN" in sql.upper()]
    assert Presence.objects.filter(present=False, removed_kind="rollback").count() == 1200
    assert DeploymentSpan.objects.filter(removed_kind="rollback", removed_at__isnull=False,
                                         seconds_to_removal=2 * 3600).count() == 1200
