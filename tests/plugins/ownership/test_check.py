"""
``check_ownership``: the question answered fast and right, now and at a past time.
"""
import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.ownership import api
from openedx_cc.plugins.ownership.api import ScopeQuestion
from tests.conftest import utc
from tests.factories import (
    AgreementFactory,
    ChampionFactory,
    CommitterFactory,
    ExtensionFactory,
    OrganizationFactory,
    PhaseFactory,
    RepositoryFactory,
    RightFactory,
    effective_committer,
)

pytestmark = pytest.mark.django_db


def test_pilot_committers_are_effective_on_their_repositories(pilot):
    result = api.check_ownership("BradenMacDonald", "edx/edx-platform", path="lms/urls.py")
    assert result.allowed, result.reasons
    assert result.repository == "openedx/openedx-platform"
    assert result.user == "bradenmacdonald"
    assert [r.repository for r in result.covering_rights] == ["openedx/openedx-platform"]
    assert not api.check_ownership("regisb", "openedx/xblock").allowed
    assert api.check_ownership("omarithawi", "openedx/edx-ace").allowed


def test_mit_is_not_a_provider_so_no_entity_agreement_is_needed(pilot):
    result = api.check_ownership("pdpinch", "openedx/ccx-keys")
    assert result.allowed
    assert not any("entity" in r for r in result.reasons)


def test_registry_aliases_are_followed():
    repo = RepositoryFactory(full_name="openedx/frontend-app-authoring")
    from openedx_cc.plugins.ownership.models import RepositoryAlias

    RepositoryAlias.objects.create(full_name="openedx/frontend-app-course-authoring", repository=repo)
    PhaseFactory()
    effective_committer(repository=repo, github_username="alice")
    result = api.check_ownership("alice", "edx/frontend-app-course-authoring")
    assert result.allowed
    assert result.repository == "openedx/frontend-app-authoring"


def test_a_right_revoked_later_still_answers_yes_for_before():
    PhaseFactory()
    repo = RepositoryFactory()
    alice = effective_committer(repository=repo, github_username="alice")
    right = alice.rights.get()
    with freeze_time("2024-03-01"):
        api.revoke_rights([right])
    assert api.check_ownership("alice", repo.full_name, at=utc(2023, 1, 1)).allowed
    later = api.check_ownership("alice", repo.full_name, at=utc(2024, 6, 1))
    assert not later.allowed
    assert "was revoked on 2024-03-01" in " ".join(later.reasons)


def test_a_suspension_does_not_rewrite_the_past():
    PhaseFactory()
    repo = RepositoryFactory()
    alice = effective_committer(repository=repo, github_username="alice")
    with freeze_time("2024-03-01"):
        api.suspend_committers([alice])
    assert api.check_ownership("alice", repo.full_name, at=utc(2023, 1, 1)).allowed
    now = api.check_ownership("alice", repo.full_name)
    assert not now.allowed
    assert "status of alice is suspended since 2024-03-01" in " ".join(now.reasons)


def test_before_the_status_starts_the_user_was_not_a_cc_yet():
    PhaseFactory()
    repo = RepositoryFactory()
    effective_committer(repository=repo, github_username="alice")
    result = api.check_ownership("alice", repo.full_name, at=utc(2019, 1, 1))
    assert not result.allowed
    assert any("was not a Core Committer yet" in r for r in result.reasons)


def test_an_expired_nda_in_the_pilot_but_not_after_the_program_is_published():
    PhaseFactory(phase="pilot", since=utc(2020, 1, 1))
    PhaseFactory(phase="published", since=utc(2023, 1, 1))
    repo = RepositoryFactory()
    alice = effective_committer(repository=repo, github_username="alice", nda=False)
    AgreementFactory(committer=alice, kind="nda", signed_on=date(2020, 6, 1), expires_on=date(2021, 6, 1))
    assert api.check_ownership("alice", repo.full_name, at=utc(2021, 1, 1)).allowed
    pilot_late = api.check_ownership("alice", repo.full_name, at=utc(2022, 1, 1))
    assert not pilot_late.allowed
    assert pilot_late.reasons == (
        "the NDA (signed 2020-06-01) expired on 2021-06-01, and the pilot phase requires an NDA",
    )
    assert api.check_ownership("alice", repo.full_name, at=utc(2024, 1, 1)).allowed


def test_a_provider_without_entity_agreement_blocks_its_committers():
    PhaseFactory(phase="scale")
    repo = RepositoryFactory()
    org = OrganizationFactory(name="Acme", openedx_provider=True)
    effective_committer(repository=repo, github_username="alice", organization=org)
    result = api.check_ownership("alice", repo.full_name)
    assert not result.allowed
    assert result.reasons == ("Acme's entity agreement is missing; Acme is an Open edX provider",)
    AgreementFactory(kind="entity", committer=None, organization=org)
    assert api.check_ownership("alice", repo.full_name).allowed


