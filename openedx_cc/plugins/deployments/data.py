"""
Data taken and returned by the deployments API beyond reports: merged pull requests that GitHub described, the heads
of the environments, and the deployments whose changes are not resolved yet. Plain frozen attrs classes: standard
library and attrs only.
"""
from __future__ import annotations

from datetime import datetime

import attr


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class MergedPullRequestData:
    """
    A merged pull request, as GitHub described it (docs/reference/rest.rst, the GitHub intake). ``paths`` is None
    when GitHub did not list its files.
    """

    repository: str
    pr_number: int
    merge_sha: str
    merged_at: datetime
    title: str = ""
    body: str = ""
    url: str = ""
    author: str = ""
    merged_by: str = ""
    base_ref: str = ""
    labels: tuple[str, ...] = ()
    paths: tuple[str, ...] | None = None


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class HeadData:
    """The commit of ``repository`` that deployment ``deployment_id`` put in its environment."""

    repository: str
    sha: str
    deployment_id: str
    deployed_at: datetime


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class UnresolvedDeployment:
    """
    A deployment recorded with its heads but without its changes, because what it brought could not be told yet
    (``missing`` says why, for people).
    """

    deployment_id: str
    environment: str
    repository: str
    sha: str
    deployed_at: datetime
    missing: str
