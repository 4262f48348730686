"""
What openedx-cc is measured against: the same work done by hand, without the app's rules. One hand-written SQL query
giving the same ``allowed`` answer as ``check_ownership`` for the scopes of the benchmark registry (whole-repository
and extension rights); the rows a 1,000-change report writes, written with ``bulk_create`` alone; the headline change
failure rates in one aggregation; the event payloads handed to the event-bus producer directly.
"""
import uuid
from datetime import datetime, timezone

from django.db import connection, transaction

from openedx_cc.events import CC_CHANGE_DEPLOYED
from openedx_cc.plugins.deployments.models import Change, DeployedChange, Deployment, DeploymentSpan, Presence
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.eventlog.serialization import metadata_from_json, payload_from_json

from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Extension,
    Organization,
    ProgramPhase,
    Repository,
)


def _tables():
    return {m.__name__: connection.ops.quote_name(m._meta.db_table) for m in (
        Agreement, Champion, CommitRight, CoreCommitter, Extension, Organization, ProgramPhase, Repository)}


_ACTIVE = """c.status = 'active' AND (c.status_since IS NULL OR c.status_since <= %(t)s)
  AND (c.status_until IS NULL OR c.status_until > %(t)s)"""


def _agreements_and_champions(t):
    """
    SQL conditions on committer ``c`` (organization ``o`` left-joined) at %(t)s (%(d)s its date): individual
    agreement, entity agreement of a provider's committers, NDA and champions as the phase asks.
    """
    agreement = (
        "EXISTS (SELECT 1 FROM {a} a WHERE a.{holder} = {holder_id} AND a.kind = '{kind}' AND a.signed_on <= %(d)s"
        " AND (a.expires_on IS NULL OR a.expires_on > %(d)s) AND (a.revoked_at IS NULL OR a.revoked_at > %(t)s))"
    )
    individual = agreement.format(a=t["Agreement"], holder="committer_id", holder_id="c.id", kind="individual")
    nda = agreement.format(a=t["Agreement"], holder="committer_id", holder_id="c.id", kind="nda")
    entity = agreement.format(a=t["Agreement"], holder="organization_id", holder_id="o.id", kind="entity")
    phase = (f"(SELECT {{col}} FROM {t['ProgramPhase']} p WHERE p.since <= %(t)s ORDER BY p.since DESC LIMIT 1)")
    # PostgreSQL's booleans are not numbers: COALESCE needs one type
    nda_column = "CAST(p.require_nda AS INTEGER)" if connection.vendor == "postgresql" else "p.require_nda"
    require_nda = (f"COALESCE({phase.format(col=nda_column)}, "
                   f"CASE {phase.format(col='p.phase')} WHEN 'published' THEN 0 WHEN 'scale' THEN 0 ELSE 1 END)")
    require_champions = (f"COALESCE({phase.format(col='p.require_champions')}, "
                         f"CASE {phase.format(col='p.phase')} WHEN 'scale' THEN 0 ELSE 2 END)")
    return f"""{individual}
  AND (o.id IS NULL OR o.openedx_provider = %(false)s OR {entity})
  AND ({require_nda} = 0 OR {nda})
  AND (SELECT COUNT(*) FROM {t['Champion']} ch WHERE ch.committer_id = c.id
       AND (ch.valid_from IS NULL OR ch.valid_from <= %(t)s) AND (ch.valid_until IS NULL OR ch.valid_until > %(t)s))
      >= {require_champions}"""


def _valid_right(alias="r"):
    return (f"({alias}.valid_from IS NULL OR {alias}.valid_from <= %(t)s) "
            f"AND ({alias}.valid_until IS NULL OR {alias}.valid_until > %(t)s) "
            f"AND ({alias}.revoked_at IS NULL OR {alias}.revoked_at > %(t)s)")


def _sql():
    t = _tables()
    concat = "CONCAT(e.path, '%%')" if connection.vendor == "mysql" else "(e.path || '%%')"
    return f"""
SELECT COUNT(*) FROM {t['CoreCommitter']} c
JOIN {t['CommitRight']} r ON r.committer_id = c.id
LEFT JOIN {t['Extension']} e ON e.id = r.extension_id
LEFT JOIN {t['Organization']} o ON o.id = c.organization_id
WHERE c.github_key = %(user)s
  AND {_ACTIVE}
  AND (r.repository_id = (SELECT id FROM {t['Repository']} WHERE {connection.ops.quote_name('key')} = %(repo)s)
       OR (r.repository_id IS NULL AND r.owner = %(owner)s))
  AND {_valid_right()}
  AND r.branches = '[]'
  AND ((r.extension_id IS NULL AND r.paths = '[]') OR (e.id IS NOT NULL AND %(path)s LIKE {concat}))
  AND {_agreements_and_champions(t)}
"""


