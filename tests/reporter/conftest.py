"""
Fixtures of the reporter's tests: clones of the real histories of openedx/XBlock and openedx/edx-toggles (made once
per session; tests must not change them) and repositories written by a test.
"""
import pytest

from tests.reporter.gitrepo import REAL_GIT, GitRepo, clone_bundle


def _clone(tmp_path_factory, name):
    clone = clone_bundle(name, tmp_path_factory.mktemp("real-git") / name)
    assert clone is not None, f"no {name}.bundle in {REAL_GIT}"
    return clone


@pytest.fixture(scope="session")
def xblock(tmp_path_factory):
    """A clone of openedx/XBlock's whole history (1,686 commits, GitHub merge commits, 87 tags)."""
    return _clone(tmp_path_factory, "XBlock")


@pytest.fixture(scope="session")
def edx_toggles(tmp_path_factory):
    """A clone of openedx/edx-toggles' whole history (squash merges ``subject (#N)``, tags v5.4.1 and v6.0.0)."""
    return _clone(tmp_path_factory, "edx-toggles")


@pytest.fixture
def repo(tmp_path):
    """An empty repository of this test's own, with one first commit."""
    built = GitRepo(tmp_path / "repo")
    built.commit("Initial commit", {"README.rst": "hello\n"})
    return built


@pytest.fixture
def service():
    """A stand-in openedx-cc service on a local port (tests/reporter/service.py)."""
    from tests.reporter.service import Service

    running = Service()
    yield running
    running.close()
