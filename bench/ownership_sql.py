"""
The baseline of the ownership-check benchmark: one hand-written SQL query that returns the same ``allowed`` answer
as ``check_ownership`` for the scopes present in the benchmark registry (whole-repository and extension rights).
"""
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
)


def _sql():
    t = {m.__name__: connection.ops.quote_name(m._meta.db_table) for m in (
        Agreement, Champion, CommitRight, CoreCommitter, Extension, Organization, ProgramPhase, Repository)}
    concat = "CONCAT(e.path, '%%')" if connection.vendor == "mysql" else "(e.path || '%%')"
    agreement = (
        "EXISTS (SELECT 1 FROM {a} a WHERE a.{holder} = {holder_id} AND a.kind = '{kind}' AND a.signed_on <= %(d)s"
        " AND (a.expires_on IS NULL OR a.expires_on > %(d)s) AND (a.revoked_at IS NULL OR a.revoked_at > %(t)s))"
    )
    individual = agreement.format(a=t["Agreement"], holder="committer_id", holder_id="c.id", kind="individual")
    nda = agreement.format(a=t["Agreement"], holder="committer_id", holder_id="c.id", kind="nda")
    entity = agreement.format(a=t["Agreement"], holder="organization_id", holder_id="o.id", kind="entity")
    phase = (f"(SELECT p.{{col}} FROM {t['ProgramPhase']} p WHERE p.since <= %(t)s ORDER BY p.since DESC LIMIT 1)")
    require_nda = (f"COALESCE({phase.format(col='require_nda')}, "
                   f"CASE {phase.format(col='phase')} WHEN 'published' THEN 0 WHEN 'scale' THEN 0 ELSE 1 END)")
    require_champions = (f"COALESCE({phase.format(col='require_champions')}, "
                         f"CASE {phase.format(col='phase')} WHEN 'scale' THEN 0 ELSE 2 END)")
    return f"""
SELECT COUNT(*) FROM {t['CoreCommitter']} c
JOIN {t['CommitRight']} r ON r.committer_id = c.id
LEFT JOIN {t['Extension']} e ON e.id = r.extension_id
LEFT JOIN {t['Organization']} o ON o.id = c.organization_id
WHERE c.github_key = %(user)s
  AND c.status = 'active' AND (c.status_since IS NULL OR c.status_since <= %(t)s)
  AND (c.status_until IS NULL OR c.status_until > %(t)s)
  AND (r.repository_id = (SELECT id FROM {t['Repository']} WHERE {connection.ops.quote_name('key')} = %(repo)s)
       OR (r.repository_id IS NULL AND r.owner = %(owner)s))
  AND (r.valid_from IS NULL OR r.valid_from <= %(t)s) AND (r.valid_until IS NULL OR r.valid_until > %(t)s)
  AND (r.revoked_at IS NULL OR r.revoked_at > %(t)s)
  AND r.branches = '[]'
  AND ((r.extension_id IS NULL AND r.paths = '[]') OR (e.id IS NOT NULL AND %(path)s LIKE {concat}))
  AND {individual}
  AND (o.id IS NULL OR o.openedx_provider = %(false)s OR {entity})
  AND ({require_nda} = 0 OR {nda})
  AND (SELECT COUNT(*) FROM {t['Champion']} ch WHERE ch.committer_id = c.id
       AND (ch.valid_from IS NULL OR ch.valid_from <= %(t)s) AND (ch.valid_until IS NULL OR ch.valid_until > %(t)s))
      >= {require_champions}
"""


_CACHE = {}


def allowed(user, repository_key, path, at):
    """The hand-written check: is ``user`` an effective CC of ``repository_key`` at ``path`` at ``at``?"""
    sql = _CACHE.setdefault(connection.vendor, _sql())
    params = {"user": user.lower(), "repo": repository_key.lower(), "owner": repository_key.split("/")[0].lower(),
              "path": path, "t": at, "d": at.date(), "false": False}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] > 0
