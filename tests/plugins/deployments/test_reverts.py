"""
Revert detection (docs/reference/report-format.rst) on the real revert commits of six openedx repositories, and on the
forms the contract lists.
"""
import pytest

from openedx_cc.plugins.deployments.reverts import detect_revert, sha_matches
from tests.plugins.deployments.realdata import rows

ROWS = rows()


def test_the_data_is_all_there():
    assert len(ROWS) == 69
    assert sum(1 for row in ROWS if row[4] is not None) == 18  # the commits whose bodies the bodies file gives


@pytest.mark.parametrize("repository, commit, own, subject, message", ROWS, ids=[r[1][:10] for r in ROWS])
def test_every_real_revert_is_detected_with_what_its_message_names(repository, commit, own, subject, message):
    detection = detect_revert(subject, message or "", own_pr_number=own)
    assert detection is not None, subject
    kinds = {(r.kind, r.value) for r in detection.references}
    for line in (message or "").splitlines():  # the body's sha wins, and must be there
        if "reverts commit" in line:
            named = line.split("reverts commit")[1].strip(" .")
            assert ("sha", named) in kinds
    inner = subject[subject.find('"') + 1: subject.rfind('"')] if '"' in subject else ""
    if inner.endswith(")") and "(#" in inner:  # Revert "title (#N)": N is the original's pull request
        number = int(inner[inner.rfind("(#") + 2: -1])
        assert ("pr", number) in kinds
    if own is not None:
        assert ("pr", own) not in kinds  # the squash suffix is the revert itself
    if not any(kind in {"sha", "pr"} for kind, _value in kinds):
        assert [r.kind for r in detection.references] == ["title"]


@pytest.mark.parametrize("title, body, expected", [
    ('Revert "feat: add X"', "", [("title", "feat: add X")]),
    ('Revert "feat: add X (#12)"', "", [("pr", 12)]),
    ('Revert "feat: add X (#12)" (#13)', "", [("pr", 12)]),
    ("revert: feat: add X", "", [("title", "feat: add X")]),
    ("revert(lms)!: feat: add X", "", [("title", "feat: add X")]),
    ("revert: feat: add X (#12)", "", [("pr", 12)]),  # not its own number (99): it names the original
    ("fix: put things back", "Reverts openedx/edx-platform#36001", [("pr", 36001)]),
    ("chore: undo", "This reverts commit ABCDEF1234567890ABCDEF1234567890ABCDEF12.",
     [("sha", "abcdef1234567890abcdef1234567890abcdef12")]),
    ('Revert "feat: add X (#12)"', "This reverts commit 0123456789abcdef0123456789abcdef01234567.",
     [("sha", "0123456789abcdef0123456789abcdef01234567"), ("pr", 12)]),
])
def test_contract_forms(title, body, expected):
    detection = detect_revert(title, body, own_pr_number=99)
    assert [(r.kind, r.value) for r in detection.references] == expected


def test_the_sha_or_pr_wins_over_the_title():
    detection = detect_revert('Revert "feat: add X"', "This reverts commit 0123456789abcdef0123456789abcdef01234567.")
    assert [r.kind for r in detection.references] == ["sha"]


def test_nested_reverts_name_the_revert_they_undo():
    detection = detect_revert('Revert "Revert "feat: x (#1152)" (#1154)"', "")
    assert [(r.kind, r.value) for r in detection.references] == [("pr", 1154)]
    titled = detect_revert('Revert "Revert "feat: x""', "")
    assert [(r.kind, r.value) for r in titled.references] == [("title", 'Revert "feat: x"')]
    assert titled.is_nested


@pytest.mark.parametrize("title", ["feat: revert button", "Reverted the widget", "revertible fields", "docs: Revert",
                                   'fix: "Revert" label'])
def test_titles_that_merely_mention_reverting_are_not_reverts(title):
    assert detect_revert(title, "") is None


def test_abbreviated_shas_match_by_prefix():
    assert sha_matches("0123456", "0123456789abcdef")
    assert not sha_matches("012345", "0123456789abcdef")  # too short to trust
