"""
Errors that name the field they are about, for the import formats, the REST API and the Python API alike.

A field is written as a path: ``committers[3].agreements.nda.expires``. Importers add the file and the line.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import attr


def field_path(loc: Sequence[object]) -> str:
    """
    Render a location tuple such as ``("committers", 3, "agreements")`` as ``committers[3].agreements``.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@attr.s(frozen=True)
class Problem:
    """
    One thing wrong with an input: which field, why, and where in which file (when the input was a file).
    """

    field = attr.ib(type=str)
    message = attr.ib(type=str)
    file = attr.ib(type=str | None, default=None)
    line = attr.ib(type=int | None, default=None)

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"

    def as_dict(self) -> dict[str, str | int]:
        """
        The JSON form of the contract's error list (``{"field": ..., "message": ...}``), with file and line if known.
        """
        data: dict[str, str | int] = {"field": self.field, "message": self.message}
        if self.file:
            data["file"] = self.file
        if self.line:
            data["line"] = self.line
        return data


class ValidationFailed(ValueError):
    """
    Raised with every problem found in an input; nothing was written.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid input")


class InvalidValue(ValueError):
    """
    Raised by parsers of single values (a repository name, a datetime); the caller knows which field it was.
    """
