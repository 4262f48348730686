"""
Import files from a careless operator or a third-party repository (docs/decisions/0012): YAML aliases and deep
nesting, deep TOML, files larger than the cap whatever their size says, devices, FIFOs and sockets. Each is refused
with the file (and the line where there is one), never read until memory runs out, never a crash.
"""
import os
import socket

import pytest

from openedx_cc.lib import formats
from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.lib.sourcemap import (
    MAX_YAML_FLOW_DEPTH,
    MAX_YAML_INDENT,
    load_toml,
    load_yaml,
    load_yaml_documents,
)
from tests.conftest import PILOT_ROSTER

ALIAS_BOMB = """a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _problem(callable_, *args):
    with pytest.raises(ValidationFailed) as caught:
        callable_(*args)
    (problem,) = caught.value.problems
    return problem


@pytest.mark.parametrize("load", [load_yaml, load_yaml_documents])
def test_a_yaml_alias_bomb_is_refused_at_its_first_alias(load):
    problem = _problem(load, ALIAS_BOMB, "bomb.yaml")
    assert problem.file == "bomb.yaml" and problem.line == 1
    assert "YAML alias of the anchor on line 1" in problem.message


@pytest.mark.parametrize("load", [load_yaml, load_yaml_documents])
def test_a_self_referencing_alias_is_refused(load):
    assert "YAML alias" in _problem(load, "a: &a [x, *a]\n", "loop.yaml").message


@pytest.mark.parametrize("text, line", [
    ("a: " + "[" * 100_000 + "]" * 100_000, 1),  # crashed libyaml (segmentation fault)
    ("a: 1\nb: " + "{x: " * (MAX_YAML_FLOW_DEPTH + 1) + "1" + "}" * (MAX_YAML_FLOW_DEPTH + 1), 2),
    ('a: "]"\nb: ' + '[ "]", ' * (MAX_YAML_FLOW_DEPTH + 1), 2),  # brackets in strings do not hide the depth
])
def test_deep_flow_nesting_is_refused_with_its_line(text, line):
    problem = _problem(load_yaml, text, "deep.yaml")
    assert problem.line == line and "nested more than" in problem.message


def test_deep_block_nesting_is_refused():
    levels = MAX_YAML_INDENT // 2 + 2
    text = "".join(" " * (2 * level) + f"k{level}:\n" for level in range(levels)) + " " * (2 * levels) + "v\n"
    assert "indented more than" in _problem(load_yaml, text, "deep.yaml").message


def test_what_the_depth_scan_skips_is_still_parsed():
    text = ("note: '[[[[ not a bracket'  # [[[[ nor this\nother: \"\\\\\" \nname: O'Brien [x]\nlist: [a, {b: c}]\n")
    data, _sourcemap = load_yaml(text, "fine.yaml")
    assert data == {"note": "[[[[ not a bracket", "other": "\\", "name": "O'Brien [x]",
                    "list": ["a", {"b": "c"}]}


def test_deep_toml_is_refused():
    problem = _problem(load_toml, "a = " + "[" * 100_000 + "]" * 100_000, "deep.toml")
    assert problem.file == "deep.toml" and "nested too deeply" in problem.message


def test_the_real_roster_still_loads():
    data, _sourcemap = load_yaml(PILOT_ROSTER.read_text(), "pilot-roster.yaml")
    assert data["format"] == "openedx-cc-roster/v1"


def test_the_byte_cap_holds_whatever_the_size_says(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 1024)
    zero = tmp_path / "roster.yaml"
    zero.symlink_to("/dev/zero")  # st_size 0, endless
    assert "not a regular file" in _problem(formats.read_text, zero).message
    big = tmp_path / "big.yaml"
    big.write_text("a" * 1025)
    assert "larger than 1024 bytes" in _problem(formats.read_text, big).message
    exact = tmp_path / "exact.yaml"
    exact.write_text("a" * 1024)
    assert formats.read_text(exact) == "a" * 1024


def test_fifos_and_sockets_are_refused_without_waiting(tmp_path):
    fifo = tmp_path / "roster.fifo"
    os.mkfifo(fifo)  # nobody writes to it: opening it for reading would block without O_NONBLOCK
    assert "not a regular file" in _problem(formats.read_text, fifo).message
    path = tmp_path / "roster.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert "cannot be read" in _problem(formats.read_text, path).message or \
            "not a regular file" in _problem(formats.read_text, path).message
    finally:
        server.close()


def test_windows_line_endings_are_read_as_newlines(tmp_path):
    crlf = tmp_path / "roster.yaml"
    crlf.write_bytes(b"a: 1\r\nb: 2\r\n")
    assert formats.read_text(crlf) == "a: 1\nb: 2\n"


@pytest.mark.parametrize("text, message", [
    ("a: x '\nb: " + "[" * 100_000 + "]" * 100_000, "nested more than"),  # a quote inside a plain scalar hides nothing
    ("a: it's\nb: " + "{x: " * (MAX_YAML_FLOW_DEPTH + 1) + "1" + "}" * (MAX_YAML_FLOW_DEPTH + 1), "nested more than"),
    ("- " * 100_000 + "x\n", "sequences nested more than"),
])
def test_what_review_found_hidden_from_the_depth_scan_is_refused(text, message):
    assert message in _problem(load_yaml, text, "deep.yaml").message


def test_nesting_the_scan_allows_but_python_cannot_walk_is_a_clean_error():
    text = "".join("  " * level + "-\n" for level in range(3000))  # block items, one per line, 2 columns deeper each
    with pytest.raises(ValidationFailed):
        load_yaml(text, "deep.yaml")