def test_paths_and_extensions():
    PhaseFactory(phase="scale")
    ext = ExtensionFactory(name="content_libraries", path="openedx/core/djangoapps/content_libraries/")
    alice = effective_committer(github_username="alice")
    RightFactory(committer=alice, repository=ext.repository, extension=ext)
    repo = ext.repository.full_name
    assert api.check_ownership("alice", repo, path="openedx/core/djangoapps/content_libraries/api.py").allowed
    assert not api.check_ownership("alice", repo, path="lms/urls.py").allowed
    assert not api.check_ownership("alice", repo).allowed
    assert api.check_ownership("alice", repo, paths=["openedx/core/djangoapps/content_libraries/a.py",
                                                     "openedx/core/djangoapps/content_libraries/b.py"]).allowed


def test_bad_input_names_the_field():
    with pytest.raises(ValidationFailed) as info:
        api.check_ownership("alice", "not a repo", path="../escape")
    fields = {p.field for p in info.value.problems}
    assert fields == {"repository", "path"}


def _registry(size):
    PhaseFactory()
    repos = [RepositoryFactory() for _ in range(3)]
    for i in range(size):
        person = effective_committer(github_username=f"user-{i}", organization=OrganizationFactory(
            openedx_provider=True))
        AgreementFactory(kind="entity", committer=None, organization=person.organization)
        for repo in repos:
            RightFactory(committer=person, repository=repo)
    return repos


@pytest.mark.parametrize("size", [2, 20])
def test_one_query_per_check_whatever_the_registry_size(size):
    repos = _registry(size)
    with CaptureQueriesContext(connection) as queries:
        result = api.check_ownership("user-1", repos[0].full_name, path="x/y.py", at=utc(2025, 1, 1))
    assert result.allowed
    assert len(queries) == 1


def test_two_queries_when_the_time_precedes_the_current_status():
    repos = _registry(3)
    with CaptureQueriesContext(connection) as queries:
        api.check_ownership("user-1", repos[0].full_name, at=utc(2019, 1, 1))
    assert len(queries) == 2


@pytest.mark.parametrize("seed", range(12))
def test_the_one_query_path_agrees_with_the_orm_path(seed):
    """
    ``check_ownership`` (one raw query) and ``check_ownership_many`` (ORM loaders) share the rules but not the
    loading: on a random registry they must give the same answers and the same reasons.
    """
    rng = random.Random(seed)
    PhaseFactory(phase=rng.choice(["pilot", "published", "scale"]), since=utc(2020, 1, 1))
    if rng.random() < 0.5:
        PhaseFactory(phase=rng.choice(["pilot", "published", "scale"]), since=utc(2023, 1, 1),
                     require_champions=rng.choice([None, 0, 1, 3]), require_nda=rng.choice([None, True, False]))
    orgs = [OrganizationFactory(openedx_provider=rng.random() < 0.6) for _ in range(3)]
    for org in orgs:
        if rng.random() < 0.7:
            AgreementFactory(kind="entity", committer=None, organization=org, signed_on=date(2020, 1, 1),
                             expires_on=rng.choice([None, date(2024, 1, 1)]))
    repos = [RepositoryFactory(full_name=f"openedx/r{i}") for i in range(3)]
    exts = [ExtensionFactory(repository=repos[0], name=f"e{i}", path=f"src/e{i}/") for i in range(2)]
    people = []
    for i in range(6):
        person = CommitterFactory(github_username=f"p{i}", organization=rng.choice(orgs + [None]),
                                  status=rng.choice(["active", "active", "suspended", "emeritus"]),
                                  status_since=utc(2020, 1, 1) + timedelta(days=rng.randrange(0, 1500)))
        people.append(person)
        for kind in ("individual", "nda"):
            if rng.random() < 0.8:
                AgreementFactory(committer=person, kind=kind,
                                 signed_on=date(2020, 1, 1) + timedelta(rng.randrange(900)),
                                 expires_on=rng.choice([None, date(2025, 1, 1)]))
        for _ in range(rng.randrange(4)):
            ChampionFactory(committer=person, valid_until=rng.choice([None, utc(2023, 6, 1)]))
        for _ in range(rng.randrange(1, 4)):
            choice = rng.random()
            kwargs = {"valid_from": rng.choice([None, utc(2021, 1, 1)]),
                      "valid_until": rng.choice([None, None, utc(2024, 1, 1)])}
            if choice < 0.2:
                RightFactory(committer=person, repository=None, owner="openedx", **kwargs)
            elif choice < 0.4:
                RightFactory(committer=person, repository=repos[0], extension=rng.choice(exts), **kwargs)
            elif choice < 0.55:
                RightFactory(committer=person, repository=rng.choice(repos), paths=["src/e0/"], **kwargs)
            else:
                RightFactory(committer=person, repository=rng.choice(repos), **kwargs)
    questions = []
    for _ in range(40):
        paths = rng.choice([(), ("src/e0/a.py",), ("src/e1/b.py",), ("docs/x.rst",), ("src/e0/a.py", "src/e1/b.py")])
        questions.append(ScopeQuestion(github_username=rng.choice(people).github_username.upper(),
                                       repository=rng.choice(repos).full_name, paths=paths,
                                       at=rng.choice([utc(2021, 6, 1), utc(2023, 3, 1), utc(2025, 6, 1)])))
    many = api.check_ownership_many(questions)
    for question, batch_answer in zip(questions, many, strict=True):
        single = api.check_ownership(question.github_username, question.repository, paths=question.paths,
                                     at=question.at)
        assert (single.allowed, single.reasons) == (batch_answer.allowed, batch_answer.reasons), question
