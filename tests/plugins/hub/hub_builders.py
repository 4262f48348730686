"""
Batches as an instance forwards them to the hub (docs/reference/hub.rst, "Wire"), signed with an instance's secret;
an instance registered on the hub; a batch posted to ``POST hub/events/``.
"""
import uuid
from datetime import datetime, timedelta, timezone

from openedx_cc.lib.signing import hmac_sha256_hex
from openedx_cc.plugins.hub import wire
from openedx_cc.plugins.hub.api import register_instance

URL = "/api/cc/v1/hub/events/"
MERGED = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def event(*, pr=101, repository="openedx/openedx-platform", cc="bradenmacdonald", environment_class="production",
          reverted=None, event_id=None, time=None, deployed_at=None, title=None):
    """One wire event: deployed, or (``reverted="revert"`` or ``"rollback"``) removed."""
    deployed_at = deployed_at or MERGED + timedelta(days=1)
    data = {
        "change": {"repository": repository, "pr_number": pr, "merge_sha": f"{pr:040x}",
                   "title": title or f"feat: change {pr}", "url": f"https://github.com/{repository}/pull/{pr}",
                   "core_committer": cc, "merged_at": iso(MERGED)},
        "deployment": {"environment_class": environment_class, "deployed_at": iso(deployed_at)},
    }
    if reverted:
        data["revert"] = {"kind": reverted, "reverted_at": iso(deployed_at + timedelta(hours=2))}
    return {"event_id": str(event_id or uuid.uuid4()), "event_type": wire.REVERTED if reverted else wire.DEPLOYED,
            "time": iso(time or deployed_at + timedelta(hours=3)), "data": data}


def batch(events) -> bytes:
    return wire.encode_batch(list(events))


def signature(raw: bytes, secret: str) -> str:
    return f"sha256={hmac_sha256_hex(secret, raw)}"


def register(name="edx-prod", contact="") -> str:
    """Register ``name`` on the hub; its secret."""
    return register_instance(name, contact=contact).secret


def post(client, raw: bytes, *, instance="edx-prod", secret=None, headers=None):
    """``POST hub/events/`` as ``instance``, signed with ``secret`` (unsigned when None)."""
    extra = {"HTTP_X_CC_INSTANCE": instance} if instance is not None else {}
    if secret is not None:
        extra["HTTP_X_CC_SIGNATURE_256"] = signature(raw, secret)
    extra.update(headers or {})
    return client.generic("POST", URL, raw, content_type="application/json", **extra)

