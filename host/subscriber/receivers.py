"""
Receivers of openedx-cc's change events.
"""
import json
import os

import attr
from django.dispatch import receiver

from openedx_cc.events import CC_CHANGE_DEPLOYED, CC_CHANGE_REVERTED

_seen = set()


@receiver(CC_CHANGE_DEPLOYED)
@receiver(CC_CHANGE_REVERTED)
def record_change_event(signal, sender, metadata, change, deployment, revert=None, **kwargs):
    """
    Keep each change event once, however many times it arrives (a replay re-sends the original metadata id).
    """
    if metadata.id in _seen:
        return
    _seen.add(metadata.id)
    line = {
        "event_type": metadata.event_type,
        "id": str(metadata.id),
        "from_event_bus": kwargs.get("from_event_bus", False),
        "change": attr.asdict(change, value_serializer=lambda _i, _f, v: v.isoformat() if hasattr(v, "isoformat")
                              else v),
        "environment": deployment.environment,
        "revert_kind": revert.kind if revert else None,
    }
    path = os.environ.get("OPENEDX_CC_SUBSCRIBER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")
