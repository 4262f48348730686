import pytest
from hypothesis import given
from hypothesis import strategies as st

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.plugins.ownership.scopes import (
    covers_branch,
    covers_paths,
    normalize_branch_pattern,
    normalize_path,
    path_within,
    scope_key,
)

segment = st.from_regex(r"[a-z0-9_]{1,8}", fullmatch=True)
paths = st.lists(segment, min_size=1, max_size=5).map("/".join)


@pytest.mark.parametrize("value, expected", [
    ("lms/djangoapps/", "lms/djangoapps/"),
    ("./lms//djangoapps/", "lms/djangoapps/"),
    ("lms/djangoapps", "lms/djangoapps"),
])
def test_paths_are_normalized(value, expected):
    assert normalize_path(value, prefix=True) == expected


@pytest.mark.parametrize("value, reason", [
    ("/etc/passwd", "absolute"),
    ("../other-repo/x", "leaves the repository"),
    ("lms/../../x", "leaves the repository"),
    ("https://github.com/openedx/x/blob/master/y", "is a URL"),
    ("a\\b", "backslashes"),
    ("", "expected a path"),
    ("./", "names the repository root"),
])
def test_paths_outside_the_repository_are_refused(value, reason):
    with pytest.raises(InvalidValue, match=reason):
        normalize_path(value, prefix=True)


def test_prefix_covers_itself_and_below_but_not_siblings():
    assert path_within("lms/djangoapps/x.py", "lms/djangoapps/")
    assert path_within("lms/djangoapps", "lms/djangoapps/")
    assert path_within("lms/djangoapps/x.py", "lms/djangoapps")
    assert not path_within("lms/djangoapps_old/x.py", "lms/djangoapps")
    assert not path_within("lms", "lms/djangoapps/")


def test_narrowed_rights_cover_a_change_only_when_every_path_is_inside():
    assert covers_paths([], [])
    assert covers_paths([], ["anything"])
    assert not covers_paths(["a/"], [])  # no paths listed: only whole-repository rights cover it
    assert covers_paths(["a/", "b/"], ["a/x", "b/y"])
    assert not covers_paths(["a/"], ["a/x", "b/y"])


def test_branches():
    assert covers_branch([], None)
    assert covers_branch(["master", "release/*"], "release/verawood")
    assert not covers_branch(["master"], "main")
    assert not covers_branch(["master"], None)
    assert normalize_branch_pattern("refs/heads/master") == "master"
    with pytest.raises(InvalidValue):
        normalize_branch_pattern("bad branch")


@given(paths, paths)
def test_path_within_matches_the_directory_definition(prefix, path):
    expected = path == prefix or path.startswith(prefix + "/")
    assert path_within(path, prefix) is expected
    assert path_within(path, prefix + "/") is expected


@given(st.lists(paths, max_size=4), st.lists(st.sampled_from(["master", "release/*"]), max_size=2, unique=True))
def test_scope_key_ignores_order_and_trailing_slashes(prefixes, branches):
    assert scope_key(paths=prefixes, branches=branches) == scope_key(
        paths=[p + "/" for p in reversed(prefixes)], branches=list(reversed(branches))
    )
