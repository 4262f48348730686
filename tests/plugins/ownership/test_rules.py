"""
The rules of the registry written in more than one language agree: "which rights apply to a repository" in Python
(``RightData.applies_to``), in the ORM (``CommitRight.objects.on_repositories``) and in the check's SQL
(``checkquery``); "a right is valid at T" in Python (``RightData.valid_at``) and in the ORM
(``CommitRight.objects.valid_at``).
"""
from datetime import timedelta

import pytest

from openedx_cc.plugins.ownership import checkquery, selectors
from openedx_cc.plugins.ownership.models import CommitRight, CoreCommitter
from tests.conftest import utc
from tests.factories import CommitterFactory, RepositoryFactory, RightFactory

pytestmark = pytest.mark.django_db

T0 = utc(2024, 1, 1)


def _rights_of_every_kind(committer):
    alpha = RepositoryFactory(full_name="openedx/alpha")
    beta = RepositoryFactory(full_name="openedx/Beta")
    other = RepositoryFactory(full_name="other/alpha")
    rights = {
        "alpha": RightFactory(committer=committer, repository=alpha),
        "alpha revoked": RightFactory(committer=committer, repository=alpha, paths=["docs/"], revoked_at=T0),
        "beta": RightFactory(committer=committer, repository=beta),
        "other": RightFactory(committer=committer, repository=other),
        "openedx/*": RightFactory(committer=committer, repository=None, owner="openedx"),
        "other/*": RightFactory(committer=committer, repository=None, owner="Other"),
    }
    return {name: right.id for name, right in rights.items()}


@pytest.mark.parametrize("repository_key, expected", [
    ("openedx/alpha", {"alpha", "alpha revoked", "openedx/*"}),
    ("openedx/beta", {"beta", "openedx/*"}),
    ("other/alpha", {"other", "other/*"}),
    ("openedx/not-recorded", {"openedx/*"}),
    ("third/alpha", set()),
])
def test_python_orm_and_sql_agree_on_which_rights_apply_to_a_repository(repository_key, expected):
    committer = CommitterFactory(github_username="Alice")
    ids = _rights_of_every_kind(committer)
    RightFactory(repository=RepositoryFactory(full_name="openedx/gamma"))  # somebody else's right
    data = [selectors.right_data(row) for row in CommitRight.objects.filter(committer=committer)
            .select_related("committer", "repository", "extension")]
    owner_key = repository_key.split("/", 1)[0]

    in_python = {right.id for right in data if right.applies_to(repository_key)}
    in_orm = set(CommitRight.objects.filter(committer=committer).on_repositories([repository_key])
                 .values_list("id", flat=True))
    in_sql = {row["id"] for row in checkquery.fetch(user_key="alice", repository_key=repository_key,
                                                    owner_key=owner_key)["rights"]}

    assert in_python == in_orm == in_sql == {ids[name] for name in expected}
    holders = CoreCommitter.objects.holding_rights_on([repository_key])
    assert list(holders) == ([committer] if expected else [])


def test_python_and_orm_agree_on_when_a_right_is_valid():
    committer = CommitterFactory()
    repository = RepositoryFactory()
    periods = [
        (None, None, None),
        (T0, None, None),
        (None, T0, None),
        (T0, T0 + timedelta(days=10), None),
        (T0, None, T0 + timedelta(days=5)),
        (None, T0 + timedelta(days=10), T0 + timedelta(days=5)),
    ]
    for valid_from, valid_until, revoked_at in periods:
        RightFactory(committer=committer, repository=repository, valid_from=valid_from, valid_until=valid_until,
                     revoked_at=revoked_at, paths=[f"p{len(periods)}/"])
    data = [selectors.right_data(row) for row in CommitRight.objects.select_related("committer", "repository",
                                                                                    "extension")]
    moments = [T0 - timedelta(seconds=1), T0, T0 + timedelta(days=5) - timedelta(seconds=1), T0 + timedelta(days=5),
               T0 + timedelta(days=10) - timedelta(seconds=1), T0 + timedelta(days=10), T0 + timedelta(days=99)]
    seen = set()
    for at in moments:
        in_python = {right.id for right in data if right.valid_at(at)}
        in_orm = set(CommitRight.objects.valid_at(at).values_list("id", flat=True))
        assert in_python == in_orm, at
        seen.add(len(in_orm))
    assert len(seen) > 2  # the moments cross every boundary, not just one
