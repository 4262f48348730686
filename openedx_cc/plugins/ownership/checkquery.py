"""
The hot path of ``check_ownership``: everything one ownership check needs, in one SQL round trip.

The question "is U an effective CC of R/P at T?" is asked for every change of every deployment and by every pipeline
that gates a merge, so it must cost a fixed, small amount. The ORM would need six queries, and compiling them costs
more than running them (see docs/decisions/0004-ownership-check-in-one-query.rst and bench/). This module holds one
``UNION ALL`` query, written once per database vendor from the models' own table and column names, that returns the
rows of every relevant table tagged by kind; ``selectors`` turns them into the facts ``evaluation`` needs.

Every branch is an indexed lookup: the committer by ``github_key``; their rights by committer and repository (or
owner); the agreements by committer and by organization; the champions by committer; the whole (small) program
phase table; and the repository by name or registry alias.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from django.db import connection

from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Extension,
    Organization,
    ProgramPhase,
    Repository,
    RepositoryAlias,
)

# The columns every branch returns, in order:
#   kind, i1, i2, s1, s2, s3, s4, s5, t1, t2, t3, d1, d2, n1
_WIDTH = 14


# SQL type of each column, for typed NULLs: PostgreSQL resolves the type of a column of NULLs as text and then
# refuses to unite it with a date or a timestamp.
_TYPES = {"i1": "bigint", "i2": "bigint", "s1": "text", "s2": "text", "s3": "text", "s4": "text", "s5": "text",
          "t1": "timestamp with time zone", "t2": "timestamp with time zone", "t3": "timestamp with time zone",
          "d1": "date", "d2": "date", "n1": "boolean"}


def _row(kind: str, **values) -> str:
    unknown = set(values) - set(_TYPES)
    assert not unknown, unknown
    typed = connection.vendor == "postgresql"
    nulls = {c: (f"CAST(NULL AS {t})" if typed else "NULL") for c, t in _TYPES.items()}
    return ", ".join([f"'{kind}'"] + [values.get(c, nulls[c]) for c in _TYPES])


def _build_sql() -> str:
    q = connection.ops.quote_name

    def table(model):
        return q(model._meta.db_table)

    def col(model, name, alias):
        field = model._meta.get_field(name)
        column = f"{alias}.{q(field.column)}"
        if field.get_internal_type() == "JSONField" and connection.vendor == "postgresql":
            return f"CAST({column} AS text)"  # UNION needs one type per column; PostgreSQL keeps jsonb apart
        return column

    committer_id = (
        f"(SELECT {col(CoreCommitter, 'id', 'cx')} FROM {table(CoreCommitter)} cx "
        f"WHERE {col(CoreCommitter, 'github_key', 'cx')} = %(user)s)"
    )
    organization_id = (
        f"(SELECT {col(CoreCommitter, 'organization', 'cy')} FROM {table(CoreCommitter)} cy "
        f"WHERE {col(CoreCommitter, 'github_key', 'cy')} = %(user)s)"
    )
    alias_join = (
        f"JOIN {table(RepositoryAlias)} al "
        f"ON {col(RepositoryAlias, 'repository', 'al')} = {col(Repository, 'id', 'y')} "
    )
    repository_matches = [
        ("", f"{col(Repository, 'key', 'y')} = %(repo)s"),
        (alias_join, f"{col(RepositoryAlias, 'key', 'al')} = %(repo)s"),
    ]
    c = {name: col(CoreCommitter, name, "c") for name in ("id", "organization", "github_username", "status",
                                                           "status_since", "status_until", "github_key")}
    r = {name: col(CommitRight, name, "r") for name in ("id", "repository", "paths", "branches", "owner",
                                                        "valid_from", "valid_until", "revoked_at", "committer",
                                                        "extension")}
    a = {name: col(Agreement, name, "a") for name in ("kind", "signed_on", "expires_on", "revoked_at", "committer",
                                                      "organization")}
    right_columns = dict(i1=r["id"], i2=r["repository"], s1=r["paths"], s2=r["branches"],
                         s3=col(Repository, "full_name", "y"), s4=col(Extension, "name", "e"),
                         s5=col(Extension, "path", "e"), t1=r["valid_from"], t2=r["valid_until"], t3=r["revoked_at"])
    agreement_columns = dict(s1=a["kind"], d1=a["signed_on"], d2=a["expires_on"], t3=a["revoked_at"])
    committer_row = _row("C", i1=c["id"], i2=c["organization"], s1=c["github_username"], s2=c["status"],
                         s3=col(Organization, "name", "o"), t1=c["status_since"], t2=c["status_until"],
                         n1=col(Organization, "openedx_provider", "o"))
    owner_right_row = _row("R", i1=r["id"], s1=r["paths"], s2=r["branches"], s3=r["owner"], t1=r["valid_from"],
                           t2=r["valid_until"], t3=r["revoked_at"])
    champion_row = _row("H", t1=col(Champion, "valid_from", "h"), t2=col(Champion, "valid_until", "h"))
    phase_row = _row("P", s1=col(ProgramPhase, "phase", "p"), t1=col(ProgramPhase, "since", "p"),
                     i1=col(ProgramPhase, "require_champions", "p"), n1=col(ProgramPhase, "require_nda", "p"))
    repository_row = _row("Y", i1=col(Repository, "id", "y"), s1=col(Repository, "full_name", "y"))
    branches = [
        # the committer and their organization
        f"SELECT {committer_row} "
        f"FROM {table(CoreCommitter)} c LEFT JOIN {table(Organization)} o "
        f"ON {col(Organization, 'id', 'o')} = {c['organization']} WHERE {c['github_key']} = %(user)s",
        # their rights on the repository (named by its name, or by a registry alias), or on every repository of its
        # owner; each branch is a lookup by the committer, then by the repository. These three branches are the SQL
        # form of "which rights apply to a repository" (models.rights_on_repositories, RightData.applies_to):
        # tests/plugins/ownership/test_rules.py proves the three agree.
        *[
            f"SELECT {_row('R', **right_columns)} "
            f"FROM {table(CommitRight)} r "
            f"JOIN {table(Repository)} y ON {col(Repository, 'id', 'y')} = {r['repository']} "
            f"{via_alias}"
            f"LEFT JOIN {table(Extension)} e ON {col(Extension, 'id', 'e')} = {r['extension']} "
            f"WHERE {r['committer']} = {committer_id} AND {match}"
            for via_alias, match in repository_matches
        ],
        f"SELECT {owner_right_row} "
        f"FROM {table(CommitRight)} r "
        f"WHERE {r['committer']} = {committer_id} AND {r['owner']} = %(owner)s AND {r['repository']} IS NULL",
        # agreements of the committer, and of their organization
        f"SELECT {_row('A', **agreement_columns)} FROM {table(Agreement)} a WHERE {a['committer']} = {committer_id}",
        f"SELECT {_row('O', **agreement_columns)} FROM {table(Agreement)} a "
        f"WHERE {a['organization']} = {organization_id}",
        # champions
        f"SELECT {champion_row} "
        f"FROM {table(Champion)} h WHERE {col(Champion, 'committer', 'h')} = {committer_id}",
        # the program phases (a handful of rows)
        f"SELECT {phase_row} "
        f"FROM {table(ProgramPhase)} p",
        # the repository, by its name or a registry alias
        *[
            f"SELECT {repository_row} "
            f"FROM {table(Repository)} y {via_alias}WHERE {match}"
            for via_alias, match in repository_matches
        ],
    ]
    return "\nUNION ALL\n".join(branches)


_SQL_BY_VENDOR: dict[str, str] = {}


def sql() -> str:
    """The query for the current database vendor (built once per process)."""
    vendor = connection.vendor
    if vendor not in _SQL_BY_VENDOR:
        _SQL_BY_VENDOR[vendor] = _build_sql()
    return _SQL_BY_VENDOR[vendor]


def _dt(value):
    """A datetime column as an aware UTC datetime (raw cursors skip Django's converters)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _date(value):
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _json(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (bytes, bytearray)):
        value = value.decode()
    return json.loads(value)


def fetch(*, user_key: str, repository_key: str, owner_key: str) -> dict[str, Any]:
    """
    Run the query; return the rows grouped by kind, with typed values:

    ``committer`` (dict or None), ``rights``, ``agreements``, ``org_agreements``, ``champions``, ``phases`` (lists)
    and ``repository`` (``(id, full_name)`` or None).
    """
    with connection.cursor() as cursor:
        cursor.execute(sql(), {"user": user_key, "repo": repository_key, "owner": owner_key})
        rows = cursor.fetchall()
    out: dict[str, Any] = {"committer": None, "rights": [], "agreements": [], "org_agreements": [], "champions": [],
                           "phases": [], "repository": None}
    for kind, i1, i2, s1, s2, s3, s4, s5, t1, t2, t3, d1, d2, n1 in rows:
        if kind == "C":
            out["committer"] = {
                "id": i1, "organization_id": i2, "github_username": s1, "status": s2, "organization_name": s3 or "",
                "status_since": _dt(t1), "status_until": _dt(t2), "organization_provider": bool(n1),
            }
        elif kind == "R":
            out["rights"].append({
                "id": i1, "repository_id": i2, "paths": _json(s1), "branches": _json(s2),
                "repository": s3 if i2 is not None else f"{s3}/*", "extension": s4 or "", "extension_path": s5 or "",
                "valid_from": _dt(t1), "valid_until": _dt(t2), "revoked_at": _dt(t3),
            })
        elif kind in {"A", "O"}:
            key = "agreements" if kind == "A" else "org_agreements"
            out[key].append({"kind": s1, "signed_on": _date(d1), "expires_on": _date(d2), "revoked_at": _dt(t3)})
        elif kind == "H":
            out["champions"].append((_dt(t1), _dt(t2)))
        elif kind == "P":
            out["phases"].append({"phase": s1, "since": _dt(t1), "require_champions": i1,
                                  "require_nda": None if n1 is None else bool(n1)})
        elif kind == "Y":
            out["repository"] = (i1, s1)
    assert len(rows[0]) == _WIDTH if rows else True
    return out
