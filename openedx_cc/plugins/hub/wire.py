"""
What travels between an instance and its hub (docs/reference/hub.rst, "Wire"): the headers, the batch limit, and the
one event shape both sides agree on.

``wire_event`` is the only way an instance builds what it forwards, and it builds it from an allow-list: each field
it sends is named below and copied from the logged event; no other field of a change, a deployment or a person can
reach the wire, whatever the event log holds (services, releases, deployment ids, authors, mergers, bodies, emails).
``parse_batch`` is how the hub reads a batch: the same fields, checked with pydantic, each error naming its path
(``events[3].data.change.pr_number``).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal, Mapping
from uuid import RFC_4122, UUID

import attr
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from openedx_cc.lib.environments import environment_class
from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.lib.formats import problems_from_pydantic
from openedx_cc.lib.timeutil import iso_utc
from openedx_cc.lib.values import AwareDatetime, RepositoryName, Sha

INSTANCE_HEADER = "X-CC-Instance"
SIGNATURE_HEADER = "X-CC-Signature-256"
MAX_EVENTS = 500
MAX_BATCH_BYTES = 2_000_000  # 500 events of at most ~4 kB each (a title is the longest field)
EVENTS_PATH = "/api/cc/v1/hub/events/"

DEPLOYED = "org.openedx.core_committer.change.deployed.v1"
REVERTED = "org.openedx.core_committer.change.reverted.v1"
FORWARDED_TYPES = (DEPLOYED, REVERTED)

# The allow-list: the only fields of a logged event that leave the instance.
CHANGE_FIELDS = ("repository", "pr_number", "merge_sha", "title", "url", "core_committer", "merged_at")
REVERT_FIELDS = ("kind", "reverted_at")


def _utc(value: Any) -> Any:
    """An ISO datetime string in UTC with a Z, as the log may hold it with another offset."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return iso_utc(moment)
    return value


def wire_event(*, event_id: UUID | str, event_type: str, time: str, data: Mapping[str, Any],
               classes: dict[str, str] | None = None) -> dict[str, Any]:
    """
    The event as it is forwarded: ``{"event_id", "event_type", "time", "data"}`` where ``data`` holds the
    allow-listed fields of the change, the class of the deployment's environment with its time, and for a reverted
    event how and when the change was removed. ``data`` is the logged event's JSON payload; ``classes`` the
    operator's environment mapping (``configured_classes()``), read once per batch.
    """
    change = data.get("change") or {}
    deployment = data.get("deployment") or {}
    out: dict[str, Any] = {
        "change": {name: _utc(change.get(name)) for name in CHANGE_FIELDS},
        "deployment": {
            "environment_class": environment_class(str(deployment.get("environment") or ""), classes),
            "deployed_at": _utc(deployment.get("deployed_at")),
        },
    }
    if event_type == REVERTED:
        revert = data.get("revert") or {}
        out["revert"] = {name: _utc(revert.get(name)) for name in REVERT_FIELDS}
    return {"event_id": str(event_id), "event_type": event_type, "time": _utc(time), "data": out}


