"""
The file formats of the ownership registry: parsing a file of a known format, and merging several files'
snapshots into one.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.lib.formats import read_text
from openedx_cc.lib.sourcemap import load_document
from openedx_cc.plugins.ownership.formats import people, roster, salesforce
from openedx_cc.plugins.ownership.snapshot import (
    CommitterSpec,
    OrganizationSpec,
    PhaseSpec,
    RegistrySnapshot,
    RepositorySpec,
)

if TYPE_CHECKING:
    from openedx_cc.plugins.ownership.selectors import RegistryView

FORMATS = ("roster", "people-yaml", "salesforce-csv")


def kind_of(path: str) -> str:
    """The syntax of a file, by its name: ``toml`` or ``yaml``."""
    return "toml" if Path(path).suffix.lower() == ".toml" else "yaml"


def parse_file(path: str, file_format: str, *, registry: RegistryView | None,
               orgs_path: str | None = None) -> RegistrySnapshot:
    """
    Parse one file of ``file_format`` into a snapshot; raises ``ValidationFailed`` with every problem of that file.
    """
    text = read_text(path)
    if file_format == "salesforce-csv":
        return salesforce.salesforce_snapshot(path, text, registry=registry)
    data, sourcemap = load_document(text, kind_of(path), path)
    if file_format == "roster":
        return roster.roster_snapshot(data, sourcemap=sourcemap, filename=path, registry=registry)
    if file_format == "people-yaml":
        return people.people_snapshot(path, data, sourcemap, registry=registry, orgs_path=orgs_path)
    raise ValidationFailed([Problem(field="format", message=f"unknown format {file_format!r}", file=path)])


def merge(snapshots: list[RegistrySnapshot]) -> RegistrySnapshot:
    """
    One snapshot from several files. The same organization, committer or repository described by two files is an
    error (which file wins would be a guess) -- except organizations described identically.
    """
    if len(snapshots) == 1:
        return snapshots[0]
    problems = []
    seen: dict[tuple[str, str], tuple[str]] = {}
    key_of: Callable[[CommitterSpec | RepositorySpec], str]  # the lambdas of the loop below
    # lower-case slug -> (organization, the file that gives it first)
    organizations: dict[str, tuple[OrganizationSpec, str]] = {}
    for snapshot in snapshots:
        for organization in snapshot.organizations:
            key = organization.slug.lower()
            if key in organizations and organizations[key][0] != organization:
                problems.append(Problem(field="organization", message=f"organization {key} is described differently "
                                                                      f"in {organizations[key][1]}",
                                        file=snapshot.source))
            organizations.setdefault(key, (organization, snapshot.source))
        for kind, items, key_of in (
            ("committer", snapshot.committers, lambda c: c.github_username.lower()),
            ("repository", snapshot.repositories, lambda r: r.full_name.lower()),
        ):
            for item in items:
                identity = (kind, key_of(item))
                if identity in seen and seen[identity][0] != snapshot.source:
                    problems.append(Problem(field=kind, message=f"{kind} {key_of(item)} is also described in "
                                                                f"{seen[identity][0]}", file=snapshot.source))
                seen.setdefault(identity, (snapshot.source,))
    phases: dict[datetime, PhaseSpec] = {}
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
        organizations=tuple(org for org, _source in organizations.values()),
        committers=tuple(c for s in snapshots for c in s.committers),
        repositories=tuple(r for s in snapshots for r in s.repositories),
        phases=tuple(phases.values()),
        notes=tuple(n for s in snapshots for n in s.notes),
        not_prunable="; ".join(s.not_prunable for s in snapshots if s.not_prunable),
    )
