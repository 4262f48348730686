"""
The changes of a report: their repository names resolved through the aliases and matched with the changes recorded
before (``resolve_changes``, a read), and, once attributed, stored and linked to the deployment (``store_changes``,
the writes).
"""
from __future__ import annotations

from typing import Sequence

import attr

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.plugins.deployments.attribution import Attribution
from openedx_cc.plugins.deployments.facts import ChangeFacts, DeploymentFacts
from openedx_cc.plugins.deployments.models import Change, DeployedChange, DirectPush
from openedx_cc.plugins.deployments.pullrequests import merged_pull_requests_by_key
from openedx_cc.plugins.deployments.report import DirectPushIn, ReportIn
from openedx_cc.plugins.deployments.reverts import detect_revert, title_key
from openedx_cc.plugins.ownership import api as ownership_api

# What is kept of a pull request's body: what an operator reads in the admin. Revert detection reads the whole body
# (up to GitHub's 65,536 characters) before this cut; keeping all of it would store 64 KB per change for nothing
# (docs/decisions/0012).
STORED_BODY_CHARS = 4_096


def stored_body(body: str) -> str:
    """The part of a pull request's body that is stored."""
    if len(body) <= STORED_BODY_CHARS:
        return body
    return body[:STORED_BODY_CHARS] + f"\n[... {len(body) - STORED_BODY_CHARS} more characters not stored]"


def resolve_changes(data: ReportIn) -> tuple[ChangeFacts, ...]:
    """
    The report's changes, in report order, under their resolved repository names: the recorded change where the
    pull request was reported before (``id`` set), else a new one (``id`` None) with its revert detection. Raises
    ``ValidationFailed`` when a pull request is listed twice (under two names) or reported with another merge sha.
    """
    try:
        names = ownership_api.resolve_repository_names(c.repository for c in data.changes)
    except InvalidValue as exc:  # pragma: no cover - names were validated by the parser
        raise ValidationFailed([Problem(field="changes", message=str(exc))]) from exc
    keyed = []
    problems = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data.changes):
        repository = names[item.repository]
        key = f"{repository.lower()}#{item.pr_number}"
        if key in seen:
            problems.append(Problem(field=f"changes[{index}].pr_number",
                                    message=f"{repository}#{item.pr_number} is listed twice "
                                            f"(also changes[{seen[key]}], under another name)"))
        seen.setdefault(key, index)
        keyed.append((index, item, repository, key))
    existing = {c.change_key: c for c in Change.objects.filter(change_key__in=[k for *_x, k in keyed])}
    github = _github_said(keyed, existing)
    changes = []
    for index, item, repository, key in keyed:
        row = existing.get(key)
        if row is not None:
            if row.merge_sha != item.merge_sha:
                problems.append(Problem(field=f"changes[{index}].merge_sha",
                                        message=f"{repository}#{item.pr_number} was reported before with merge "
                                                f"sha {row.merge_sha}"))
            changes.append(_fill_logins(ChangeFacts.from_row(row), item, github.get(key)))
            continue
        detection = detect_revert(item.title, item.body, own_pr_number=item.pr_number)
        logins = _logins(item, github.get(key))
        changes.append(ChangeFacts(
            id=None, repository=repository, repository_key=repository.lower(), pr_number=item.pr_number,
            change_key=key, title=item.title, title_key=title_key(item.title), body=stored_body(item.body),
            url=item.url, merge_sha=item.merge_sha, merged_at=item.merged_at, paths=tuple(item.paths),
            author=logins["author"], merged_by=logins["merged_by"], merged_by_source=logins["merged_by_source"],
            revert_rule=detection.rule if detection else "",
            revert_references=tuple(detection.references) if detection else (),
        ))
    if problems:
        raise ValidationFailed(problems)
    return tuple(changes)


def _github_said(keyed, existing) -> dict:
    """What GitHub said of the report's pull requests whose merger or author nobody has told yet, by change key."""
    wanted = {}
    for _index, item, repository, key in keyed:
        row = existing.get(key)
        author, merged_by = (row.author, row.merged_by) if row is not None else ("", "")
        if not (item.author or author) or not (item.merged_by or merged_by):
            wanted[(repository.lower(), item.pr_number)] = key
    return {wanted[pr_key]: pr for pr_key, pr in merged_pull_requests_by_key(wanted).items()}


