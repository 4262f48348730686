"""
Who hears about what: the notifications applet's recipients and queue (``sending`` renders and mails each
message).

The applet subscribes to openedx-cc's own events as any plugin would (receivers in ``handlers.py``):

* a CC change reverted or rolled back -> the Core Committer (if their email is known), their champions (those with
  an email) and the site operators (``OPENEDX_CC_OPERATOR_EMAILS``);
* a CC change deployed -> the Core Committer, only if they opted in (``NotificationPreference``, default off);
* an ownership change -> the Core Committer and the operators;
* expiries found by the staleness audit (``cc_audit --notify``) -> the Core Committer and the operators;
* on a community hub, an instance reporting a CC change reverted or rolled back in production (the hub applet calls
  ``notify_hub_removal``) -> the Core Committer, their champions and the operators, once per (change, instance).

Recipients come only from the registry and the operators' setting -- never learners -- and messages carry only
what the events carry (pull requests, deployments, rights): no learner or production data.

Every message is first written to ``NotificationLog``; it is then sent by Celery where the host runs Celery (Open
edX does), otherwise right away in the process (the events themselves arrive after their transaction commits).
A failing mail server or a broken template leaves the message ``failed`` with the error; ``cc_retry_notifications``
sends failed and pending messages again.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable

import attr
from django.db import IntegrityError, transaction

from openedx_cc.lib.background import celery_ready
from openedx_cc.lib.conf import get_setting
from openedx_cc.lib.timeutil import fmt_date
from openedx_cc.plugins.notifications import tasks
from openedx_cc.plugins.notifications.models import NotificationLog, NotificationPreference
from openedx_cc.plugins.notifications.sending import send_notifications
from openedx_cc.plugins.notifications.toggles import notifications_enabled
from openedx_cc.plugins.ownership import api as ownership_api

if TYPE_CHECKING:
    from openedx_events.data import EventsMetadata

    from openedx_cc.events.data import CCChangeData, CCDeploymentData, CCOwnershipData, CCRevertData
    from openedx_cc.plugins.ownership.data import ExpiringItem

log = logging.getLogger(__name__)


# Any in and out: an event payload (attrs), a date or a list of them in; the JSON-ready value out.
def _json(value: Any) -> Any:
    if attr.has(type(value)):
        return {k: _json(v) for k, v in attr.asdict(value, recurse=False).items()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


def _operators() -> list[str]:
    return [email for email in get_setting("OPENEDX_CC_OPERATOR_EMAILS") or [] if email]


def _recipients(login: str, *, champions: bool, operators: bool) -> list[tuple[str, str]]:
    """``[(email, role)]``: the committer's email, their champions', the operators' -- each address once."""
    out: dict[str, str] = {}
    contact = ownership_api.contacts_for([login]).get((login or "").lower())
    if contact and contact.email:
        out.setdefault(contact.email.lower(), "core_committer")
    if contact and champions:
        for _name, email in contact.champions:
            out.setdefault(email.lower(), "champion")
    if operators:
        for email in _operators():
            out.setdefault(email.lower(), "operator")
    return list(out.items())


def _queue(kind: str, dedupe_key: str, recipients: list[tuple[str, str]], context: dict[str, Any]) -> list[int]:
    """Log one message per recipient (once per dedupe key and recipient), then send them."""
    if not recipients:
        return []
    ids = []
    for recipient, role in recipients:
        try:
            with transaction.atomic():
                entry = NotificationLog.objects.create(kind=kind, dedupe_key=dedupe_key[:255], recipient=recipient,
                                                       recipient_role=role, context=context)
        except IntegrityError:
            continue  # this event already reached this recipient (a replay, or the bus and the process)
        ids.append(entry.id)
    _dispatch(ids)
    return ids


def _dispatch(ids: list[int]) -> None:
    if not ids:
        return
    if celery_ready():
        try:
            tasks.send_notifications_task.delay(ids)
            return
        except Exception:
            log.exception("Could not queue %d notification(s) with Celery; sending them now", len(ids))
    send_notifications(ids)


def notify_change_reverted(*, change: CCChangeData, deployment: CCDeploymentData, revert: CCRevertData,
                           metadata: EventsMetadata) -> list[int]:
    """A CC change left an environment: tell the CC, their champions and the operators."""
    if not notifications_enabled():
        return []
    recipients = _recipients(change.core_committer, champions=True, operators=True)
    context = {"change": _json(change), "deployment": _json(deployment), "revert": _json(revert)}
    return _queue("change_reverted", str(metadata.id), recipients, context)


def notify_change_deployed(*, change: CCChangeData, deployment: CCDeploymentData,
                           metadata: EventsMetadata) -> list[int]:
    """A CC change reached an environment: tell the CC, if they asked to hear about it."""
    if not notifications_enabled():
        return []
    wanted = NotificationPreference.objects.filter(github_key=change.core_committer.lower(),
                                                   notify_on_deploy=True).exists()
    if not wanted:
        return []
    recipients = [(email, role) for email, role in _recipients(change.core_committer, champions=False,
                                                               operators=False)]
    return _queue("change_deployed", str(metadata.id), recipients,
                  {"change": _json(change), "deployment": _json(deployment)})


def notify_ownership_changed(*, ownership: CCOwnershipData, metadata: EventsMetadata) -> list[int]:
    """A right was granted, changed or revoked: tell the CC and the operators."""
    if not notifications_enabled():
        return []
    recipients = _recipients(ownership.github_username, champions=False, operators=True)
    return _queue("ownership_changed", str(metadata.id), recipients, {"ownership": _json(ownership)})


def notify_expiries(items: Iterable[ExpiringItem]) -> list[int]:
    """Expiries found by the audit (``ExpiringItem``): tell the CC (or, for entity agreements, nobody more) and the
    operators -- once per item."""
    if not notifications_enabled():
        return []
    ids = []
    for item in items:
        recipients = _recipients(item.holder, champions=False, operators=True) if item.kind != "entity" else [
            (email, "operator") for email in _operators()]
        key = f"expiry:{item.kind}:{item.holder}:{item.description}:{item.ends}"
        ids += _queue("expiry", key, recipients, {"item": dict(_json(item), ends=fmt_date(item.ends))})
    return ids


def _hub_dedupe_key(repository: str, pr_number: int, instance: str) -> str:
    """Once per (change, instance): readable when it fits the column, else its digest."""
    key = f"hub-removal:{repository.lower()}#{pr_number}@{instance}"
    return key if len(key) <= 255 else "hub-removal:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def notify_hub_removal(*, repository: str, pr_number: int, title: str, url: str, core_committer: str,
                       instance: str, environment_class: str, kind: str, removed_at: datetime,
                       deployed_at: datetime, reported_at: datetime) -> list[int]:
    """
    On a hub: an instance reported that a CC change was reverted or rolled back (``kind``) in one of its
    ``environment_class`` environments. Tell the CC and their champions, as this service's registry knows them, and
    its operators -- once per (change, instance), whatever the instance reports again.
    """
    if not notifications_enabled():
        return []
    recipients = _recipients(core_committer, champions=True, operators=True)
    context = {
        "change": {"repository": repository, "pr_number": pr_number, "title": title, "url": url,
                   "core_committer": core_committer},
        "instance": instance, "environment_class": environment_class, "deployed_at": _json(deployed_at),
        "removal": {"kind": kind, "at": _json(removed_at)}, "reported_at": _json(reported_at),
    }
    return _queue("hub_change_removed", _hub_dedupe_key(repository, pr_number, instance), recipients, context)
