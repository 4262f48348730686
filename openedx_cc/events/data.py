"""
Data classes of the openedx-cc events (docs/reference/events.rst).

Frozen attrs classes, in the style of ``openedx_events.*.data``. Field types are only those the openedx-events Avro
serializer accepts (str, int, bool, datetime); a nullable field is written ``attr.ib(type=X, default=None)`` because
``Optional[X]`` cannot be serialized. This module imports nothing but the standard library and attrs, so that a
subscriber can import it without Django being configured.
"""
from datetime import datetime

import attr


@attr.s(frozen=True)
class CCChangeData:
    """
    A pull request merged into an Open edX repository, as a deployment report described it.

    Attributes:
        repository (str): ``owner/name`` of the repository, after the repository aliases were applied.
        pr_number (int): the pull request number in that repository.
        title (str): the pull request title ("" when the report gave none).
        url (str): the pull request URL ("" when the report gave none).
        merge_sha (str): the 40-hex merge commit.
        author (str): GitHub login of the author.
        merged_by (str): GitHub login of whoever merged it.
        core_committer (str): GitHub login of the Core Committer credited with the change: ``merged_by`` when that
            user is an effective Core Committer of the change's scope at ``merged_at``, else ``author``.
        merged_at (datetime): when the pull request was merged (UTC).
    """

    repository = attr.ib(type=str)
    pr_number = attr.ib(type=int)
    title = attr.ib(type=str)
    url = attr.ib(type=str)
    merge_sha = attr.ib(type=str)
    author = attr.ib(type=str)
    merged_by = attr.ib(type=str)
    core_committer = attr.ib(type=str)
    merged_at = attr.ib(type=datetime)


@attr.s(frozen=True)
class CCDeploymentData:
    """
    A deployment reported by a CD pipeline.

    Attributes:
        deployment_id (str): the report's ``id`` (its idempotency key).
        environment (str): where it was deployed, e.g. ``production``.
        service (str): the deployed service, e.g. ``lms`` ("" when not reported).
        release (str): the named release or branch deployed, e.g. ``release/verawood`` ("" when not reported).
        deployed_at (datetime): when it was deployed (UTC).
    """

    deployment_id = attr.ib(type=str)
    environment = attr.ib(type=str)
    service = attr.ib(type=str)
    release = attr.ib(type=str)
    deployed_at = attr.ib(type=datetime)


@attr.s(frozen=True, kw_only=True)
class CCRevertData:
    """
    How a deployed change left an environment.

    Attributes:
        kind (str): ``"revert"`` (a revert pull request was deployed) or ``"rollback"`` (a rollback report).
        by_deployment_id (str): the deployment that carried the revert or the rollback.
        revert_pr_number (int or None): the reverting pull request, for ``kind="revert"``.
        revert_merge_sha (str or None): the reverting merge commit, for ``kind="revert"``.
        reverted_at (datetime): when the revert or rollback was deployed (UTC).
    """

    kind = attr.ib(type=str)
    by_deployment_id = attr.ib(type=str)
    revert_pr_number = attr.ib(type=int, default=None)
    revert_merge_sha = attr.ib(type=str, default=None)
    reverted_at = attr.ib(type=datetime)


@attr.s(frozen=True)
class CCOwnershipData:
    """
    A commit right of a Core Committer was granted, revoked or changed.

    Attributes:
        github_username (str): the Core Committer's GitHub login.
        repository (str): ``owner/name`` of the repository, or ``owner/*`` for a right on every repository of an owner.
        scope (str): the path prefix or extension name the right is narrowed to; "" for the whole repository.
        action (str): ``"granted"``, ``"revoked"`` or ``"changed"``.
        effective (bool): whether the user is, after the change, an effective Core Committer of that scope.
        changed_at (datetime): when the change was recorded (UTC).
    """

    github_username = attr.ib(type=str)
    repository = attr.ib(type=str)
    scope = attr.ib(type=str)
    action = attr.ib(type=str)
    effective = attr.ib(type=bool)
    changed_at = attr.ib(type=datetime)
