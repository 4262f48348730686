"""
A community hub and two instances, each a server process of its own with its own database, on loopback
(docs/reference/hub.rst): deployments, reverts and a rollback recorded on both instances reach the hub; the hub
shows where each change was deployed and removed and mails the Core Committer, their champions and its operators
once per (change, instance); the hub stopped and restarted mid-way loses and duplicates nothing; a revoked instance
is refused. Only what the contract names is used: signed reports, the commands, the REST reads.
"""
import email
import hashlib
import hmac
import http.cookiejar
import json
import os
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.servers import ROOT, HostServer, manage

pytestmark = pytest.mark.integration

SETTINGS = "host.settings"
REPORT_SECRET = "hub-test-report-secret"
CC = "bradenmacdonald"
ROSTER = """\
format: openedx-cc-roster/v1
default_repository_owner: openedx
program: {phase: scale, since: 2020-06-01}
organizations:
  - {slug: opencraft, name: OpenCraft, openedx_provider: true, entity_agreement: 2020-06-01}
committers:
  - github: bradenmacdonald
    name: Braden MacDonald
    email: braden@example.org
    organization: opencraft
    since: 2020-06-01
    agreements: {individual: 2020-06-01}
    champions:
      - {name: Kyle McCormick, email: kyle@example.org}
    repos: [xblock]
"""
BASE = datetime(2026, 11, 2, 10, tzinfo=timezone.utc)
STAFF = ("hubadmin", "hub-admin-password")


def _iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def _change(number, title, *, merged_at, body=""):
    return {"repository": "openedx/XBlock", "pr_number": number, "title": title, "body": body,
            "url": f"https://github.com/openedx/XBlock/pull/{number}",
            "merge_sha": hashlib.sha1(f"pr-{number}".encode()).hexdigest(), "author": CC, "merged_by": CC,
            "merged_at": _iso(merged_at)}


