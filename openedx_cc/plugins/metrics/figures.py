"""
The figures of the metrics applet: how changes fare once deployed (docs/reference/rest.rst, "Metrics").

For a window of deployment times and optional filters (Core Committer, repository, environment, release), for CC
changes and for all changes: how many were deployed, reverted and rolled back, the change failure rate ((reverted +
rolled back) / deployed), and the median and 90th-percentile time from deployment to revert or rollback -- overall,
and by Core Committer, repository, environment, release and month.

Counting is per presence of a change in an environment (a ``DeploymentSpan`` row): a change deployed to staging and to
production counts once in each. Everything is computed by the database (aggregations and window functions), with
a fixed number of queries whatever the number of recorded changes.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Collection, Mapping

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Window
from django.db.models.functions import Ceil, RowNumber, TruncMonth

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed
from openedx_cc.lib.timeutil import parse_aware_datetime
from openedx_cc.plugins.deployments import api as deployments_api
from openedx_cc.plugins.metrics.dora import dora_figures, empty_dora
from openedx_cc.plugins.ownership import api as ownership_api

if TYPE_CHECKING:
    from django.db.models import QuerySet

FILTERS = ("since", "until", "user", "repository", "environment", "release")
DIMENSIONS = {
    "by_core_committer": "core_committer",
    "by_repository": "repository_key",
    "by_environment": "environment",
    "by_release": "release",
}
_FAILED = Q(removed_kind__in=["revert", "rollback"])
# How each breakdown's rows get their DORA figures: by a value of the deployment (environment, release), or by a
# value of the presences, which one deployment holds several of (Core Committer, repository: ``span_group``). The
# rows by Core Committer hold CC changes only, so their ``cc_changes`` block only.
_DORA_ROWS: dict[str, dict[str, Any]] = {
    "by_core_committer": {"span_group": "core_committer", "blocks": ("cc",)},
    "by_repository": {"span_group": "repository_key"},
    "by_environment": {"group": F("environment")},
    "by_release": {"group": F("release")},
}


def _clip_to_month(month: datetime, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The part of the window [start, end) inside ``month`` (the first instant of a month)."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return max(start, month), min(end, following)


def _cc_and_all() -> dict[str, Count]:
    """Conditional counts of one aggregation: deployed, reverted and rolled back, for CC changes and for all."""
    cc = Q(is_cc_change=True)
    return {
        "all_deployed": Count("id"),
        "all_reverted": Count("id", filter=Q(removed_kind="revert")),
        "all_rolled_back": Count("id", filter=Q(removed_kind="rollback")),
        "cc_deployed": Count("id", filter=cc),
        "cc_reverted": Count("id", filter=cc & Q(removed_kind="revert")),
        "cc_rolled_back": Count("id", filter=cc & Q(removed_kind="rollback")),
    }


def _summary(row: Mapping[str, Any], prefix: str, percentiles: dict[str, Any] | None = None) -> dict[str, Any]:
    deployed, reverted, rolled = row[f"{prefix}deployed"], row[f"{prefix}reverted"], row[f"{prefix}rolled_back"]
    out = {
        "deployed": deployed,
        "reverted": reverted,
        "rolled_back": rolled,
        "change_failure_rate": round((reverted + rolled) / deployed, 4) if deployed else None,
    }
    if percentiles is not None:
        out["time_to_revert"] = percentiles
    return out


# QuerySet[Any]: a queryset of DeploymentSpan, a model the deployments applet keeps to itself (.importlinter).
def _percentiles(queryset: QuerySet[Any], group: str | None = None) -> dict[str | None, dict[str, Any]]:
    """
    ``{group value: {"median_seconds", "p90_seconds", "count"}}`` of the time to revert or rollback, by the
    nearest-rank method, in one query (window functions).
    """
    partition = [F(group)] if group else None
    rows = (
        queryset.filter(_FAILED, seconds_to_removal__isnull=False)
        .annotate(
            rank=Window(RowNumber(), partition_by=partition, order_by=[F("seconds_to_removal").asc(), F("id").asc()]),
            total=Window(Count("id"), partition_by=partition),
        )
        .filter(Q(rank=Ceil(F("total") * 0.5)) | Q(rank=Ceil(F("total") * 0.9)))
        .values_list(group or "environment", "rank", "total", "seconds_to_removal")
    )
    out: dict[str | None, dict[str, Any]] = {}
    for key, rank, total, seconds in rows:
        key = key if group else None
        entry = out.setdefault(key, {"median_seconds": None, "p90_seconds": None, "count": total})
        if rank == -(-total * 5 // 10):
            entry["median_seconds"] = seconds
        if rank == -(-total * 9 // 10):
            entry["p90_seconds"] = seconds
    return out


_EMPTY: dict[str, Any] = {"median_seconds": None, "p90_seconds": None, "count": 0}


def _check_filters(params: Mapping[str, Any], *, name_unknown_values: bool) -> dict[str, Any]:
    problems = []
    clean: dict[str, Any] = {}  # a datetime for since and until, a string for the other filters
    for name in params:
        if name not in FILTERS:
            problems.append(Problem(field=name, message=f"unknown filter; the filters are {', '.join(FILTERS)}"))
    for name in ("since", "until"):
        value = params.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, datetime):
            clean[name] = value
            continue
        try:
            clean[name] = parse_aware_datetime(value)
        except InvalidValue as exc:
            problems.append(Problem(field=name, message=str(exc)))
    if "since" in clean and "until" in clean and clean["until"] <= clean["since"]:
        problems.append(Problem(field="until", message="must be after since"))
    if params.get("repository"):
        try:
            clean["repository"] = ownership_api.resolve_repository_names([params["repository"]])[params["repository"]]
        except InvalidValue as exc:
            problems.append(Problem(field="repository", message=str(exc)))
    for name in ("user", "environment", "release"):
        if params.get(name):
            clean[name] = params[name].strip()
    if problems:
        raise ValidationFailed(problems)
    if not name_unknown_values:
        return clean
    known = deployments_api.deployment_spans()
    checks = {
        "user": ("core_committer__iexact", "no change is credited to Core Committer {!r}"),
        "repository": ("repository_key", "no change of {} was recorded"),
        "environment": ("environment", "no deployment to environment {!r} was recorded"),
        "release": ("release", "no deployment of release {!r} was recorded"),
    }
    for name, (lookup, message) in checks.items():
        if name in clean:
            value = clean[name].lower() if name == "repository" else clean[name]
            if not known.filter(**{lookup: value}).exists():
                problems.append(Problem(field=name, message=message.format(clean[name])))
    if problems:
        raise ValidationFailed(problems)
    return clean


def _owned(spans: QuerySet[Any], clean: Mapping[str, Any]) -> QuerySet[Any]:
    """``spans`` narrowed by the user and repository filters."""
    if "user" in clean:
        spans = spans.filter(core_committer__iexact=clean["user"])
    if "repository" in clean:
        spans = spans.filter(repository_key=clean["repository"].lower())
    return spans


def _in_window(queryset: QuerySet[Any], clean: Mapping[str, Any]) -> QuerySet[Any]:
    if "since" in clean:
        queryset = queryset.filter(deployed_at__gte=clean["since"])
    if "until" in clean:
        queryset = queryset.filter(deployed_at__lt=clean["until"])
    return queryset


def _filtered_spans(clean: Mapping[str, Any]) -> QuerySet[Any]:
    """The presences of the window, the user and the repository (environment and release are left to the caller)."""
    return _owned(_in_window(deployments_api.deployment_spans(), clean), clean)


def _deployments(clean: Mapping[str, Any], *, related: bool = True) -> QuerySet[Any]:
    """
    The deployments of the window, environment and release; with a user or repository filter (unless not
    ``related``), those that brought or removed a change of that user or repository.
    """
    deployments = _in_window(deployments_api.deployments_for_metrics(), clean)
    for name in ("environment", "release"):
        if name in clean:
            deployments = deployments.filter(**{name: clean[name]})
    if related and ("user" in clean or "repository" in clean):
        spans = _owned(deployments_api.deployment_spans(), clean)
        deployments = deployments.filter(Exists(spans.filter(deployed_by=OuterRef("pk")))
                                         | Exists(spans.filter(removed_by=OuterRef("pk"))))
    return deployments


def _window(clean: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """
    The window the DORA figures of an answer are measured over: ``since`` and ``until``, or else from the first
    deployment of the answer to just after the last (one query then).
    """
    since, until = clean.get("since"), clean.get("until")
    if since is not None and until is not None:
        return since, until
    bounds = _deployments(clean).aggregate(first=Min("deployed_at"), last=Max("deployed_at"))
    if bounds["first"] is None:
        return since, until
    return since or bounds["first"], until or bounds["last"] + timedelta(microseconds=1)


def _dora(clean: Mapping[str, Any], group: Any = None, clip: Any = None, *, span_group: str | None = None,
          blocks: tuple[str, ...] = ("all", "cc"),
          window: tuple[datetime | None, datetime | None] | None = None) -> dict[Any, dict[str, dict[str, Any]]]:
    """
    The DORA blocks of the window and filters (``dora_figures``), over ``window`` when given (``_window``). The
    deployments are those of the window, environment and release; with a user or repository filter, those that
    brought or removed a change of that user or repository (by ``span_group``, each row's pairs are such already).
    """
    related = _owned(deployments_api.deployment_spans(), clean)
    spans = _filtered_spans(clean)
    for name in ("environment", "release"):
        if name in clean:
            spans = spans.filter(**{name: clean[name]})
    since, until = window if window is not None else (clean.get("since"), clean.get("until"))
    return dora_figures(deployments=_deployments(clean, related=span_group is None), spans=spans,
                        related_spans=related, since=since, until=until, group=group, clip=clip,
                        span_group=span_group, blocks=blocks)


def compute_dora(*, name_unknown_values: bool = True, **params: Any) -> dict[str, dict[str, Any]]:
    """
    Only the DORA blocks of ``compute_metrics`` for the same window and filters: ``{"all_changes": {...},
    "cc_changes": {...}}``. Raises ``ValidationFailed`` as ``compute_metrics`` does.
    """
    return _dora(_check_filters(params, name_unknown_values=name_unknown_values))[None]


def compute_metrics(*, include: Collection[str] = tuple(DIMENSIONS) + ("by_month",), name_unknown_values: bool = True,
                    **params: Any) -> dict[str, Any]:
    """
    The change-failure metrics for a window (``since``, ``until``: ISO datetimes with a time zone) and filters
    (``user``, ``repository``, ``environment``, ``release``), with the breakdowns named in ``include`` (all by
    default). Raises ``ValidationFailed`` naming the field for a malformed window, an unknown filter, or -- when
    ``name_unknown_values`` -- a filter value nothing was recorded for. Callers who may not see every recorded
    value (a Core Committer who is not staff) pass False: whether an environment, release or repository exists
    must not show through the answer, so a value nothing matches gives empty figures, as one nobody recorded does.
    """
    clean = _check_filters(params, name_unknown_values=name_unknown_values)
    spans = _filtered_spans(clean)
    if "environment" in clean:
        spans = spans.filter(environment=clean["environment"])
    if "release" in clean:
        spans = spans.filter(release=clean["release"])
    spans = spans.order_by()
    totals = spans.aggregate(**_cc_and_all())
    cc_spans = spans.filter(is_cc_change=True)
    window = _window(clean)
    dora = _dora(clean, window=window)[None]
    result = {
        "since": clean.get("since"),
        "until": clean.get("until"),
        "filters": {k: clean[k] for k in ("user", "repository", "environment", "release") if k in clean},
        "cc_changes": {**_summary(totals, "cc_", _percentiles(cc_spans).get(None, _EMPTY)),
                       "dora": dora["cc_changes"]},
        "all_changes": {**_summary(totals, "all_", _percentiles(spans).get(None, _EMPTY)),
                        "dora": dora["all_changes"]},
    }
    for name, field in DIMENSIONS.items():
        if name not in include:
            continue
        by_group = _dora(clean, window=window, **_DORA_ROWS[name])
        source = cc_spans if name == "by_core_committer" else spans
        rows = source.values(field).annotate(**_cc_and_all()).order_by(field)
        cc_percentiles = _percentiles(cc_spans, field)
        all_percentiles = _percentiles(spans, field) if name != "by_core_committer" else {}
        label = "repository" if field == "repository_key" else field
        entries = []
        for row in rows:
            key = row[field]
            entry = {label: key, "cc_changes": _summary(row, "cc_", cc_percentiles.get(key, _EMPTY))}
            if name != "by_core_committer":
                entry["all_changes"] = _summary(row, "all_", all_percentiles.get(key, _EMPTY))
            for block in ("cc_changes", "all_changes"):
                if block in entry:
                    entry[block]["dora"] = by_group.get(key, {}).get(block, empty_dora())
            entries.append(entry)
        if name == "by_repository" and entries:  # the recorded spelling, e.g. openedx/XBlock
            names = ownership_api.resolve_repository_names(e["repository"] for e in entries)
            for entry in entries:
                entry["repository"] = names.get(entry["repository"], entry["repository"])
        result[name] = entries
    if "by_month" not in include:
        return result
    months = spans.annotate(month=TruncMonth("deployed_at")).values("month").annotate(**_cc_and_all()).order_by("month")
    by_month = {key.strftime("%Y-%m"): figures
                for key, figures in _dora(clean, TruncMonth("deployed_at"), _clip_to_month, window=window).items()}
    result["by_month"] = [
        {"month": month, "cc_changes": {**_summary(row, "cc_"), "dora": by_month.get(month, {}).get(
            "cc_changes", empty_dora())},
         "all_changes": {**_summary(row, "all_"), "dora": by_month.get(month, {}).get("all_changes", empty_dora())}}
        for row in months
        for month in [row["month"].strftime("%Y-%m")]
    ]
    return result
