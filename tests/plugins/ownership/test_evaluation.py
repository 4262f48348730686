"""
The rules of effectiveness (docs/reference/glossary.rst, "effective Core Committer"), as a pure function.
"""
from datetime import date

import pytest

from openedx_cc.plugins.ownership.data import RightData
from openedx_cc.plugins.ownership.evaluation import (
    AgreementFacts,
    PersonFacts,
    StatusVersion,
    agreement_state,
    evaluate,
    policy_at,
    status_at,
)
from tests.conftest import utc

T = utc(2024, 1, 1)
START = utc(2020, 6, 1)


class Phase:
    def __init__(self, phase, since, require_nda=None, require_champions=None):
        self.phase, self.since, self.require_nda, self.require_champions = phase, since, require_nda, require_champions


PILOT = policy_at([Phase("pilot", START)], T)


def person(**overrides):
    values = {
        "github_username": "alice",
        "statuses": (StatusVersion(status="active", since=START),),
        "organization_name": "OpenCraft",
        "organization_provider": True,
        "agreements": (AgreementFacts(kind="individual", signed_on=date(2020, 6, 1)),
                       AgreementFacts(kind="nda", signed_on=date(2020, 6, 1))),
        "organization_agreements": (AgreementFacts(kind="entity", signed_on=date(2020, 6, 1)),),
        "champion_periods": ((None, None), (None, None)),
    }
    values.update(overrides)
    return PersonFacts(**values)


def right(**overrides):
    values = {"id": 1, "github_username": "alice", "repository": "openedx/xblock", "valid_from": START}
    values.update(overrides)
    return RightData(**values)


def check(p=None, rights=None, policy=PILOT, at=T, **kwargs):
    return evaluate(user="alice", repository="openedx/xblock", person=p or person(),
                    rights=[right()] if rights is None else rights, policy=policy, at=at, **kwargs)


def test_everything_in_order_is_allowed_with_reasons_why():
    result = check()
    assert result.allowed
    assert result.reasons[0].startswith("right #1 on openedx/xblock (whole repository, all branches) covers")
    assert any("NDA signed 2020-06-01" in r for r in result.reasons)
    assert any("2 champions" in r for r in result.reasons)


def test_every_reason_is_listed_when_several_conditions_fail():
    bad = person(
        statuses=(StatusVersion(status="suspended", since=utc(2023, 1, 1)),),
        agreements=(AgreementFacts(kind="individual", signed_on=date(2020, 1, 1), expires_on=date(2021, 1, 1)),),
        organization_agreements=(),
        champion_periods=((None, None),),
    )
    result = check(bad, rights=[right(valid_until=utc(2022, 6, 1))])
    assert not result.allowed
    text = " | ".join(result.reasons)
    assert "expired on 2022-06-01" in text  # the right
    assert "status of alice is suspended since 2023-01-01" in text
    assert "individual contributor agreement (signed 2020-01-01) expired on 2021-01-01" in text
    assert "OpenCraft's entity agreement is missing" in text
    assert "NDA is missing, and the pilot phase requires an NDA" in text
    assert "requires 2 champions; alice has 1" in text
    assert len(result.reasons) == 6


def test_no_right_for_the_scope_explains_the_rights_that_do_not_cover_it():
    result = check(rights=[right(paths=("xblock/fields.py",))], path="xblock/core.py", paths=["xblock/core.py"])
    assert not result.allowed
    assert result.reasons[0] == "no right of alice covers openedx/xblock at xblock/core.py"
    assert "does not cover xblock/core.py" in result.reasons[1]


def test_extension_rights_cover_their_path_only():
    ext = right(extension="content_libraries", extension_path="openedx/core/djangoapps/content_libraries/")
    inside = check(rights=[ext], paths=["openedx/core/djangoapps/content_libraries/api.py"])
    outside = check(rights=[ext], paths=["lms/urls.py"])
    no_path = check(rights=[ext])
    assert inside.allowed and not outside.allowed and not no_path.allowed
    assert "no path was given" in " ".join(no_path.reasons)


