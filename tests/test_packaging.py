"""
The package metadata and the compiled requirements agree with the supported hosts (requirements/hosts/): each
compiled file keeps its host's pins, and each lower bound of the package is the oldest version the suite runs with
(the older host's pin), not a guess. ``make test`` also installs the built wheel with ``pip install -c HOST_PINS``
into each host's virtualenv and checks that no pinned version moved (scripts/host-venv).
"""
import configparser
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
HOSTS = {  # compiled file -> the host it is compiled for
    "test.txt": "openedx-platform-master-2026-04.constraints.txt",
    "base.txt": "openedx-platform-master-2026-04.constraints.txt",
    "test-py311.txt": "openedx-platform-2026-01-py311.constraints.txt",
}


def _pins(path):
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = Version(version.strip())
    return pins


def _direct_requirements():
    requirements = []
    for line in (REQUIREMENTS / "base.in").read_text().splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith(("#", "-")):
            requirements.append(Requirement(line))
    return requirements


@pytest.mark.parametrize("compiled, host", sorted(HOSTS.items()))
def test_compiled_requirements_keep_their_hosts_pins(compiled, host):
    pins, host_pins = _pins(REQUIREMENTS / compiled), _pins(REQUIREMENTS / "hosts" / host)
    moved = {name: (host_pins[name], pins[name]) for name in pins.keys() & host_pins.keys()
             if pins[name] != host_pins[name]}
    assert not moved


@pytest.mark.parametrize("requirement", _direct_requirements(), ids=str)
def test_each_lower_bound_is_the_oldest_version_the_suite_runs_with(requirement):
    tested = [_pins(REQUIREMENTS / compiled)[canonicalize_name(requirement.name)] for compiled in ("test.txt",
                                                                                            "test-py311.txt")]
    lower = [Version(spec.version) for spec in requirement.specifier if spec.operator == ">="]
    assert lower == [min(tested)], f"{requirement.name}: lower bound {lower}, tested with {sorted(set(tested))}"
    assert all(version in requirement.specifier for version in tested)


def test_both_pythons_are_declared():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    assert setup["options"]["python_requires"] == ">=3.11"
    classifiers = setup["metadata"]["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Programming Language :: Python :: 3.12" in classifiers


def test_the_reporter_is_a_console_script():
    """``pip install openedx-cc`` installs ``openedx-cc-report`` (docs/reference/cli.rst), which runs without Django."""
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    scripts = [line.strip() for line in setup["options.entry_points"]["console_scripts"].splitlines() if line.strip()]
    assert scripts == ["openedx-cc-report = openedx_cc.reporter.cli:main"]
    from openedx_cc.reporter.cli import main

    assert callable(main)
