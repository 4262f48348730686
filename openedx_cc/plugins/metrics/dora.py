"""
The DORA metrics of the metrics applet (docs/reference/rest.rst, "Metrics", "DORA metrics"): deployment frequency,
lead time for changes, change failure rate, failed deployment recovery time and rework rate, for all changes and for
CC changes, after Apache DevLake's definitions with the differences the docs list.

Every figure is computed by the database (aggregations, ``Exists`` and window functions), in a fixed number of
queries: one aggregation of the deployments, two of deployment days by week, and one per median (four); by Core
Committer or repository, where a deployment belongs to several rows, one aggregation and one of deployment days more
(``dora_figures``, ``span_group``). The only work left to Python is on aggregated rows: the weeks of the window (at
most one row per week and row), adding up the counts of the two kinds of rows, and the bands.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

import attr
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Ceil, RowNumber, TruncDate, TruncWeek
from django.utils import timezone

from openedx_cc.plugins.deployments import api as deployments_api

if TYPE_CHECKING:
    from django.db.models import QuerySet

FIGURES = ("deployment_frequency", "lead_time_for_changes", "change_failure_rate", "failed_deployment_recovery_time",
           "rework_rate")
HOUR, DAY, WEEK, MONTH = 3_600, 86_400, 7 * 86_400, 30 * 86_400
_REMOVED = Q(removed_kind__in=["revert", "rollback"])


def frequency_band(days_per_week: float, days: int, weeks: int) -> str:
    """
    The DORA 2023 band of a deployment frequency given as the median of deployment days per week (``days`` deployment
    days in ``weeks`` weeks): elite "on demand" = 5 or more (a deployment on every working day), high "between once
    per day and once per week" = 1 to 4, medium "between once per week and once per month" = a median of 0 with at
    least one deployment day per 4 weeks on average, low = fewer.
    """
    if days_per_week >= 5:
        return "elite"
    if days_per_week >= 1:
        return "high"
    return "medium" if days * 4 >= weeks else "low"


def lead_time_band(seconds: float) -> str:
    """DORA 2023: elite less than one day, high less than one week, medium less than one month (30 days), low more."""
    return "elite" if seconds < DAY else "high" if seconds < WEEK else "medium" if seconds < MONTH else "low"


def failure_rate_band(rate: float) -> str:
    """DORA 2023: elite at most 5 %, high at most 10 %, medium at most 15 %, low above."""
    return "elite" if rate <= 0.05 else "high" if rate <= 0.10 else "medium" if rate <= 0.15 else "low"


def recovery_band(seconds: float) -> str:
    """DORA 2023: elite less than one hour, high less than one day, medium less than one week, low one week or more."""
    return "elite" if seconds < HOUR else "high" if seconds < DAY else "medium" if seconds < WEEK else "low"


def _figure(value: float | None, band: str | None) -> dict[str, Any]:
    return {"value": value, "band": band if value is not None else None}


def empty_dora() -> dict[str, Any]:
    """The DORA block of a window that holds nothing to measure."""
    return {name: _figure(None, None) for name in FIGURES}


def _seconds(value: Any) -> int:
    """A duration from the database: a timedelta, or microseconds where the backend gives a number."""
    return round(value.total_seconds()) if isinstance(value, timedelta) else round(value / 1_000_000)


def _medians(queryset: QuerySet[Any], duration: str, grouped: bool) -> dict[Any, int]:
    """
    ``{group: lower median of the annotated duration}`` over ``queryset`` (one group, None, unless ``grouped``: then
    by the annotation ``group``), in one query: window functions number the rows of each group in order, and the
    row ranked ceil(n / 2) is kept.
    """
    partition = [F("group")] if grouped else None
    rows = (
        queryset.annotate(
            rank=Window(RowNumber(), partition_by=partition, order_by=[F(duration).asc(), F("pk").asc()]),
            total=Window(Count("pk"), partition_by=partition),
        )
        .filter(rank=Ceil(F("total") * 0.5))
        .values_list("group" if grouped else "pk", duration)
    )
    return {key if grouped else None: _seconds(value) for key, value in rows}


def _monday(moment: datetime) -> Any:
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def _weeks(start: datetime, end: datetime) -> int:
    """The number of Monday-aligned weeks that overlap [start, end)."""
    return (_monday(end - timedelta(microseconds=1)) - _monday(start)).days // 7 + 1


def _frequency(per_week: list[int], weeks: int) -> int:
    """The lower median of deployment days per week, the weeks without deployments counting as 0."""
    counts = sorted([0] * max(weeks - len(per_week), 0) + per_week)
    return counts[(len(counts) - 1) // 2]


@attr.s(frozen=True, auto_attribs=True)
class _Rows:
    """
    Rows that stand for deployments, one per deployment and row of the answer: a queryset with the deployment's
    ``environment``, ``result`` and ``only_reworks``, an annotation ``group`` when grouped, ``deployment`` the column
    that holds the deployment's id and ``at`` the one that holds its time.
    """

    queryset: QuerySet[Any]
    deployment: str = "pk"
    at: str = "deployed_at"


@attr.s(frozen=True, auto_attribs=True)
class _Pairs:
    """The rows of a breakdown by a field of the presences (``_pair_rows``)."""

    brought: _Rows
    removals: _Rows
    taken: QuerySet[Any]
    recoveries: dict[str, QuerySet[Any]]


def _pair_rows(deployments: QuerySet[Any], spans: QuerySet[Any], related_spans: QuerySet[Any],
               field: str) -> _Pairs:
    """
    The (deployment, value of ``field``) pairs of a breakdown by a field of the presences, as presences: one per
    deployment of ``deployments`` and value it brought a presence of (the ``brought`` rows, from ``spans``, the
    presences of the window), and one per deployment and value it removed a presence of without bringing any (the
    ``removals``, from ``related_spans``). The first presence of each pair stands for it, annotated with the
    deployment's ``result`` and ``only_reworks``, and with what the deployment brought of that value: ``failing``,
    ``cc``, ``cc_failing``. Also: ``taken``, for a removal row annotated with ``day``, the presences of its value
    brought on that day (a brought row of that value counts the day already); ``recoveries``, for all changes and
    CC changes, one row per failing brought pair, its first failing presence removed, with its ``recovery`` time.

    Two kinds of rows, not one: a presence can be the only one of its value that one deployment brought and another
    removed, and so stand for two pairs. A removal row never fails: its deployment brought nothing of its value,
    and is no failed attempt, which removes nothing (docs/reference/report-format.rst).

    Whether a pair holds a failing or a CC presence is asked of sets computed once (the first presences of the pairs
    that hold one), not per row: a row's own question would read every presence its deployment brought, all of a
    release's, for each of the release's values.
    """
    ids = deployments.values("pk")
    brought = spans.filter(deployed_by__in=ids).order_by()
    removed = related_spans.filter(removed_by__in=ids).order_by()
    pairs = brought.values("deployed_by", field)

    def holding(condition: Q) -> ExpressionWrapper:
        """Whether the row's pair holds a presence that meets ``condition``."""
        firsts = pairs.annotate(first=Min("pk"), meeting=Count("pk", filter=condition)).filter(meeting__gt=0)
        return ExpressionWrapper(Q(pk__in=firsts.values("first")), output_field=BooleanField())

    def first_removed(condition: Q) -> QuerySet[Any]:
        """Per pair, its presence meeting ``condition`` that was removed first, with the time to that removal."""
        ranked = brought.filter(condition).annotate(order=Window(
            RowNumber(), partition_by=[F("deployed_by"), F(field)], order_by=[F("removed_at").asc(), F("pk").asc()]))
        return related_spans.filter(pk__in=ranked.filter(order=1).values("pk")).annotate(
            group=F(field),
            recovery=ExpressionWrapper(F("removed_at") - F("deployed_at"), output_field=DurationField()))

    def deployment_fields(column: str) -> dict[str, Any]:
        reworks = deployments.filter(Q(only_reworks=True)).values("pk")
        return {"group": F(field), "result": F(f"{column}__result"),
                "only_reworks": ExpressionWrapper(Q(**{f"{column}__in": reworks}), output_field=BooleanField())}

    no = Value(False, output_field=BooleanField())
    also_brought = related_spans.filter(deployed_by=OuterRef("removed_by"), **{field: OuterRef(field)})
    return _Pairs(
        brought=_Rows(related_spans.filter(pk__in=pairs.annotate(first=Min("pk")).values("first")).annotate(
            **deployment_fields("deployed_by"), failing=holding(_REMOVED), cc=holding(Q(is_cc_change=True)),
            cc_failing=holding(_REMOVED & Q(is_cc_change=True))), "deployed_by", "deployed_at"),
        removals=_Rows(related_spans.filter(pk__in=removed.values("removed_by", field).annotate(first=Min("pk"))
                                            .values("first")).exclude(Exists(also_brought)).annotate(
            **deployment_fields("removed_by"), failing=no, cc=no, cc_failing=no), "removed_by", "removed_at"),
        # Two days either side first: a bound an index serves, wide enough for any day of any time zone.
        taken=brought.filter(**{field: OuterRef("group")}, deployed_at__gt=OuterRef("removed_at") - timedelta(days=2),
                             deployed_at__lt=OuterRef("removed_at") + timedelta(days=2),
                             deployed_at__date=OuterRef("day")),
        recoveries={"all": first_removed(_REMOVED), "cc": first_removed(_REMOVED & Q(is_cc_change=True))},
    )


