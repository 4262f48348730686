"""
The pure rules of the reporter: which commit subject names a pull request, the title and body a change gets, the
GitHub login of an author (noreply addresses, the --authors map in YAML and CSV).
"""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openedx_cc.plugins.deployments.reverts import detect_revert
from openedx_cc.reporter.git import Commit, Person
from openedx_cc.reporter.pullrequests import (
    MERGE,
    NO_AUTHORS,
    SQUASH,
    AuthorMap,
    AuthorsFileError,
    Change,
    DirectPush,
    PullRequestSubject,
    author_commit,
    author_login,
    is_login,
    load_authors,
    login_from_noreply,
    pull_request_subject,
    read_commit,
    title_and_body,
)
from tests.plugins.deployments import realdata

logins = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,18}", fullmatch=True)
titles = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80).map(
    str.strip).filter(bool)


@pytest.mark.parametrize("subject, expected", [
    ("Merge pull request #316 from edx/shr/bug/revert-plat-736", PullRequestSubject(316, MERGE)),
    ("Merge pull request #926 from open-craft/fox/force-release", PullRequestSubject(926, MERGE)),
    ("chore: Upgrade Python requirements (#939)", PullRequestSubject(939, SQUASH)),
    ('Revert "feat: x (#5)" (#6)', PullRequestSubject(6, SQUASH)),
    ("fix: a thing (#12) ", PullRequestSubject(12, SQUASH)),
    ("fix: a thing(#12)", PullRequestSubject(12, SQUASH)),
    ("Merge pull request #385 Add method to get completion mode for a block", PullRequestSubject(385, MERGE)),
    ("Merge pull request #12", PullRequestSubject(12, MERGE)),
    ("Merge pull request #12 from", PullRequestSubject(12, MERGE)),
    ("Merge branch 'master' into feature", None),
    ("Merge pull request #12a from a/b", None),
    ("Merge pull request 12 from a/b", None),
    ("Merge pull request #0 from a/b", None),
    ("fix: the (#12) in the middle", None),
    ("(#12)", None),
    ("fix: a thing (#)", None),
    ("fix: a thing (#12a)", None),
    ("fix: a thing (#99999999999)", None),
    ("fix: a thing #12", None),
    ("", None),
])
def test_pull_request_subjects(subject, expected):
    assert pull_request_subject(subject) == expected


@given(title=titles, number=st.integers(1, 2_147_483_647))
def test_a_squash_subject_gives_back_its_number_and_title(title, number):
    message = f"{title} (#{number})\n\nThe body.\n"
    assert pull_request_subject(f"{title} (#{number})") == PullRequestSubject(number, SQUASH)
    assert title_and_body(message, SQUASH) == (title, "The body.")


def test_a_merge_commit_tells_the_title_on_the_line_after_its_subject():
    message = "Merge pull request #909 from openedx/repo-tools/x\n\nchore: Upgrade Python requirements\n"
    assert title_and_body(message, MERGE) == ("chore: Upgrade Python requirements", "")
    message = "Merge pull request #5 from a/b\n\nfeat: the title\n\nThe pull request's description.\n\nMore.\n"
    assert title_and_body(message, MERGE) == ("feat: the title", "The pull request's description.\n\nMore.")


def test_a_merge_commit_without_a_title_keeps_its_subject_or_what_it_says_after_the_number():
    assert title_and_body("Merge pull request #5 from a/b\n", MERGE) == ("Merge pull request #5 from a/b", "")
    assert title_and_body("Merge pull request #5\n", MERGE) == ("Merge pull request #5", "")
    assert title_and_body("Merge pull request #385 Add method to get completion mode for a block\n\n", MERGE) == (
        "Add method to get completion mode for a block", "")


@pytest.mark.parametrize("email, login", [
    ("12345+some-login@users.noreply.github.com", "some-login"),
    ("some-login@users.noreply.github.com", "some-login"),
    ("49161187+edx-requirements-bot@users.noreply.github.com", "edx-requirements-bot"),
    ("  58461728+iamsobanjaved@USERS.NOREPLY.GITHUB.COM ", "iamsobanjaved"),
    ("49699333+dependabot[bot]@users.noreply.github.com", "dependabot[bot]"),
    ("noreply@github.com", None),
    ("someone@example.org", None),
    ("12345+-bad-@users.noreply.github.com", None),
    ("a+b+c@users.noreply.github.com", None),
    ("login@users.noreply.github.com.evil.org", None),
])
def test_logins_from_noreply_addresses(email, login):
    assert login_from_noreply(email) == login


@given(login=logins, user_id=st.integers(1, 10**9))
def test_every_login_comes_back_from_both_noreply_forms(login, user_id):
    assert is_login(login)
    assert login_from_noreply(f"{user_id}+{login}@users.noreply.github.com") == login
    assert login_from_noreply(f"{login}@users.noreply.github.com") == login


def test_the_authors_map_comes_first_then_noreply_addresses_and_bots_are_left_out():
    authors = AuthorMap(logins={"ned@nedbatchelder.com": "nedbat", "1+x@users.noreply.github.com": "someone"})
    assert author_login(Person("Ned", "Ned@NedBatchelder.com"), authors).login == "nedbat"
    assert author_login(Person("Ned", "Ned@NedBatchelder.com"), authors).how == "authors map"
    assert author_login(Person("X", "1+x@users.noreply.github.com"), authors).login == "someone"
    found = author_login(Person("F", "7+feanil@users.noreply.github.com"), authors)
    assert (found.login, found.how) == ("feanil", "noreply address")
    bot = author_login(Person("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"))
    assert (bot.login, bot.how) == ("", "bot")
    unknown = author_login(Person("Calen", "calen.pennington@gmail.com"), NO_AUTHORS)
    assert (unknown.login, unknown.how, unknown.email) == ("", "unknown", "calen.pennington@gmail.com")


