"""
The Tutor plugin (tutor-contrib-openedx-cc/), with the real Tutor from PyPI and no Docker: ``tutor config save``
renders the environment in a temporary Tutor root, and the tests read what it rendered (image requirements, LMS and
CMS settings, the init task). ``tutor local do`` runs through a stand-in ``docker`` that records the job it was
given (tests/tutor/fake_docker); the init task's script is then run for real against a host database.

Tutor lives in its own virtualenv (``make tutor-requirements``); ``OPENEDX_CC_TUTOR`` names its ``tutor``.
"""
import ast
import copy
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import openedx_cc
from openedx_cc.settings.common import EVENT_BUS_PRODUCER_CONFIG

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CONTRACT_SWITCHES = ["openedx_cc.enabled", "openedx_cc.record_deployments", "openedx_cc.emit_events",
                     "openedx_cc.notify", "openedx_cc.share_with_hub", "openedx_cc.hub"]
SETTINGS_BLOCK = re.compile(r"# openedx-cc settings \(tutor-contrib-openedx-cc\) begin\n(.*?)"
                            r"# openedx-cc settings \(tutor-contrib-openedx-cc\) end", re.S)


@pytest.fixture(scope="module")
def tutor_bin():
    path = os.environ.get("OPENEDX_CC_TUTOR", "")
    if not path or not os.path.exists(path):
        if os.environ.get("CI"):
            pytest.fail("OPENEDX_CC_TUTOR does not name Tutor's executable (make tutor-requirements)")
        pytest.skip("Tutor is not installed here: run make tutor-requirements and set OPENEDX_CC_TUTOR")
    return path


class Tutor:
    """The ``tutor`` command in one Tutor root, with the stand-in docker first on PATH."""

    def __init__(self, executable, root):
        self.executable, self.root = executable, Path(root)
        self.docker_log = self.root / "docker-calls"
        fake_bin = self.root / "fake-bin"
        fake_bin.mkdir(parents=True, exist_ok=True)
        (fake_bin / "docker").symlink_to(HERE / "fake_docker")
        self.env = dict(os.environ, TUTOR_ROOT=str(self.root), FAKE_DOCKER_LOG=str(self.docker_log),
                        PATH=f"{fake_bin}{os.pathsep}{os.environ['PATH']}")

    def __call__(self, *args, check=True):
        result = subprocess.run([self.executable, *args], env=self.env, capture_output=True, text=True,
                                timeout=300, check=False)
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def jobs(self):
        """``(service, script)`` of each ``docker compose run ... SERVICE sh -e -c SCRIPT`` call made so far."""
        if not self.docker_log.exists():
            return []
        calls = [entry.split("\0") for entry in self.docker_log.read_text().split("\0\n") if entry]
        return [(call[-5], call[-1]) for call in calls if "run" in call and call[-4:-1] == ["sh", "-e", "-c"]]

    def config(self):
        return yaml.safe_load((self.root / "config.yml").read_text())

    def rendered(self, *parts):
        return (self.root / "env").joinpath(*parts).read_text()


@pytest.fixture
def tutor(tutor_bin, tmp_path):
    tutor = Tutor(tutor_bin, tmp_path / "tutor-root")
    tutor("plugins", "enable", "openedx-cc")
    tutor("config", "save", "--set", 'OPENEDX_CC_OPERATOR_EMAILS=["ops@example.org"]')
    return tutor


def _settings(tutor, service, host_bus_config):
    """Run the openedx-cc block of a rendered settings file over a host's EVENT_BUS_PRODUCER_CONFIG."""
    text = tutor.rendered("apps", "openedx", "settings", service, "production.py")
    blocks = SETTINGS_BLOCK.findall(text)
    assert len(blocks) == 1, text
    namespace = {"EVENT_BUS_PRODUCER_CONFIG": copy.deepcopy(host_bus_config)}
    exec(blocks[0], namespace)
    return namespace


def test_the_plugin_is_enabled(tutor):
    assert "openedx-cc" in tutor.config()["PLUGINS"]


def test_the_image_installs_this_release_of_openedx_cc(tutor):
    dockerfile = tutor.rendered("build", "openedx", "Dockerfile")
    assert f"$PIP_COMMAND install openedx-cc=={openedx_cc.__version__}\n" in dockerfile
    # after the platform's own requirements, so that they are what pip resolves against
    assert dockerfile.index("requirements/edx/base.txt") < dockerfile.index("openedx-cc==")