_CACHE = {}


def _cached(name, build):
    """The SQL of ``build`` for this database, built once (string formatting is no part of a query's cost)."""
    key = (name, connection.vendor)
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def allowed(user, repository_key, path, at):
    """The hand-written check: is ``user`` an effective CC of ``repository_key`` at ``path`` at ``at``?"""
    sql = _cached("allowed", _sql)
    params = {"user": user.lower(), "repo": repository_key.lower(), "owner": repository_key.split("/")[0].lower(),
              "path": path, "t": at, "d": at.date(), "false": False}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] > 0


def bulk_create_report(document):
    """The same rows, written with bulk_create alone."""
    with transaction.atomic():
        deployment = Deployment.objects.create(
            report_id=document["id"] + "-bulk", environment="production", service="lms",
            release="release/verawood", deployed_at=datetime(2026, 11, 25, 10, tzinfo=timezone.utc),
            body_sha256="0" * 64,
        )
        changes = Change.objects.bulk_create([
            Change(repository=c["repository"], repository_key=c["repository"].lower(), pr_number=c["pr_number"] + 5_000,
                   change_key=f"{c['repository'].lower()}#{c['pr_number'] + 5_000}", title=c["title"], url=c["url"],
                   merge_sha=c["merge_sha"], author=c["author"], merged_by=c["merged_by"],
                   merged_at=datetime.fromisoformat(c["merged_at"]), paths=c["paths"], title_key=c["title"])
            for c in document["changes"]
        ])
        if any(c.pk is None for c in changes):
            ids = dict(Change.objects.filter(change_key__in=[c.change_key for c in changes])
                       .values_list("change_key", "id"))
            for change in changes:
                change.pk = ids[change.change_key]
        DeployedChange.objects.bulk_create([DeployedChange(deployment=deployment, change=c) for c in changes])
        Presence.objects.bulk_create([Presence(change=c, environment="production", deployed_by=deployment)
                                      for c in changes])
        DeploymentSpan.objects.bulk_create([
            DeploymentSpan(change=c, environment="production", deployed_by=deployment,
                           deployed_at=deployment.deployed_at, release="release/verawood",
                           repository_key=c.repository_key) for c in changes
        ])
        LoggedEvent.objects.bulk_create([
            LoggedEvent(event_id=uuid.uuid4(), event_type=CC_CHANGE_DEPLOYED.event_type, metadata={}, data={},
                        recorded_at=deployment.deployed_at)
            for _ in range(300)
        ])


