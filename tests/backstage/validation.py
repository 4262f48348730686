"""
Backstage's own entity validation (the ``@backstage/catalog-model`` package from the npm registry, pinned by
``tests/backstage/node/package-lock.json``), run with Node on what the set serves. ``scripts/run-tests`` installs
the package before the suites; a test that needs it installs it when it is missing (``npm ci``). Without Node or
the npm registry the test fails, unless ``OPENEDX_CC_TEST_NO_NODE`` is set: then it is skipped.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NODE_PROJECT = HERE / "node"
PACKAGE = NODE_PROJECT / "node_modules" / "@backstage" / "catalog-model" / "package.json"
SCRIPT = HERE / "validate.js"
INSTALL_TIMEOUT = 300


def _unavailable(reason: str):
    if os.environ.get("OPENEDX_CC_TEST_NO_NODE"):
        pytest.skip(f"OPENEDX_CC_TEST_NO_NODE is set and {reason}")
    pytest.fail(f"{reason} (set OPENEDX_CC_TEST_NO_NODE to skip Backstage's validation on a machine without Node)")


def ensure_validator() -> str:
    """The ``node`` executable, with ``@backstage/catalog-model`` installed (``npm ci`` when it is missing)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        _unavailable("node is not on PATH")
    if not PACKAGE.exists():
        if npm is None:
            _unavailable("npm is not on PATH")
        try:
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_PROJECT, capture_output=True,
                                  text=True, timeout=INSTALL_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            _unavailable(f"npm ci did not finish in {INSTALL_TIMEOUT} s")
        if done.returncode != 0 or not PACKAGE.exists():
            _unavailable(f"npm ci failed in {NODE_PROJECT}: {done.stderr[-2000:]}")
    return node


def validate(entities, tmp_path) -> str:
    """Fails the test with Backstage's messages unless every entity passes; returns the validator's output."""
    node = ensure_validator()
    path = tmp_path / "entities.json"
    path.write_text(json.dumps(entities), encoding="utf-8")
    done = subprocess.run([node, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"Backstage refused entities:\n{done.stderr}{done.stdout}")
    return done.stdout
