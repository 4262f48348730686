"""
The staleness audit (``cc_audit``, ``GET /api/cc/v1/audit/``): what keeps the registry from going stale.
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from django.utils import timezone

from openedx_cc.plugins.catalog.data import SECTIONS, AuditReport, Finding
from openedx_cc.plugins.catalog.models import CatalogEntry
from openedx_cc.plugins.ownership import api as ownership_api

# The audit looks at most ten years ahead (the REST API and the command both take this bound).
MAX_AUDIT_DAYS = 3650


def audit(*, days: int = 30, at: datetime | None = None, also: Sequence[Finding] = ()) -> AuditReport:
    """
    What keeps the registry from going stale: unowned installed extensions, expiries within ``days``, committers
    who lost effectiveness (and why), missing champions, names that only resolve through an alias, and catalog
    owners that disagree with the recorded Core Committers; with the findings of other applets (``also``: the
    unresolved deployments, which ``openedx_cc.python_api.audit`` adds). A fixed number of queries.
    """
    at = at or timezone.now()
    findings: list[Finding] = list(also)
    installed = list(ownership_api.get_installed_extensions())
    catalog = list(CatalogEntry.objects.all())
    repo_keys = {e.repository.key for e in installed} | {c.repository_key for c in catalog}
    # by key, so that a repository only the catalog knows is covered by owner-wide rights, as its REST detail says
    by_key = ownership_api.effective_committers_by_key(sorted(repo_keys), at)
    for extension in installed:
        if not by_key.get(extension.repository.key):
            findings.append(Finding("unowned_extensions", extension.repository.full_name,
                                    f"{extension.name} ({extension.distribution} {extension.version}) is installed "
                                    f"and {extension.repository.full_name} has no effective Core Committer"))
    expiring = ownership_api.expiring_items(within_days=days, at=at)
    for item in expiring:
        label = {"right": "right", "individual": "individual agreement", "nda": "NDA",
                 "entity": "entity agreement"}[item.kind]
        when = item.ends.date() if isinstance(item.ends, datetime) else item.ends
        findings.append(Finding("expiring", item.holder, f"{label} {item.description} ends on {when}"))
    committers = list(ownership_api.committers_with_rights())
    states = ownership_api.committer_states(committers, at)
    policy = ownership_api.policy_in_force(at)
    for committer in committers:
        state = states[committer.id]
        champion_problems = [p for p in state.problems if "champions" in p]
        other = [p for p in state.problems if "champions" not in p]
        if other:
            findings.append(Finding("lost_effectiveness", committer.github_username, "; ".join(other)))
        if champion_problems and policy.require_champions:
            findings.append(Finding("missing_champions", committer.github_username, champion_problems[0]))
    for extension in installed:
        declared = extension.declared_repository
        if declared and declared.lower() != extension.repository.key:
            findings.append(Finding("aliased_names", declared, f"{extension.distribution} still names {declared}, "
                                                               f"now {extension.repository.full_name}"))
    for entry in catalog:
        if entry.declared_name.lower() != entry.repository_key:
            findings.append(Finding("aliased_names", entry.declared_name,
                                    f"catalog-info ({entry.source}) names {entry.declared_name}, "
                                    f"now {entry.repository}"))
    for entry in catalog:
        ccs = by_key.get(entry.repository_key, [])
        logins = {c.github_username.lower() for c in ccs}
        if entry.owner_kind == "user" and entry.owner_name.lower() not in logins:
            findings.append(Finding("catalog_owners", entry.repository,
                                    f"catalog owner user:{entry.owner_name} is not an effective Core Committer of "
                                    f"{entry.repository}" + (f" (they are: {', '.join(sorted(logins))})" if logins
                                                             else " (it has none)")))
        elif entry.owner_kind == "group" and entry.owner_name.lower().startswith("committers-") and not ccs:
            findings.append(Finding("catalog_owners", entry.repository,
                                    f"catalog owner group:{entry.owner_name} names committers, but no effective Core "
                                    f"Committer of {entry.repository} is recorded"))
        elif not entry.owner:
            findings.append(Finding("catalog_owners", entry.repository, "the catalog-info names no owner"))
    ordered = sorted(findings, key=lambda f: (list(SECTIONS).index(f.section), f.subject.lower(), f.message))
    return AuditReport(generated_at=at, days=days, findings=tuple(ordered), expiring_items=tuple(expiring))
