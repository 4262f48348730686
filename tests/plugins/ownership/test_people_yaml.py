"""
The openedx-webhooks people.yaml importer (with orgs.yaml), on the real files and on broken ones.
"""
import shutil
from datetime import date

import pytest

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.ownership import api
from openedx_cc.plugins.ownership.formats.people import UNDATED_AGREEMENT_DATE
from openedx_cc.plugins.ownership.models import Agreement, Champion, CommitRight, CoreCommitter, Organization
from openedx_cc.python_api import import_files
from tests.conftest import REAL, utc
from tests.factories import PhaseFactory

pytestmark = pytest.mark.django_db

PEOPLE = REAL / "openedx-webhooks__people.yaml"
PEOPLE_2022 = REAL / "openedx-webhooks__people.v2022-10-with-jira-champions.yaml"
PEOPLE_2020 = REAL / "openedx-webhooks__people.v2020-07-with-expires_on.yaml"
ORGS = REAL / "openedx-webhooks__orgs.yaml"


def rights_of(login):
    return sorted(
        (r.repository_display, tuple(r.branches), r.valid_from, r.valid_until)
        for r in CommitRight.objects.filter(committer__github_key=login.lower()).select_related("repository")
    )


def test_the_2023_people_yaml_imports_with_its_history():
    report = import_files([str(PEOPLE)])
    assert set(CoreCommitter.objects.values_list("github_key", flat=True)) == {
        "felipemontoya", "hollyhunter", "pdpinch", "raisingarizona"}
    assert rights_of("felipemontoya") == [("openedx/*", (), utc(2020, 6, 20), None)]
    assert rights_of("hollyhunter") == [("openedx/openedx-platform", ("open-release/*",), utc(2020, 1, 2), None)]
    assert rights_of("pdpinch") == [("openedx/ccx-keys", ("open-release/aspen.1",), None, None)]
    assert rights_of("raisingarizona") == [("openedx/openedx-platform", (), utc(2014, 1, 2), utc(2015, 1, 2))]
    arizona = CoreCommitter.objects.get(github_key="raisingarizona")
    assert (arizona.status_since, arizona.status_until) == (utc(2014, 1, 2), utc(2015, 1, 2))
    assert list(arizona.agreements.values_list("kind", "signed_on", "expires_on")) == [
        ("individual", UNDATED_AGREEMENT_DATE, date(2015, 1, 2))]
    felipe = CoreCommitter.objects.select_related("organization").get(github_key="felipemontoya")
    assert felipe.organization.slug == "edunext" and not felipe.agreements.exists()
    assert Agreement.objects.filter(kind="entity", organization__slug="edunext").exists()
    assert Organization.objects.get(slug="opencraft").openedx_provider  # contractor: true
    assert Organization.objects.get(slug="edx").name == "2U/edX"
    notes = " | ".join(report.notes)
    assert "people were never committers and are not recorded" in notes and "nedbat" in notes
    assert "felipemontoya, pdpinch: covered by an institution's entity agreement only" in notes
    assert not import_files([str(PEOPLE)]).changed  # idempotent


def test_what_the_history_means_for_the_ownership_check():
    PhaseFactory(phase="scale", since=utc(2010, 1, 1))  # no NDA, no champions: the agreements and rights decide
    import_files([str(PEOPLE)])
    assert api.check_ownership("hollyhunter", "edx/edx-platform", branch="open-release/teak.master").allowed
    assert not api.check_ownership("hollyhunter", "edx/edx-platform", branch="master").allowed
    assert not api.check_ownership("hollyhunter", "openedx/edx-platform", branch="open-release/teak.master",
                                   at=utc(2019, 6, 1)).allowed
    assert api.check_ownership("raisingarizona", "openedx/edx-platform", at=utc(2014, 6, 1)).allowed
    late = api.check_ownership("raisingarizona", "openedx/edx-platform", at=utc(2015, 6, 1))
    assert not late.allowed
    assert any("expired on 2015-01-02" in r for r in late.reasons)
    felipe = api.check_ownership("felipemontoya", "openedx/xblock")
    assert felipe.reasons == ("the individual contributor agreement is missing",)


