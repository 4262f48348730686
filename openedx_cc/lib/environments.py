"""
The class of an environment name -- production, staging or other -- for what leaves the service: the events
forwarded to a hub (docs/reference/hub.rst) and the DevLake export (docs/reference/cli.rst). Environment names are
the operators' own; the class is all another party needs, and all it gets.

The setting ``OPENEDX_CC_HUB_ENVIRONMENT_CLASSES`` maps names (compared case-insensitively); a name it does not map
is classed by what it contains: "prod" is production, "stag" staging, anything else other.
"""
from __future__ import annotations

from typing import Any, Mapping

from openedx_cc.lib.conf import get_setting

PRODUCTION, STAGING, OTHER = "production", "staging", "other"
ENVIRONMENT_CLASSES = (PRODUCTION, STAGING, OTHER)
_BY_NAME = (("prod", PRODUCTION), ("stag", STAGING))


def configured_classes() -> dict[str, str]:
    """The operator's mapping, names lower-cased; entries with a class other than the three are left out (the system
    check names them)."""
    mapping = get_setting("OPENEDX_CC_HUB_ENVIRONMENT_CLASSES") or {}
    if not isinstance(mapping, dict):
        return {}
    return {str(name).strip().lower(): value for name, value in mapping.items() if value in ENVIRONMENT_CLASSES}


def environment_class(name: str, classes: dict[str, str] | None = None) -> str:
    """``production``, ``staging`` or ``other`` for the environment ``name`` (``classes``: ``configured_classes()``,
    read once by a caller that classes many names)."""
    lowered = (name or "").strip().lower()
    mapped = (configured_classes() if classes is None else classes).get(lowered)
    if mapped:
        return mapped
    return next((cls for part, cls in _BY_NAME if part in lowered), OTHER)


def environment_classes_problems(value: Any) -> list[str]:
    """What is wrong with ``value`` as the setting ``OPENEDX_CC_HUB_ENVIRONMENT_CLASSES``, one sentence each."""
    if not isinstance(value, Mapping):
        return [f"OPENEDX_CC_HUB_ENVIRONMENT_CLASSES is {type(value).__name__}, expected a mapping "
                '{"environment name": "production" | "staging" | "other"}']
    return [f"OPENEDX_CC_HUB_ENVIRONMENT_CLASSES[{name!r}] is {cls!r:.80}, expected one of "
            f"{', '.join(ENVIRONMENT_CLASSES)}"
            for name, cls in value.items() if cls not in ENVIRONMENT_CLASSES or not isinstance(name, str)]
