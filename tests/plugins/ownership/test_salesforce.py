"""
The Salesforce export (the CSV that replaced people.yaml in 2023) and its older 7-column form.
"""
import pytest

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.ownership.models import CommitRight, CoreCommitter, Organization
from openedx_cc.python_api import import_files
from tests.conftest import REAL

pytestmark = pytest.mark.django_db

EXPORT = REAL / "openedx-webhooks__salesforce-export.csv"
OLD_EXPORT = REAL / "openedx-webhooks__salesforce-export.v2021-12.csv"


def test_flagged_people_become_core_committers_without_repository_scope():
    report = import_files([str(EXPORT)])
    assert set(CoreCommitter.objects.values_list("github_username", flat=True)) == {
        "antoviaque", "FeAnIl", "felipemontoya", "pdpinch"}
    assert not CommitRight.objects.exists()
    assert CoreCommitter.objects.get(github_key="feanil").organization.slug == "tcril"
    assert any("4 people flagged 'Is Core Contributor' recorded as active Core Committers with no repository scope"
               in note for note in report.notes)
    assert not import_files([str(EXPORT)]).changed


def test_the_older_export_only_updates_people_already_registered(pilot):
    before = CoreCommitter.objects.get(github_key="felipemontoya")
    report = import_files([str(OLD_EXPORT)])
    assert CoreCommitter.objects.count() == 9  # nobody new
    felipe = CoreCommitter.objects.get(github_key="felipemontoya")
    assert felipe.status_since == before.status_since  # the export has no dates: kept
    assert felipe.rights.count() == 5  # rights untouched
    assert any("has no 'Is Core Contributor' column" in note for note in report.notes)
    assert Organization.objects.filter(slug="edunext").exists()


def test_a_wrong_header_is_refused(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('"First","Last","GitHub"\n"A","B","ab"\n')
    with pytest.raises(ValidationFailed) as info:
        import_files([str(path)])
    problem = info.value.problems[0]
    assert (problem.field, problem.line, problem.file) == ("header", 1, str(path))
    assert "expected the columns" in problem.message


def test_bad_rows_name_their_line(tmp_path):
    header = EXPORT.read_text().splitlines()[0]
    path = tmp_path / "export.csv"
    path.write_text(header + '\n"A","B","","","X","","not a login","1"\n"C","D","two","","X","","cd","1"\n')
    with pytest.raises(ValidationFailed) as info:
        import_files([str(path)])
    assert {(p.field, p.line) for p in info.value.problems} == {("GitHub Username", 2),
                                                               ("Number of Active Ind. CLA Contracts", 3)}


def test_prune_is_refused_for_an_export(pilot):
    with pytest.raises(ValidationFailed, match="a Salesforce export carries no rights"):
        import_files([str(EXPORT)], prune=True)
    assert CommitRight.objects.filter(revoked_at__isnull=True).count() == 37


def test_an_export_keeps_the_status_and_organization_of_registered_committers(pilot):
    from openedx_cc.plugins.ownership import api

    api.suspend_committers(CoreCommitter.objects.filter(github_key="felipemontoya"))
    import_files([str(EXPORT)])
    felipe = CoreCommitter.objects.select_related("organization").get(github_key="felipemontoya")
    assert felipe.status == "suspended" and felipe.organization.slug == "edunext"
    antoviaque = CoreCommitter.objects.select_related("organization").get(github_key="antoviaque")
    assert antoviaque.status == "active" and antoviaque.organization.slug == "opencraft"  # new: as the export says
