"""
How the hub takes a batch from an instance (``POST hub/events/``, docs/reference/hub.rst).

In order: the instance is known, not revoked, and its secret signed the body (``instances.authenticate_instance``;
else a refusal, kept on its row); the batch is well formed (``wire.parse_batch``; else every wrong field is named
and nothing is stored); then, in one transaction and a fixed number of queries whatever the batch holds, the changes
are upserted, the events the instance sent before are counted as duplicates, the new ones stored, and what the hub
noticed (event types it does not know, event ids another instance also sent, clocks ahead of the hub's) noted on the
instance's row. After the commit, a change removed from a production environment is told to its Core Committer, the
first time each instance reports it.

Batches of one instance are taken one at a time (its row is locked for the transaction), so the same batch posted
twice at once is stored once and the second answer counts duplicates; a unique constraint on (instance, event id)
backs this up, and a transaction that loses to it is run again.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable
from uuid import UUID

import attr
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.plugins.hub.instances import authenticate_instance
from openedx_cc.plugins.hub.models import HubChange, HubEvent, HubEventKind, HubInstance
from openedx_cc.plugins.hub.wire import REVERTED, ParsedBatch, WireEvent, parse_batch
from openedx_cc.plugins.notifications import api as notifications_api
from openedx_cc.plugins.ownership import api as ownership_api

# An event dated further ahead of the hub's clock than this is noted on the instance's row (and still kept).
CLOCK_TOLERANCE = timedelta(minutes=5)
_MAX_SKEW = 2**31 - 1  # what the column holds
_NOTES_CHARS = 4000  # the newest notes are kept, whole lines
_LISTED = 10  # ids named in one note
_ATTEMPTS = 3


@attr.s(frozen=True)
class BatchReceipt:
    """
    What the hub made of an accepted batch: ``accepted`` events new from this instance, ``duplicates`` it had
    received from it before, and the ids of the events of types the hub does not know (left out, not stored).
    ``accepted + duplicates`` is the number of events of known types in the batch.
    """

    accepted = attr.ib(type=int)
    duplicates = attr.ib(type=int)
    unknown = attr.ib(type=list)  # list[str]

    def as_dict(self) -> dict[str, Any]:
        """The answer of ``POST hub/events/``."""
        return {"accepted": self.accepted, "duplicates": self.duplicates, "unknown": list(self.unknown)}


@attr.s(frozen=True)
class _Removal:
    """A change that an instance reported removed from a production environment for the first time."""

    change = attr.ib(type=HubChange)
    event = attr.ib(type=WireEvent)


class ReceivingBusy(Exception):
    """Concurrent batches kept the hub from storing this one (HTTP 503): send it again shortly."""


class _Retry(Exception):
    """The transaction saw the database in a state a concurrent one left half-visible: run it again."""


def receive_batch(raw: bytes, instance_name: str | None, signature_header: str | None) -> BatchReceipt:
    """
    Take the batch ``raw`` from the instance ``instance_name`` (the ``X-CC-Instance`` header), signed with
    ``signature_header`` (``X-CC-Signature-256``). Raises ``InstanceRefused`` (unknown or revoked instance, a
    signature that does not verify: HTTP 401), ``ValidationFailed`` naming each wrong field (HTTP 400), or
    ``ReceivingBusy`` (HTTP 503); nothing is stored then. Taking the same batch again stores nothing new: its events
    are duplicates.
    """
    instance = authenticate_instance(raw, instance_name, signature_header)
    batch = parse_batch(raw)
    canonical = _canonical_names(event.data.change.repository for event in batch.events)
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return _store(instance.pk, batch, canonical)
        except (IntegrityError, _Retry) as exc:
            if attempt == _ATTEMPTS:
                raise ReceivingBusy(f"concurrent batches kept the hub from storing this one ({exc.__class__.__name__}"
                                    f"); send it again") from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _canonical_names(names: Iterable[str]) -> dict[str, str]:
    """``{name as sent: owner/name}`` through the aliases the hub knows (one query)."""
    names = list(dict.fromkeys(names))
    try:
        return ownership_api.resolve_repository_names(names)
    except InvalidValue:  # an alias loop in the hub's own settings: keep the names as sent
        return {name: name for name in names}


def _store(instance_id: int, batch: ParsedBatch, canonical: dict[str, str]) -> BatchReceipt:
    now = timezone.now()
    events: list[WireEvent] = batch.events
    with transaction.atomic():
        instance = HubInstance.objects.select_for_update().get(pk=instance_id)
        changes = _upsert_changes(events, canonical, now)
        ids = [event.event_id for event in events]
        known = set(HubEvent.objects.filter(instance=instance, event_id__in=ids).values_list("event_id", flat=True))
        new = [event for event in events if event.event_id not in known]
        elsewhere = _sent_by_others(instance, [event.event_id for event in new])
        removals = _first_production_removals(instance, new, changes, canonical)
        HubEvent.objects.bulk_create([_event_row(instance, event, changes[_key(event, canonical)], now)
                                      for event in new])
        skews = [(event.time - now).total_seconds() for event in new]
        lead = max([0.0, *skews])
        notes = _notes(now, batch.unknown, elsewhere, [s for s in skews if s > CLOCK_TOLERANCE.total_seconds()])
        instance.last_accepted_at = now
        if lead > CLOCK_TOLERANCE.total_seconds():
            instance.max_clock_skew_seconds = max(instance.max_clock_skew_seconds, min(int(lead), _MAX_SKEW))
        if notes:
            instance.notes = _trim("\n".join(notes + ([instance.notes] if instance.notes else [])))
        instance.save(update_fields=["last_accepted_at", "max_clock_skew_seconds", "notes"])
        if removals:
            # robust: a failure to queue a message is logged; it never turns a stored batch into an error
            transaction.on_commit(lambda: _tell(instance.name, removals, now), robust=True)
    return BatchReceipt(accepted=len(new), duplicates=len(events) - len(new),
                        unknown=[event_id for event_id, _type in batch.unknown])


def _key(event: WireEvent, canonical: dict[str, str]) -> tuple[str, int]:
    repository = canonical.get(event.data.change.repository, event.data.change.repository)
    return repository.lower(), event.data.change.pr_number


def _upsert_changes(events: list[WireEvent], canonical: dict[str, str], now: datetime) -> dict[tuple[str, int],
                                                                                              HubChange]:
    """
    ``{(repository key, pr number): HubChange}`` for the changes of ``events``: those new to the hub inserted as the
    first event about each describes it, the others as stored (two queries).
    """
    wanted: dict[tuple[str, int], HubChange] = {}
    for event in events:
        key = _key(event, canonical)
        if key in wanted:
            continue
        change = event.data.change
        repository = canonical.get(change.repository, change.repository)
        wanted[key] = HubChange(
            repository=repository, repository_key=key[0], pr_number=change.pr_number, merge_sha=change.merge_sha,
            title=change.title, url=change.url, core_committer=change.core_committer,
            core_committer_key=change.core_committer.lower(), merged_at=change.merged_at, first_reported_at=now)
    if not wanted:
        return {}
    HubChange.objects.bulk_create(list(wanted.values()), ignore_conflicts=True)
    numbers_by_repository: dict[str, set[int]] = {}
    for repository_key, number in wanted:
        numbers_by_repository.setdefault(repository_key, set()).add(number)
    exactly = Q()
    for repository_key, numbers in numbers_by_repository.items():
        exactly |= Q(repository_key=repository_key, pr_number__in=sorted(numbers))
    # Columns, not model rows: the rows built above carry the description; the stored id, repository and Core
    # Committer (as the first instance to report the change gave them) are read onto them.
    found = 0
    for repository_key, number, pk, repository, core_committer in HubChange.objects.filter(exactly).values_list(
            "repository_key", "pr_number", "id", "repository", "core_committer"):
        row = wanted[(repository_key, number)]
        row.pk, row.repository, row.core_committer = pk, repository, core_committer
        found += 1
    if found != len(wanted):
        raise _Retry()  # inserted by a transaction this one's snapshot predates
    return wanted


def _sent_by_others(instance: HubInstance, ids: list[UUID]) -> list[tuple[UUID, str]]:
    """``[(event id, other instance's name)]`` for the ids in ``ids`` that another instance sent too (one query)."""
    if not ids:
        return []
    return list(HubEvent.objects.filter(event_id__in=ids).exclude(instance=instance)
                .order_by("event_id", "instance__name").values_list("event_id", "instance__name"))


def _first_production_removals(instance: HubInstance, new: list[WireEvent],
                               changes: dict[tuple[str, int], HubChange],
                               canonical: dict[str, str]) -> list[_Removal]:
    """
    The new events that are the first this instance reports of a change's removal from a production environment:
    at most one per change, none for a change it had reported removed from production before (one query).
    """
    candidates = [event for event in new
                  if event.event_type == REVERTED and event.data.deployment.environment_class == "production"]
    if not candidates:
        return []
    change_ids = {changes[_key(event, canonical)].pk for event in candidates}
    told = set(HubEvent.objects.filter(instance=instance, kind=HubEventKind.REVERTED,
                                       environment_class="production", change_id__in=change_ids)
               .values_list("change_id", flat=True))
    out = []
    for event in candidates:
        change = changes[_key(event, canonical)]
        if change.pk not in told:
            told.add(change.pk)
            out.append(_Removal(change=change, event=event))
    return out


def _event_row(instance: HubInstance, event: WireEvent, change: HubChange, now: datetime) -> HubEvent:
    revert = event.data.revert
    return HubEvent(
        instance=instance, event_id=event.event_id, change=change, time=event.time,
        kind=HubEventKind.REVERTED if event.event_type == REVERTED else HubEventKind.DEPLOYED,
        environment_class=event.data.deployment.environment_class, deployed_at=event.data.deployment.deployed_at,
        revert_kind=revert.kind if revert else "", reverted_at=revert.reverted_at if revert else None,
        received_at=now)


def _listed(items: list[str]) -> str:
    """The first items (each cut to a sensible length: an unknown event's type and id are as the instance sent)."""
    more = f" and {len(items) - _LISTED} more" if len(items) > _LISTED else ""
    return ", ".join(item if len(item) <= 200 else item[:199] + "…" for item in items[:_LISTED]) + more


def _notes(now: datetime, unknown: list[tuple[str, str]], elsewhere: list[tuple[UUID, str]],
           leads: list[float]) -> list[str]:
    """The lines a batch adds to its instance's notes (none for an unremarkable batch)."""
    stamp = f"{now:%Y-%m-%d %H:%M:%S} UTC:"
    lines = []
    if unknown:
        types = sorted({event_type for _id, event_type in unknown})
        lines.append(f"{stamp} {len(unknown)} event(s) of a type this hub does not know left out "
                     f"({_listed(types)}): {_listed([event_id for event_id, _type in unknown])}")
    if elsewhere:
        lines.append(f"{stamp} {len(elsewhere)} event id(s) also sent by another instance, kept as this "
                     f"instance's own: {_listed([f'{event_id} (also from {name})' for event_id, name in elsewhere])}")
    if leads:
        lines.append(f"{stamp} {len(leads)} event(s) dated ahead of the hub's clock, by up to "
                     f"{int(max(leads))} s (kept as sent)")
    return lines


def _trim(text: str) -> str:
    """The newest notes, whole lines, within the limit."""
    if len(text) <= _NOTES_CHARS:
        return text
    return text[:_NOTES_CHARS].rsplit("\n", 1)[0]


def _tell(instance: str, removals: list[_Removal], now: datetime) -> None:
    """After the commit: each first production removal told through the notifications applet."""
    for removal in removals:
        change, event = removal.change, removal.event
        revert = event.data.revert
        if revert is None:  # a reverted event always has one (wire.WireEvent)
            continue
        notifications_api.notify_hub_removal(
            repository=change.repository, pr_number=change.pr_number, title=change.title, url=change.url,
            core_committer=change.core_committer, instance=instance,
            environment_class=event.data.deployment.environment_class, kind=revert.kind,
            removed_at=revert.reverted_at, deployed_at=event.data.deployment.deployed_at, reported_at=now)

