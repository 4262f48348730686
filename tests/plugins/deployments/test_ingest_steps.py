"""
The steps of the ingest (openedx_cc/plugins/deployments/ingest.py), each on its own: attribution, revert resolution
and presence settling over immutable values, without recording a report.
"""
from datetime import datetime, timedelta, timezone

import attr
import pytest

from openedx_cc.plugins.deployments import revert_links
from openedx_cc.plugins.deployments.attribution import attribution_for
from openedx_cc.plugins.deployments.facts import ChangeFacts
from openedx_cc.plugins.deployments.models import Change
from openedx_cc.plugins.deployments.presences import (
    Arrival,
    KeptOut,
    Place,
    Presences,
    Removal,
    settle_presences,
)
from openedx_cc.plugins.deployments.facts import RevertGraph
from openedx_cc.plugins.deployments.reverts import Reference, find_originals
from openedx_cc.plugins.ownership.api import OwnershipCheck

T0 = datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)
NEW = 50  # the id of the deployment being recorded
OLD = 40  # a deployment recorded before


def facts(change_id, pr_number=None, *, repository="openedx/openedx-platform", refs=(), **overrides):
    """The facts of a change, with its id as pull request number unless told."""
    number = pr_number if pr_number is not None else change_id
    values = {
        "id": change_id, "repository": repository, "repository_key": repository.lower(), "pr_number": number,
        "change_key": f"{repository.lower()}#{number}", "title": f"feat: change {number}",
        "title_key": f"feat: change {number}", "body": "", "url": "", "merge_sha": f"{number:040x}",
        "author": "an-author", "merged_by": "a-merger", "merged_at": T0 + timedelta(hours=change_id),
        "revert_references": tuple(refs),
    }
    values.update(overrides)
    return ChangeFacts(**values)


# -- attribution -------------------------------------------------------------------------------------------------


def answer(allowed, reason):
    return OwnershipCheck(allowed=allowed, user="someone", repository="openedx/openedx-platform", reasons=(reason,))


def test_the_merger_is_credited_first():
    change = facts(1, paths=("lms/x.py",))
    result = attribution_for(change, merger=answer(True, "holds a right"), author=answer(True, "holds one too"))
    assert (result.core_committer, result.is_cc_change) == ("a-merger", True)
    assert result.reason == ("merged by a-merger, an effective Core Committer of openedx/openedx-platform at lms/x.py "
                             "at 2026-11-24 19:00 UTC: holds a right")


def test_the_author_is_credited_when_the_merger_is_no_core_committer():
    result = attribution_for(facts(1), merger=answer(False, "no right"), author=answer(True, "holds a right"))
    assert result.core_committer == "an-author"
    assert result.reason == ("merged by a-merger, who was not an effective Core Committer of openedx/openedx-platform "
                             "(no paths listed) (no right); authored by an-author, who was: holds a right")


def test_nobody_is_credited_and_both_reasons_are_given():
    result = attribution_for(facts(1), merger=answer(False, "no right"), author=answer(False, "suspended"))
    assert (result.core_committer, result.is_cc_change) == ("", False)
    assert result.reason.endswith("(merged_by a-merger: no right; author an-author: suspended)")


def test_a_self_merged_change_names_its_merger_once():
    change = facts(1, author="Same-Login", merged_by="same-login")
    result = attribution_for(change, merger=answer(False, "no right"), author=answer(False, "no right"))
    assert result.reason.endswith("(merged_by same-login: no right)")


# -- revert resolution -------------------------------------------------------------------------------------------


def no_alias(change, ref):
    return f"{(ref.repository or change.repository).lower()}#{ref.value}"


def test_a_sha_names_the_change_of_its_own_repository_first():
    elsewhere = facts(1, repository="openedx/xblock", merge_sha="ab" * 20)
    here = facts(2, merge_sha="ab" * 20)
    revert = facts(3, refs=[Reference("sha", "abababa")])
    assert find_originals(revert, [elsewhere, here], pr_key=no_alias) == [here]


def test_a_pull_request_in_another_repository_is_found_through_pr_key():
    original = facts(1, repository="openedx/xblock", pr_number=7)
    revert = facts(2, refs=[Reference("pr", 7, repository="edx/XBlock")])

    def aliased(change, ref):  # what the aliases make of edx/XBlock
        assert (change, ref.repository) == (revert, "edx/XBlock")
        return "openedx/xblock#7"

    assert find_originals(revert, [original], pr_key=aliased) == [original]
    assert find_originals(revert, [original], pr_key=no_alias) == []


def test_a_title_counts_only_when_no_sha_or_pull_request_is_named():
    original = facts(1, title_key="feat: X")
    by_title = facts(3, refs=[Reference("title", "feat:   X")])
    assert find_originals(by_title, [original], pr_key=no_alias) == [original]
    named = facts(4, refs=[Reference("title", "feat: X"), Reference("pr", 99)])
    assert find_originals(named, [original], pr_key=no_alias) == []  # #99 is unknown: the title is not used


def test_a_title_names_the_latest_earlier_change_of_the_same_repository():
    older, newer = facts(1, title_key="feat: X"), facts(2, title_key="feat: X")
    later = facts(9, title_key="feat: X")  # merged after the revert: not its original
    other_repo = facts(3, repository="openedx/xblock", title_key="feat: X")
    revert = facts(5, refs=[Reference("title", "feat: X")])
    assert find_originals(revert, [older, newer, later, other_repo], pr_key=no_alias) == [newer]


