"""
Who is effective on each repository (``effective_committers_by_key`` and its names-only twin
``effective_committer_names_by_key``, one rule read as columns): the answer, and a fixed number of queries.
"""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.plugins.ownership import api as ownership_api
from openedx_cc.plugins.ownership import selectors
from openedx_cc.plugins.ownership.models import CommitRight
from tests.conftest import utc
from tests.factories import ExtensionFactory, PhaseFactory, RepositoryFactory, RightFactory, effective_committer

pytestmark = pytest.mark.django_db

AT = utc(2025, 1, 1)
KEYS = ["openedx/alpha", "openedx/beta", "other/gamma", "openedx/not-recorded", "third/none"]


@pytest.fixture
def registry():
    PhaseFactory()
    alpha = RepositoryFactory(full_name="openedx/alpha")
    beta = RepositoryFactory(full_name="openedx/Beta")
    gamma = RepositoryFactory(full_name="other/gamma")
    effective_committer(repository=alpha, github_username="Zed")
    effective_committer(repository=alpha, github_username="amy", nda=False)  # not in good standing in the pilot
    wide = effective_committer(github_username="Owner-Wide")
    RightFactory(committer=wide, repository=beta, owner=beta.owner, paths=["docs/"])
    RightFactory(committer=wide, repository=None, owner="openedx")
    parts = effective_committer(github_username="bob")
    RightFactory(committer=parts, repository=alpha, owner=alpha.owner,
                 extension=ExtensionFactory(repository=alpha, name="xblock-x", path="xblock_x/"))
    RightFactory(committer=parts, repository=gamma, owner=gamma.owner, branches=["main"])
    late = effective_committer(github_username="late")
    RightFactory(committer=late, repository=gamma, owner=gamma.owner, valid_from=AT + timedelta(days=1))
    RightFactory(committer=late, repository=beta, owner=beta.owner, revoked_at=AT - timedelta(days=1))


def test_who_is_effective_on_each_key(registry):
    by_key = ownership_api.effective_committers_by_key(KEYS, AT)
    logins = {key: [c.github_username for c in committers] for key, committers in by_key.items()}
    assert logins == {
        "openedx/alpha": ["bob", "Owner-Wide", "Zed"],  # sorted by login, whatever its case
        "openedx/beta": ["Owner-Wide"],
        "other/gamma": ["bob"],
        "openedx/not-recorded": ["Owner-Wide"],
        "third/none": [],
    }
    owner_wide = by_key["openedx/beta"][0]
    assert [r.repository for r in owner_wide.rights] == ["openedx/Beta", "openedx/*"]  # in the order of their ids
    assert owner_wide.whole_repository  # through openedx/*
    assert not by_key["openedx/alpha"][0].whole_repository  # bob: an extension only


def test_rights_read_as_columns_are_the_rights_of_the_model_rows(registry):
    by_key = ownership_api.effective_committers_by_key(KEYS, AT)
    rows = CommitRight.objects.select_related("committer", "repository", "extension")
    expected = {row.id: selectors.right_data(row) for row in rows}
    rights = [right for committers in by_key.values() for c in committers for right in c.rights]
    assert len(rights) == 7
    assert all(right == expected[right.id] for right in rights)


def test_the_names_are_those_of_the_effective_committers(registry):
    names = ownership_api.effective_committer_names_by_key(KEYS, AT)
    by_key = ownership_api.effective_committers_by_key(KEYS, AT)
    assert names == {key: [(c.github_username, c.name) for c in committers] for key, committers in by_key.items()}
    assert names["openedx/alpha"][0].github_username == "bob"
    assert ownership_api.effective_committer_names_by_key([], AT) == {}


def _grow(repositories, committers_per_repository):
    for _ in range(repositories):
        repository = RepositoryFactory()
        for _ in range(committers_per_repository):
            effective_committer(repository=repository)


@pytest.mark.parametrize("read", [ownership_api.effective_committers_by_key,
                                  ownership_api.effective_committer_names_by_key])
def test_queries_do_not_grow_with_the_committers(registry, read):
    def count():
        keys = KEYS + list(ownership_api.get_repositories().values_list("key", flat=True))
        with CaptureQueriesContext(connection) as queries:
            read(keys, AT)
        return len(queries)

    small = count()
    _grow(3, 2)
    assert count() == small
    _grow(10, 6)
    assert count() == small
