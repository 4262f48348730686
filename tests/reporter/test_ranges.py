"""
What one repository deployed (``ranges.read_deployed``), on repositories written by the tests: changes and direct
pushes in the order deployed, authors, the direction of the range, and the report's limits.
"""
import pytest

from openedx_cc.reporter.git import Commit, Repository
from openedx_cc.reporter.pullrequests import NO_AUTHORS, AuthorMap
from openedx_cc.reporter.ranges import ROLLBACK, RangeError, read_deployed

DEV = ("Dev Eloper", "7+dev@users.noreply.github.com")
MAINTAINER = ("Main Tainer", "9+maintainer@users.noreply.github.com")


def _read(repo, previous, head, **kwargs):
    return read_deployed(Repository(str(repo.path)), repository="openedx/demo", previous=previous, head=head, **kwargs)


def test_changes_and_direct_pushes_in_the_order_deployed(repo):
    base = repo.head()
    repo.branch("feature")
    repo.commit("work", {"src/feature.py": "1\n"}, author=DEV)
    branch_head = repo.commit("more work", {"src/other.py": "1\n"}, author=DEV)
    repo.checkout("main")
    merge = repo.merge("feature", "Merge pull request #10 from dev/feature\n\nfeat: a feature\n\nIts description.",
                       author=MAINTAINER)
    push = repo.commit("Bump version", {"VERSION": "2\n"}, author=MAINTAINER)
    squash = repo.commit("fix: a bug (#11)\n\n* fix: a bug\n\nCo-authored-by: X <x@example.org>",
                         {"src/feature.py": "2\n"}, author=("Ada Lovelace", "ada@example.org"))
    deployed = _read(repo, base, squash, authors=AuthorMap(logins={"ada@example.org": "ada"}))
    assert [(c.pr_number, c.merge_sha, c.title, c.author.login, c.paths) for c in deployed.changes] == [
        (10, merge, "feat: a feature", "dev", ("src/feature.py", "src/other.py")),
        (11, squash, "fix: a bug", "ada", ("src/feature.py",)),
    ]
    assert deployed.changes[0].body == "Its description."
    assert deployed.changes[1].body == "* fix: a bug\n\nCo-authored-by: X <x@example.org>"
    assert deployed.changes[0].merged_at.endswith("+01:00")
    assert [(p.sha, p.title) for p in deployed.direct_pushes] == [(push, "Bump version")]
    assert (deployed.previous, deployed.head) == (base, squash)
    assert deployed.notes == (f"openedx/demo: direct push {push[:12]} Bump version",)
    assert branch_head not in {c.merge_sha for c in deployed.changes}


def test_unknown_authors_and_bots_are_left_empty_and_noted(repo):
    base = repo.head()
    repo.commit("feat: one (#1)", author=("Calen", "calen@example.org"))
    repo.commit("feat: two (#2)", author=("Calen", "calen@example.org"))
    head = repo.commit("build(deps): bump x (#3)", author=("dependabot[bot]",
                                                           "49699333+dependabot[bot]@users.noreply.github.com"))
    deployed = _read(repo, base, head)
    assert [c.author.login for c in deployed.changes] == ["", "", ""]
    assert deployed.notes == (
        "openedx/demo: author Calen <calen@example.org>: unknown GitHub login (add it to --authors): #1, #2",
        "openedx/demo: author dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>: a bot, left out "
        "of attribution: #3",
    )


def test_a_pull_request_named_twice_is_a_change_once(repo):
    base = repo.head()
    first = repo.commit("fix: a bug (#5)")
    again = repo.commit("fix: a bug (#5)")
    deployed = _read(repo, base, again)
    assert [c.merge_sha for c in deployed.changes] == [first]
    assert [p.sha for p in deployed.direct_pushes] == [again]
    assert deployed.notes[0] == (f"openedx/demo: pull request #5 is named again by {again[:12]} (merged by "
                                 f"{first[:12]}): counted as a direct push")


