"""
``cc_import``: every import format of the set behind one command (docs/reference/roster-format.rst).

Each file's format is detected (or given), every file is validated before anything is written -- every problem of
every file is reported, each with its file, line and field -- and then everything is applied in one transaction
through the shared sync engine: the ownership formats (``roster``, ``people-yaml``, ``salesforce-csv``) to the
registry, ``catalog-info`` files to the catalog.
"""
from __future__ import annotations

from pathlib import Path

from django.db import transaction

from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.lib.formats import read_text
from openedx_cc.lib.sourcemap import load_toml, load_yaml_documents
from openedx_cc.lib.sync import SyncReport
from openedx_cc.plugins.catalog import api as catalog_api
from openedx_cc.plugins.ownership import api as ownership_api

OWNERSHIP_FORMATS = ("roster", "people-yaml", "salesforce-csv")
FORMATS = OWNERSHIP_FORMATS + ("catalog-info",)
_SUPPORTED = "a roster (openedx-cc-roster/v1), a people.yaml (with its orgs.yaml), a Salesforce export (.csv) or " \
             "catalog-info.yaml files"


def _looks_like_codeowners(text: str) -> bool:
    """
    Whether ``text`` reads as a CODEOWNERS file: every line that is neither blank nor a comment (indented comments
    included) is a pattern followed by owners (``@login``, ``@org/team`` or an email address), and there is one.
    """
    rules = [line.split() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return bool(rules) and all(len(words) >= 2 and all("@" in word for word in words[1:]) for words in rules)


def _not_a_format(path: str, text: str) -> str | None:
    """A precise reason for files that are known not to be an import format."""
    name = Path(path).name
    if "CODEOWNERS" in name or _looks_like_codeowners(text):
        return ("a CODEOWNERS file: its owners are GitHub teams and users, not Core Committer rights; openedx-cc "
                f"imports {_SUPPORTED}")
    if name.endswith((".tsv", ".txt", ".md", ".rst", ".json")):
        return f"a {Path(path).suffix} file is not an import format; openedx-cc imports {_SUPPORTED}"
    return None


def detect_format(path: str) -> tuple[str | None, str | None]:
    """
    ``(format, None)`` for a file or directory whose format is recognized, ``("orgs-yaml", None)`` for an orgs.yaml,
    else ``(None, reason)``.
    """
    target = Path(path)
    if target.is_dir():
        if catalog_api.catalog_files(path):
            return "catalog-info", None
        return None, "a directory without catalog-info.yaml files"
    text = read_text(path)
    if target.suffix.lower() == ".csv" or ownership_api.looks_like_salesforce(text):
        return "salesforce-csv", None
    if target.suffix.lower() == ".toml":
        try:
            data, _sourcemap = load_toml(text, path)
        except ValidationFailed as exc:
            return None, exc.problems[0].message
        return ("roster", None) if ownership_api.is_roster(data) else (None, "a TOML file that is not a roster "
                                                                              "(format = \"openedx-cc-roster/v1\")")
    reason = _not_a_format(path, text)
    if reason:
        return None, reason
    documents = load_yaml_documents(text, path)
    document = documents[0][0] if documents else None
    if ownership_api.is_roster(document):
        return "roster", None
    if catalog_api.is_catalog_info(document):
        return "catalog-info", None
    if ownership_api.looks_like_people(document):
        return "people-yaml", None
    if ownership_api.looks_like_orgs(document):
        return "orgs-yaml", None
    return None, f"cannot tell the format of this file; openedx-cc imports {_SUPPORTED} (or pass --format)"


def import_files(paths, *, file_format: str | None = None, prune: bool = False, dry_run: bool = False, actor=None,
                 batch_size: int | None = None, progress=None) -> SyncReport:
    """
    Validate every file, then import them all in one transaction. Raises ``ValidationFailed`` with every problem;
    nothing is written then.
    """
    problems: list[Problem] = []
    detected: list[tuple[str, str]] = []
    orgs_files: list[str] = []
    for path in map(str, paths):
        try:
            kind, reason = (file_format, None) if file_format else detect_format(path)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        if kind is None:
            assert reason is not None  # detect_format gives a reason whenever it gives no format
            problems.append(Problem(field="format", message=reason, file=path, line=1))
        elif kind == "orgs-yaml":
            orgs_files.append(path)
        else:
            detected.append((path, kind))
    registry = ownership_api.registry_view()
    snapshots, catalog_paths = [], []
    for path, kind in detected:
        if kind == "catalog-info":
            catalog_paths.append(path)
            continue
        try:
            orgs_path = None
            if kind == "people-yaml":
                beside = [o for o in orgs_files if Path(o).parent == Path(path).parent]
                orgs_path = beside[0] if beside else ownership_api.find_orgs_file(path)
            snapshots.append(ownership_api.parse_import_file(path, kind, registry=registry, orgs_path=orgs_path))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if orgs_files and not any(kind == "people-yaml" for _p, kind in detected):
        problems.extend(Problem(field="format", message="an orgs.yaml is read with the people.yaml beside it; import "
                                                        "the people.yaml", file=path, line=1) for path in orgs_files)
    catalog = None
    if catalog_paths:
        try:
            catalog = catalog_api.parse_catalog_files(catalog_paths)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if prune:
        problems.extend(Problem(field="--prune", message=snapshot.not_prunable, file=snapshot.source)
                        for snapshot in snapshots if snapshot.not_prunable)
    if problems:
        raise ValidationFailed(problems)
    sources = ", ".join(map(str, paths))
    report = SyncReport(source=sources, dry_run=dry_run)
    with transaction.atomic():
        if snapshots:
            merged = ownership_api.merge_snapshots(snapshots)
            report.merge(ownership_api.import_snapshot(
                merged, prune=prune, dry_run=dry_run, actor=actor, batch_size=batch_size, progress=progress,
                reason=f"cc_import {sources}"[:100],
            ))
        if catalog is not None:
            report.merge(catalog_api.sync_catalog(catalog, prune=prune, dry_run=dry_run, actor=actor,
                                                  reason=f"cc_import {sources}"[:100]))
    report.source = sources
    return report


def supported_import_formats() -> tuple[str, ...]:
    """The ``--format`` values ``import_files`` understands."""
    return FORMATS
