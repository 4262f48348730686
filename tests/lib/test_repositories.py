import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.repositories import parse_repository_name, resolve_repository_name


@pytest.mark.parametrize(
    "name, expected",
    [
        ("edx/edx-platform", "openedx/openedx-platform"),  # two steps: edx/* then the 2026 rename
        ("openedx/edx-platform", "openedx/openedx-platform"),
        ("EDX/Edx-Platform", "openedx/openedx-platform"),
        ("openedx/openedx-learning", "openedx/openedx-core"),
        ("edx/openedx-learning", "openedx/openedx-core"),
        ("openedx/open-edx-proposals", "openedx/openedx-proposals"),
        ("edx/XBlock", "openedx/XBlock"),
        ("openedx/xblock", "openedx/xblock"),
        ("openedx-unsupported/blockstore", "openedx-unsupported/blockstore"),
    ],
)
def test_builtin_aliases_resolve_repeatedly(name, expected):
    resolved, chain = resolve_repository_name(name)
    assert resolved.full_name == expected
    assert bool(chain) == (name.lower() != expected.lower())


def test_edx_owner_pattern_resolves_to_openedx_owner_pattern():
    resolved, _ = resolve_repository_name("edx/*", allow_owner_pattern=True)
    assert resolved.full_name == "openedx/*"


@override_settings(OPENEDX_CC_REPOSITORY_ALIASES={"openedx/xblock-sdk": "openedx/xblock-workbench",
                                                  "old-org/*": "new-org/*"})
def test_settings_aliases_apply_on_top_of_the_builtin_ones():
    assert resolve_repository_name("edx/xblock-sdk")[0].full_name == "openedx/xblock-workbench"
    assert resolve_repository_name("old-org/thing")[0].full_name == "new-org/thing"


@override_settings(OPENEDX_CC_REPOSITORY_ALIASES={"a/x": "b/x", "b/x": "a/x"})
def test_alias_loops_are_refused():
    with pytest.raises(InvalidValue, match="loop"):
        resolve_repository_name("a/x")


@override_settings(OPENEDX_CC_REPOSITORY_ALIASES={"a/*": "b/x"})
def test_owner_alias_must_map_to_an_owner():
    with pytest.raises(InvalidValue, match="owner/\\* on both sides"):
        resolve_repository_name("a/y")


def test_short_names_take_the_default_owner():
    assert parse_repository_name("xblock", default_owner="openedx").full_name == "openedx/xblock"
    with pytest.raises(InvalidValue, match="no owner"):
        parse_repository_name("xblock")


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("", "expected a repository name"),
        ("openedx/", "not a valid GitHub repository name"),
        ("/xblock", "not a valid GitHub owner"),
        ("a/b/c", "not of the form owner/name"),
        ("https://github.com/openedx/xblock", "is a URL"),
        ("-openedx/x", "not a valid GitHub owner"),
        ("openedx/..", "not a valid GitHub repository name"),
        ("openedx/x y", "not a valid GitHub repository name"),
        ("openedx/*", "every repository of an owner"),
    ],
)
def test_malformed_names_are_refused_with_a_reason(bad, reason):
    with pytest.raises(InvalidValue, match=reason):
        parse_repository_name(bad)


@given(st.from_regex(r"[A-Za-z0-9]{1,10}/[A-Za-z0-9._-]{1,20}", fullmatch=True))
def test_resolution_is_case_insensitive_and_idempotent(name):
    if name.split("/")[1] in {".", ".."}:
        return
    once, _ = resolve_repository_name(name)
    twice, _ = resolve_repository_name(once.full_name)
    assert once.key == twice.key
    assert resolve_repository_name(name.upper())[0].key == once.key
