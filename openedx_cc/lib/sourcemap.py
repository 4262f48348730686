"""
Loading YAML and TOML documents while remembering on which line each value stands, so that an error can name the
file, the line and the field.

``load_document(text, kind)`` returns the plain data and a ``SourceMap``; ``SourceMap.line_for(loc)`` answers the
line of the deepest part of ``loc`` (a tuple of keys and list indices) that the map knows.
"""
from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

import yaml

from openedx_cc.lib.errors import Problem, ValidationFailed

# Where a value stands in a document: its keys and list indices from the root, ``("committers", 3, "login")``.
Location = tuple[str | int, ...]


class SourceMap:
    """
    Lines (1-based) of the values of a document, by their location tuple.
    """

    def __init__(self, positions: dict[Location, int] | None = None) -> None:
        self.positions: dict[Location, int] = positions or {}

    def line_for(self, loc: Sequence[object]) -> int | None:
        """
        The line of ``loc``, or of its nearest ancestor with a known line.
        """
        key: Location = tuple(part if isinstance(part, int) else str(part) for part in loc)
        while key:
            if key in self.positions:
                return self.positions[key]
            key = key[:-1]
        return self.positions.get((), None)


# libyaml's parser is an order of magnitude faster than the pure-Python one on large files (a 5,000-person roster);
# both give every node its line.
# The checker sees the pure-Python loader, whose methods the C one has too.
if TYPE_CHECKING:
    _BASE_LOADER = yaml.SafeLoader
else:
    _BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PositionLoader(_BASE_LOADER):
    """
    A safe loader whose timestamps that are not real dates (``2020-13-01``) stay text, so that validation can say
    which field holds them instead of the parser failing without a location.
    """


def _lenient_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_PositionLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def _walk_yaml(node: yaml.Node, loc: Location, positions: dict[Location, int], problems: list[Problem],
               filename: str | None) -> None:
    """
    Record the line of every mapping key and sequence item under ``node``; note duplicate keys.
    """
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark.line + 1)
            child = loc + (key,)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        field=".".join(str(p) for p in child),
                        message=f"duplicate key {key!r} (also on line {seen[key]})",
                        file=filename,
                        line=line,
                    )
                )
            seen.setdefault(key, line)
            positions.setdefault(child, line)
            _walk_yaml(value_node, child, positions, problems, filename)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = loc + (index,)
            positions[child] = item.start_mark.line + 1
            _walk_yaml(item, child, positions, problems, filename)


# Limits of the YAML the formats take (docs/decisions/0012). Rosters, people.yaml and catalog-info.yaml files nest a
# few levels deep and need no aliases; a file beyond these is refused before libyaml sees it, because libyaml takes
# quadratic time on deep flow nesting and crashes the process (segmentation fault) at 100,000 levels, and aliases
# let 516 bytes expand to gigabytes.
MAX_YAML_FLOW_DEPTH = 64
MAX_YAML_INDENT = 1_000
_YAML_SPECIAL = re.compile(r"""[\[\]{}'"#\n]""")
# A quote opens a quoted scalar only where a scalar can start: after one of these (and blanks); elsewhere (``a: it's``)
# it is a character of a plain scalar.
_YAML_SCALAR_START = frozenset("\n[{,:-?")
_DEEP_INDENT = " " * (MAX_YAML_INDENT + 1)


def _refuse(message: str, filename: str | None, line: int | None) -> NoReturn:
    raise ValidationFailed([Problem(field="", message=message, file=filename, line=line)])


def _check_line_start(text: str, start: int, line: int, filename: str | None) -> None:
    """Refuse a line indented past ``MAX_YAML_INDENT`` or opening more than ``MAX_YAML_FLOW_DEPTH`` ``- `` items."""
    if text.startswith(_DEEP_INDENT, start):
        _refuse(f"indented more than {MAX_YAML_INDENT} columns (nested too deeply)", filename, line)
    position, items = start, 0
    while True:
        while position < len(text) and text[position] in " \t":
            position += 1
        if not (text.startswith("- ", position) or text.startswith("-\t", position)):
            return
        items += 1
        position += 2
        if items > MAX_YAML_FLOW_DEPTH:
            _refuse(f"sequences nested more than {MAX_YAML_FLOW_DEPTH} levels deep on one line", filename, line)


