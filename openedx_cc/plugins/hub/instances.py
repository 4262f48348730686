"""
The instances registered with a hub (``cc_hub_instance``), and how the hub knows a batch comes from one.

An instance's secret is never stored. It is the hex HMAC-SHA256, keyed with the hub's ``SECRET_KEY``, of
``"openedx-cc hub instance|<name>|<salt>"``, where the salt is random and kept on the instance's row: registering
prints it once, rotating renews the salt (so the old secret stops signing), and a copy of the hub's database alone
signs nothing (docs/decisions/0017-community-hub.rst). A batch is checked against the secret derived from
``SECRET_KEY`` and from each of ``SECRET_KEY_FALLBACKS``, so the hub's key can be rotated the Django way without
handing every instance a new secret at once.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import attr
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.formats import email_address
from openedx_cc.lib.signing import BadSignature, check_signature
from openedx_cc.plugins.hub.models import HubEventKind, HubInstance
from openedx_cc.plugins.hub.wire import INSTANCE_HEADER, SIGNATURE_HEADER

# Letters, digits, ".", "_" and "-", at most 100: a name that fits a header, a log line and a file name.
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_DERIVATION = "openedx-cc hub instance|{name}|{salt}"


class InstanceError(Exception):
    """A ``cc_hub_instance`` request the registry cannot satisfy; the message says why, for people."""


class InstanceExists(InstanceError):
    """An instance of that name is registered already (revoked ones too: a name is never reused)."""


class UnknownInstance(InstanceError):
    """No instance of that name is registered."""


class InstanceRefused(Exception):
    """
    A batch the hub does not take as coming from an instance (HTTP 401): no such instance, revoked, or a signature
    that does not verify. ``reason`` is said to the sender and, when the instance exists, kept on its row.
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@attr.s(frozen=True)
class InstanceData:
    """An instance as the operators see it (``cc_hub_instance list``, the admin): never its secret."""

    name = attr.ib(type=str)
    contact = attr.ib(type=str)
    created_at = attr.ib(type=datetime)
    revoked_at = attr.ib(type=datetime | None)
    secret_rotated_at = attr.ib(type=datetime | None)
    last_accepted_at = attr.ib(type=datetime | None)
    last_refused_at = attr.ib(type=datetime | None)
    last_refusal = attr.ib(type=str)
    max_clock_skew_seconds = attr.ib(type=int)
    notes = attr.ib(type=str)
    deployed_events = attr.ib(type=int, default=0)
    reverted_events = attr.ib(type=int, default=0)


@attr.s(frozen=True)
class IssuedSecret:
    """An instance and the secret to hand to its operators: shown once, stored nowhere."""

    instance = attr.ib(type=InstanceData)
    secret = attr.ib(type=str)


def _data(row: HubInstance, deployed: int = 0, reverted: int = 0) -> InstanceData:
    return InstanceData(
        name=row.name, contact=row.contact, created_at=row.created_at, revoked_at=row.revoked_at,
        secret_rotated_at=row.secret_rotated_at, last_accepted_at=row.last_accepted_at,
        last_refused_at=row.last_refused_at, last_refusal=row.last_refusal,
        max_clock_skew_seconds=row.max_clock_skew_seconds, notes=row.notes, deployed_events=deployed,
        reverted_events=reverted)


def derive_secret(name: str, salt: str, key: str | bytes) -> str:
    """The secret of the instance ``name`` with ``salt``, under the hub's key ``key``: 64 hexadecimal digits."""
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    message = _DERIVATION.format(name=name, salt=salt).encode("utf-8")
    return hmac.new(key_bytes, message, hashlib.sha256).hexdigest()


def _hub_keys() -> list[str | bytes]:
    """``SECRET_KEY`` first, then ``SECRET_KEY_FALLBACKS`` (Django's way of rotating its key)."""
    return [settings.SECRET_KEY, *(getattr(settings, "SECRET_KEY_FALLBACKS", None) or [])]


def _new_salt() -> str:
    return secrets.token_hex(32)