def change_failure_rates_sql():
    """The headline change failure rates (CC changes, all changes) in one hand-written aggregation."""
    table = connection.ops.quote_name(DeploymentSpan._meta.db_table)
    sql = (f"SELECT SUM(CASE WHEN is_cc_change THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN is_cc_change AND removed_kind IN ('revert', 'rollback') THEN 1 ELSE 0 END), "
           f"COUNT(*), SUM(CASE WHEN removed_kind IN ('revert', 'rollback') THEN 1 ELSE 0 END) FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cc, cc_failed, total, failed = cursor.fetchone()
    return float(cc_failed) / float(cc), float(failed) / float(total)  # MySQL sums are Decimals


def producer_items(events, signal):
    """(metadata, data) of logged ``events``, as the event-bus producer is called with them directly."""
    return [(metadata_from_json(e.metadata), payload_from_json(signal, e.data)) for e in events]


def _backstage_sql():
    t = _tables()
    q = connection.ops.quote_name
    # The committers in good standing are found once each: a derived table that no database merges into the join
    # (DISTINCT), else SQLite and MariaDB test every condition again for each right of a committer.
    return f"""
SELECT rp.{q('key')}, rp.full_name, g.github_username, g.name FROM {t['CommitRight']} r
JOIN {t['Repository']} rp ON rp.id = r.repository_id
JOIN (SELECT DISTINCT c.id, c.github_username, c.name FROM {t['CoreCommitter']} c
      LEFT JOIN {t['Organization']} o ON o.id = c.organization_id
      WHERE {_ACTIVE} AND {_agreements_and_champions(t)}) g ON g.id = r.committer_id
WHERE {_valid_right()}
"""


def backstage_yaml(location):
    """
    The Backstage benchmark's baseline: the (repository, committer) pairs of the entities, read by one hand-written
    SQL query (valid rights on recorded repositories of committers in good standing, the conditions written for the
    benchmark registry: it holds no owner-wide rights and no names to shorten), written directly as the same Group
    and User documents with the same YAML dumper. Returns the YAML and the number of pairs.
    """
    import yaml
    from django.utils import timezone

    now = timezone.now()
    params = {"t": now, "d": now.date(), "false": False}
    with connection.cursor() as cursor:
        cursor.execute(_cached("backstage", _backstage_sql), params)
        rows = cursor.fetchall()
    annotations = {"backstage.io/managed-by-location": f"url:{location}",
                   "backstage.io/managed-by-origin-location": f"url:{location}"}
    groups, users, names = {}, {}, {}
    for key, full_name, login, name in rows:
        group = "core-committers-" + key.replace("/", "-")
        groups.setdefault(group, (full_name, set()))[1].add(login.lower())
        users.setdefault(login.lower(), set()).add(group)
        names[login.lower()] = name
    documents = [
        {"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
         "metadata": {"name": group, "title": f"Core Committers of {full_name}",
                      "description": f"The effective Core Committers of the repository {full_name}.",
                      "annotations": annotations},
         "spec": {"type": "core-committers", "children": [], "members": sorted(members)}}
        for group, (full_name, members) in sorted(groups.items())
    ] + [
        {"apiVersion": "backstage.io/v1alpha1", "kind": "User", "metadata": {"name": login, "annotations": annotations},
         "spec": {"memberOf": sorted(member_of), "profile": {"displayName": names[login]}}}
        for login, member_of in sorted(users.items())
    ]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump_all(documents, Dumper=dumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True), len(rows)


def _seconds_between(later, earlier):
    """SQL for the seconds from ``earlier`` to ``later`` (two datetime columns), per database."""
    if connection.vendor == "sqlite":
        return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"
    if connection.vendor == "mysql":
        return f"TIMESTAMPDIFF(SECOND, {earlier}, {later})"
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


def _day_and_week(column):
    if connection.vendor == "sqlite":
        return f"date({column})", f"date({column}, 'weekday 0', '-6 days')"
    if connection.vendor == "mysql":
        return f"DATE({column})", f"DATE({column}) - INTERVAL WEEKDAY({column}) DAY"
    return f"CAST({column} AS DATE)", f"CAST(date_trunc('week', {column}) AS DATE)"


def dora_sql(cc=False):
    """
    The five DORA figures over every recorded deployment, by hand-written SQL (four statements): deployments,
    failing and rework counts; deployment days per week; the lower-median lead time; the lower-median recovery time.
    Returns (deployments, failing, rework, [days per week with deployments], lead seconds, recovery seconds).
    """
    q = connection.ops.quote_name
    dep, span, change = (q(model._meta.db_table) for model in (Deployment, DeploymentSpan, Change))
    link, reverts = q(DeployedChange._meta.db_table), q(Change.reverts.through._meta.db_table)
    cc_span = " AND s.is_cc_change" if cc else ""
    chosen = f"EXISTS (SELECT 1 FROM {span} s WHERE s.deployed_by_id = d.id{cc_span})" if cc else "1 = 1"
    failing_span = (f"EXISTS (SELECT 1 FROM {span} s WHERE s.deployed_by_id = d.id{cc_span} "
                    f"AND s.removed_kind IN ('revert', 'rollback'))")
    failing = failing_span if cc else f"(d.result = 'failure' OR {failing_span})"
    only_reworks = (f"(d.kind = 'rollback' OR (EXISTS (SELECT 1 FROM {link} l JOIN {reverts} r ON r.from_change_id = "
                    f"l.change_id WHERE l.deployment_id = d.id) AND NOT EXISTS (SELECT 1 FROM {link} l LEFT JOIN "
                    f"{reverts} r ON r.from_change_id = l.change_id WHERE l.deployment_id = d.id AND r.id IS NULL)))")
    day, week = _day_and_week("d.deployed_at")
    first_removal = (f"(SELECT MIN(s.removed_at) FROM {span} s WHERE s.deployed_by_id = d.id{cc_span} "
                     f"AND s.removed_kind IN ('revert', 'rollback'))")
    next_success = (f"(SELECT MIN(n.deployed_at) FROM {dep} n WHERE n.environment = d.environment "
                    f"AND n.result = 'success' AND n.deployed_at > d.deployed_at)")
    recovered = first_removal if cc else f"CASE WHEN d.result = 'failure' THEN {next_success} ELSE {first_removal} END"
    lead = _seconds_between("s.deployed_at", "c.merged_at")
    cc_lead = " AND s.is_cc_change" if cc else ""
    half = "(n + 1) DIV 2" if connection.vendor == "mysql" else "(n + 1) / 2"  # MySQL's / gives a decimal
    median = "SELECT v FROM (SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS n FROM ({}) x) y " \
             f"WHERE rn = {half}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), SUM(CASE WHEN {failing} THEN 1 ELSE 0 END), "
                       f"SUM(CASE WHEN {only_reworks} THEN 1 ELSE 0 END) FROM {dep} d WHERE {chosen}")
        total, failed, rework = cursor.fetchone()
        cursor.execute(f"SELECT w, COUNT(DISTINCT dy) FROM (SELECT {week} AS w, {day} AS dy FROM {dep} d "
                       f"WHERE d.result = 'success' AND {chosen}) t GROUP BY w")
        weeks = [int(days) for _w, days in cursor.fetchall()]
        cursor.execute(median.format(
            f"SELECT {lead} AS v FROM {span} s JOIN {change} c ON c.id = s.change_id WHERE s.id IN (SELECT MIN(e.id) "
            f"FROM {span} e GROUP BY e.change_id, e.environment){cc_lead}"))
        lead_seconds = cursor.fetchone()
        recovery_expr = _seconds_between("r_at", "deployed_at")
        cursor.execute(median.format(
            f"SELECT {recovery_expr} AS v FROM (SELECT d.deployed_at, {recovered} AS r_at FROM {dep} d "
            f"WHERE {chosen} AND {failing}) f WHERE r_at IS NOT NULL"))
        recovery_seconds = cursor.fetchone()
    return (int(total), int(failed or 0), int(rework or 0), weeks, lead_seconds and int(lead_seconds[0]),
            recovery_seconds and int(recovery_seconds[0]))


