"""
Every file under tests/fixtures/real/ (the real files of shared/data/real) imports, or is rejected with a precise
message, through ``cc_import`` with its format detected.
"""
import pytest
from django.core.management import call_command

from tests.conftest import REAL

pytestmark = pytest.mark.django_db

IMPORTS = {
    "openedx-webhooks__people.yaml": "people.yaml gives no signing dates",
    "openedx-webhooks__people.v2022-10-with-jira-champions.yaml": "people.yaml gives no signing dates",
    "openedx-webhooks__salesforce-export.csv": "4 people flagged 'Is Core Contributor'",
    "openedx-webhooks__salesforce-export.v2021-12.csv": "the older export has no 'Is Core Contributor' column",
}
REJECTS = {
    "openedx-webhooks__people.v2020-07-with-expires_on.yaml": "mmprandom.expires_on: the 2020 format's expires_on "
                                                              "is obsolete",
    "openedx-webhooks__orgs.yaml": "an orgs.yaml is read with the people.yaml beside it",
    "credentials__CODEOWNERS.pre-2025-07-31-deletion": "a CODEOWNERS file",
    "edx-ora2__CODEOWNERS.pre-2025-07-31-deletion": "a CODEOWNERS file",
    "openedx-events__CODEOWNERS.pre-2025-07-31-deletion": "a CODEOWNERS file",
    "frontend-app-learning__release-refs.txt": "a .txt file is not an import format",
    "openedx-repos__revert-commit-bodies.txt": "a .txt file is not an import format",
    "openedx-repos__revert-commits.tsv": "a .tsv file is not an import format",
    "README.md": "a .md file is not an import format",
}
FILES = sorted(p.name for p in REAL.iterdir())


def test_every_file_is_accounted_for():
    catalog = {name for name in FILES if name.endswith("catalog-info.yaml")}
    assert set(FILES) == set(IMPORTS) | set(REJECTS) | catalog


@pytest.mark.parametrize("name", [n for n in FILES if n in IMPORTS or n.endswith("catalog-info.yaml")])
def test_imports(name, capsys):
    call_command("cc_import", str(REAL / name))
    out = capsys.readouterr().out
    assert "changed" in out
    assert IMPORTS.get(name, "catalog entry") in out


@pytest.mark.parametrize("name", [n for n in FILES if n in REJECTS])
def test_rejects(name, capsys):
    with pytest.raises(SystemExit) as info:
        call_command("cc_import", str(REAL / name))
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert f"error: {REAL / name}:" in err
    assert REJECTS[name] in err
    assert "nothing was imported" in err


def test_a_roster_with_an_indented_comment_naming_a_login_is_a_roster(tmp_path, capsys):
    """Hostile input (docs/decisions/0012): ``  # @login ...`` indented inside a roster does not make it a CODEOWNERS
    file."""
    from tests.conftest import PILOT_ROSTER

    roster = tmp_path / "roster.yaml"
    text = PILOT_ROSTER.read_text()
    roster.write_text(text.replace("committers:\n", "committers:\n    # @sarina answers questions about these\n", 1))
    assert "# @sarina answers" in roster.read_text()
    call_command("cc_import", str(roster), "--dry-run")
    assert "CODEOWNERS" not in capsys.readouterr().err