def test_the_2022_file_brings_champions_by_login():
    import_files([str(PEOPLE_2022)])
    assert set(Champion.objects.filter(committer__github_key="felipemontoya").values_list("github_username",
                                                                                         flat=True)) == {
        "nedbat", "feanil"}


def test_the_2020_file_fails_the_2023_schema_with_precise_errors():
    with pytest.raises(ValidationFailed) as info:
        import_files([str(PEOPLE_2020)])
    problems = {(p.field, p.line): p.message for p in info.value.problems}
    assert problems[("mmprandom.expires_on", 45)].startswith("the 2020 format's expires_on is obsolete")
    assert "2016-01-02 comes after 2015-01-02" in problems[("raisingarizona.before.2016-01-02", 86)]
    assert CoreCommitter.objects.count() == 0


def _people(tmp_path, text):
    shutil.copy(ORGS, tmp_path / "orgs.yaml")
    path = tmp_path / "people.yaml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text, field, line, message", [
    ("alice:\n  name: Alice\n  agreement: institution\n  institution: Nowhere U\n  committer: {repos: [openedx/x]}\n",
     "alice.institution", 4, "unknown institution 'Nowhere U'"),
    ("alice:\n  name: Alice\n  agreement: individual\n  committer: {champions: [nedbat]}\n",
     "alice.committer", 4, "give at least one of orgs, repos or branches"),
    ("alice:\n  name: Alice\n  agreement: individual\n  committer: {repos: [openedx/x]}\n  before:\n"
     "    2019-01-01: {committer: false}\n    2020-01-01: {agreement: none}\n",
     "alice.before.2020-01-01", 7, "2020-01-01 comes after 2019-01-01"),
    ("alice:\n  name: Alice\n  agreement: sometimes\n", "alice.agreement", 3, "'institution', 'individual' or 'none'"),
    ("-bad-:\n  name: Bad\n  agreement: none\n", "-bad-", 1, "not a valid GitHub login"),
])
def test_bad_people_files_are_rejected_with_file_line_and_field(tmp_path, text, field, line, message):
    path = _people(tmp_path, text)
    with pytest.raises(ValidationFailed) as info:
        import_files([path])
    assert any(p.field == field and p.line == line and message in p.message and p.file == path
               for p in info.value.problems), [str(p) for p in info.value.problems]
    assert CoreCommitter.objects.count() == 0 and Organization.objects.count() == 0


def test_robots_are_skipped_and_reported(tmp_path):
    path = _people(tmp_path, "a-bot:\n  name: A Bot\n  agreement: none\n  is_robot: true\n"
                             "  committer: {repos: [openedx/x]}\n"
                             "alice:\n  name: Alice\n  agreement: individual\n  committer: {repos: [openedx/x]}\n")
    report = import_files([path])
    assert list(CoreCommitter.objects.values_list("github_key", flat=True)) == ["alice"]
    assert any("skipped 1 robot(s): a-bot" in note for note in report.notes)


def test_an_orgs_yaml_alone_is_refused(tmp_path):
    with pytest.raises(ValidationFailed, match="read with the people.yaml beside it"):
        import_files([str(ORGS)])


def test_one_scope_over_several_periods_stays_idempotent(tmp_path):
    path = _people(tmp_path, "alice:\n  name: Alice\n  agreement: individual\n  committer: {repos: [openedx/x]}\n"
                             "  before:\n    2022-01-01: {committer: false}\n"
                             "    2021-01-01: {committer: {repos: [openedx/x]}}\n"
                             "    2020-01-01: {committer: false}\n")
    import_files([path])
    assert rights_of("alice") == [("openedx/x", (), utc(2020, 1, 1), utc(2021, 1, 1)),
                                  ("openedx/x", (), utc(2022, 1, 1), None)]
    assert not import_files([path]).changed
    assert not import_files([path], prune=True).changed
