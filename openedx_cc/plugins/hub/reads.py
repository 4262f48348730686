"""
What a hub tells of the changes its instances reported (``GET hub/changes/``, docs/reference/hub.rst): the changes,
filtered, as a queryset the REST layer pages; then, for one page, where each was deployed and where and how it was
removed, in three queries whatever the number of instances and events.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, Min, OuterRef

from openedx_cc.lib.repositories import parse_repository_name
from openedx_cc.plugins.hub.models import HubChange, HubEvent, HubEventKind, HubInstance
from openedx_cc.plugins.ownership import api as ownership_api

if TYPE_CHECKING:
    from django.db.models import QuerySet


def hub_repository_key(value: str) -> str:
    """
    The key under which the hub files the changes of the repository ``value``: ``owner/name`` resolved through the
    aliases the hub knows, in lower case. Raises ``InvalidValue`` for a malformed name.
    """
    name = parse_repository_name(value).full_name
    return ownership_api.resolve_repository_names([name])[name].lower()


def hub_changes(*, core_committer: str | None = None, repository: str | None = None,
                since: datetime | None = None) -> QuerySet[HubChange]:
    """
    The changes reported to the hub, newest first: of the Core Committer ``core_committer`` (a GitHub login), of the
    ``repository`` (``owner/name``, aliases followed), of which an instance reported something (a deployment, a
    removal) received at or after ``since``. Raises ``InvalidValue`` for a malformed repository name.
    """
    queryset = HubChange.objects.all()
    if core_committer:
        queryset = queryset.filter(core_committer_key=core_committer.lower())
    if repository:
        queryset = queryset.filter(repository_key=hub_repository_key(repository))
    if since is not None:
        queryset = queryset.filter(Exists(HubEvent.objects.filter(change=OuterRef("pk"), received_at__gte=since)))
    return queryset.order_by("-first_reported_at", "-id")


def no_hub_changes() -> QuerySet[HubChange]:
    """An empty queryset of hub changes (for the schema generator)."""
    return HubChange.objects.none()


def hub_change_fates(changes: list[Any]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """
    ``{change id: {"deployed": [...], "removed": [...]}}`` for ``changes`` (rows of ``hub_changes``). ``deployed``:
    ``{instance, environment_class, first_deployed_at}`` per instance and class, from every event (a removal says
    when the change was deployed too); ``removed``: ``{instance, environment_class, kind, at}`` per removal reported.
    Three queries: the events are grouped by instance id, without a join (MariaDB's planner, given the join, read
    every event of every instance: 6 s for a page over a million events), then the instances' names are read.
    """
    ids = [change.pk for change in changes]
    out: dict[int, dict[str, list[dict[str, Any]]]] = {pk: {"deployed": [], "removed": []} for pk in ids}
    if not ids:
        return out
    deployed = list(HubEvent.objects.filter(change_id__in=ids)
                    .values_list("change_id", "instance_id", "environment_class")
                    .annotate(first=Min("deployed_at"))
                    .order_by())
    removed = list(HubEvent.objects.filter(change_id__in=ids, kind=HubEventKind.REVERTED)
                   .values_list("change_id", "instance_id", "environment_class", "revert_kind", "reverted_at")
                   .order_by().distinct())
    names = dict(HubInstance.objects.filter(pk__in={row[1] for row in deployed}).values_list("pk", "name"))
    for change_id, instance_id, environment_class, first in sorted(
            deployed, key=lambda row: (row[0], row[3], names[row[1]], row[2])):
        out[change_id]["deployed"].append({"instance": names[instance_id], "environment_class": environment_class,
                                           "first_deployed_at": first})
    for change_id, instance_id, environment_class, kind, at in sorted(
            removed, key=lambda row: (row[0], row[4], names[row[1]], row[2], row[3])):
        out[change_id]["removed"].append({"instance": names[instance_id], "environment_class": environment_class,
                                          "kind": kind, "at": at})
    return out
    deployed = (HubEvent.objects.filter(change_id__in=ids)
                .values("change_id", "instance__name", "environment_class")
                .annotate(first=Min("deployed_at"))
                .order_by("change_id", "first", "instance__name", "environment_class"))
    for row in deployed:
        out[row["change_id"]]["deployed"].append({
            "instance": row["instance__name"], "environment_class": row["environment_class"],
            "first_deployed_at": row["first"]})
    removed = (HubEvent.objects.filter(change_id__in=ids, kind=HubEventKind.REVERTED)
               .values_list("change_id", "instance__name", "environment_class", "revert_kind", "reverted_at")
               .order_by("change_id", "reverted_at", "instance__name", "environment_class", "revert_kind")
               .distinct())
    for change_id, instance, environment_class, kind, at in removed:
        out[change_id]["removed"].append({"instance": instance, "environment_class": environment_class,
                                          "kind": kind, "at": at})
    return out

