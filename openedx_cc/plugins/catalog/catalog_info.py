"""
The ``catalog-info`` format (docs/reference/roster-format.rst): Backstage ``catalog-info.yaml`` files of repositories
(OEP-55), one file, several, or every ``*catalog-info.yaml`` of a directory.

What each file says is kept as written, with its real-world quirks: an owner without its ``group:``/``user:``
prefix (Backstage takes it as a group), quoted or empty; a ``type`` or ``lifecycle`` off the documented lists (kept
and reported, not rejected); the ``openedx.org/release`` annotation declared null versus absent (kept apart). A file
that is not YAML, or a Component without ``metadata.name``, is an error with its file, line and field.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import attr

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.formats import read_text
from openedx_cc.lib.repositories import parse_repository_name
from openedx_cc.lib.sourcemap import load_yaml_documents

DOCUMENTED_TYPES = ("service", "website", "library")
DOCUMENTED_LIFECYCLES = ("experimental", "production", "deprecated")
DEFAULT_OWNER = "openedx"
RELEASE = "openedx.org/release"
INTEREST_GROUPS = "openedx.org/arch-interest-groups"
PROJECT_SLUG = "github.com/project-slug"


@attr.s(frozen=True)
class EntrySpec:
    """One repository's catalog entry, as validated from a file."""

    declared_name = attr.ib(type=str)
    repository = attr.ib(type=str)  # through the aliases (set by the caller)
    component = attr.ib(type=str)
    kind = attr.ib(type=str)
    description = attr.ib(type=str)
    owner = attr.ib(type=str)
    owner_kind = attr.ib(type=str)
    owner_name = attr.ib(type=str)
    type = attr.ib(type=str)
    lifecycle = attr.ib(type=str)
    release_declared = attr.ib(type=bool)
    release = attr.ib(type=str | None, default=None)  # None: the annotation is absent or declared null
    arch_interest_groups = attr.ib(type=tuple[str, ...], default=())
    links = attr.ib(type=tuple[dict[str, Any], ...], default=())
    source = attr.ib(type=str, default="")


@attr.s(frozen=True)
class CatalogSnapshot:
    """What catalog-info files say."""

    source = attr.ib(type=str)
    entries = attr.ib(type=tuple[EntrySpec, ...], default=())
    notes = attr.ib(type=tuple[str, ...], default=())


def is_catalog_info(data: object) -> bool:
    """Whether a loaded YAML document is a Backstage entity."""
    return isinstance(data, dict) and str(data.get("apiVersion", "")).startswith("backstage.io/")


def catalog_files(path: str) -> list[str]:
    """The catalog-info files of ``path``: itself, or the ``*catalog-info.yaml`` files under a directory."""
    target = Path(path)
    if target.is_dir():
        return sorted(str(p) for p in target.rglob("*catalog-info.y*ml") if p.is_file())
    return [str(target)]


def _owner(value: object) -> tuple[str, str, str, str | None]:
    """``(as written, kind, name, note)`` of ``spec.owner``."""
    text = "" if value is None else str(value).strip().strip("'\"")
    if not text:
        return "", "", "", "no owner"
    kind, sep, name = text.partition(":")
    if sep and kind in {"group", "user"}:
        return text, kind, name.strip(), None
    if sep:
        return text, kind, name.strip(), f"owner kind {kind!r} is neither group nor user"
    return text, "group", text, f"owner {text!r} has no group:/user: prefix; taken as group:{text}"


def parse_catalog_file(path: str) -> tuple[list[EntrySpec], list[str]]:
    """
    Validate one catalog-info file (all its documents); return its entries (repository not yet through the aliases)
    and the notes about values it keeps as written.
    """
    entries, notes, problems = [], [], []
    for data, sourcemap in load_yaml_documents(read_text(path), path):
        if data is None:
            continue
        if not is_catalog_info(data):
            problems.append(Problem(field="apiVersion", message="not a Backstage entity (apiVersion backstage.io/...)",
                                    file=path, line=sourcemap.line_for(("apiVersion",))))
            continue
        kind = str(data.get("kind") or "")
        metadata = data.get("metadata")
        if not isinstance(metadata, dict):
            problems.append(Problem(field="metadata", message="required field is missing", file=path,
                                    line=sourcemap.line_for(("metadata",))))
            continue
        name = metadata.get("name")
        if name is None or not str(name).strip():
            problems.append(Problem(field="metadata.name", message="required field is missing or empty", file=path,
                                    line=sourcemap.line_for(("metadata", "name"))))
            continue
        if kind != "Component":
            notes.append(f"{path}: skipped a {kind or 'kind-less'} entity ({name}); only Components describe "
                         "repositories")
            continue
        annotations = metadata.get("annotations") or {}
        if not isinstance(annotations, dict):
            problems.append(Problem(field="metadata.annotations", message="must be a mapping", file=path,
                                    line=sourcemap.line_for(("metadata", "annotations"))))
            continue
        slug = annotations.get(PROJECT_SLUG)
        declared = str(slug).strip() if slug else f"{DEFAULT_OWNER}/{str(name).strip()}"
        try:
            declared = parse_repository_name(declared).full_name
        except InvalidValue as exc:
            field = f"metadata.annotations.{PROJECT_SLUG}" if slug else "metadata.name"
            problems.append(Problem(field=field, message=f"does not name a repository: {exc}", file=path,
                                    line=sourcemap.line_for(("metadata", "annotations" if slug else "name"))))
            continue
        spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
        owner, owner_kind, owner_name, owner_note = _owner(spec.get("owner"))
        if owner_note:
            notes.append(f"{path}: {owner_note}")
        entry_type = str(spec.get("type") or "").strip()
        lifecycle = str(spec.get("lifecycle") or "").strip()
        if entry_type not in DOCUMENTED_TYPES:
            notes.append(f"{path}: type {entry_type!r} is not one of {', '.join(DOCUMENTED_TYPES)}; kept as written")
        if lifecycle not in DOCUMENTED_LIFECYCLES:
            notes.append(f"{path}: lifecycle {lifecycle!r} is not one of {', '.join(DOCUMENTED_LIFECYCLES)}; kept as "
                         "written")
        release_declared = RELEASE in annotations
        release = annotations.get(RELEASE)
        groups = tuple(g.strip() for g in str(annotations.get(INTEREST_GROUPS) or "").split(",") if g.strip())
        links = metadata.get("links") or []
        if not isinstance(links, list):
            problems.append(Problem(field="metadata.links", message="must be a list", file=path,
                                    line=sourcemap.line_for(("metadata", "links"))))
            continue
        entries.append(EntrySpec(
            declared_name=declared, repository=declared, component=str(name).strip(), kind=kind,
            description=str(metadata.get("description") or ""), owner=owner, owner_kind=owner_kind,
            owner_name=owner_name, type=entry_type, lifecycle=lifecycle, release_declared=release_declared,
            release=None if release is None else str(release), arch_interest_groups=groups,
            links=tuple(dict(link) for link in links if isinstance(link, dict)), source=path,
        ))
    if problems:
        raise ValidationFailed(problems)
    return entries, notes
