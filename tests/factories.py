"""
factory_boy factories of the ownership registry, for tests that need rows the roster importer would not make.
"""
from datetime import date

import factory

from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Extension,
    Organization,
    ProgramPhase,
    Repository,
)
from tests.conftest import utc

START = utc(2020, 6, 1)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")
    openedx_provider = False


class CommitterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoreCommitter

    github_username = factory.Sequence(lambda n: f"Committer-{n}")
    name = factory.Sequence(lambda n: f"Committer {n}")
    status = "active"
    status_since = START


class RepositoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Repository

    full_name = factory.Sequence(lambda n: f"openedx/repo-{n}")


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    repository = factory.SubFactory(RepositoryFactory)
    name = factory.Sequence(lambda n: f"ext-{n}")
    path = factory.Sequence(lambda n: f"src/ext_{n}/")


class RightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitRight

    committer = factory.SubFactory(CommitterFactory)
    repository = factory.SubFactory(RepositoryFactory)
    valid_from = START


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    kind = "individual"
    committer = factory.SubFactory(CommitterFactory)
    signed_on = date(2020, 6, 1)


class ChampionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Champion

    committer = factory.SubFactory(CommitterFactory)
    name = factory.Sequence(lambda n: f"Champion {n}")


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramPhase

    phase = "pilot"
    since = START


def effective_committer(*, repository=None, organization=None, nda=True, champions=2, **kwargs):
    """A committer who is effective on ``repository`` under the pilot policy (individual agreement, NDA, champions)."""
    committer = CommitterFactory(organization=organization, **kwargs)
    AgreementFactory(committer=committer, kind="individual")
    if nda:
        AgreementFactory(committer=committer, kind="nda")
    for _ in range(champions):
        ChampionFactory(committer=committer)
    if repository is not None:
        RightFactory(committer=committer, repository=repository, owner=repository.owner)
    return committer