def test_a_deploy_must_move_forward(repo):
    first = repo.head()
    second = repo.commit("two (#2)")
    with pytest.raises(RangeError, match=f"--from {second[:12]} is not an ancestor of --to {first[:12]}"):
        _read(repo, second, first)
    assert _read(repo, second, second).changes == ()
    repo.branch("other", first)
    elsewhere = repo.commit("elsewhere (#3)")
    with pytest.raises(RangeError, match="is not an ancestor"):
        _read(repo, second, elsewhere)


def test_a_previous_head_reached_through_a_merged_branch_is_an_ancestor(repo):
    """The usual check (the previous head is the oldest commit's first parent) fails here; git is asked instead."""
    base = repo.head()
    repo.branch("feature")
    on_branch = repo.commit("work on the branch", author=DEV)
    repo.checkout("main")
    repo.commit("meanwhile (#1)")
    merge = repo.merge("feature", "Merge pull request #2 from dev/feature\n\nfeat: x")
    deployed = _read(repo, on_branch, merge)
    assert [c.pr_number for c in deployed.changes] == [1, 2]
    assert base != on_branch


def test_a_rollback_goes_back_and_lists_nothing(repo):
    first = repo.head()
    second = repo.commit("two (#2)")
    deployed = _read(repo, second, first, kind=ROLLBACK)
    assert (deployed.changes, deployed.direct_pushes, deployed.head) == ((), (), first)
    with pytest.raises(RangeError, match="a rollback goes back along the history it deployed"):
        _read(repo, first, second, kind=ROLLBACK)


class _NoAuthors:
    def ask(self, sha):
        pass

    def wait(self):
        return {}


class _Scripted(Repository):
    """A repository whose log is given: for the limits, which real commits rarely reach."""

    def __init__(self, commits):
        super().__init__(".")
        self._commits = commits

    def first_parent_log(self, start, end):
        return iter(reversed(self._commits))

    def author_reader(self):
        return _NoAuthors()

    def is_ancestor(self, ancestor, descendant):
        return True


def _commit(sha, message, paths=("a.py",)):
    return Commit(sha=sha, parents=("0" * 40,), author_name="A", author_email="a@example.org",
                  committed_at="2026-01-01T10:00:00Z", message=message, paths=tuple(paths))


def test_the_report_limits():
    commits = [
        _commit("1" * 40, "x" * 1_200 + " (#1)"),
        _commit("2" * 40, "fix (#2)\n\n" + "b" * 70_000),
        _commit("3" * 40, "many (#3)", [f"f{i}" for i in range(10_001)]),
        _commit("4" * 40, "odd (#4)", ["ok.py", "back\\slash.py"]),
        _commit("5" * 40, "fine (#5)", ["..fine", "a/.../b"]),
    ]
    deployed = read_deployed(_Scripted(commits), repository="o/n", previous="0" * 40, head="5" * 40,
                             authors=NO_AUTHORS)
    first, second, third, fourth, fifth = deployed.changes
    assert len(first.title) == 1_000 and len(second.body) == 65_536
    assert third.paths == () and fourth.paths == ()
    assert fifth.paths == ("..fine", "a/.../b")
    assert [n for n in deployed.notes if "author" not in n] == [
        "o/n#1: title cut to 1000 characters",
        "o/n#2: body cut to 65536 characters",
        "o/n#3: more than 10000 files changed: sent without paths (only whole-repository rights cover it)",
        "o/n#4: a path the report format refuses among the files changed: sent without paths (only "
        "whole-repository rights cover it)",
    ]


def test_a_merge_whose_branch_is_not_in_the_clone_has_no_author():
    """Never the merge commit's own author: that is whoever pressed the button."""
    commit = _commit("6" * 40, "Merge pull request #6 from a/b\n\nfeat: x")._replace(
        parents=("0" * 40, "7" * 40), author_email="8+merger@users.noreply.github.com")
    deployed = read_deployed(_Scripted([commit]), repository="o/n", previous="0" * 40, head="6" * 40)
    assert deployed.changes[0].author.login == ""
    assert deployed.notes == ("o/n: the merged branch's commit is not in the clone (a shallow clone?): author left "
                              "out of attribution: #6",)