def test_the_pip_requirement_is_one_shell_word(tutor):
    tutor("config", "save", "--set", "OPENEDX_CC_PIP_REQUIREMENT=openedx-cc==0.1.0 $(touch /tmp/x)")
    dockerfile = tutor.rendered("build", "openedx", "Dockerfile")
    assert "$PIP_COMMAND install 'openedx-cc==0.1.0 $(touch /tmp/x)'\n" in dockerfile


@pytest.mark.parametrize("service", ["lms", "cms"])
def test_lms_and_cms_settings(tutor, service):
    host_entry = {"org.openedx.learning.course.catalog.info.changed.v1": {"course-catalog-info-changed": {
        "event_key_field": "catalog_info.course_key", "enabled": True}}}
    config = tutor.config()
    namespace = _settings(tutor, service, host_entry)
    assert namespace["OPENEDX_CC_WEBHOOK_SECRET"] == config["OPENEDX_CC_WEBHOOK_SECRET"]
    assert namespace["OPENEDX_CC_GITHUB_WEBHOOK_SECRET"] == config["OPENEDX_CC_GITHUB_WEBHOOK_SECRET"]
    assert len(config["OPENEDX_CC_WEBHOOK_SECRET"]) >= 40
    assert config["OPENEDX_CC_WEBHOOK_SECRET"] != config["OPENEDX_CC_GITHUB_WEBHOOK_SECRET"]
    assert namespace["OPENEDX_CC_OPERATOR_EMAILS"] == ["ops@example.org"]
    assert namespace["OPENEDX_CC_REPOSITORY_ALIASES"] == {}
    assert namespace["OPENEDX_CC_HUB"] is None and namespace["OPENEDX_CC_HUB_ENVIRONMENT_CLASSES"] == {}
    bus = namespace["EVENT_BUS_PRODUCER_CONFIG"]
    # the set's entries, exactly as the package's plugin settings declare them, and disabled
    assert {key: bus[key] for key in EVENT_BUS_PRODUCER_CONFIG} == EVENT_BUS_PRODUCER_CONFIG
    assert all(not topic["enabled"] for key in EVENT_BUS_PRODUCER_CONFIG for topic in bus[key].values())
    assert bus["org.openedx.learning.course.catalog.info.changed.v1"] == host_entry[
        "org.openedx.learning.course.catalog.info.changed.v1"]


def test_secrets_are_generated_once(tutor):
    before = tutor.config()
    tutor("config", "save")
    after = tutor.config()
    assert after["OPENEDX_CC_WEBHOOK_SECRET"] == before["OPENEDX_CC_WEBHOOK_SECRET"]
    assert after["OPENEDX_CC_GITHUB_WEBHOOK_SECRET"] == before["OPENEDX_CC_GITHUB_WEBHOOK_SECRET"]


def test_the_event_bus_can_be_turned_on(tutor):
    tutor("config", "save", "--set", "OPENEDX_CC_EVENT_BUS_ENABLED=true")
    bus = _settings(tutor, "lms", {})["EVENT_BUS_PRODUCER_CONFIG"]
    assert all(topic["enabled"] for key in EVENT_BUS_PRODUCER_CONFIG for topic in bus[key].values())


def test_an_invalid_operator_email_is_refused_with_its_key_and_value(tutor):
    result = tutor("config", "save", "--set", 'OPENEDX_CC_OPERATOR_EMAILS=["ops@example.org", "not-an-address"]',
                   check=False)
    assert result.returncode != 0
    assert "OPENEDX_CC_OPERATOR_EMAILS[1] is 'not-an-address', which is not an email address" in (
        result.stdout + result.stderr)


@pytest.mark.parametrize("key, value, message", [
    ("OPENEDX_CC_OPERATOR_EMAILS", '"ops@example.org"', "OPENEDX_CC_OPERATOR_EMAILS must be a list"),
    ("OPENEDX_CC_REPOSITORY_ALIASES", '{"a/b": null}', "OPENEDX_CC_REPOSITORY_ALIASES: 'a/b': None is not"),
    ("OPENEDX_CC_REPOSITORY_ALIASES", '["a/b"]', "OPENEDX_CC_REPOSITORY_ALIASES must be a mapping"),
    ("OPENEDX_CC_EVENT_BUS_ENABLED", "maybe", "OPENEDX_CC_EVENT_BUS_ENABLED must be true or false, not 'maybe'"),
])
def test_values_the_settings_cannot_hold_are_refused(tutor, key, value, message):
    result = tutor("config", "save", "--set", f"{key}={value}", check=False)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def test_python_literals_reach_the_settings(tutor):
    tutor("config", "save", "--set", 'OPENEDX_CC_REPOSITORY_ALIASES={"myorg/old": "myorg/new"}',
          "--set", "OPENEDX_CC_EVENT_BUS_ENABLED=true")
    namespace = _settings(tutor, "cms", {})
    assert namespace["OPENEDX_CC_REPOSITORY_ALIASES"] == {"myorg/old": "myorg/new"}
    assert namespace["EVENT_BUS_PRODUCER_CONFIG"]["org.openedx.core_committer.change.deployed.v1"][
        "core-committer-change-lifecycle"]["enabled"] is True