def _commit(message, parents=("p1",), sha="c" * 40):
    return Commit(sha=sha, parents=tuple(parents), author_name="A", author_email="a@example.org",
                  committed_at="2026-01-01T10:00:00+01:00", message=message, paths=("a.py",))


def test_a_merge_commits_pull_request_author_is_the_author_of_the_merged_branch():
    assert author_commit(_commit("Merge pull request #1 from a/b", parents=("p1", "p2"))) == "p2"
    assert author_commit(_commit("feat: x (#1)")) == "c" * 40


def test_read_commit_makes_a_change_or_a_direct_push():
    author = author_login(Person("F", "7+feanil@users.noreply.github.com"))
    change = read_commit(_commit("feat: x (#7)\n\nbody\n"), repository="openedx/XBlock", author=author)
    assert change == Change(repository="openedx/XBlock", pr_number=7, title="feat: x", body="body", merge_sha="c" * 40,
                            author=author, merged_at="2026-01-01T10:00:00+01:00", paths=("a.py",))
    assert change.url == "https://github.com/openedx/XBlock/pull/7"
    push = read_commit(_commit("Bump version\n\nfor the release\n"), repository="openedx/XBlock", author=author)
    assert push == DirectPush(repository="openedx/XBlock", sha="c" * 40, title="Bump version")


@pytest.mark.parametrize("row", [r for r in realdata.rows() if r[2] is not None], ids=lambda r: r[1][:10])
def test_real_squashed_reverts_keep_what_revert_detection_reads(row):
    """
    Each real squash-merged revert (subject ``... (#N)``) becomes a change whose title (without the suffix) and body
    the server's revert detection reads as it reads the original commit: same rule, same references.
    """
    _repository, sha, own, subject, body = row
    change = read_commit(_commit(f"{subject}\n\n{body or ''}", sha=sha), repository="openedx/x",
                         author=author_login(Person("A", "a@example.org")))
    assert change.pr_number == own
    assert change.body == (body or "").strip("\n")
    assert detect_revert(change.title, change.body, own_pr_number=own) == detect_revert(subject, body or "",
                                                                                         own_pr_number=own)


# --- the --authors file

def test_authors_yaml(tmp_path):
    path = tmp_path / "authors.yaml"
    path.write_text("# who is who\nned@nedbatchelder.com: nedbat\nCalen.Pennington@gmail.com: cpennington\n"
                    "'1234@example.org': '0123'\n")
    assert load_authors(path).logins == {"ned@nedbatchelder.com": "nedbat",
                                         "calen.pennington@gmail.com": "cpennington", "1234@example.org": "0123"}
    (tmp_path / "empty.yml").write_text("")
    assert load_authors(tmp_path / "empty.yml").logins == {}


def test_authors_csv_with_and_without_a_header(tmp_path):
    (tmp_path / "plain.csv").write_text("ned@nedbatchelder.com,nedbat\n\n# a comment\nfeanil@tcril.org, feanil\n")
    assert load_authors(tmp_path / "plain.csv").logins == {"ned@nedbatchelder.com": "nedbat",
                                                           "feanil@tcril.org": "feanil"}
    (tmp_path / "header.csv").write_text("Name,GitHub,Email\nNed,nedbat,ned@nedbatchelder.com\n")
    assert load_authors(tmp_path / "header.csv").logins == {"ned@nedbatchelder.com": "nedbat"}


def test_authors_format_is_sniffed_without_a_known_suffix(tmp_path):
    (tmp_path / "map.txt").write_text("ned@nedbatchelder.com: nedbat\n")
    (tmp_path / "rows.txt").write_text("ned@nedbatchelder.com,nedbat\n")
    assert load_authors(tmp_path / "map.txt").logins == load_authors(tmp_path / "rows.txt").logins


@pytest.mark.parametrize("name, text, message", [
    ("a.yaml", "- ned@nedbatchelder.com\n", "a.yaml:1: expected a mapping of email: login"),
    ("a.yaml", "ned@nedbatchelder.com: [nedbat]\n", "a.yaml:1: expected email: login, both plain text"),
    ("a.yaml", "a@b.org: x\nnot-an-email: nedbat\n", "a.yaml:2: 'not-an-email' is not an email address"),
    ("a.yaml", "ned@nedbatchelder.com: ned bat\n", "a.yaml:1: 'ned bat' is not a GitHub login"),
    ("a.yaml", "a@b.org: x\nA@b.org: y\n", "a.yaml:2: a@b.org is mapped to two logins, x and y"),
    ("a.yaml", "a: [\n", "a.yaml: not valid YAML"),
    ("a.csv", "a@b.org\n", "a.csv:1: expected an email and a login"),
    ("a.csv", "name,who\nNed,nedbat\n", "a.csv:1: a header row must name an 'email' and a 'login' column"),
    ("a.csv", "a@b.org,-bad-\n", "a.csv:1: '-bad-' is not a GitHub login"),
])
def test_authors_file_errors_name_the_file_and_line(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(AuthorsFileError) as raised:
        load_authors(tmp_path / name)
    assert str(raised.value).startswith(f"{tmp_path}/{message}")


def test_a_missing_authors_file(tmp_path):
    with pytest.raises(AuthorsFileError, match="cannot read the authors file"):
        load_authors(tmp_path / "nope.yaml")
