"""
Changes to what the registry holds, reported by a second import (the first run creates; this one changes).
"""
import pytest
import yaml

from openedx_cc.python_api import import_files
from openedx_cc.plugins.ownership.models import CoreCommitter
from tests.conftest import PILOT_ROSTER

pytestmark = pytest.mark.django_db


def test_changed_fields_are_reported_without_personal_data(tmp_path, pilot):
    roster = yaml.safe_load(PILOT_ROSTER.read_text())
    roster["committers"][0].update(name="Zia F.", email="zia@example.org", status="emeritus")
    roster["organizations"][0]["name"] = "Edly"
    path = tmp_path / "roster.yaml"
    path.write_text(yaml.safe_dump(roster))
    report = import_files([str(path)])
    lines = [str(c) for c in report.changes]
    assert "~ organization edly: name Edly by Arbisoft -> Edly" in lines
    assert "~ committer ziafazal: name Zia Fazal -> Zia F., status active -> emeritus, email changed" in lines
    assert not any("zia@example.org" in line for line in lines)
    assert CoreCommitter.objects.get(github_key="ziafazal").email == "zia@example.org"
