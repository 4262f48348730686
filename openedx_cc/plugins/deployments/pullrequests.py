"""
Merged pull requests that GitHub described, deployed or not (``MergedPullRequest``): kept so that a report that
leaves ``merged_by`` (or ``author``) empty -- git alone does not say who pressed merge -- is attributed with what
GitHub said, and so that the GitHub intake finds the changes among a deployment's commits.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from django.db import transaction

from openedx_cc.plugins.deployments.data import MergedPullRequestData
from openedx_cc.plugins.deployments.models import MergedPullRequest
from openedx_cc.plugins.ownership import api as ownership_api

_FIELDS = ["repository", "merge_sha", "title", "body", "url", "author", "merged_by", "merged_at", "base_ref",
           "labels", "paths"]


def remember_merged_pull_requests(pull_requests: Sequence[MergedPullRequestData]) -> None:
    """
    Keep what GitHub said of merged pull requests, under their resolved repository names; what it says again of a
    pull request replaces what it said before (files it did not list keep the ones it listed). Idempotent.
    """
    if not pull_requests:
        return
    names = ownership_api.resolve_repository_names(pr.repository for pr in pull_requests)
    latest: dict[tuple[str, int], MergedPullRequestData] = {}
    for pr in pull_requests:
        latest[(names[pr.repository].lower(), pr.pr_number)] = pr
    with transaction.atomic():
        existing = {
            (row.repository_key, row.pr_number): row
            for row in MergedPullRequest.objects.select_for_update().filter(
                repository_key__in={key for key, _n in latest}, pr_number__in={n for _k, n in latest})
        }
        new, changed = [], []
        for (key, number), pr in latest.items():
            values = {
                "repository": names[pr.repository], "merge_sha": pr.merge_sha.lower(), "title": pr.title,
                "body": pr.body, "url": pr.url, "author": pr.author, "merged_by": pr.merged_by,
                "merged_at": pr.merged_at, "base_ref": pr.base_ref, "labels": list(pr.labels),
                "paths": list(pr.paths) if pr.paths is not None else None,
            }
            row = existing.get((key, number))
            if row is None:
                new.append(MergedPullRequest(repository_key=key, pr_number=number, **values))
                continue
            if values["paths"] is None:
                values["paths"] = row.paths
            if any(getattr(row, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(row, field, value)
                changed.append(row)
        MergedPullRequest.objects.bulk_create(new)
        if changed:
            MergedPullRequest.objects.bulk_update(changed, _FIELDS)


def _data(row: MergedPullRequest) -> MergedPullRequestData:
    return MergedPullRequestData(
        repository=row.repository, pr_number=row.pr_number, merge_sha=row.merge_sha, merged_at=row.merged_at,
        title=row.title, body=row.body, url=row.url, author=row.author, merged_by=row.merged_by,
        base_ref=row.base_ref, labels=tuple(row.labels or ()),
        paths=tuple(row.paths) if row.paths is not None else None,
    )


def merged_pull_requests_by_sha(repository: str, shas: Iterable[str]) -> dict[str, MergedPullRequestData]:
    """The merged pull requests of ``repository`` whose merge commit is one of ``shas``, by lower-case merge sha."""
    key = ownership_api.resolve_repository_names([repository])[repository].lower()
    wanted = sorted({sha.lower() for sha in shas})
    found: dict[str, MergedPullRequestData] = {}
    # One query up to 10,000 commits (SQLite takes at most 32,766 parameters in a statement).
    for start in range(0, len(wanted), 10_000):
        for row in MergedPullRequest.objects.filter(repository_key=key, merge_sha__in=wanted[start:start + 10_000]):
            found[row.merge_sha] = _data(row)
    return found


def merged_pull_requests_by_key(keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], MergedPullRequestData]:
    """
    What GitHub said of the pull requests ``keys`` (``(repository key, number)``, names already resolved), in one
    query.
    """
    keys = set(keys)
    if not keys:
        return {}
    rows = MergedPullRequest.objects.filter(repository_key__in={k for k, _n in keys},
                                            pr_number__in={n for _k, n in keys})
    return {(row.repository_key, row.pr_number): _data(row) for row in rows
            if (row.repository_key, row.pr_number) in keys}
