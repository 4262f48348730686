"""
JSON form of event payloads and metadata, for the durable log, and back.

Payload classes are the attrs classes of ``openedx_cc.events.data``: fields typed ``datetime`` travel as ISO 8601
strings, everything else as JSON scalars.
"""
from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID

import attr
from openedx_events.data import EventsMetadata


def payload_to_json(data: dict) -> dict:
    """
    ``{"change": CCChangeData(...), ...}`` -> plain JSON-able dict.
    """

    def convert(_inst, _field, value):
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).isoformat()
        return value

    return {key: attr.asdict(value, value_serializer=convert) for key, value in data.items()}


def _from_json(cls, values: dict):
    kwargs = {}
    for field in attr.fields(cls):
        if field.name not in values:
            continue
        value = values[field.name]
        if value is not None and field.type is datetime:
            value = datetime.fromisoformat(value)
        elif value is not None and attr.has(field.type) and isinstance(value, dict):
            value = _from_json(field.type, value)
        kwargs[field.name] = value
    return cls(**kwargs)


def payload_from_json(signal, data: dict) -> dict:
    """
    The inverse of ``payload_to_json`` for ``signal``'s data definition.
    """
    return {key: _from_json(cls, data[key]) for key, cls in signal.init_data.items()}


def metadata_to_json(metadata: EventsMetadata) -> dict:
    """
    ``EventsMetadata`` -> plain JSON-able dict.
    """
    return metadata.to_json_data()


def metadata_from_json(data: dict) -> EventsMetadata:
    """
    The original ``EventsMetadata`` back from its JSON form (same id, time, source and library version).
    """
    return EventsMetadata(
        event_type=data["event_type"],
        id=UUID(data["id"]),
        minorversion=data.get("minorversion", 0),
        source=data.get("source"),
        sourcehost=data.get("sourcehost"),
        time=datetime.fromisoformat(data["time"]).astimezone(timezone.utc),
        sourcelib=tuple(data.get("sourcelib") or ()) or None,
    )