def test_owner_wildcard_rights_cover_every_repository_of_the_owner():
    assert check(rights=[right(repository="openedx/*")]).allowed
    other = evaluate(user="alice", repository="edx/thing", person=person(), rights=[right(repository="openedx/*")],
                     policy=PILOT, at=T)
    assert not other.allowed


def test_branch_limited_rights_need_the_branch():
    limited = right(branches=("open-release/*",))
    assert check(rights=[limited], branch="open-release/teak.master").allowed
    assert not check(rights=[limited], branch="master").allowed
    assert not check(rights=[limited]).allowed


@pytest.mark.parametrize("phase, allowed", [("pilot", False), ("published", True), ("scale", True)])
def test_nda_is_required_only_in_the_pilot(phase, allowed):
    no_nda = person(agreements=(AgreementFacts(kind="individual", signed_on=date(2020, 6, 1)),))
    assert check(no_nda, policy=policy_at([Phase(phase, START)], T)).allowed is allowed


@pytest.mark.parametrize("phase, allowed", [("pilot", False), ("published", False), ("scale", True)])
def test_champions_are_required_until_scale(phase, allowed):
    lonely = person(champion_periods=())
    assert check(lonely, policy=policy_at([Phase(phase, START)], T)).allowed is allowed


def test_operator_overrides_replace_the_phase_defaults():
    policy = policy_at([Phase("pilot", START, require_nda=False, require_champions=1)], T)
    assert (policy.require_nda, policy.require_champions) == (False, 1)
    no_nda_one_champion = person(agreements=(AgreementFacts(kind="individual", signed_on=date(2020, 6, 1)),),
                                 champion_periods=((None, None),))
    assert check(no_nda_one_champion, policy=policy).allowed


def test_the_phase_in_force_is_the_latest_started():
    phases = [Phase("pilot", START), Phase("published", utc(2022, 1, 1)), Phase("scale", utc(2025, 1, 1))]
    assert policy_at(phases, utc(2021, 1, 1)).phase == "pilot"
    assert policy_at(phases, utc(2023, 1, 1)).phase == "published"
    assert policy_at(phases, utc(2026, 1, 1)).phase == "scale"
    assert policy_at(phases, utc(2019, 1, 1)).phase == "pilot"
    assert policy_at([], T).phase == "pilot"


def test_non_provider_organizations_need_no_entity_agreement():
    assert check(person(organization_provider=False, organization_agreements=())).allowed


def test_agreement_states_over_time():
    rows = [AgreementFacts(kind="nda", signed_on=date(2020, 6, 1), expires_on=date(2021, 6, 1))]
    assert agreement_state(rows, "nda", utc(2019, 1, 1)).state == "not_yet_signed"
    assert agreement_state(rows, "nda", utc(2021, 1, 1)).state == "valid"
    assert agreement_state(rows, "nda", utc(2021, 6, 1)).state == "expired"  # expiry day is not valid any more
    assert agreement_state([], "nda", T).state == "missing"
    revoked = [AgreementFacts(kind="nda", signed_on=date(2020, 6, 1), revoked_at=utc(2022, 1, 1))]
    assert agreement_state(revoked, "nda", utc(2021, 1, 1)).state == "valid"
    assert agreement_state(revoked, "nda", utc(2023, 1, 1)).state == "revoked"


def test_status_history_answers_the_past():
    statuses = (  # newest first: suspended since 2023, active since 2020 before that
        StatusVersion(status="suspended", since=utc(2023, 1, 1)),
        StatusVersion(status="active", since=START),
    )
    assert status_at(statuses, utc(2022, 1, 1))[0].status == "active"
    assert status_at(statuses, utc(2024, 1, 1))[0].status == "suspended"
    assert status_at(statuses, utc(2019, 1, 1)) == (None, False)
    ended = (StatusVersion(status="active", since=START, until=utc(2021, 1, 1)),
             StatusVersion(status="active", since=START))
    assert status_at(ended, utc(2022, 1, 1)) == (ended[0], False)  # the newest version decides, not an older one


def test_not_registered():
    result = evaluate(user="ghost", repository="openedx/xblock", person=None, rights=[], policy=PILOT, at=T)
    assert not result.allowed
    assert result.reasons == ("ghost is not registered as a Core Committer",)
