"""
The report document the reporter builds: the rules it checks before sending (ids, environment names, datetimes,
paths), its derived id, and the JSON it prints for a person.
"""
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openedx_cc.reporter.git import Person
from openedx_cc.reporter.pullrequests import Change, DirectPush, author_login
from openedx_cc.reporter.ranges import Deployed
from openedx_cc.reporter.report import (
    any_refused_path,
    build_report,
    check_environment,
    check_report_id,
    derive_id,
    encode,
    encode_for_reading,
    format_datetime,
    parse_datetime,
    refused_path,
)

A, B, C = "a" * 40, "b" * 40, "c" * 40


@pytest.mark.parametrize("value", ["lms-prod-2026-11-25.1", "reporter:prod:0123abcd", "a", "x" * 200, "a/b",
                                   "u@host+1", "Heads", "heads2"])
def test_valid_report_ids(value):
    assert check_report_id(value) == value


@pytest.mark.parametrize("value", ["", "x" * 201, "/a", "a/", "heads", "a b", "a#b", "é"])
def test_invalid_report_ids(value):
    with pytest.raises(ValueError, match="is not a valid report id"):
        check_report_id(value)


@pytest.mark.parametrize("value, ok", [("production", True), ("stage/eu-1", True), ("P.1_x", True), ("x" * 100, True),
                                       ("", False), ("-prod", False), ("x" * 101, False), ("a b", False)])
def test_environment_names(value, ok):
    if ok:
        assert check_environment(value) == value
    else:
        with pytest.raises(ValueError, match="is not a valid environment name"):
            check_environment(value)


def test_datetimes():
    assert parse_datetime("2026-11-25T10:00:00Z") == datetime(2026, 11, 25, 10, tzinfo=timezone.utc)
    assert format_datetime(parse_datetime("2026-11-25T10:00:00+00:00")) == "2026-11-25T10:00:00Z"
    assert format_datetime(parse_datetime("2026-11-25T10:00:00+01:00")) == "2026-11-25T10:00:00+01:00"
    assert parse_datetime(" 2026-11-25 10:00+01:00 ").utcoffset() == timedelta(hours=1)
    for bad, message in [("2026-11-25T10:00:00", "has no time zone"), ("yesterday", "is not an ISO 8601"),
                         ("0999-01-01T00:00:00Z", "out of range")]:
        with pytest.raises(ValueError, match=message):
            parse_datetime(bad)


def test_the_derived_id_depends_on_the_environment_the_kind_and_both_heads_only():
    previous, new = {"openedx/XBlock": (A, "")}, {"openedx/XBlock": B}
    derived = derive_id("production", "deploy", previous, new)
    assert derived.startswith("reporter:production:") and len(derived) == len("reporter:production:") + 16
    assert derive_id("production", "deploy", {"OpenEdx/xblock": (A, "")}, {"openedx/XBLOCK": B}) == derived
    others = {
        derive_id("staging", "deploy", previous, new),
        derive_id("production", "rollback", previous, new),
        derive_id("production", "deploy", {"openedx/XBlock": (C, "")}, new),
        derive_id("production", "deploy", {"openedx/XBlock": (A, "earlier-deployment")}, new),
        derive_id("production", "deploy", previous, {"openedx/XBlock": C}),
        derive_id("production", "deploy", {**previous, "openedx/edx-toggles": (A, "")},
                  {**new, "openedx/edx-toggles": C}),
    }
    assert derived not in others and len(others) == 6
    two = ({"x/a": (A, ""), "x/b": (B, "")}, {"x/a": B, "x/b": C})
    assert derive_id("p", "deploy", *two) == derive_id("p", "deploy", dict(reversed(two[0].items())),
                                                       dict(reversed(two[1].items())))


def _server_refuses(path):
    """The server's rule for a change's path (docs/reference/report-format.rst), written again from its text."""
    text = path.strip()
    if not text or "://" in text or text.startswith("git@") or "\\" in text or text.startswith("/"):
        return True
    parts = [p for p in text.split("/") if p not in ("", ".")]
    return not parts or ".." in parts


@pytest.mark.parametrize("path", ["a.py", "a/b/c.txt", ".github/workflows/ci.yml", "...", "a//b", " a ", "a..b",
                                  "..a", "", " ", "/a", "..", "../a", "a/..", "./", ".", "//", "git@x", "a\\b",
                                  "http://x", "a/./../b"])
def test_refused_paths_are_the_servers(path):
    assert refused_path(path) == _server_refuses(path)


@given(st.lists(st.text(st.sampled_from(["a", ".", "/", " ", "\\", ":", "@", "g", "i", "t", "\t", "\n"]),
                        max_size=8), max_size=5))
def test_refused_paths_property(paths):
    assert [refused_path(p) for p in paths] == [_server_refuses(p) for p in paths]
    assert any_refused_path(paths) == any(_server_refuses(p) for p in paths)


def _deployed():
    author = author_login(Person("F", "7+feanil@users.noreply.github.com"))
    change = Change(repository="openedx/XBlock", pr_number=7, title="feat: é", body="b", merge_sha=B, author=author,
                    merged_at="2026-01-01T10:00:00+01:00", paths=("a.py",))
    push = DirectPush(repository="openedx/XBlock", sha=C, title="Bump")
    return Deployed(repository="openedx/XBlock", previous=A, head=C, changes=(change,), direct_pushes=(push,),
                    notes=())


def test_the_report_document():
    report = build_report(report_id="r1", environment="production", deployed_at="2026-01-02T00:00:00Z",
                          kind="deploy", rolls_back=[], deployed=[_deployed()], service="lms", release="r/v")
    assert report == {
        "id": "r1", "environment": "production", "service": "lms", "release": "r/v",
        "deployed_at": "2026-01-02T00:00:00Z", "kind": "deploy", "rolls_back": [], "source": "reporter",
        "heads": {"openedx/XBlock": C},
        "changes": [{"repository": "openedx/XBlock", "pr_number": 7, "title": "feat: é", "body": "b",
                     "url": "https://github.com/openedx/XBlock/pull/7", "merge_sha": B, "author": "feanil",
                     "merged_by": "", "merged_at": "2026-01-01T10:00:00+01:00", "paths": ["a.py"]}],
        "direct_pushes": [{"repository": "openedx/XBlock", "sha": C, "title": "Bump"}],
    }
    assert json.loads(encode(report)) == report
    assert encode(report) == encode(json.loads(encode(report)))  # the same bytes every time: the same signature
    assert json.loads(encode_for_reading(report)) == report
    empty = {**report, "changes": [], "rolls_back": ["a", "b"]}
    assert json.loads(encode_for_reading(empty)) == empty
