"""
Every pattern that reads user-controlled text, fed the largest inputs the fields allow, shaped to make a
backtracking pattern slow (Hostile input (docs/decisions/0012): a MULTILINE ``^\\s*`` made a body of 65,536 newlines
take 47 s).

These are not timing tests: each input runs under an alarm of 10 s, a tripwire for catastrophic backtracking that a
linear pattern clears by three orders of magnitude (each input takes milliseconds).
"""
import signal
from contextlib import contextmanager

import pytest

from openedx_cc.lib.formats import email_address, github_login
from openedx_cc.lib.repositories import parse_repository_name
from openedx_cc.plugins.deployments.report import MAX_BODY_CHARS, MAX_TITLE_CHARS
from openedx_cc.plugins.deployments.reverts import detect_revert


@contextmanager
def tripwire(seconds=10):
    def expired(*_):
        raise AssertionError(f"still running after {seconds} s: the pattern is not linear")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _fill(unit, size):
    return (unit * (size // len(unit) + 1))[:size]


BODIES = {
    "newlines": _fill("\n", MAX_BODY_CHARS),
    "spaces": _fill(" ", MAX_BODY_CHARS),
    "tabs and newlines": _fill("\t\n", MAX_BODY_CHARS),
    "revert lines without a closing quote": _fill('revert "x\n', MAX_BODY_CHARS),
    "one revert line of spaces": 'Revert "' + _fill(" ", MAX_BODY_CHARS - 10) + '"',
    "trailing pr markers": _fill(" (#1", MAX_BODY_CHARS),
    "reverts without a sha": _fill("reverts commit ", MAX_BODY_CHARS),
    "Reverts without a number": _fill("Reverts a/b", MAX_BODY_CHARS),
    "list markers": _fill("- * ", MAX_BODY_CHARS),
}
TITLES = {
    "spaces": _fill(" ", MAX_TITLE_CHARS),
    "nested reverts": _fill('Revert "', MAX_TITLE_CHARS),
    "conventional": "revert: " + _fill(" (#", MAX_TITLE_CHARS - 8),
    "parentheses": "revert(" + _fill("(", MAX_TITLE_CHARS - 7),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_revert_detection_is_linear_in_the_body(name):
    with tripwire():
        detect_revert("feat: something", BODIES[name], own_pr_number=7)


@pytest.mark.parametrize("name", sorted(TITLES))
def test_revert_detection_is_linear_in_the_title(name):
    with tripwire():
        detect_revert(TITLES[name], BODIES["newlines"], own_pr_number=7)


def test_a_body_revert_line_still_names_its_original():
    detection = detect_revert("Revert two changes", "Some text\n\n* Revert \"feat: x (#12)\"\n- revert \"y (#13)\"\n")
    assert sorted(r.value for r in detection.references) == [12, 13]


@pytest.mark.parametrize("parse", [github_login, email_address, parse_repository_name])
@pytest.mark.parametrize("text", [_fill("a", MAX_BODY_CHARS), _fill("a-", MAX_BODY_CHARS), _fill("a.", MAX_BODY_CHARS),
                                  "a@" + _fill("b", MAX_BODY_CHARS), _fill("a/", MAX_BODY_CHARS)])
def test_names_are_refused_in_linear_time(parse, text):
    with tripwire(), pytest.raises(Exception):  # noqa: B017  each refuses in its own way (ValueError, InvalidValue)
        parse(text)


@pytest.mark.parametrize("line", [
    "[" + _fill(" ", MAX_BODY_CHARS) + "x",  # took 10 s at 2,000 spaces with the table regular expression
    "[[" + _fill(" ", MAX_BODY_CHARS) + "x",
    _fill("a", MAX_BODY_CHARS) + _fill(" ", MAX_BODY_CHARS),
    _fill("a .", MAX_BODY_CHARS),
    '"' + _fill("a", MAX_BODY_CHARS),
    "[" + _fill("a.", MAX_BODY_CHARS) + "]",
])
def test_toml_line_positions_are_linear(line):
    from openedx_cc.lib.sourcemap import _toml_positions

    with tripwire():
        _toml_positions("format = 'openedx-cc-roster/v1'\n" + line + "\n")


def test_toml_positions_still_find_tables_and_keys():
    from openedx_cc.lib.sourcemap import _toml_positions

    positions = _toml_positions("a = 1\n[program]  # the policy\nphase = 'pilot'\n[[committers]]\ngithub = 'x'\n"
                                "[[committers]]\ngithub = 'y'\n")
    assert positions[("program",)] == 2 and positions[("program", "phase")] == 3
    assert positions[("committers", 0)] == 4 and positions[("committers", 1, "github")] == 7


@pytest.mark.parametrize("body", ["Reverts openedx/x#" + "9" * 5000, 'Revert "x (#' + "9" * 5000 + ')"'])
def test_numbers_of_thousands_of_digits_name_no_pull_request(body):
    assert detect_revert("chore: x", body) is None
