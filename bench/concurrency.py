"""
50 different reports sent at the same time to one environment of the demo host on SQLite (its own server process,
a fresh database file): every answer must be 2xx (docs/decisions/0012; before it, 38 of 50 were 500 "database is
locked"); the time is recorded, with no target.
"""
import hashlib
import http.client
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-concurrency-secret"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _report(number):
    pr_number = 7000 + number % 10  # ten changes shared by the reports
    return json.dumps({
        "id": f"concurrent-{number}", "environment": "production", "deployed_at": "2026-11-25T10:00:00Z",
        "changes": [{"repository": "openedx/xblock", "pr_number": pr_number, "merge_sha": f"{pr_number:040x}",
                     "author": "alice", "merged_by": "bob", "merged_at": "2026-11-24T10:00:00Z"},
                    {"repository": "openedx/xblock", "pr_number": 9000 + number, "merge_sha": f"{9000 + number:040x}",
                     "author": "alice", "merged_by": "bob", "merged_at": "2026-11-24T10:00:00Z"}],
    }).encode()


RESENT = []  # reports sent again because the connection was reset before any answer


def _post(url, body):
    """
    POST one signed report; its HTTP status. ``runserver`` listens with a queue of 10 connections, so 50 clients
    connecting at the same instant can see a connection reset before Django reads the request; such a report is sent
    again (reports are idempotent: one that was recorded after all answers 200), and counted in ``RESENT``.
    """
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-CC-Signature-256": signature})
    for attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (ConnectionResetError, http.client.RemoteDisconnected):
            if attempt == 2:
                raise
            RESENT.append(body)
            time.sleep(0.1)
    raise AssertionError("unreachable")


def bench_sqlite_concurrency(count=50):
    RESENT.clear()
    with tempfile.TemporaryDirectory() as directory:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="host.settings", OPENEDX_CC_HOST_DB="sqlite",
                   OPENEDX_CC_HOST_SQLITE=str(Path(directory) / "demo.sqlite3"), OPENEDX_CC_WEBHOOK_SECRET=SECRET,
                   OPENEDX_CC_HOST_DEBUG="0")
        manage = [sys.executable, "manage.py"]
        subprocess.run(manage + ["migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        for switch in ("openedx_cc.enabled", "openedx_cc.record_deployments"):
            subprocess.run(manage + ["waffle_switch", switch, "on", "--create"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        port = _free_port()
        with open(Path(directory) / "server.log", "wb") as log:
            server = subprocess.Popen(manage + ["runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env,
                                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            try:
                for _ in range(600):
                    try:
                        socket.create_connection(("127.0.0.1", port), 0.2).close()
                        break
                    except OSError:
                        time.sleep(0.1)
                url = f"http://127.0.0.1:{port}/api/cc/v1/deployments/"
                bodies = [_report(n) for n in range(count)]
                start = time.perf_counter()
                with ThreadPoolExecutor(max_workers=count) as pool:
                    statuses = list(pool.map(lambda body: _post(url, body), bodies))
                elapsed = time.perf_counter() - start
            finally:
                server.terminate()
                server.wait(10)
    good = sum(1 for status in statuses if 200 <= status < 300)
    resent = f"; {len(RESENT)} sent again after a connection reset by runserver's listen queue" if RESENT else ""
    print(f"  {count} different reports at once to one environment of the demo host on SQLite: {good} answered 2xx "
          f"(target: all), in {elapsed:.1f} s{resent}")
    return good == count
