"""
The deployment reports (docs/reference/report-format.rst) that the GitHub intake builds, so that a GitHub deployment
is recorded exactly like a report a pipeline sends: ``source: "github"``, the repository's head, and the changes and
direct pushes that ``resolution`` found.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from openedx_cc.lib.timeutil import iso_utc
from openedx_cc.plugins.github.resolution import DirectPush

if TYPE_CHECKING:
    from openedx_cc.plugins.deployments.api import MergedPullRequestData

MAX_SERVICE_CHARS = 100


def report_id(repository: str, github_id: int) -> str:
    """The id of the deployment a GitHub deployment is recorded as: ``github:<owner>/<name>:<id>``."""
    return f"github:{repository}:{github_id}"


def failure_id(repository: str, github_id: int) -> str:
    """The id of a failed attempt of a GitHub deployment (a later success of it keeps ``report_id``)."""
    return f"{report_id(repository, github_id)}:failure"


def change_item(pr: MergedPullRequestData) -> dict[str, Any]:
    """A merged pull request as a change of a report."""
    item: dict[str, Any] = {
        "repository": pr.repository, "pr_number": pr.pr_number, "title": pr.title, "body": pr.body, "url": pr.url,
        "merge_sha": pr.merge_sha, "author": pr.author, "merged_by": pr.merged_by, "merged_at": iso_utc(pr.merged_at),
    }
    if pr.paths is not None:
        item["paths"] = list(pr.paths)
    return item


def direct_push_items(repository: str, pushes: Iterable[DirectPush]) -> list[dict[str, str]]:
    """Direct pushes as a report lists them."""
    return [{"repository": repository, "sha": push.sha, "title": push.title[:1_000]} for push in pushes]


def deployment_report(*, deployment_id: str, environment: str, service: str, release: str, deployed_at: datetime,
                      repository: str, sha: str | None, kind: str = "deploy", rolls_back: Sequence[str] = (),
                      changes: Sequence[MergedPullRequestData] = (), direct_pushes: Sequence[DirectPush] = (),
                      result: str = "success") -> dict[str, Any]:
    """
    A report of a GitHub deployment. ``sha`` is the repository's new head (None for a failed attempt, which moves
    none).
    """
    return {
        "id": deployment_id, "environment": environment, "service": service[:MAX_SERVICE_CHARS], "release": release,
        "deployed_at": iso_utc(deployed_at), "kind": kind, "rolls_back": list(rolls_back),
        "changes": [change_item(pr) for pr in changes], "source": "github", "result": result,
        "heads": {repository: sha} if sha is not None else {},
        "direct_pushes": direct_push_items(repository, direct_pushes),
    }