def _check_yaml_text(text: str, filename: str | None) -> None:
    """
    Refuse flow collections nested deeper than ``MAX_YAML_FLOW_DEPTH``, lines indented past ``MAX_YAML_INDENT`` and
    lines of more nested ``- `` items than that, in one linear pass that skips quoted scalars and comments.
    """
    depth, quote, line, skip_to = 0, None, 1, 0
    _check_line_start(text, 0, 1, filename)
    for match in _YAML_SPECIAL.finditer(text):
        index, char = match.start(), match.group()
        if char == "\n":
            line += 1
            if quote is None:
                _check_line_start(text, index + 1, line, filename)
            continue
        if index < skip_to:
            continue
        if quote == "'":
            quote = None if char == "'" else quote
            continue
        if quote == '"':
            if char == '"':
                backslashes = 0
                while index - backslashes > 0 and text[index - backslashes - 1] == "\\":
                    backslashes += 1
                quote = None if backslashes % 2 == 0 else quote
            continue
        previous = text[index - 1] if index else "\n"
        if char == "#":
            if previous in " \t\n":
                end = text.find("\n", index)
                skip_to = len(text) if end < 0 else end
        elif char in "'\"":
            before = index
            while before > 0 and text[before - 1] in " \t":
                before -= 1
            if before == 0 or text[before - 1] in _YAML_SCALAR_START:
                quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_YAML_FLOW_DEPTH:
                _refuse(f"brackets nested more than {MAX_YAML_FLOW_DEPTH} levels deep", filename, line)
        else:
            depth = max(0, depth - 1)


