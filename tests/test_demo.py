"""
What a new user runs first: ``make help``, the quick ``make`` targets on a fresh clone, and ``make demo``
(``scripts/demo``) started twice -- seeded once, operator changes kept, the roster's events delivered at seeding, the
admin password kept in the state directory, and no defunct child process under the server.
"""
import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.contrib.auth import get_user_model

ROOT = Path(__file__).resolve().parent.parent


def _make(*args):
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def test_make_help_names_every_service_the_tests_start():
    services = next(line for line in _make("help").splitlines() if line.split()[0] == "services")
    assert "MariaDB" in services and "PostgreSQL" in services and "Redis" in services


@pytest.mark.parametrize("target", ["test-sqlite", "lint-imports", "lint-annotations", "check-migrations", "typecheck"])
def test_the_quick_targets_build_the_virtualenv_on_a_fresh_clone(target, tmp_path):
    venv = tmp_path / "venv"  # no virtualenv there, as on a fresh clone: the target must build it first
    dry_run = _make("-n", target, f"VENV={venv}")
    assert f"scripts/host-venv {venv} 3.12" in dry_run and "requirements/test.txt" in dry_run


@pytest.mark.django_db
def test_demo_admin_keeps_the_password_it_generated_once(tmp_path, capsys):
    password_file = tmp_path / "admin-password"
    call_command("demo_admin", "--password-file", str(password_file))
    user, password = capsys.readouterr().out.split()
    assert password_file.read_text().strip() == password
    assert password_file.stat().st_mode & 0o077 == 0
    admin = get_user_model().objects.get(username=user)
    assert admin.is_superuser and admin.check_password(password)
    admin.set_password("changed-by-the-operator")
    admin.save()

    call_command("demo_admin", "--password-file", str(password_file))  # a later start
    assert capsys.readouterr().out.split() == [user, password]
    admin.refresh_from_db()
    assert admin.check_password("changed-by-the-operator")  # the operator's change is kept

    password_file.unlink()  # the documented way to get a new password
    call_command("demo_admin", "--password-file", str(password_file))
    _user, new_password = capsys.readouterr().out.split()
    admin.refresh_from_db()
    assert new_password != password and admin.check_password(new_password)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _demo(state, log_name):
    """``scripts/demo`` running on a free port with its state in ``state``; yields (process, base URL, log path)."""
    port, log_path = _free_port(), state.parent / log_name
    env = dict(os.environ, DEMO_STATE_DIR=str(state), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with open(log_path, "w+", encoding="utf-8") as log:
        process = subprocess.Popen(["scripts/demo", str(port)], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    urllib.request.urlopen(base + "/admin/login/", timeout=2)
                    break
                except OSError:
                    assert process.poll() is None, log_path.read_text()[-3000:]
                    assert time.monotonic() < deadline, "the demo did not start: " + log_path.read_text()[-3000:]
                    time.sleep(0.5)
            yield process, base, log_path
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(20)


def _children_states(pid):
    out = subprocess.run(["ps", "-o", "stat=,args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def _query(state, sql):
    with contextlib.closing(sqlite3.connect(state / "db.sqlite3")) as db:
        return db.execute(sql).fetchall()


@pytest.mark.skipif(os.environ.get("OPENEDX_CC_TEST_DB", "sqlite") != "sqlite",
                    reason="the demo runs once, with the SQLite suite")
def test_the_demo_seeds_once_and_keeps_what_the_operator_changed(tmp_path):
    state = tmp_path / "demo"
    with _demo(state, "first.log") as (process, _base, log):
        assert not [c for c in _children_states(process.pid) if c.startswith("Z")], "a defunct child is left"
        printed = log.read_text()
        password = re.search(r"user: admin\s+password: (\S+)", printed).group(1)
        assert (state / "admin-password").read_text().strip() == password
        assert "Seeding the demo" in printed
        # The roster's ownership events were delivered at seeding, not left for a replay.
        assert _query(state, "SELECT COUNT(*) FROM openedx_cc_loggedevent WHERE event_type LIKE '%ownership%'")[0][0]
        assert _query(state, "SELECT COUNT(*) FROM openedx_cc_loggedevent WHERE sent_at IS NULL") == [(0,)]
        # Part of the history came as operators feed it without code: openedx-cc-report runs and GitHub deliveries.
        assert _query(state, "SELECT source, result, kind, COUNT(*) FROM openedx_cc_deployment "
                             "GROUP BY source, result, kind ORDER BY source, result, kind") == [
            ("github", "failure", "deploy", 1), ("github", "success", "deploy", 1),
            ("github", "success", "rollback", 1), ("report", "success", "deploy", 8),
            ("report", "success", "rollback", 1), ("reporter", "success", "deploy", 3)]
        assert _query(state, "SELECT status, COUNT(*) FROM openedx_cc_githubdelivery GROUP BY status") == [
            ("processed", 10)]
        assert _query(state, "SELECT COUNT(*) FROM openedx_cc_deployment WHERE missing != ''") == [(0,)]
    events = _query(state, "SELECT COUNT(*) FROM openedx_cc_loggedevent")

    # What an operator does between two starts: a switch off, with the command the README shows for the demo.
    env = dict(os.environ, DEMO_STATE_DIR=str(state))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(["scripts/demo-manage", "waffle_switch", "openedx_cc.notify", "off"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)

    with _demo(state, "second.log") as (process, _base, log):
        printed = log.read_text()
        assert "Seeding the demo" not in printed
        assert re.search(r"user: admin\s+password: (\S+)", printed).group(1) == password
        assert _query(state, "SELECT active FROM waffle_switch WHERE name = 'openedx_cc.notify'") == [(0,)]
        assert _query(state, "SELECT COUNT(*) FROM openedx_cc_loggedevent") == events  # nothing imported again
        assert not [c for c in _children_states(process.pid) if c.startswith("Z")], "a defunct child is left"


@pytest.mark.django_db
def test_the_readmes_audit_sample_is_what_the_demo_prints(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command, sample = re.search(r"```\n\$ scripts/demo-manage (cc_audit[^\n]*)\n(.*?)```", readme, re.S).groups()
    call_command("cc_import", str(ROOT / "host/demo_data/pilot-roster.yaml"), "--quiet-changes")
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_status:  # "needs action": status 1
        call_command(*command.split())
    assert exit_status.value.code == 1
    assert capsys.readouterr().out == sample
