"""
The reporter's use of git: the parser of ``git log -z`` (fed in pieces cut anywhere), the first-parent log with the
files of merges, refs, ancestry, and the repository name of the ``origin`` remote.
"""
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openedx_cc.reporter.git import (
    Commit,
    GitError,
    Person,
    Repository,
    log_format,
    parse_batch,
    parse_log,
    repository_name_from_url,
)
from tests.reporter.gitrepo import git

MARKER = "\x01openedx-cc-0123456789abcdef"


def _raw(commits):
    """What ``git log -z --name-only --format=<log_format(MARKER)>`` prints for ``commits``."""
    out = []
    for c in commits:
        out.append(f"{MARKER}{c.sha}\0{' '.join(c.parents)}\0{c.author_name}\0{c.author_email}\0{c.committed_at}\0"
                   f"{c.message}\0\0")
        if c.paths:
            out.append("\n" + "".join(f"{p}\0" for p in c.paths))
    return "".join(out).encode()


texts = st.text(st.characters(blacklist_characters="\0\x01", blacklist_categories=("Cs",)), max_size=30)
paths = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), min_size=1, max_size=20)
commits = st.builds(
    Commit, sha=st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
    parents=st.lists(st.from_regex(r"[0-9a-f]{40}", fullmatch=True), max_size=2).map(tuple),
    author_name=texts, author_email=texts, committed_at=st.just("2026-01-01T10:00:00+01:00"), message=texts,
    paths=st.lists(paths, max_size=4).map(tuple))


@given(st.lists(commits, max_size=5), st.lists(st.integers(0, 400), max_size=6))
def test_the_log_parser_reads_the_same_commits_however_the_output_is_cut(history, cuts):
    raw = _raw(history)
    bounds = sorted({0, len(raw), *(c % (len(raw) + 1) for c in cuts)})
    pieces = [raw[a:b] for a, b in itertools.pairwise(bounds)]
    assert list(parse_log(pieces, MARKER.encode())) == history


def test_the_log_format_is_what_the_parser_reads(repo):
    repo.commit("feat: two files (#3)\n\nbody line\n", {"a b.py": "1\n", "dir/ü.txt": "2\n"})
    raw = git(repo.path, "log", "-1", "-z", "--name-only", f"--format={log_format(MARKER)}", text=False)
    (commit,) = parse_log([raw], MARKER.encode())
    assert commit.message == "feat: two files (#3)\n\nbody line\n"
    assert commit.paths == ("a b.py", "dir/ü.txt")
    assert commit.author_email == "ada@example.org"


def test_first_parent_log_lists_merges_with_their_files_against_the_first_parent(repo):
    base = repo.head()
    repo.branch("feature")
    repo.commit("work 1", {"feature/one.py": "1\n"}, author=("Dev", "7+dev@users.noreply.github.com"))
    head = repo.commit("work 2", {"feature/two.py": "2\n"}, author=("Dev", "7+dev@users.noreply.github.com"))
    repo.checkout("main")
    direct = repo.commit("Bump version", {"VERSION": "2\n"})
    merge = repo.merge("feature", "Merge pull request #4 from dev/feature\n\nfeat: the feature")
    renamed = repo.commit("chore: move (#5)", {"VERSION": None, "version.txt": "2\n"})
    log = list(Repository(str(repo.path)).first_parent_log(base, renamed))
    assert [c.sha for c in log] == [renamed, merge, direct]  # newest first, the branch's own commits left out
    assert log[1].parents == (direct, head)
    assert log[1].paths == ("feature/one.py", "feature/two.py")
    assert set(log[0].paths) == {"VERSION", "version.txt"}  # a rename is both of its paths
    assert log[1].committed_at.endswith("+01:00")
    reader = Repository(str(repo.path)).author_reader()
    reader.ask(head)
    reader.ask(direct)
    assert reader.wait() == {head: Person("Dev", "7+dev@users.noreply.github.com"),
                             direct: Person("Ada Lovelace", "ada@example.org")}


def test_the_author_reader_leaves_out_missing_commits_and_can_be_abandoned(repo):
    head = repo.head()
    reader = Repository(str(repo.path)).author_reader()
    reader.ask("f" * 40)
    reader.ask(head)
    assert reader.wait() == {head: Person("Ada Lovelace", "ada@example.org")}
    abandoned = Repository(str(repo.path)).author_reader()
    abandoned.ask(head)
    abandoned.close()


