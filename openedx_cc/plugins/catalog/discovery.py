"""
Extension discovery: which Open edX extensions are installed in this service, from which distribution and which
repository (docs/reference/cli.rst, "cc_discover_extensions").

Every entry point of the Open edX plugin groups is an extension; its distribution's metadata (``Project-URL``,
``Home-page``, ``Download-URL``) names its GitHub repository, which the aliases then resolve.
"""
from __future__ import annotations

import re
from importlib import metadata
from typing import TYPE_CHECKING, Iterable, Sequence

from openedx_cc.lib.conf import get_setting
from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.sync import SyncReport
from openedx_cc.plugins.ownership import api as ownership_api

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

# The entry-point groups through which Open edX services load extensions; console_scripts and other generic
# groups are not extensions of the platform.
DEFAULT_GROUPS = (
    "lms.djangoapp",
    "cms.djangoapp",
    "xblock.v1",
    "xblock_asides.v1",
    "openedx.course_tab",
    "openedx.dynamic_partition_generator",
    "openedx.learning_context",
    "openedx.block_structure_transformer",
)
EXCLUDED_GROUPS = {"console_scripts", "gui_scripts"}
_GITHUB = re.compile(r"github\.com[:/]+(?P<owner>[A-Za-z0-9-]+)/(?P<name>[A-Za-z0-9._-]+?)(?:\.git)?(?:[/#?].*)?$")


def entry_point_groups() -> list[str]:
    """
    The groups searched: the Open edX ones plus ``OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS`` (operators' additions).
    """
    extra = get_setting("OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS") or []
    return [g for g in dict.fromkeys(list(DEFAULT_GROUPS) + list(extra)) if g not in EXCLUDED_GROUPS]


def repository_from_metadata(meta: metadata.PackageMetadata) -> str:
    """``owner/name`` of the first GitHub URL among a distribution's project URLs, or ""."""
    urls = []
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls.append((0 if label.strip().lower() in {"source", "source code", "repository", "code"} else 1,
                     url.strip()))
    for key in ("Home-page", "Download-URL"):
        if value := meta.get(key):
            urls.append((2, value.strip()))
    for _rank, url in sorted(urls, key=lambda u: u[0]):
        match = _GITHUB.search(url)
        if match:
            return f"{match.group('owner')}/{match.group('name')}"
    return ""


def installed_entry_points(
    paths: Iterable[str] | None = None, groups: Iterable[str] | None = None
) -> list[tuple[str, str, str, str, str, str]]:
    """
    ``[(group, name, value, distribution, version, declared repository)]`` of the installed distributions (those on
    ``paths``, default ``sys.path``), for the groups searched, sorted.
    """
    wanted = set(groups or entry_point_groups())
    # (group, entry point, distribution) -> (group, entry point, value, distribution, version, declared repository)
    found: dict[tuple[str, str, str], tuple[str, str, str, str, str, str]] = {}
    distributions = metadata.distributions(path=list(paths)) if paths else metadata.distributions()
    for dist in distributions:
        name = dist.metadata.get("Name") or ""
        declared = None
        for entry_point in dist.entry_points:
            if entry_point.group not in wanted:
                continue
            if declared is None:
                declared = repository_from_metadata(dist.metadata)
            key = (entry_point.group, entry_point.name, name.lower())
            found.setdefault(key, (entry_point.group, entry_point.name, entry_point.value, name,
                                   dist.version or "", declared))
    return sorted(found.values())


def discover_extensions(paths: Iterable[str] | None = None) -> list[ownership_api.DiscoveredExtension]:
    """
    The extensions installed in this service (entry points of the Open edX plugin groups), with their distribution,
    version and repository (through the aliases). ``paths`` replaces ``sys.path`` (for tests).
    """
    found = installed_entry_points(paths=paths)
    declared = sorted({item[5] for item in found if item[5]})
    names: dict[str, str] = {}
    for name in declared:
        try:
            names.update(ownership_api.resolve_repository_names([name]))
        except InvalidValue:
            names[name] = ""
    return [
        ownership_api.DiscoveredExtension(group=group, name=name, value=value, distribution=distribution,
                                          version=version, declared_repository=repo,
                                          repository=names.get(repo, "") if repo else "")
        for group, name, value, distribution, version, repo in found
    ]


def record_discovery(
    found: Sequence[ownership_api.DiscoveredExtension], *, actor: AbstractBaseUser | None = None
) -> SyncReport:
    """Record discovered extensions as extensions of their repositories (see ownership ``record_...``)."""
    report = ownership_api.record_discovered_extensions(found, actor=actor)
    unknown = sorted({f"{f.distribution} ({f.group}:{f.name})" for f in found if not f.repository})
    if unknown:
        report.notes.append(f"{len(unknown)} installed extension(s) name no GitHub repository and were not recorded: "
                            + ", ".join(unknown))
    return report