class Service:
    """One host service: its environment, database, server and commands."""

    def __init__(self, tmp_path, name, **env):
        self.name = name
        self.dir = tmp_path / name
        self.dir.mkdir()
        self.env = dict(os.environ, PYTHONPATH=str(ROOT), OPENEDX_CC_HOST_DB="sqlite",
                        OPENEDX_CC_HOST_SQLITE=str(self.dir / "db.sqlite3"),
                        OPENEDX_CC_HOST_SECRET_KEY=f"secret-key-of-{name}", OPENEDX_CC_HOST_DEBUG="0",
                        OPENEDX_CC_WEBHOOK_SECRET=REPORT_SECRET, OPENEDX_CC_LOG_LEVEL="INFO", **env)
        self.server = HostServer(SETTINGS, self.env, self.dir / "server.log")

    def manage(self, *args):
        result = manage(SETTINGS, self.env, *args)
        assert result.returncode == 0, f"{self.name}: manage.py {' '.join(args)}\n{result.stdout}\n{result.stderr}"
        return result

    def prepare(self, *switches):
        self.manage("migrate", "--noinput", "-v", "0")
        (self.dir / "roster.yaml").write_text(ROSTER)
        self.manage("cc_import", str(self.dir / "roster.yaml"))
        for switch in ("openedx_cc.enabled", *switches):
            self.manage("waffle_switch", switch, "on", "--create")

    def report(self, body):
        raw = json.dumps(body).encode()
        signature = "sha256=" + hmac.new(REPORT_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.server.url + "/api/cc/v1/deployments/", data=raw, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-CC-Signature-256": signature})
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201, response.read()
            answer = json.loads(response.read())
        return answer, time.monotonic() - started

    def shell(self, code):
        return self.manage("shell", "-c", code).stdout.strip().splitlines()[-1]


def _staff_get(hub, path):
    """GET as the hub's staff user, logged in through the admin's login form (the session, as a browser does)."""
    if getattr(hub, "opener", None) is None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(hub.server.url + "/admin/login/", timeout=30).read()
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode({"username": STAFF[0], "password": STAFF[1], "csrfmiddlewaretoken": csrf,
                                       "next": "/admin/"}).encode()
        opener.open(urllib.request.Request(hub.server.url + "/admin/login/", data=form,
                                           headers={"Referer": hub.server.url + "/admin/login/"}), timeout=30).read()
        assert any(cookie.name == "sessionid" for cookie in jar), "the hub's admin login failed"
        hub.opener = opener
    with hub.opener.open(hub.server.url + path, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


def _hub_changes(hub):
    return {(c["repository"].lower(), c["pr_number"]): c
            for c in _staff_get(hub, f"/api/cc/v1/hub/changes/?user={CC}&page_size=100")["results"]}


def _wait_for(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _mails(directory):
    messages = []
    for path in sorted(directory.glob("*.log")) if directory.exists() else []:
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def _count_logged(service):
    return int(service.shell(
        "from openedx_cc.python_api import logged_events\n"
        "print(sum(logged_events(event_type=t).count() for t in ("
        "'org.openedx.core_committer.change.deployed.v1', 'org.openedx.core_committer.change.reverted.v1')))"))


def test_two_instances_and_a_hub(tmp_path):
    mail_dir = tmp_path / "hub-mail"
    hub = Service(tmp_path, "hub", OPENEDX_CC_HOST_EMAIL_DIR=str(mail_dir),
                  OPENEDX_CC_OPERATOR_EMAILS="hub-operators@example.org")
    hub.prepare("openedx_cc.hub", "openedx_cc.notify")
    hub.manage("shell", "-c", "from django.contrib.auth import get_user_model\n"
                              f"get_user_model().objects.create_superuser('{STAFF[0]}', 'a@example.org', '{STAFF[1]}')")
    secrets = {}
    for name in ("alpha", "beta"):
        added = hub.manage("cc_hub_instance", "add", name, "--contact", f"ops@{name}.example.org")
        secrets[name] = added.stdout.strip().splitlines()[-1]
        assert len(secrets[name]) >= 32 and secrets[name] not in hub.manage("cc_hub_instance", "list").stdout
    instances = {
        name: Service(tmp_path, name, OPENEDX_CC_HOST_HUB=json.dumps(
            {"url": hub.server.url, "instance": name, "secret": secrets[name]}))
        for name in ("alpha", "beta")
    }
    for instance in instances.values():
        instance.prepare("openedx_cc.record_deployments", "openedx_cc.share_with_hub")
    alpha, beta = instances["alpha"], instances["beta"]
    feature = _change(501, "feat: a CC change", merged_at=BASE - timedelta(days=1))
    revert = _change(502, 'Revert "feat: a CC change"', merged_at=BASE + timedelta(days=1),
                     body=f"This reverts commit {feature['merge_sha']}.")
    other = _change(503, "fix: another CC change", merged_at=BASE + timedelta(days=2))
    try:
        for service in (hub, alpha, beta):
            service.server.start()

        # Both instances deploy the change to production; alpha reverts it (a revert PR), beta rolls it back.
        alpha.report({"id": "a-1", "environment": "prod-lms", "service": "lms", "release": "secret-release-name",
                      "deployed_at": _iso(BASE), "changes": [feature]})
        beta.report({"id": "b-1", "environment": "production", "deployed_at": _iso(BASE), "changes": [feature]})
        beta.report({"id": "b-1-stage", "environment": "stage", "deployed_at": _iso(BASE), "changes": [feature]})
        _, seconds = alpha.report({"id": "a-2", "environment": "prod-lms",
                                   "deployed_at": _iso(BASE + timedelta(days=2)), "changes": [revert]})
        assert seconds < 10  # the instance's own answer never waits for the hub
        changes = _wait_for(lambda: (c := _hub_changes(hub)).get(("openedx/xblock", 501)) and
                            c[("openedx/xblock", 501)]["removed"] and c, "alpha's revert at the hub")
        seen = changes[("openedx/xblock", 501)]
        assert seen["core_committer"] == CC
        assert {(d["instance"], d["environment_class"]) for d in seen["deployed"]} >= {
            ("alpha", "production"), ("beta", "production")}
        assert [(r["instance"], r["environment_class"], r["kind"]) for r in seen["removed"]] == [
            ("alpha", "production", "revert")]

        # The hub goes away; both instances keep recording; nothing waits for the hub.
        hub.server.stop()
        _, seconds = beta.report({"id": "b-2", "environment": "production", "kind": "rollback", "rolls_back": ["b-1"],
                                  "deployed_at": _iso(BASE + timedelta(days=3)), "changes": []})
        assert seconds < 10
        alpha.report({"id": "a-3", "environment": "prod-lms", "deployed_at": _iso(BASE + timedelta(days=3)),
                      "changes": [other]})
        failed = manage(SETTINGS, beta.env, "cc_forward_to_hub")
        assert failed.returncode == 1 and failed.stdout + failed.stderr

        # Back again: what waited is forwarded, once.
        hub.server.start()
        hub.opener = None  # a new server process: log in again (the session is in the database, but be plain)
        for instance in (alpha, beta):
            instance.manage("cc_forward_to_hub")
        changes = _hub_changes(hub)
        removed = {(r["instance"], r["environment_class"], r["kind"])
                   for r in changes[("openedx/xblock", 501)]["removed"]}
        assert removed == {("alpha", "production", "revert"), ("beta", "production", "rollback")}
        assert ("openedx/xblock", 503) in changes
        received = int(hub.shell("from openedx_cc.plugins.hub.models import HubEvent\nprint(HubEvent.objects.count())"))
        assert received == _count_logged(alpha) + _count_logged(beta)
        for instance in (alpha, beta):  # forwarding again sends nothing new
            instance.manage("cc_forward_to_hub")
        assert int(hub.shell("from openedx_cc.plugins.hub.models import HubEvent\nprint(HubEvent.objects.count())")) \
            == received

        # The hub told the CC, the champion and its operators once per (change, instance), of production removals only.
        mails = _wait_for(lambda: len(_mails(mail_dir)) >= 6 and _mails(mail_dir), "the hub's mails")
        time.sleep(1)
        mails = _mails(mail_dir)
        by_recipient = {}
        for message in mails:
            by_recipient.setdefault(message["To"], []).append(message)
        assert set(by_recipient) == {"braden@example.org", "kyle@example.org", "hub-operators@example.org"}
        for messages in by_recipient.values():
            assert len(messages) == 2  # alpha's revert and beta's rollback of #501
            text = " ".join(m.get_payload() if not m.is_multipart() else m.get_payload(0).get_payload()
                            for m in messages)
            assert "openedx/xblock#501" in text and "alpha" in text and "beta" in text
            assert "secret-release-name" not in text and "prod-lms" not in text

        # Nothing private reached the hub: no release, no environment name, no deployment id.
        dumped = hub.shell("from openedx_cc.plugins.hub.models import HubEvent\n"
                           "import json\nprint(json.dumps([list(e.values()) for e in HubEvent.objects.values()], "
                           "default=str))")
        assert "secret-release-name" not in dumped and "prod-lms" not in dumped and "a-1" not in dumped

        # A revoked instance is refused; what it sent stays.
        hub.manage("cc_hub_instance", "revoke", "beta")
        beta.report({"id": "b-3", "environment": "production", "deployed_at": _iso(BASE + timedelta(days=4)),
                      "changes": [other]})
        refused = manage(SETTINGS, beta.env, "cc_forward_to_hub")
        assert refused.returncode == 1
        assert "401" in refused.stdout + refused.stderr
        changes = _hub_changes(hub)
        assert ("beta", "production") not in {(d["instance"], d["environment_class"])
                                              for d in changes[("openedx/xblock", 503)]["deployed"]}
        assert {r["instance"] for r in changes[("openedx/xblock", 501)]["removed"]} == {"alpha", "beta"}
    finally:
        for service in (hub, alpha, beta):
            service.server.stop()