def test_authors_in_cat_file_output():
    latin = "Zoë Ünal".encode("latin-1")
    commits = [
        b"tree 1\nparent 2\nauthor Ada Lovelace <ada@example.org> 1700000000 +0100\ncommitter C <c@d> 1 +0000\n\nmsg\n",
        b"tree 1\nauthor " + latin + b" <zoe@example.org> 1 +0000\nencoding ISO-8859-1\n\nmsg with\n\nblank lines\n",
        b"tree 1\nauthor <nobody@example.org> 1 +0000\n\n",
    ]
    raw = b"".join(f"{str(i) * 40} commit {len(c)}\n".encode() + c + b"\n" for i, c in enumerate(commits))
    raw += b"f" * 40 + b" missing\n"
    assert parse_batch(raw) == {"0" * 40: Person("Ada Lovelace", "ada@example.org"),
                                "1" * 40: Person("Zoë Ünal", "zoe@example.org"),
                                "2" * 40: Person("", "nobody@example.org")}


def test_resolve_refs(repo):
    first = repo.head()
    second = repo.commit("two")
    git(repo.path, "tag", "v1", first)
    repository = Repository(str(repo.path))
    assert repository.resolve("HEAD", "v1", "HEAD~1", second[:10]) == (second, first, first, second)
    with pytest.raises(GitError, match=r"unknown ref 'nope': no commit of that name"):
        repository.resolve("HEAD", "nope")
    with pytest.raises(GitError, match="is not a git ref"):
        repository.resolve("--all")


def test_unknown_refs_in_a_shallow_clone_say_so(repo, tmp_path):
    first = repo.head()
    repo.commit("two")
    repo.commit("three")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.path}", str(shallow))
    with pytest.raises(GitError, match="the clone is shallow"):
        Repository(str(shallow)).resolve(first)


def test_not_a_git_repository(tmp_path):
    with pytest.raises(GitError, match=f"{tmp_path}: not a git repository"):
        Repository(str(tmp_path)).resolve("HEAD")
    with pytest.raises(GitError, match="not a git repository"):
        Repository(str(tmp_path / "missing")).resolve("HEAD")


def test_git_missing():
    with pytest.raises(GitError, match="is git installed"):
        Repository(".", git="/nonexistent/git").resolve("HEAD")


def test_ancestry(repo):
    first = repo.head()
    second = repo.commit("two")
    repository = Repository(str(repo.path))
    assert repository.is_ancestor(first, second)
    assert repository.is_ancestor(second, second)
    assert not repository.is_ancestor(second, first)


def test_origin_remote(repo):
    repository = Repository(str(repo.path))
    assert repository.origin_url() is None
    git(repo.path, "remote", "add", "origin", "git@github.com:openedx/XBlock.git")
    assert repository.origin_url() == "git@github.com:openedx/XBlock.git"


@pytest.mark.parametrize("url, name", [
    ("https://github.com/openedx/XBlock", "openedx/XBlock"),
    ("https://github.com/openedx/XBlock.git", "openedx/XBlock"),
    ("https://github.com/openedx/XBlock/", "openedx/XBlock"),
    ("https://x-access-token:secret@github.com/openedx/edx-toggles.git", "openedx/edx-toggles"),
    ("http://ghe.example.org/org/repo.name", "org/repo.name"),
    ("ssh://git@github.com/openedx/openedx-platform.git", "openedx/openedx-platform"),
    ("ssh://git@github.com:22/openedx/openedx-platform.git", "openedx/openedx-platform"),
    ("git://github.com/openedx/XBlock.git", "openedx/XBlock"),
    ("git@github.com:openedx/XBlock.git", "openedx/XBlock"),
    ("git@github.com:openedx/XBlock", "openedx/XBlock"),
    ("github.com:openedx/XBlock.git", "openedx/XBlock"),
    ("/work/shared/data/real/git/XBlock.bundle", None),
    ("../XBlock", None),
    ("file:///srv/git/openedx/XBlock.git", None),
    ("C:/src/openedx/XBlock", None),
    ("https://gitlab.com/group/subgroup/repo.git", None),
    ("https://github.com/openedx", None),
    ("", None),
])
def test_repository_names_from_remote_urls(url, name):
    assert repository_name_from_url(url) == name
