"""
The reporter over real histories (the git bundles of openedx/XBlock and openedx/edx-toggles), through the command
(``cli.run`` with ``--dry-run``): between two release tags the report lists exactly the pull requests that the
first-parent history names -- computed here again with git and a regular expression of the test's own -- with their
merge shas, paths and authors, and a few changes checked by hand against GitHub's pages.
"""
import io
import json
import re

import pytest

from openedx_cc.reporter.cli import run
from tests.reporter.gitrepo import git

_MERGE = re.compile(r"Merge pull request #(\d+)\b.*")
_SQUASH = re.compile(r".*\S.*\(#(\d+)\)")
_NOREPLY = re.compile(r"(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com")


def _dry_run(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = run(["--environment", "production", "--dry-run", "--deployed-at", "2026-11-25T10:00:00Z", *argv],
                 environ={}, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def _expected(path, start, end):
    """(pull requests as (number, sha), direct pushes as sha), oldest first, from git and this test's regexes."""
    text = git(path, "log", "--first-parent", "--reverse", "--format=%H%x1f%s%x1e", f"{start}..{end}")
    changes, pushes, seen = [], [], set()
    for record in filter(str.strip, text.split("\x1e")):
        sha, subject = record.strip("\n").split("\x1f")
        match = _MERGE.fullmatch(subject.strip()) or _SQUASH.fullmatch(subject.strip())
        if match and int(match.group(1)) not in seen:
            seen.add(int(match.group(1)))
            changes.append((int(match.group(1)), sha))
        else:
            pushes.append(sha)
    return changes, pushes


def _login(email):
    match = _NOREPLY.fullmatch(email)
    return match.group(1) if match and not email.endswith("[bot]@users.noreply.github.com") else ""


def _check_against_git(path, report, start, end):
    changes, pushes = _expected(path, start, end)
    assert [(c["pr_number"], c["merge_sha"]) for c in report["changes"]] == changes
    assert [p["sha"] for p in report["direct_pushes"]] == pushes
    for change in report["changes"][::7]:  # every seventh: a process each
        sha = change["merge_sha"]
        parents = git(path, "show", "-s", "--format=%P", sha).split()
        assert change["paths"] == git(path, "diff", "--name-only", "--no-renames", parents[0], sha).splitlines()
        author_of = parents[1] if len(parents) > 1 else sha
        assert change["author"] == _login(git(path, "show", "-s", "--format=%ae", author_of).strip())
        assert change["merged_at"] == git(path, "show", "-s", "--format=%cI", sha).strip()
        assert change["url"] == f"https://github.com/{report['changes'][0]['repository']}/pull/{change['pr_number']}"


def test_xblock_between_two_release_tags(xblock):
    status, out, err = _dry_run("--repo", f"{xblock}=openedx/XBlock", "--from", "xblock-1.2.0", "--to",
                                "xblock-1.7.0")
    assert status == 0
    report = json.loads(out)
    assert report["heads"] == {"openedx/XBlock": git(xblock, "rev-parse", "xblock-1.7.0^{commit}").strip()}
    assert (len(report["changes"]), len(report["direct_pushes"])) == (171, 11)
    by_sha = {c["merge_sha"][:12]: c for c in report["changes"]}
    # An edited merge subject ("Merge pull request #385 Add method ...") is a pull request all the same.
    assert (by_sha["8d734587522d"]["pr_number"], by_sha["8d734587522d"]["title"]) == (
        385, "Add method to get completion mode for a block")
    _check_against_git(xblock, report, "xblock-1.2.0", "xblock-1.7.0")
    by_number = {c["pr_number"]: c for c in report["changes"]}
    # https://github.com/openedx/XBlock/pull/658: a GitHub merge commit; the title is the line after its subject; the
    # author is the merged branch's (an arbisoft.com address: unknown without --authors), not the merger's.
    assert by_number[658]["merge_sha"] == "35cbd6d402b7818112f531af33aa65df8c257af0"
    assert by_number[658]["title"] == "fix: Added support for Django42"
    assert by_number[658]["paths"] == [".github/workflows/ci.yml", "CHANGELOG.rst", "tox.ini", "xblock/__init__.py"]
    assert by_number[658]["author"] == ""
    assert by_number[658]["merged_at"] == "2023-08-03T18:54:56+05:00"
    # https://github.com/openedx/XBlock/pull/572: a squash merge by a noreply address.
    assert by_number[572]["merge_sha"] == "e10f63816fb11a236e4df2befa03d0ae9d51b60e"
    assert (by_number[572]["title"], by_number[572]["author"]) == ("fix: fixed issue with workflow", "aht007")
    assert by_number[572]["paths"] == [".github/pypi-publish.yml", ".github/workflows/pypi-publish.yml",
                                       "CHANGELOG.rst", "xblock/__init__.py"]
    assert (by_number[657]["title"], by_number[657]["author"]) == ("Python Requirements Update", "")
    assert "openedx-cc-report: openedx/XBlock: direct push b0facbe" in err
    assert "author zubairshakoorarbisoft <zubair.shakoor@arbisoft.com>: unknown GitHub login" in err


def test_the_authors_map_names_the_unknown_authors(xblock, tmp_path):
    (tmp_path / "authors.csv").write_text("email,login\nzubair.shakoor@arbisoft.com,zubairshakoorarbisoft\n")
    status, out, err = _dry_run("--repo", f"{xblock}=openedx/XBlock", "--from", "xblock-1.2.0", "--to",
                                "xblock-1.7.0", "--authors", str(tmp_path / "authors.csv"))
    assert status == 0
    changes = {c["pr_number"]: c for c in json.loads(out)["changes"]}
    assert changes[658]["author"] == "zubairshakoorarbisoft"
    assert "zubair.shakoor@arbisoft.com" not in err


def test_edx_toggles_squash_merges_between_v5_4_1_and_v6_0_0(edx_toggles):
    status, out, _err = _dry_run("--repo", f"{edx_toggles}=openedx/edx-toggles", "--from", "v5.4.1", "--to",
                                 "v6.0.0")
    assert status == 0
    report = json.loads(out)
    _check_against_git(edx_toggles, report, "v5.4.1", "v6.0.0")
    assert [(c["pr_number"], c["merge_sha"], c["title"], c["author"], c["paths"]) for c in report["changes"]] == [
        (448, "753415aa3022769bf867b83883b0d346e2f8e738", "build: use ubuntu-lts-latest in readthedocs build",
         "edx-requirements-bot", [".readthedocs.yaml"]),
        (455, "2b2b0c1846b6d2f90cd58f332829cec0b8c5325d", "chore: remove arbi-bom references", "",
         [".github/dependabot.yml"]),
    ]
    assert report["changes"][1]["body"] == "* chore: remove arbi-bom references"
    assert len(report["direct_pushes"]) == 8
    assert report["direct_pushes"][-1] == {"repository": "openedx/edx-toggles",
                                           "sha": "295d0966420524d3faaa0268a90d4cc7b79900a6",
                                           "title": "chore: Upgrade Python requirements"}


def test_edx_toggles_whole_history(edx_toggles):
    root = git(edx_toggles, "rev-list", "--max-parents=0", "HEAD").split()[-1]
    status, out, _err = _dry_run("--repo", f"{edx_toggles}=openedx/edx-toggles", "--from", root)
    assert status == 0
    report = json.loads(out)
    _check_against_git(edx_toggles, report, root, "HEAD")
    authors = {c["pr_number"]: c["author"] for c in report["changes"]}
    assert authors[412] == ""  # dependabot[bot]: a bot, never a person
    assert authors[307] == "edx-requirements-bot"


def test_xblock_whole_history_and_its_reverts(xblock):
    """GitHub-button reverts keep the title the revert detection reads; a pushed revert stays a direct push."""
    root = git(xblock, "rev-list", "--max-parents=0", "HEAD").split()[-1]
    status, out, err = _dry_run("--repo", f"{xblock}=openedx/XBlock", "--from", root)
    assert status == 0
    report = json.loads(out)
    _check_against_git(xblock, report, root, "HEAD")
    assert (len(report["changes"]), len(report["direct_pushes"])) == (651, 243)
    changes = {c["pr_number"]: c for c in report["changes"]}
    assert changes[316]["merge_sha"] == "f0f0c09484a0c7b3a2bfa5ef6b49f03c88f5aaf8"
    assert changes[316]["title"] == 'Revert "String field return empty string for None"'
    assert changes[255]["title"] == "Back out PR 240 until edx-platform test failures can be resolved"
    pushes = {p["sha"][:7]: p["title"] for p in report["direct_pushes"]}
    # A revert pushed without a pull request ("This reverts commit bfa090d..." in its body) is a direct push: the
    # report carries no body for those, so the server cannot see it as a revert.
    assert pushes["7390869"] == "Ugh, not this repo."
    assert "direct push 73908696a9cc Ugh, not this repo." in err


def test_two_repositories_in_one_report(xblock, edx_toggles):
    status, out, _err = _dry_run("--repo", f"{xblock}=openedx/XBlock", "--repo", f"{edx_toggles}=openedx/edx-toggles",
                                 "--from", "openedx/XBlock=xblock-1.9.0", "--to", "openedx/XBlock=xblock-1.9.1",
                                 "--from", "openedx/edx-toggles=v5.4.1", "--to", "openedx/edx-toggles=v6.0.0")
    assert status == 0
    report = json.loads(out)
    assert set(report["heads"]) == {"openedx/XBlock", "openedx/edx-toggles"}
    assert {c["repository"] for c in report["changes"]} == {"openedx/XBlock", "openedx/edx-toggles"}
    expected = _expected(xblock, "xblock-1.9.0", "xblock-1.9.1")[0] + _expected(edx_toggles, "v5.4.1", "v6.0.0")[0]
    assert [(c["pr_number"], c["merge_sha"]) for c in report["changes"]] == expected


@pytest.mark.parametrize("argv, message", [
    (["--from", "xblock-1.7.0", "--to", "xblock-1.2.0"], "is not an ancestor of --to"),
    (["--from", "no-such-tag"], "unknown ref 'no-such-tag'"),
])
def test_bad_ranges_on_a_real_history(xblock, argv, message):
    status, out, err = _dry_run("--repo", f"{xblock}=openedx/XBlock", *argv)
    assert (status, out) == (2, "")
    assert message in err
