"""
Reading import files: format detection, parsing every file, and merging their snapshots into one.
"""
from __future__ import annotations

from pathlib import Path

from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.lib.importing import read_text
from openedx_cc.lib.sourcemap import load_document
from openedx_cc.plugins.ownership.importers import roster
from openedx_cc.plugins.ownership.snapshot import RegistrySnapshot

FORMATS = ("roster",)


def _kind(path: str) -> str:
    return "toml" if Path(path).suffix.lower() == ".toml" else "yaml"


def detect_format(data) -> str | None:
    """
    The format of a loaded document, or None when it is not recognizable.
    """
    if roster.is_roster(data):
        return "roster"
    return None


def parse_file(path: str, *, file_format: str | None, registry) -> RegistrySnapshot:
    """
    Parse one file into a snapshot; raises ``ValidationFailed`` with every problem of that file.
    """
    text = read_text(path)
    data, sourcemap = load_document(text, _kind(path), path)
    detected = detect_format(data)
    chosen = file_format or detected
    if chosen is None:
        raise ValidationFailed([Problem(field="format", message=(
            "cannot tell the format of this file; a roster starts with 'format: openedx-cc-roster/v1' "
            f"(or pass --format, one of: {', '.join(FORMATS)})"), file=path, line=1)])
    if chosen == "roster":
        return roster.roster_snapshot(data, sourcemap=sourcemap, filename=path, registry=registry)
    raise ValidationFailed([Problem(field="format", message=f"unknown format {chosen!r}", file=path)])


def merge(snapshots: list[RegistrySnapshot]) -> RegistrySnapshot:
    """
    One snapshot from several files. The same organization, committer or repository described by two files is an
    error (which file wins would be a guess).
    """
    if len(snapshots) == 1:
        return snapshots[0]
    problems = []
    seen: dict[tuple, str] = {}
    for snapshot in snapshots:
        for kind, items, key in (
            ("organization", snapshot.organizations, lambda o: o.slug.lower()),
            ("committer", snapshot.committers, lambda c: c.github_username.lower()),
            ("repository", snapshot.repositories, lambda r: r.full_name.lower()),
        ):
            for item in items:
                identity = (kind, key(item))
                if identity in seen and seen[identity] != snapshot.source:
                    problems.append(Problem(field=kind, message=f"{kind} {key(item)} is also described in "
                                                                f"{seen[identity]}", file=snapshot.source))
                seen.setdefault(identity, snapshot.source)
    phases = {}
    for snapshot in snapshots:
        for phase in snapshot.phases:
            if phase.since in phases and phases[phase.since] != phase:
                problems.append(Problem(field="program", message=f"another file gives a different program phase "
                                                                 f"from {phase.since:%Y-%m-%d}", file=snapshot.source))
            phases[phase.since] = phase
    if problems:
        raise ValidationFailed(problems)
    return RegistrySnapshot(
        source=", ".join(s.source for s in snapshots),
        organizations=tuple(o for s in snapshots for o in s.organizations),
        committers=tuple(c for s in snapshots for c in s.committers),
        repositories=tuple(r for s in snapshots for r in s.repositories),
        phases=tuple(phases.values()),
        notes=tuple(n for s in snapshots for n in s.notes),
    )


def parse_files(paths, *, file_format: str | None, registry) -> RegistrySnapshot:
    """
    Parse and validate every file (all problems of all files are reported together), then merge them.
    """
    snapshots, problems = [], []
    for path in paths:
        try:
            snapshots.append(parse_file(str(path), file_format=file_format, registry=registry))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(problems)
    return merge(snapshots)