def _refuse_aliases(root: yaml.Node, filename: str | None) -> None:
    """
    Refuse a document in which a node is reached twice: a YAML alias (``*name``), which could expand a few bytes
    into gigabytes. One visit per node, iteratively.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            _refuse(f"uses a YAML alias of the anchor on line {node.start_mark.line + 1}; anchors and aliases are "
                    "not accepted: write the values out", filename, node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def load_yaml(text: str, filename: str | None = None) -> tuple[Any, SourceMap]:
    """
    Parse one YAML document; return ``(data, SourceMap)``. Syntax errors and duplicate keys raise
    ``ValidationFailed`` with the line.
    """
    _check_yaml_text(text, filename)
    try:
        loader = _PositionLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _refuse_aliases(node, filename)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError as exc:
        raise ValidationFailed([Problem(field="", message="nested too deeply", file=filename)]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = f"not valid YAML: {exc.problem or exc.context}"
        raise ValidationFailed([Problem(field="", message=message, file=filename, line=line)]) from exc
    except yaml.YAMLError as exc:
        raise ValidationFailed([Problem(field="", message=f"not valid YAML: {exc}", file=filename)]) from exc
    positions: dict[Location, int] = {(): 1}
    problems: list[Problem] = []
    if node is not None:
        try:
            _walk_yaml(node, (), positions, problems, filename)
        except RecursionError as exc:
            raise ValidationFailed([Problem(field="", message="nested too deeply", file=filename)]) from exc
    if problems:
        raise ValidationFailed(problems)
    return data, SourceMap(positions)


def load_yaml_documents(text: str, filename: str | None = None) -> list[tuple[Any, SourceMap]]:
    """
    Parse every document of a YAML stream (``---`` separated); return ``[(data, SourceMap)]`` with lines counted
    from the start of the file. Syntax errors and duplicate keys raise ``ValidationFailed`` with the line.
    """
    documents = []
    _check_yaml_text(text, filename)
    try:
        loader = _PositionLoader(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                assert node is not None  # check_node() said that one follows
                _refuse_aliases(node, filename)
                data = loader.construct_document(node)
                positions: dict[Location, int] = {(): node.start_mark.line + 1}
                problems: list[Problem] = []
                _walk_yaml(node, (), positions, problems, filename)
                if problems:
                    raise ValidationFailed(problems)
                documents.append((data, SourceMap(positions)))
        finally:
            loader.dispose()
    except RecursionError as exc:
        raise ValidationFailed([Problem(field="", message="nested too deeply", file=filename)]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"not valid YAML: {exc.problem or exc.context}"
        raise ValidationFailed([Problem(field="", message=message, file=filename,
                                        line=mark.line + 1 if mark else None)]) from exc
    except yaml.YAMLError as exc:
        raise ValidationFailed([Problem(field="", message=f"not valid YAML: {exc}", file=filename)]) from exc
    return documents


_TOML_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_TOML_KEY = re.compile(rf"^\s*({_TOML_KEY_PART}(?:\s*\.\s*{_TOML_KEY_PART})*)\s*=")


def _toml_key_parts(text: str) -> tuple[str, ...]:
    parts = []
    for raw in re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text):
        parts.append(raw[1:-1] if raw[:1] in "\"'" else raw)
    return tuple(parts)


def _toml_header(line: str) -> tuple[str, str] | None:
    """
    ``("array", key)`` for a ``[[key]]`` line, ``("table", key)`` for a ``[key]`` line, else None. String operations
    only: the regular expression this replaces backtracked cubically on a line of ``[`` and spaces
    (docs/decisions/0012).
    """
    stripped = line.split("#", 1)[0].strip()
    if stripped.startswith("[[") and stripped.endswith("]]"):
        kind, inner = "array", stripped[2:-2]
    elif stripped.startswith("[") and stripped.endswith("]"):
        kind, inner = "table", stripped[1:-1]
    else:
        return None
    inner = inner.strip()
    if not inner or "[" in inner or "]" in inner:
        return None
    return kind, inner


def _toml_positions(text: str) -> dict[Location, int]:
    """
    Lines of the tables, array-of-tables items and keys of a TOML document. Values inside inline tables and arrays
    get the line of their key, which is where a reader looks first.
    """
    positions: dict[Location, int] = {(): 1}
    counters: dict[Location, int] = {}
    current: Location = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _toml_header(line)
        if header is not None and header[0] == "array":
            path = _toml_key_parts(header[1])
            index = counters.get(path, -1) + 1
            counters[path] = index
            current = _resolve_array_path(path, counters) + (index,)
            positions.setdefault(current[:-1], number)
            positions[current] = number
        elif header is not None:
            current = _resolve_array_path(_toml_key_parts(header[1]), counters)
            positions.setdefault(current, number)
        elif match := _TOML_KEY.match(line):
            positions.setdefault(current + _toml_key_parts(match.group(1)), number)
    return positions


def _resolve_array_path(path: Location, counters: dict[Location, int]) -> Location:
    """
    Insert the current index of every enclosing array of tables into ``path``.
    """
    out: Location = ()
    for i, part in enumerate(path):
        out += (part,)
        prefix = path[: i + 1]
        if prefix in counters and i < len(path) - 1:
            out += (counters[prefix],)
    return out


def load_toml(text: str, filename: str | None = None) -> tuple[dict[str, Any], SourceMap]:
    """
    Parse a TOML document; return ``(data, SourceMap)``. Syntax errors raise ``ValidationFailed`` with the line.
    """
    try:
        data = tomllib.loads(text)
    except RecursionError as exc:
        raise ValidationFailed([Problem(field="", message="not valid TOML: nested too deeply", file=filename)]) from exc
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        raise ValidationFailed([Problem(field="", message=f"not valid TOML: {exc}", file=filename, line=line)]) from exc
    return data, SourceMap(_toml_positions(text))


def load_document(text: str, kind: str, filename: str | None = None) -> tuple[Any, SourceMap]:
    """
    Parse ``text`` as ``kind`` (``"yaml"`` or ``"toml"``).
    """
    if kind == "toml":
        return load_toml(text, filename)
    return load_yaml(text, filename)
