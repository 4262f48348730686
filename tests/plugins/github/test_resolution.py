"""
The decisions over recorded pushes, pure: ranges along the chain of pushes, forced pushes, missing pushes, ancestry,
the changes and direct pushes of a range, waiting for a pull request, and what a return to an older commit undoes.
"""
from datetime import datetime, timedelta, timezone

from openedx_cc.plugins.github.resolution import (
    History,
    PreviousHead,
    PushedCommit,
    PushFacts,
    Range,
    Settled,
    Unresolvable,
    find_range,
    is_ancestor,
    named_pull_request,
    rolled_back,
    settle,
)
from tests.plugins.github.builders import ZERO, sha

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
_ids = iter(range(1, 10_000))


def push(before, *commits, forced=False, ref="refs/heads/master", recorded_at=NOW - timedelta(days=1)):
    """A push of commits given as shas or (sha, title)."""
    listed = tuple(PushedCommit(*c) if isinstance(c, tuple) else PushedCommit(c, f"commit {c[:6]}") for c in commits)
    return PushFacts(id=next(_ids), ref=ref, before=before, after=listed[-1].sha, forced=forced,
                     recorded_at=recorded_at, commits=listed)


A, B, C, D, E, F, G = (sha(name) for name in "ABCDEFG")


def test_a_range_follows_the_chain_of_pushes():
    history = History((push(A, B), push(B, C, D), push(D, E)))
    found = find_range(history, A, E)
    assert isinstance(found, Range)
    assert found.commits == {B, C, D, E}
    assert [(p.after, head.sha) for p, head in found.heads] == [(B, B), (D, D), (E, E)]
    assert find_range(history, C, E).commits == {D, E}


def test_a_range_may_end_inside_a_push():
    history = History((push(A, B, C, D),))
    found = find_range(history, A, C)
    assert found.commits == {B, C}
    assert [head.sha for _p, head in found.heads] == [C]


def test_the_order_pushes_arrived_in_does_not_matter():
    pushes = (push(A, B), push(B, C), push(C, D))
    assert find_range(History(pushes[::-1]), A, D).commits == find_range(History(pushes), A, D).commits


def test_a_missing_push_leaves_the_range_unresolved_naming_where_the_chain_stops():
    history = History((push(A, B), push(C, D)))  # the push B -> C never arrived
    found = find_range(history, A, D)
    assert isinstance(found, Unresolvable)
    assert f"lead back from {D[:12]} to {C[:12]}, not to the previous head {A[:12]}" in found.reason


def test_a_commit_no_push_brought_is_unresolved():
    found = find_range(History((push(A, B),)), A, F)
    assert isinstance(found, Unresolvable)
    assert f"no recorded push brought {F[:12]}" in found.reason


def test_a_forced_push_breaks_the_chain():
    history = History((push(A, B), push(B, C, forced=True), push(C, D)))
    found = find_range(history, A, D)
    assert isinstance(found, Unresolvable)
    assert "a force-push (refs/heads/master) lies between" in found.reason
    assert find_range(history, C, D).commits == {D}  # after the forced push, the chain holds again
    assert not is_ancestor(history, A, D)


def test_a_branch_merged_with_a_merge_commit_is_in_the_range_once():
    feature = push(B, C, D, ref="refs/heads/feature")
    merge = push(B, C, D, (E, "Merge pull request #7 from someone/feature"))
    history = History((push(A, B), feature, merge))
    found = find_range(history, B, E)
    assert found.commits == {C, D, E}
    settled = settle(found, [E], now=NOW)
    assert settled == Settled(merge_shas=(E,), direct_pushes=())  # the feature's head is no push of its own


def test_ancestry_follows_the_links():
    history = History((push(A, B), push(B, C)))
    assert is_ancestor(history, A, C) and is_ancestor(history, B, C)
    assert not is_ancestor(history, C, A) and not is_ancestor(history, C, C)


def test_changes_are_the_merge_commits_in_range_and_other_heads_are_direct_pushes():
    history = History((push(A, (B, "feat: x (#1)")), push(B, (C, "hotfix on master")), push(C, (D, "feat: y (#2)"))))
    found = find_range(history, A, D)
    settled = settle(found, [B, D, F], now=NOW)  # F: a pull request merged elsewhere
    assert settled.merge_shas == tuple(sorted([B, D]))
    assert [(push.sha, push.title) for push in settled.direct_pushes] == [(C, "hotfix on master")]


def test_a_commit_naming_an_unknown_pull_request_waits_for_it_then_counts_as_a_direct_push():
    recent = NOW - timedelta(minutes=5)
    history = History((push(A, (B, "Merge pull request #12 from someone/branch"), recorded_at=recent),
                       push(B, (C, "fix: thing (#13)"), recorded_at=recent),
                       push(C, (D, "chore: bump (#14)"), recorded_at=NOW - timedelta(hours=2))))
    found = find_range(history, A, D)
    waiting = settle(found, [], now=NOW)
    assert isinstance(waiting, Unresolvable)
    assert f"#12 ({B[:12]}), #13 ({C[:12]})" in waiting.reason and "#14" not in waiting.reason
    later = settle(found, [], now=NOW + timedelta(hours=2))
    assert [push.sha for push in later.direct_pushes] == [B, C, D]
    assert settle(found, [B, C], now=NOW).direct_pushes[0].sha == D


def test_only_a_heads_squash_suffix_names_a_pull_request():
    assert named_pull_request("Merge pull request #5 from a/b", head=False) == 5
    assert named_pull_request("fix: x (#6)", head=True) == 6
    assert named_pull_request("fix: x (#6)", head=False) is None
    assert named_pull_request("Revert \"fix: x (#6)\" (#9)", head=True) == 9
    assert named_pull_request("fix: #6", head=True) is None


def test_a_return_to_an_older_commit_undoes_the_deployments_that_came_after_it():
    history = History((push(A, B), push(B, C), push(C, D)))
    earlier = [PreviousHead("d1", A), PreviousHead("d2", B), PreviousHead("d3", C), PreviousHead("d4", D)]
    assert rolled_back(history, earlier, B) == ["d3", "d4"]
    assert rolled_back(history, earlier, A) == ["d2", "d3", "d4"]
    assert rolled_back(history, earlier[:2] + [PreviousHead("d3", B)] + earlier[3:], B) == ["d4"]


def test_pushes_that_create_a_branch_have_no_parent():
    history = History((push(ZERO, A, B),))
    assert find_range(history, A, B).commits == {B}
    assert isinstance(find_range(history, G, B), Unresolvable)