def _rules():
    """The plugin's configuration rules (they need neither Tutor nor Django)."""
    spec = importlib.util.spec_from_file_location(
        "tutor_openedx_cc_rules", ROOT / "tutor-contrib-openedx-cc" / "tutor_openedx_cc" / "rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("address", [
    "ops@example.org", "first.last+cc@sub.example.co.uk", "a,b@example.org", "x@localhost.x", "x@localhost",
    "no-at-sign", "two@@example.org", "sp ace@example.org", "x@-example.org", "x@example", "\"q\"@example.org",
    "o'brien@example.org", "x@[127.0.0.1]", "x@example.org.", ".x@example.org", "x.@example.org",
])
def test_every_address_tutor_accepts_passes_the_packages_check(address):
    """Tutor's rule is the narrower one: nothing it accepts fails openedx_cc.E004 in LMS."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if _rules().is_email_address(address):
        try:
            validate_email(address)
        except ValidationError:
            pytest.fail(f"Tutor accepts {address!r}, which the package's check refuses")


def test_the_usual_addresses_pass_tutors_rule():
    assert all(map(_rules().is_email_address, ["ops@example.org", "first.last+cc@sub.example.co.uk"]))


def _declared_switches():
    """Every switch the package declares (the ``.. toggle_name:`` annotations of openedx_cc/)."""
    names = set()
    for path in (ROOT / "openedx_cc").rglob("*.py"):
        names.update(re.findall(r"#\s*\.\. toggle_name:\s*(\S+)", path.read_text()))
    return names


def test_the_init_task_is_rendered_with_every_switch(tutor):
    task = tutor.rendered("plugins", "openedx-cc", "tasks", "lms", "init")
    assert "./manage.py lms migrate openedx_cc" in task
    listed = ast.literal_eval(re.search(r"for name in (\[.*?\]):", task).group(1))
    assert listed == CONTRACT_SWITCHES
    assert _declared_switches() <= set(listed)


def _run_job_against_the_host(script, tmp_path, database):
    """
    Run a job script as the LMS container would, with ``./manage.py lms`` standing for this repository's host
    (SQLite database ``database``).
    """
    workdir = tmp_path / "job"
    workdir.mkdir(exist_ok=True)
    shim = workdir / "manage.py"
    shim.write_text(
        f"#!/bin/sh\n[ \"$1\" = lms ] && shift\n"
        f"exec {shlex.quote(sys.executable)} {shlex.quote(str(ROOT / 'manage.py'))} \"$@\"\n"
    )
    shim.chmod(0o755)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="host.settings", PYTHONPATH=str(ROOT),
               OPENEDX_CC_HOST_DB="sqlite", OPENEDX_CC_HOST_SQLITE=str(database), OPENEDX_CC_WEBHOOK_SECRET="x")
    return subprocess.run(["sh", "-e", "-c", script], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_tutor_init_migrates_and_creates_the_switches_off_without_flipping_an_operators_switch(tutor, tmp_path):
    tutor("local", "do", "init", "--limit", "openedx-cc")
    jobs = tutor.jobs()
    assert [service for service, _ in jobs] == ["lms-job"]
    script = jobs[0][1]
    assert script.strip() == tutor.rendered("plugins", "openedx-cc", "tasks", "lms", "init").strip()

    database = tmp_path / "lms.sqlite3"
    core = _run_job_against_the_host("./manage.py lms migrate --noinput -v 0", tmp_path, database)  # Tutor's own
    assert core.returncode == 0, core.stderr  # LMS init task, which runs before the plugins' ones
    first = _run_job_against_the_host(script, tmp_path, database)
    assert first.returncode == 0, first.stdout + first.stderr
    for name in CONTRACT_SWITCHES:  # migrate creates them off (openedx-cc's post_migrate); the task keeps them so
        assert (f"openedx-cc switch {name}: off" in first.stdout
                or f"openedx-cc switch {name}: created, off" in first.stdout), first.stdout
    turned_on = _run_job_against_the_host("./manage.py lms waffle_switch openedx_cc.enabled on", tmp_path, database)
    assert turned_on.returncode == 0, turned_on.stderr

    again = _run_job_against_the_host(script, tmp_path, database)  # every `tutor local launch` runs it again
    assert again.returncode == 0, again.stdout + again.stderr
    for name in CONTRACT_SWITCHES:
        state = "on" if name == "openedx_cc.enabled" else "off"
        assert f"openedx-cc switch {name}: {state}" in again.stdout


def test_do_cc_audit_and_cc_import(tutor):
    tutor("local", "do", "cc-audit", "--days", "7", "--json")
    job_dir = tutor.root / "data" / "lms-job" / "rosters"
    job_dir.mkdir(parents=True)
    (job_dir / "pilot roster.yaml").write_text("format: openedx-cc-roster/v1\n")
    tutor("local", "do", "cc-import", str(job_dir / "pilot roster.yaml"), "--dry-run", "--format", "roster")
    tutor("local", "do", "cc-import", "/openedx/data/people.yaml", "--prune")
    tutor("local", "do", "cc-process-github-deliveries", "--failed", "--since", "2026-12-01T00:00:00Z")
    tutor("local", "do", "cc-forward-to-hub", "--since", "2026-12-01T00:00:00Z")
    tutor("local", "do", "cc-hub-instance", "add", "edx-prod", "--contact", "ops@example.org")
    tutor("local", "do", "cc-hub-instance", "list")
    assert [script for _, script in tutor.jobs()] == [
        "./manage.py lms cc_audit --days 7 --json",
        "./manage.py lms cc_import '/openedx/data/rosters/pilot roster.yaml' --format roster --dry-run",
        "./manage.py lms cc_import /openedx/data/people.yaml --prune",
        "./manage.py lms cc_process_github_deliveries --failed --since 2026-12-01T00:00:00Z",
        "./manage.py lms cc_forward_to_hub --since 2026-12-01T00:00:00Z",
        "./manage.py lms cc_hub_instance add edx-prod --contact ops@example.org",
        "./manage.py lms cc_hub_instance list",
    ]


def test_do_cc_hub_instance_needs_a_name_except_for_list(tutor):
    result = tutor("local", "do", "cc-hub-instance", "revoke", check=False)
    assert result.returncode != 0 and "add, revoke and rotate need one" in result.stdout + result.stderr
    assert tutor.jobs() == []


def test_the_hub_reaches_the_settings(tutor):
    hub = '{"url": "https://hub.example.org", "instance": "edx-prod", "secret": "s3cret"}'
    tutor("config", "save", "--set", f"OPENEDX_CC_HUB={hub}",
          "--set", 'OPENEDX_CC_HUB_ENVIRONMENT_CLASSES={"edge": "staging"}')
    namespace = _settings(tutor, "lms", {})
    assert namespace["OPENEDX_CC_HUB"] == {"url": "https://hub.example.org", "instance": "edx-prod",
                                           "secret": "s3cret"}
    assert namespace["OPENEDX_CC_HUB_ENVIRONMENT_CLASSES"] == {"edge": "staging"}


@pytest.mark.parametrize("key, value, message", [
    ("OPENEDX_CC_HUB", '{"url": "https://hub.example.org", "instance": "x"}', "OPENEDX_CC_HUB must be null or"),
    ("OPENEDX_CC_HUB", '{"url": "ftp://h", "instance": "x", "secret": "s3cret"}', "'secret': '***'"),
    ("OPENEDX_CC_HUB_ENVIRONMENT_CLASSES", '{"edge": "prod"}', "'edge': 'prod' is not production, staging or other"),
])
def test_hub_values_the_settings_cannot_hold_are_refused(tutor, key, value, message):
    result = tutor("config", "save", "--set", f"{key}={value}", check=False)
    assert result.returncode != 0 and message in result.stdout + result.stderr
    assert "s3cret" not in result.stdout + result.stderr


def test_do_cc_import_refuses_a_file_the_container_cannot_see(tutor, tmp_path):
    outside = tmp_path / "roster.yaml"
    outside.write_text("format: openedx-cc-roster/v1\n")
    result = tutor("local", "do", "cc-import", str(outside), check=False)
    assert result.returncode != 0
    assert "which the job container sees as /openedx/data/: copy it there first" in result.stdout + result.stderr
    assert tutor.jobs() == []