def _merge(into: dict[Any, dict[str, Any]], key: Any, row: dict[str, Any]) -> None:
    """Add the counts of ``row`` to those of ``key`` (pairs of disjoint sets), keeping the first and last times."""
    if key not in into:
        into[key] = dict(row)
        return
    kept = into[key]
    for name, value in row.items():
        if name == "first":
            kept[name] = min((v for v in (kept[name], value) if v is not None), default=None)
        elif name == "last":
            kept[name] = max((v for v in (kept[name], value) if v is not None), default=None)
        elif name != "group":
            kept[name] += value


def dora_figures(*, deployments: QuerySet[Any], spans: QuerySet[Any], related_spans: QuerySet[Any],
                 since: datetime | None, until: datetime | None, group: Any = None,
                 clip: Callable[[Any, datetime, datetime], tuple[datetime, datetime]] | None = None,
                 span_group: str | None = None, blocks: tuple[str, ...] = ("all", "cc"),
                 ) -> dict[Any, dict[str, dict[str, Any]]]:
    """
    ``{group: {"all_changes": {...}, "cc_changes": {...}}}``, each the five DORA figures with their bands; the only
    group is None unless ``group`` (an expression valid on deployments and on presences alike, e.g. ``F("release")``)
    or ``span_group`` is given, and then a group appears when it has deployments.

    ``deployments`` are the deployments of the window and filters (from ``deployments_for_metrics``); ``spans`` the
    presences of the window and filters (for lead times); ``related_spans`` the presences that the user and
    repository filters leave, whatever the window (what a deployment brought, and which of it failed). ``clip``
    narrows the window to a group's own period (a month). ``blocks`` names the blocks wanted ("all", "cc").

    ``span_group`` (a field of the presences: "core_committer", "repository_key") groups by a value that one
    deployment holds several of: the row of a value holds the deployments that brought or removed a presence of
    ``related_spans`` with that value, its failures and recoveries are those of these presences, its lead times
    those of the presences of ``spans`` with that value -- what the call without ``span_group`` gives with
    ``related_spans`` and ``spans`` narrowed to the value and ``deployments`` to those that brought or removed one of
    its presences. Its rows stand for (deployment, value) pairs, as presences (``_pair_rows``).

    At most seven queries (nine with ``span_group``: the removal rows add an aggregation and their deployment days),
    whatever the number of rows; fewer for a block left out or with nothing to measure.
    """
    grouped = group is not None or span_group is not None
    keys = ["group"] if grouped else []
    removals: _Rows | None = None
    pairs: _Pairs | None = None
    if span_group is not None:
        group = F(span_group)
        pairs = _pair_rows(deployments, spans, related_spans, span_group)
        rows = pairs.brought
        if "all" in blocks:  # a deployment that only removed presences of a value brought none, CC or not
            removals = pairs.removals
    else:
        rows = _Rows(deployments.annotate(group=group) if grouped else deployments)
    if grouped:
        spans = spans.annotate(group=group)

    def annotate(chosen: _Rows) -> QuerySet[Any]:
        if pairs is not None:  # annotated already (``_pair_rows``)
            return chosen.queryset.order_by()
        brought = related_spans.filter(deployed_by=OuterRef(chosen.deployment))
        failing_spans = brought.filter(_REMOVED)
        first_removal = failing_spans.order_by("removed_at").values("removed_at")[:1]
        first_cc_removal = failing_spans.filter(is_cc_change=True).order_by("removed_at").values("removed_at")[:1]
        next_success = deployments_api.deployments_for_metrics().filter(
            environment=OuterRef("environment"), result="success", deployed_at__gt=OuterRef(chosen.at),
        ).order_by("deployed_at").values("deployed_at")[:1]
        return chosen.queryset.order_by().annotate(
            failing=ExpressionWrapper(Q(result="failure") | Exists(failing_spans), output_field=BooleanField()),
            cc=Exists(brought.filter(is_cc_change=True)),
            cc_failing=Exists(failing_spans.filter(is_cc_change=True)),
            recovered_at=Case(When(result="failure", then=Subquery(next_success)), default=Subquery(first_removal)),
            cc_recovered_at=Subquery(first_cc_removal),
        )

    # The aggregates are named apart from the annotations they count (the same name makes Django drop the filter).
    def counts(at: str) -> dict[str, Any]:
        return {
            "n_all": Count("pk"), "n_all_failing": Count("pk", filter=Q(failing=True)),
            "n_all_rework": Count("pk", filter=Q(only_reworks=True)),
            "n_cc": Count("pk", filter=Q(cc=True)), "n_cc_failing": Count("pk", filter=Q(cc_failing=True)),
            "n_cc_rework": Count("pk", filter=Q(cc=True, only_reworks=True)),
            "first": Min(at), "last": Max(at),
        }

    annotated = annotate(rows)
    sources = [(rows, annotated)]
    if removals is not None:
        removal_rows = annotate(removals)
        sources.append((removals, removal_rows))
    totals: dict[Any, dict[str, Any]] = {}
    for chosen, queryset in sources:
        if grouped:
            for row in queryset.values("group").annotate(**counts(chosen.at)).order_by():
                _merge(totals, row["group"], row)
        else:
            _merge(totals, None, queryset.aggregate(**counts(chosen.at)))
    # The first presence of each change in each environment: the earliest recorded (one grouping, not a lookup per
    # row, which SQLite's planner turns into a scan of all earlier presences).
    first_ids = deployments_api.deployment_spans().order_by().values("change", "environment").annotate(
        first=Min("pk")).values("first")
    first_spans = spans.order_by().filter(pk__in=first_ids)
    lead = first_spans.annotate(lead=ExpressionWrapper(F("deployed_at") - F("change__merged_at"),
                                                       output_field=DurationField()))
    # Without since or until, the window runs from the first deployment to just after the last (when there is any).
    recorded = [row for row in totals.values() if row["first"] is not None]
    window_start: datetime = since or min((row["first"] for row in recorded), default=timezone.now())
    window_end: datetime = until or (max((row["last"] for row in recorded), default=window_start)
                                     + timedelta(microseconds=1))
    out: dict[Any, dict[str, dict[str, Any]]] = {key: {} for key in totals} if grouped else {None: {}}
    for prefix, chosen_rows, failing, recovered_at, lead_spans in (
        ("all", annotated, "failing", "recovered_at", lead),
        ("cc", annotated.filter(cc=True), "cc_failing", "cc_recovered_at", lead.filter(is_cc_change=True)),
    ):
        if prefix not in blocks:
            continue
        if not any(row[f"n_{prefix}"] for row in totals.values()):
            for key in out:
                out[key][f"{prefix}_changes"] = empty_dora()
            continue
        days_by_week = [chosen_rows.filter(result="success").annotate(week=TruncWeek(rows.at)).values(*keys, "week")
                        .annotate(days=Count(TruncDate(rows.at), distinct=True)).order_by()]
        if prefix == "all" and removals is not None and pairs is not None:
            # The days of the deployments that only removed a presence of the row's value, less those on which a
            # deployment brought one (already counted): the two sets of days are apart, their counts add up.
            days_by_week.append(
                removal_rows.filter(result="success").annotate(day=TruncDate(removals.at))
                .exclude(Exists(pairs.taken)).annotate(week=TruncWeek(removals.at)).values(*keys, "week")
                .annotate(days=Count("day", distinct=True)).order_by())
        per_week: dict[Any, dict[Any, int]] = {}
        for query in days_by_week:
            for row in query:
                weeks_of = per_week.setdefault(row["group"] if grouped else None, {})
                weeks_of[row["week"]] = weeks_of.get(row["week"], 0) + row["days"]
        lead_seconds = _medians(lead_spans, "lead", grouped)
        # Recovery: only the brought rows can fail (the removal rows cannot: see ``_pair_rows``).
        recovery = _medians(pairs.recoveries[prefix] if pairs is not None else chosen_rows.filter(
            **{failing: True, f"{recovered_at}__isnull": False}).annotate(
                recovery=ExpressionWrapper(F(recovered_at) - F(rows.at), output_field=DurationField())),
            "recovery", grouped)
        for key, row in totals.items():
            total = row[f"n_{prefix}"]
            if not total:
                out[key][f"{prefix}_changes"] = empty_dora()
                continue
            start, end = clip(key, window_start, window_end) if clip is not None else (window_start, window_end)
            weeks = _weeks(start, end)
            week_days = list(per_week.get(key, {}).values())
            frequency = _frequency(week_days, weeks)
            rate = round(row[f"n_{prefix}_failing"] / total, 4)
            lead_value, recovery_value = lead_seconds.get(key), recovery.get(key)
            out[key][f"{prefix}_changes"] = {
                "deployment_frequency": _figure(frequency, frequency_band(frequency, sum(week_days), weeks)),
                "lead_time_for_changes": _figure(lead_value, lead_time_band(lead_value or 0)),
                "change_failure_rate": _figure(rate, failure_rate_band(rate)),
                "failed_deployment_recovery_time": _figure(recovery_value, recovery_band(recovery_value or 0)),
                "rework_rate": _figure(round(row[f"n_{prefix}_rework"] / total, 4), None),
            }
    return out