def _logins(item, github) -> dict[str, str]:
    """The author and merger of a new change: the report's, else GitHub's; and where ``merged_by`` came from."""
    merged_by, source = (item.merged_by, "report") if item.merged_by else ("", "")
    if not merged_by and github is not None and github.merged_by:
        merged_by, source = github.merged_by, "github"
    author = item.author or (github.author if github is not None else "")
    return {"author": author, "merged_by": merged_by, "merged_by_source": source}


def _fill_logins(change: ChangeFacts, item, github) -> ChangeFacts:
    """A recorded change whose author or merger was unknown, with what the report or GitHub now says of them."""
    if change.author and change.merged_by:
        return change
    logins = _logins(item, github)
    author = change.author or logins["author"]
    merged_by = change.merged_by or logins["merged_by"]
    source = change.merged_by_source if change.merged_by else logins["merged_by_source"]
    if (author, merged_by, source) == (change.author, change.merged_by, change.merged_by_source):
        return change
    return attr.evolve(change, logins_filled=True, author=author, merged_by=merged_by, merged_by_source=source)


def store_changes(changes: Sequence[ChangeFacts], attributions: Sequence[Attribution], *,
                  deployment: DeploymentFacts) -> tuple[ChangeFacts, ...]:
    """
    Write the attributed changes: the recorded ones whose attribution changed (the registry may have changed since),
    the new ones (one insert, already attributed), and the deployment's links to all of them. Returns the changes
    with their attribution and ids.
    """
    attributed = [attr.evolve(change, is_cc_change=a.is_cc_change, core_committer=a.core_committer,
                              attribution=a.reason)
                  for change, a in zip(changes, attributions, strict=True)]
    updated = [Change(pk=after.id, is_cc_change=after.is_cc_change, core_committer=after.core_committer,
                      attribution=after.attribution, author=after.author, merged_by=after.merged_by,
                      merged_by_source=after.merged_by_source)
               for before, after in zip(changes, attributed, strict=True)
               if after.id is not None and (after != before or before.logins_filled)]
    if updated:
        Change.objects.bulk_update(updated, ["is_cc_change", "core_committer", "attribution", "author", "merged_by",
                                             "merged_by_source"])
    new = [_new_row(change) for change in attributed if change.id is None]
    created = Change.objects.bulk_create(new)
    ids = {row.change_key: row.pk for row in created}
    if new and any(row.pk is None for row in created):  # backends that return no ids from a bulk insert
        ids = dict(Change.objects.filter(change_key__in=[row.change_key for row in new]).values_list("change_key",
                                                                                                   "id"))
    stored = tuple(change if change.id is not None else attr.evolve(change, id=ids[change.change_key])
                   for change in attributed)
    DeployedChange.objects.bulk_create(
        [DeployedChange(deployment_id=deployment.id, change_id=change.stored_id) for change in stored]
    )
    return stored


def _new_row(change: ChangeFacts) -> Change:
    return Change(
        repository=change.repository, repository_key=change.repository_key, pr_number=change.pr_number,
        change_key=change.change_key, title=change.title, body=change.body, url=change.url,
        merge_sha=change.merge_sha, author=change.author, merged_by=change.merged_by,
        merged_by_source=change.merged_by_source, merged_at=change.merged_at,
        paths=list(change.paths), title_key=change.title_key, revert_rule=change.revert_rule,
        revert_references=[r.as_dict() for r in change.revert_references],
        is_cc_change=change.is_cc_change, core_committer=change.core_committer, attribution=change.attribution,
    )


def store_direct_pushes(pushes: Sequence[DirectPushIn], *, deployment: DeploymentFacts) -> None:
    """Keep the deployed commits of no pull request, credited to nobody, under their resolved repository names."""
    if not pushes:
        return
    names = ownership_api.resolve_repository_names(push.repository for push in pushes)
    DirectPush.objects.bulk_create([DirectPush(deployment_id=deployment.id, repository=names[push.repository],
                                               sha=push.sha, title=push.title) for push in pushes])
