"""
Shared low-level utilities of openedx-cc: settings, the global switch, repository names, errors, time parsing,
source positions of input files, the audit-history user and the read-only admin of recorded facts.

Nothing here imports from ``openedx_cc.plugins`` or ``openedx_cc.api`` (import-linter enforces it).
"""
