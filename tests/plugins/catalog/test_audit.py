"""
The staleness audit (``manage.py cc_audit``, ``GET /api/cc/v1/audit/``) on a scripted registry.
"""
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from openedx_cc.plugins.ownership.models import Agreement, Champion, CommitRight, CoreCommitter, Extension, Repository
from openedx_cc.python_api import audit, import_files
from tests.conftest import REAL, utc
from tests.factories import AgreementFactory, ChampionFactory, RightFactory

pytestmark = pytest.mark.django_db

NOW = "2026-11-25T12:00:00Z"


@pytest.fixture
def stale(pilot):
    """The pilot roster, a few months on, with something wrong in every section."""
    with freeze_time(NOW):
        today = timezone.now().date()
        # expiring within 30 days: a right of regisb and the NDA of symbolist
        right = CommitRight.objects.get(committer__github_key="regisb", repository__key="openedx/edx-toggles")
        right.valid_until = timezone.now() + timedelta(days=10)
        right.save()
        nda = Agreement.objects.get(committer__github_key="symbolist", kind="nda")
        nda.expires_on = today + timedelta(days=20)
        nda.save()
        # lost effectiveness: idegtiarov's individual agreement expired
        individual = Agreement.objects.get(committer__github_key="idegtiarov", kind="individual")
        individual.expires_on = today - timedelta(days=3)
        individual.save()
        # missing champions: pomegranited has one champion left
        Champion.objects.filter(committer__github_key="pomegranited").first().delete()
        # an installed extension of a repository without an effective CC, named by its old name
        repo = Repository.objects.create(full_name="openedx/xblock-drag-and-drop-v2")
        Extension.objects.create(repository=repo, name="xblock.v1:drag-and-drop-v2", path="drag_and_drop_v2/",
                                 installed=True, distribution="xblock-drag-and-drop-v2", version="5.0.0",
                                 declared_repository="edx/xblock-drag-and-drop-v2")
        # catalog: a user owner who is not a CC of the repository, and an old name
        import_files([str(REAL / "edx-toggles__catalog-info.yaml"), str(REAL / "openedx-webhooks__catalog-info.yaml"),
                      str(REAL / "openedx-learning__catalog-info.yaml")])
    return NOW


def sections(report):
    return {name: [f.subject for f in findings] for name, findings in report.by_section().items()}


def test_every_section(stale):
    with freeze_time(stale):
        report = audit(days=30)
    found = sections(report)
    assert found["unowned_extensions"] == ["openedx/xblock-drag-and-drop-v2"]
    assert found["expiring"] == ["regisb", "symbolist"]
    assert found["lost_effectiveness"] == ["idegtiarov"]
    assert found["missing_champions"] == ["pomegranited"]
    assert found["aliased_names"] == ["edx/xblock-drag-and-drop-v2", "openedx/openedx-learning"]
    assert "openedx/openedx-webhooks" in found["catalog_owners"]
    assert report.needs_action
    messages = {f.section: f.message for f in report.findings}
    assert "individual contributor agreement (signed 2020-06-01) expired on 2026-11-22" in messages[
        "lost_effectiveness"]
    assert "catalog owner user:feanil is not an effective Core Committer of openedx/openedx-webhooks" in " ".join(
        f.message for f in report.findings if f.section == "catalog_owners")


def test_the_window_is_the_operators(stale):
    with freeze_time(stale):
        assert sections(audit(days=15))["expiring"] == ["regisb"]


def test_the_command_exits_non_zero_while_anything_needs_action(stale, capsys):
    with freeze_time(stale), pytest.raises(SystemExit) as info:
        call_command("cc_audit")
    assert info.value.code == 1
    out = capsys.readouterr().out
    assert "Rights, agreements and NDAs that expire soon (2)" in out
    assert "  - idegtiarov: " in out and out.strip().endswith("needs action")


def test_a_current_registry_needs_nothing(db, capsys):
    committer = CoreCommitter.objects.create(github_username="alice", name="Alice", status_since=utc(2020, 1, 1))
    AgreementFactory(committer=committer, kind="individual", signed_on=date(2020, 1, 1))
    AgreementFactory(committer=committer, kind="nda", signed_on=date(2020, 1, 1))
    ChampionFactory(committer=committer)
    ChampionFactory(committer=committer)
    RightFactory(committer=committer)
    call_command("cc_audit", "--json")
    assert '"needs_action": false' in capsys.readouterr().out


def test_the_audit_endpoint_is_for_staff(stale, api_client, staff_user, plain_user, enabled):
    api_client.force_authenticate(plain_user)
    assert api_client.get("/api/cc/v1/audit/").status_code == 403
    api_client.force_authenticate(staff_user)
    with freeze_time(stale):
        body = api_client.get("/api/cc/v1/audit/", {"days": 30}).json()
    assert body["needs_action"] is True and body["days"] == 30
    assert [f["subject"] for f in body["sections"]["expiring"]["findings"]] == ["regisb", "symbolist"]
    bad = api_client.get("/api/cc/v1/audit/", {"days": "soon"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "days"


def test_expiries_are_mailed_to_the_cc_and_the_operators_once(stale, settings, events_on):
    from django.core import mail
    from edx_toggles.toggles.testutils import override_waffle_switch

    from openedx_cc.plugins.notifications.toggles import NOTIFY

    settings.OPENEDX_CC_OPERATOR_EMAILS = ["ops@example.org"]
    CoreCommitter.objects.filter(github_key="regisb").update(email="regis@example.org")
    mail.outbox.clear()
    with freeze_time(stale), override_waffle_switch(NOTIFY, True):
        for _ in range(2):
            with pytest.raises(SystemExit):
                call_command("cc_audit", "--notify")
    assert sorted(m.to[0] for m in mail.outbox) == ["ops@example.org", "ops@example.org", "regis@example.org"]
    assert {m.subject for m in mail.outbox} == {"[openedx-cc] Expiring soon for regisb: ends on 2026-12-05 12:00 UTC",
                                                "[openedx-cc] Expiring soon for symbolist: ends on 2026-12-15"}