def check_instance_name(name: object) -> str:
    """``name`` if it is a valid instance name; ``InvalidValue`` saying why otherwise."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidValue(f"{name!r} is not an instance name: 1 to 100 letters, digits, '.', '_' or '-'")
    return name


def _get(name: str) -> HubInstance:
    row = HubInstance.objects.filter(name=name).first()
    if row is None or row.name != name:  # exactly as registered, whatever the database's collation
        raise UnknownInstance(f"no instance named {name!r} is registered with this hub")
    return row


def register_instance(name: str, *, contact: str = "") -> IssuedSecret:
    """
    Register the instance ``name`` (who runs it: ``contact``, an email, optional) and return its secret, which is
    not stored: hand it to the instance's operators now. Raises ``InvalidValue`` for a malformed name or email,
    ``InstanceExists`` for a name registered before (revoked or not).
    """
    check_instance_name(name)
    try:
        contact = email_address(contact or "") or ""
    except ValueError as exc:
        raise InvalidValue(f"--contact: {exc}") from exc
    salt = _new_salt()
    row = None
    if not HubInstance.objects.filter(name__iexact=name).exists():  # one spelling per name, on every database
        try:
            with transaction.atomic():
                row = HubInstance.objects.create(name=name, contact=contact, secret_salt=salt)
        except IntegrityError:
            row = None  # registered at the same moment by someone else
    if row is None:
        taken = HubInstance.objects.filter(name__iexact=name).first()
        spelled = taken.name if taken is not None else name
        state = " (revoked; a name is never given again)" if taken is not None and taken.revoked_at else ""
        raise InstanceExists(f"an instance named {spelled!r} is already registered{state}")
    return IssuedSecret(instance=_data(row), secret=derive_secret(name, salt, settings.SECRET_KEY))


def revoke_instance(name: str) -> InstanceData:
    """
    Revoke the instance ``name``: its later batches are refused (401); what it sent stays. Revoking a revoked
    instance changes nothing. Raises ``UnknownInstance``.
    """
    row = _get(name)
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
    return _data(row)


def rotate_instance_secret(name: str) -> IssuedSecret:
    """
    Give the instance ``name`` a new secret (a new salt): batches signed with the old one are refused from now on,
    and the refusal on its row says that a rotation may be why. Raises ``UnknownInstance``, and ``InstanceError``
    for a revoked instance (it stays revoked).
    """
    row = _get(name)
    if row.revoked_at is not None:
        raise InstanceError(f"the instance {name!r} is revoked: it gets no new secret")
    row.secret_salt = _new_salt()
    row.secret_rotated_at = timezone.now()
    row.save(update_fields=["secret_salt", "secret_rotated_at"])
    return IssuedSecret(instance=_data(row), secret=derive_secret(row.name, row.secret_salt, settings.SECRET_KEY))


def list_instances() -> list[InstanceData]:
    """Every registered instance, by name, with the number of events received from it. Two queries."""
    rows = list(HubInstance.objects.order_by("name").annotate(
        deployed=Count("events", filter=Q(events__kind=HubEventKind.DEPLOYED)),
        reverted=Count("events", filter=Q(events__kind=HubEventKind.REVERTED)),
    ))
    return [_data(row, row.deployed, row.reverted) for row in rows]


def _refuse(row: HubInstance, reason: str) -> InstanceRefused:
    """Keep ``reason`` on the instance's row (for its operators and the hub's) and return the refusal to raise."""
    HubInstance.objects.filter(pk=row.pk).update(last_refused_at=timezone.now(), last_refusal=reason[:2000])
    return InstanceRefused(reason)


def authenticate_instance(raw: bytes, name: str | None, signature: str | None) -> HubInstance:
    """
    The registered, unrevoked instance ``name`` (the ``X-CC-Instance`` header) whose secret signed ``raw``
    (``signature``: the ``X-CC-Signature-256`` header), compared in constant time with the secret derived from
    each of the hub's keys. Raises ``InstanceRefused`` saying why, recorded on the instance's row when it exists.
    """
    if not name:
        raise InstanceRefused(f"the {INSTANCE_HEADER} header is missing")
    row = HubInstance.objects.filter(name=name).first() if _NAME.fullmatch(name) else None
    if row is None or row.name != name:  # exactly as registered, whatever the database's collation
        raise InstanceRefused(f"no instance named {name[:100]!r} is registered with this hub")
    if row.revoked_at is not None:
        raise _refuse(row, f"the instance {row.name!r} was revoked on {row.revoked_at:%Y-%m-%d %H:%M} UTC")
    problem = ""
    for key in _hub_keys():
        try:
            check_signature(raw, signature, secret=derive_secret(row.name, row.secret_salt, key),
                            header_name=SIGNATURE_HEADER)
        except BadSignature as exc:
            problem = problem or str(exc)
            continue
        return row
    if problem.endswith("does not match the body"):
        if row.secret_rotated_at is not None:
            problem = (f"signature does not match: the instance may still hold the secret from before a rotation "
                       f"(its secret was renewed on {row.secret_rotated_at:%Y-%m-%d %H:%M} UTC), or the body was "
                       f"changed after signing")
        else:
            problem = ("signature does not match: the instance signs with another secret than the one this hub "
                       "issued, or the body was changed after signing")
    raise _refuse(row, problem)