def bulk_create_hub_events(instance_name, events):
    """The rows the hub keeps for a batch of wire events (``events``: decoded JSON), with ``bulk_create`` alone: the
    batch's changes, then its events."""
    from openedx_cc.plugins.hub.models import HubChange, HubEvent, HubInstance

    instance = HubInstance.objects.get(name=instance_name)
    when = datetime.fromisoformat
    with transaction.atomic():
        changes = {}
        for event in events:
            change = event["data"]["change"]
            key = (change["repository"].lower(), change["pr_number"])
            if key not in changes:
                changes[key] = HubChange(
                    repository=change["repository"], repository_key=key[0], pr_number=key[1],
                    merge_sha=change["merge_sha"], title=change["title"], url=change["url"],
                    core_committer=change["core_committer"], core_committer_key=change["core_committer"].lower(),
                    merged_at=when(change["merged_at"]))
        HubChange.objects.bulk_create(list(changes.values()))
        if any(row.pk is None for row in changes.values()):
            ids = {(r, n): pk for r, n, pk in HubChange.objects.filter(
                repository_key__in={k[0] for k in changes}, pr_number__in={k[1] for k in changes},
            ).values_list("repository_key", "pr_number", "id")}
            for key, row in changes.items():
                row.pk = ids[key]
        rows = []
        for event in events:
            data = event["data"]
            change, deployment, revert = data["change"], data["deployment"], data.get("revert")
            rows.append(HubEvent(
                instance=instance, event_id=uuid.UUID(event["event_id"]),
                kind="reverted" if revert else "deployed",
                change=changes[(change["repository"].lower(), change["pr_number"])],
                environment_class=deployment["environment_class"], time=when(event["time"]),
                deployed_at=when(deployment["deployed_at"]), revert_kind=revert["kind"] if revert else "",
                reverted_at=when(revert["reverted_at"]) if revert else None))
        HubEvent.objects.bulk_create(rows)


def forwarded_batches(hub_api, size=500):
    """The bodies of the batches an instance forwards, built from its event log by the wire's own functions."""
    rows = list(LoggedEvent.objects.filter(event_type__in=hub_api.FORWARDED_TYPES).order_by("id").values_list(
        "event_id", "event_type", "metadata", "data"))
    events = [hub_api.wire_event(event_id=event_id, event_type=event_type, time=metadata["time"], data=data)
              for event_id, event_type, metadata, data in rows]
    return [hub_api.encode_batch(events[start:start + size]) for start in range(0, len(events), size)]
