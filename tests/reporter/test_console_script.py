"""
The reporter as a CD pipeline runs it: a process of its own (``python -m openedx_cc.reporter``, what the
``openedx-cc-report`` console script runs), with no Django settings, against a local stand-in service.
"""
import json
import os
import subprocess
import sys

import pytest

from tests.reporter.gitrepo import ROOT
from tests.reporter.service import SECRET, Answer, heads_answer


def _environment(**extra):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OPENEDX_CC_"))}
    return {**environ, "PYTHONPATH": str(ROOT), **extra}


def _report(*argv, **extra):
    return subprocess.run([sys.executable, "-m", "openedx_cc.reporter", *argv], capture_output=True, text=True,
                          env=_environment(**extra), cwd=ROOT, timeout=60)


@pytest.fixture
def deployed(repo):
    repo.previous = repo.head()
    repo.commit("feat: a feature (#21)", {"src/a.py": "1\n"}, author=("Dev", "7+dev@users.noreply.github.com"))
    repo.commit("Bump version")
    repo.spec = f"{repo.path}=openedx/demo"
    return repo


def test_importing_the_reporter_loads_neither_django_nor_the_plugin():
    code = ("import sys, openedx_cc.reporter.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('django', 'rest_framework', 'edx_django_utils', 'openedx_events') or (m.startswith('openedx_cc.') "
            "and not m.startswith('openedx_cc.reporter'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_environment(),
                            check=True)
    assert result.stdout.strip() == "[]"


def test_help():
    result = _report("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: openedx-cc-report --environment ENV --repo PATH[=owner/name]")


def test_a_report_sent_by_the_console_script(deployed, service):
    service.answer(heads_answer(), Answer(201, {"id": "reporter:production:x", "changes": [{"pr_number": 21}]}))
    result = _report("--environment", "production", "--repo", deployed.spec, "--from", deployed.previous,
                     OPENEDX_CC_URL=service.url, OPENEDX_CC_WEBHOOK_SECRET=SECRET)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"id": "reporter:production:x", "changes": [{"pr_number": 21}]}
    heads, request = service.requests
    assert heads.method == "GET" and heads.signed_with(SECRET, heads.path.encode())
    assert request.signed_with(SECRET)
    report = json.loads(request.body)
    assert [(c["pr_number"], c["author"]) for c in report["changes"]] == [(21, "dev")]
    assert "direct push" in result.stderr and "{" not in result.stderr


def test_the_console_script_prints_the_servers_errors(deployed, service):
    service.answer(heads_answer(), Answer(400, {"errors": [{"field": "changes[0].merged_by", "message": "required"}]}))
    result = _report("--environment", "production", "--repo", deployed.spec, "--from", deployed.previous,
                     OPENEDX_CC_URL=service.url, OPENEDX_CC_WEBHOOK_SECRET=SECRET)
    assert result.returncode == 1
    assert json.loads(result.stdout) == {"errors": [{"field": "changes[0].merged_by", "message": "required"}]}
    assert "error: changes[0].merged_by: required" in result.stderr


def test_the_console_script_dry_run_and_usage_errors(deployed):
    dry = _report("--environment", "production", "--repo", deployed.spec, "--from", deployed.previous, "--dry-run")
    assert dry.returncode == 0 and json.loads(dry.stdout)["changes"][0]["pr_number"] == 21
    unknown = _report("--environment", "production", "--repo", deployed.spec, "--from", "v9.9.9", "--dry-run")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert "unknown ref 'v9.9.9'" in unknown.stderr
    unsigned = _report("--environment", "production", "--repo", deployed.spec, "--from", deployed.previous,
                       OPENEDX_CC_URL="http://127.0.0.1:9")
    assert unsigned.returncode == 2 and "OPENEDX_CC_WEBHOOK_SECRET is not set" in unsigned.stderr
