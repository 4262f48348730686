"""
The demo's database under concurrent reports (docs/decisions/0012): on SQLite, 16 of 50 identical reports and 38 of 50
different ones to one environment were answered 500 "database is locked". The demo host runs SQLite with WAL, a busy
timeout and immediate transactions, and the ingest takes SQLite's busy error for a lost race: every report is
answered 2xx, and the data stays consistent.
"""
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.servers import ROOT, HostServer, manage

pytestmark = pytest.mark.integration
SECRET = "sqlite-concurrency-secret"
REPORTS = 24


def _report(number, environment="production"):
    pr_number = 5000 + number % 6  # six changes shared by the reports
    return json.dumps({
        "id": f"concurrent-{number}", "environment": environment, "deployed_at": "2026-11-25T10:00:00Z",
        "changes": [{"repository": "openedx/xblock", "pr_number": pr_number, "merge_sha": f"{pr_number:040x}",
                     "author": "alice", "merged_by": "bob", "merged_at": "2026-11-24T10:00:00Z"}],
    }).encode()


def _post(server, body):
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(server.url + "/api/cc/v1/deployments/", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-CC-Signature-256": signature})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_concurrent_reports_on_the_demo_sqlite_are_all_recorded(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENEDX_CC_HOST_DB="sqlite",
               OPENEDX_CC_HOST_SQLITE=str(tmp_path / "demo.sqlite3"), OPENEDX_CC_WEBHOOK_SECRET=SECRET,
               OPENEDX_CC_HOST_DEBUG="0")
    assert manage("host.settings", env, "migrate", "--noinput", "-v", "0").returncode == 0
    for switch in ("openedx_cc.enabled", "openedx_cc.record_deployments"):
        assert manage("host.settings", env, "waffle_switch", switch, "on", "--create").returncode == 0
    server = HostServer("host.settings", env, tmp_path / "server.log")
    server.start()
    try:
        bodies = [_report(n) for n in range(REPORTS)] + [_report(0)] * 4  # different reports, and one sent 5 times
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(lambda body: _post(server, body), bodies))
    finally:
        server.stop()
    assert all(status in (200, 201) for status in statuses), (statuses, (tmp_path / "server.log").read_text()[-3000:])
    assert statuses.count(201) == REPORTS
    counted = manage("host.settings", env, "shell", "-c",
                     "from openedx_cc.plugins.deployments.models import Deployment, Change, Presence;"
                     "print(Deployment.objects.count(), Change.objects.count(),"
                     " Presence.objects.filter(present=True).count())")
    assert counted.stdout.split()[-3:] == [str(REPORTS), "6", "6"], counted.stdout + counted.stderr
