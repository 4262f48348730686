"""
Merged pull requests: what a ``pull_request`` delivery closed with ``merged: true`` says, kept by the deployments
applet (``remember_merged_pull_requests``), where both the GitHub intake and the reports that leave ``merged_by``
empty find it.
"""
from __future__ import annotations

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.formats import github_login
from openedx_cc.plugins.deployments import api as deployments_api
from openedx_cc.plugins.github.payloads import Account, PullRequestEvent
from openedx_cc.plugins.ownership import api as ownership_api

# The limits of a report's change (docs/reference/report-format.rst); GitHub's own are lower (256 and 65,536).
MAX_TITLE_CHARS = 1_000
MAX_BODY_CHARS = 65_536


def person_login(account: Account | None) -> str:
    """
    The GitHub login of a person, or "" for none or a bot (``dependabot[bot]``): only people can be Core
    Committers, and a report takes an empty author or merger as "unknown".
    """
    if account is None:
        return ""
    try:
        return github_login(account.login)
    except ValueError:
        return ""


def merged_pull_request(event: PullRequestEvent, *, repository: str) -> deployments_api.MergedPullRequestData:
    """The merged pull request of a ``pull_request`` delivery (the caller checked that it was merged)."""
    pr = event.pull_request
    assert pr.merge_commit_sha is not None and pr.merged_at is not None  # payloads.PullRequest checked it
    paths = pr.paths()
    normalized = None
    if paths is not None:
        problems, normalized = [], []
        for index, path in enumerate(paths):
            try:
                normalized.append(ownership_api.normalize_path(path))
            except InvalidValue as exc:
                problems.append(Problem(field=f"pull_request.files[{index}]", message=str(exc)))
        if problems:
            raise ValidationFailed(problems)
    return deployments_api.MergedPullRequestData(
        repository=repository, pr_number=pr.number, merge_sha=pr.merge_commit_sha, merged_at=pr.merged_at,
        title=pr.title[:MAX_TITLE_CHARS], body=(pr.body or "")[:MAX_BODY_CHARS], url=pr.html_url[:500],
        author=person_login(pr.user), merged_by=person_login(pr.merged_by), base_ref=pr.base.ref[:255],
        labels=tuple(label.name for label in pr.labels),
        paths=tuple(dict.fromkeys(normalized)) if normalized is not None else None,
    )


def remember_pull_request(event: PullRequestEvent, *, repository: str) -> None:
    """Keep a merged pull request (idempotent: the same delivery again, or another hook's, changes nothing)."""
    deployments_api.remember_merged_pull_requests([merged_pull_request(event, repository=repository)])