def encode_event(event: dict[str, Any]) -> bytes:
    """One event of a batch as it appears in the body: compact JSON, UTF-8."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def join_batch(encoded: list[bytes]) -> bytes:
    """The body of a batch whose events ``encode_event`` encoded: the same bytes as ``encode_batch`` of them."""
    return b'{"events":[' + b",".join(encoded) + b"]}"


def encode_batch(events: list[dict[str, Any]]) -> bytes:
    """The body of a batch: compact JSON, UTF-8."""
    return join_batch([encode_event(event) for event in events])


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WireChange(_Wire):
    """The allow-listed fields of a change."""

    repository: RepositoryName
    pr_number: StrictInt = Field(gt=0)
    merge_sha: Sha
    title: StrictStr = Field(max_length=1000)
    url: StrictStr = Field(max_length=500)
    core_committer: StrictStr = Field(min_length=1, max_length=100)
    merged_at: AwareDatetime


class WireDeployment(_Wire):
    """Where and when, reduced to the class of the environment."""

    environment_class: Literal["production", "staging", "other"]
    deployed_at: AwareDatetime


class WireRevert(_Wire):
    """How and when a change was removed."""

    kind: Literal["revert", "rollback"]
    reverted_at: AwareDatetime


class WireData(_Wire):
    """The data of one event."""

    change: WireChange
    deployment: WireDeployment
    revert: WireRevert | None = None


def _rfc_4122(value: object) -> UUID:
    """An RFC 4122 UUID (the ids openedx-events gives): other 128-bit values are refused by databases with a native
    UUID type (MariaDB 10.7+), so they are a field error here, not a failure to store."""
    try:
        parsed = value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{value!r} is not a UUID") from exc
    if parsed.variant != RFC_4122:
        raise ValueError(f"{value!r} is not an RFC 4122 UUID (its variant bits are not 10)")
    return parsed


class WireEvent(_Wire):
    """One forwarded event."""

    event_id: Annotated[UUID, BeforeValidator(_rfc_4122)]
    event_type: Literal["org.openedx.core_committer.change.deployed.v1",
                        "org.openedx.core_committer.change.reverted.v1"]
    time: AwareDatetime
    data: WireData

    @model_validator(mode="after")
    def _revert_matches_type(self) -> WireEvent:
        if self.event_type == REVERTED and self.data.revert is None:
            raise ValueError("a reverted event needs data.revert")
        if self.event_type == DEPLOYED and self.data.revert is not None:
            raise ValueError("a deployed event has no data.revert")
        return self


@attr.s(frozen=True)
class ParsedBatch:
    """A checked batch: the events the hub knows, and those of types it does not know (left out, not an error)."""

    events = attr.ib(type=list)  # list[WireEvent]
    unknown = attr.ib(type=list)  # list[tuple[str, str]]: (event id, event type) of the events left out


def _unknown_type(event: object) -> bool:
    return isinstance(event, dict) and isinstance(event.get("event_type"), str) and \
        event["event_type"] not in FORWARDED_TYPES


def parse_batch(raw: bytes) -> ParsedBatch:
    """
    The batch in ``raw``, checked: at most ``MAX_EVENTS`` events, each event id once. An event whose ``event_type``
    is a string the hub does not know (a newer instance's) is left out and named in ``unknown``, so that an older hub
    never blocks a newer instance's outbox. Raises ``ValidationFailed`` naming each wrong field
    (``events[3].data.change.pr_number``): a malformed batch is refused whole.
    """
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed([Problem(field="", message=f"the body is not JSON: {exc}")]) from exc
    if not isinstance(body, dict) or not isinstance(body.get("events"), list) or set(body) != {"events"}:
        raise ValidationFailed([Problem(field="events", message='the body must be a JSON object {"events": [...]}')])
    events = body["events"]
    if len(events) > MAX_EVENTS:
        raise ValidationFailed([Problem(field="events", message=(
            f"a batch holds at most {MAX_EVENTS} events; this one holds {len(events)}: send it in smaller batches"))])
    problems: list[Problem] = []
    parsed: list[WireEvent] = []
    unknown: list[tuple[str, str]] = []
    seen: set[UUID] = set()
    for index, event in enumerate(events):
        if _unknown_type(event):
            unknown.append((str(event.get("event_id", "")), event["event_type"]))
            continue
        try:
            checked = WireEvent.model_validate(event)
        except ValidationError as exc:
            problems += problems_from_pydantic(exc, filename=None, sourcemap=None, prefix=("events", index))
            continue
        if checked.event_id in seen:
            problems.append(Problem(field=f"events[{index}].event_id",
                                    message=f"{checked.event_id} appears twice in the batch"))
        seen.add(checked.event_id)
        parsed.append(checked)
    if problems:
        raise ValidationFailed(problems)
    return ParsedBatch(events=parsed, unknown=unknown)
