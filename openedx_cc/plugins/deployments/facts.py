"""
The immutable values that the steps of the ingest (``ingest.py``) pass to each other: a change and a deployment as
the steps read them, and the revert links between the changes (``RevertGraph``). They are read from rows once and
never changed; a step that learns something about a change returns a new value (``attr.evolve``). Only the storing
steps turn them back into rows.
"""
from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import attr

from openedx_cc.plugins.deployments.reverts import Reference


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class ChangeFacts:
    """
    A change (a merged pull request) of the report, or one recorded before that the report's changes touch.
    ``id`` is None until the change is stored; the attribution fields are the stored ones until ``attribute`` runs.
    """

    id: int | None
    repository: str
    repository_key: str
    pr_number: int
    change_key: str
    title: str
    title_key: str
    body: str
    url: str
    merge_sha: str
    author: str
    merged_by: str
    merged_at: datetime
    merged_by_source: str = ""
    logins_filled: bool = False  # a recorded change whose empty author or merged_by the ingest has filled
    paths: tuple[str, ...] = ()
    revert_rule: str = ""
    revert_references: tuple[Reference, ...] = ()
    is_cc_change: bool = False
    core_committer: str = ""
    attribution: str = ""

    @property
    def name(self) -> str:
        """``owner/name#N``, as answers and events name a change."""
        return f"{self.repository}#{self.pr_number}"

    @property
    def stored_id(self) -> int:
        """
        ``id`` of a stored change: one read from a row, or one of the report once ``changes.store_changes`` has
        stored it -- every change the steps after it see.
        """
        assert self.id is not None, f"{self.name} is not stored yet"
        return self.id

    @classmethod
    def from_row(cls, row) -> ChangeFacts:
        """The facts of a stored ``Change`` row."""
        return cls(
            id=row.id, repository=row.repository, repository_key=row.repository_key, pr_number=row.pr_number,
            change_key=row.change_key, title=row.title, title_key=row.title_key, body=row.body, url=row.url,
            merge_sha=row.merge_sha, author=row.author, merged_by=row.merged_by, merged_at=row.merged_at,
            merged_by_source=row.merged_by_source, paths=tuple(row.paths or ()), revert_rule=row.revert_rule,
            revert_references=tuple(Reference.from_dict(r) for r in row.revert_references or ()),
            is_cc_change=row.is_cc_change, core_committer=row.core_committer, attribution=row.attribution,
        )


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class DeploymentFacts:
    """A recorded deployment: the one being recorded, or one that brought a change to the environment before."""

    id: int
    report_id: str
    environment: str
    service: str
    release: str
    deployed_at: datetime
    kind: str = "deploy"

    @classmethod
    def from_row(cls, row) -> DeploymentFacts:
        """The facts of a stored ``Deployment`` row."""
        return cls(id=row.id, report_id=row.report_id, environment=row.environment, service=row.service,
                   release=row.release, deployed_at=row.deployed_at, kind=row.kind)


def frozen_mapping(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """
    A read-only copy of ``mapping``: the converter of the mappings these values hold (typed ``Any``: the attrs plugin
    of mypy does not bind a generic converter to the field's type).
    """
    return MappingProxyType(dict(mapping))


def _frozen_links(links: Mapping[int, Iterable[int]]) -> Mapping[int, tuple[int, ...]]:
    return frozen_mapping({key: tuple(ids) for key, ids in links.items()})


@attr.s(frozen=True)
class RevertGraph:
    """
    The changes an ingest knows (``changes``: id -> change) and the revert links between them: ``reverts`` (id ->
    ids of the changes it reverts) and ``reverted_by`` (id -> ids of the changes reverting it), in the order they
    were found. An id without links maps to nothing.
    """

    changes: Mapping[int, ChangeFacts] = attr.ib(converter=frozen_mapping)
    reverts: Mapping[int, tuple[int, ...]] = attr.ib(converter=_frozen_links, factory=dict)
    reverted_by: Mapping[int, tuple[int, ...]] = attr.ib(converter=_frozen_links, factory=dict)

    def reverted(self, change_id: int) -> tuple[int, ...]:
        """The ids of the changes that ``change_id`` reverts."""
        return self.reverts.get(change_id, ())

    def reverting(self, change_id: int) -> tuple[int, ...]:
        """The ids of the changes that revert ``change_id``."""
        return self.reverted_by.get(change_id, ())
