"""
What the catalog applet's staleness audit returns: findings by section.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import attr

from openedx_cc.plugins.ownership.data import ExpiringItem


@attr.s(frozen=True)
class Finding:
    """One thing an operator should look at."""

    section = attr.ib(type=str)
    subject = attr.ib(type=str)
    message = attr.ib(type=str)

    def as_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"subject": self.subject, "message": self.message}


SECTIONS = {
    "unowned_extensions": "Installed extensions whose repository has no effective Core Committer",
    "expiring": "Rights, agreements and NDAs that expire soon",
    "lost_effectiveness": "Core Committers with rights who are not effective now",
    "missing_champions": "Core Committers without the champions the program phase requires",
    "aliased_names": "Repository names that only resolve through an alias",
    "catalog_owners": "Catalog owners that disagree with the recorded Core Committers",
    "unresolved_deployments": "Deployments whose changes are not resolved yet",
}


@attr.s(frozen=True)
class AuditReport:
    """The staleness audit: findings by section, and whether anything needs action."""

    generated_at = attr.ib(type=datetime)
    days = attr.ib(type=int)
    findings = attr.ib(type=tuple[Finding, ...])
    expiring_items = attr.ib(type=tuple[ExpiringItem, ...], default=())  # the items behind the "expiring" section

    @property
    def needs_action(self) -> bool:
        """Whether there is any finding."""
        return bool(self.findings)

    def by_section(self) -> dict[str, list[Finding]]:
        """Findings grouped by section, every section present."""
        grouped: dict[str, list[Finding]] = {name: [] for name in SECTIONS}
        for finding in self.findings:
            grouped[finding.section].append(finding)
        return grouped

    def as_dict(self) -> dict[str, Any]:
        """JSON form (``GET /api/cc/v1/audit/``)."""
        return {
            "generated_at": self.generated_at.isoformat().replace("+00:00", "Z"),
            "days": self.days,
            "needs_action": self.needs_action,
            "sections": {
                name: {"title": SECTIONS[name], "findings": [f.as_dict() for f in findings]}
                for name, findings in self.by_section().items()
            },
        }