def test_a_change_never_reverts_itself():
    revert = facts(1, refs=[Reference("pr", 1)])
    assert find_originals(revert, [revert], pr_key=no_alias) == []


def stored(change):
    row = Change.objects.create(
        repository=change.repository, repository_key=change.repository_key, pr_number=change.pr_number,
        change_key=change.change_key, title=change.title, title_key=change.title_key, merge_sha=change.merge_sha,
        author=change.author, merged_by=change.merged_by, merged_at=change.merged_at,
        revert_references=[r.as_dict() for r in change.revert_references],
    )
    return attr.evolve(change, id=row.id)


@pytest.mark.django_db
def test_finding_the_links_writes_nothing_and_storing_them_twice_keeps_one():
    original = stored(facts(1, pr_number=101))
    revert = stored(facts(2, pr_number=102, refs=[Reference("pr", 101)]))
    links = revert_links.find_revert_links([original, revert])
    assert [(change.id, found.id) for change, found in links] == [(revert.id, original.id)]
    assert not Change.reverts.through.objects.exists()
    revert_links.store_revert_links(links)
    revert_links.store_revert_links(links)
    assert list(Change.reverts.through.objects.values_list("from_change_id", "to_change_id")) == [
        (revert.id, original.id)]


@pytest.mark.django_db
def test_resolving_links_the_report_and_follows_the_recorded_chain():
    """A revert of a revert: the new link is stored, the older one read, and the original known with both."""
    original = stored(facts(1, pr_number=101))
    first = stored(facts(2, pr_number=102))
    Change.reverts.through.objects.create(from_change_id=first.id, to_change_id=original.id)
    second = stored(facts(3, pr_number=103, refs=[Reference("pr", 102)]))
    graph = revert_links.resolve_reverts([second], known={second.id: second})
    assert graph.reverted(second.id) == (first.id,) and graph.reverted(first.id) == (original.id,)
    assert graph.reverting(first.id) == (second.id,) and graph.reverting(original.id) == (first.id,)
    assert set(graph.changes) == {original.id, first.id, second.id}
    assert graph.changes[second.id] is second  # the report's own facts are kept
    assert set(Change.reverts.through.objects.values_list("from_change_id", "to_change_id")) == {
        (first.id, original.id), (second.id, first.id)}


# -- presence settling -------------------------------------------------------------------------------------------


def settle(changes, *, places=None, arriving=(), rolled_back=(), reverts=None):
    by_id = {c.id: c for c in changes}
    reverted_by = {}
    for reverting, originals in (reverts or {}).items():
        for original in originals:
            reverted_by.setdefault(original, []).append(reverting)
    graph = RevertGraph(by_id, reverts or {}, reverted_by)
    return settle_presences(Presences(places=places or {}), deployment_id=NEW, rolled_back=rolled_back,
                            arriving=arriving, graph=graph)


def present(by=OLD):
    return Place(present=True, deployed_by=by)


def test_a_new_change_arrives():
    settlement = settle([facts(1)], arriving=[1])
    assert settlement.moves == (Arrival(1),) and settlement.kept_out == ()
    assert settlement.places[1] == Place(present=True, deployed_by=NEW)


def test_a_change_deployed_with_its_revert_was_never_there():
    settlement = settle([facts(1), facts(2)], arriving=[2, 1], reverts={2: [1]})
    assert settlement.moves == (Arrival(2),)  # merge order: 1 arrives, then its revert 2 removes it
    assert settlement.touched == (1, 2)
    assert settlement.places[1] == Place(present=False, deployed_by=NEW, removed_by=NEW, removed_kind="revert",
                                         removed_by_change=2)


def test_a_revert_removes_a_present_change():
    settlement = settle([facts(1), facts(2)], places={1: present()}, arriving=[2], reverts={2: [1]})
    assert settlement.moves == (Arrival(2), Removal(1, "revert", 2, OLD))


def test_a_rollback_removes_what_the_rolled_back_deployment_brought():
    settlement = settle([facts(1)], places={1: present()}, rolled_back=[1])
    assert settlement.moves == (Removal(1, "rollback", None, OLD),)


def test_reverting_a_revert_reapplies_the_original():
    reverted = Place(present=False, deployed_by=OLD, removed_by=OLD + 1, removed_kind="revert", removed_by_change=2)
    settlement = settle([facts(1), facts(2), facts(3)], places={1: reverted, 2: present(OLD + 1)}, arriving=[3],
                        reverts={2: [1], 3: [2]})
    assert settlement.moves == (Arrival(3), Removal(2, "revert", 3, OLD + 1), Arrival(1))


def test_a_change_whose_revert_is_deployed_stays_out():
    settlement = settle([facts(1), facts(2)], places={2: present()}, arriving=[1], reverts={2: [1]})
    assert settlement.moves == () and settlement.kept_out == (KeptOut(1, 2),) and settlement.touched == ()


def test_a_change_rolled_back_and_deployed_again_in_one_report_did_not_move():
    settlement = settle([facts(1)], places={1: present()}, rolled_back=[1], arriving=[1])
    assert settlement.moves == ()
    assert settlement.places[1] == Place(present=True, deployed_by=OLD)  # still brought by the older deployment


def test_settling_changes_nothing_it_was_given():
    before = {1: present()}
    settlement = settle([facts(1), facts(2)], places=before, arriving=[2], reverts={2: [1]})
    assert before == {1: present()} and settlement.places[1].present is False
    with pytest.raises(attr.exceptions.FrozenInstanceError):
        settlement.moves = ()
