"""
What the plugin accepts in Tutor's configuration, without Tutor or Django (so that openedx-cc's tests can hold these
rules against the package's own, which use Django's validators).

The email rule is deliberately narrower than Django's ``validate_email``: every address it accepts, Django accepts
too, so a value that passes ``tutor config save`` never fails openedx-cc's system check (openedx_cc.E004) in LMS.
"""
from __future__ import annotations

import re
import typing as t

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/(?:\*|[A-Za-z0-9._-]{1,100})")


def is_email_address(value: t.Any) -> bool:
    """Whether ``value`` is an address both this plugin and Django accept."""
    return isinstance(value, str) and len(value) <= 254 and _EMAIL.fullmatch(value) is not None


def _masked(value: t.Any) -> t.Any:
    """``value`` with its secret hidden, for an error message."""
    if isinstance(value, dict) and "secret" in value:
        return {**value, "secret": "***"}
    return value


def config_problems(config: dict[str, t.Any]) -> list[str]:
    """
    What is wrong with the plugin's keys of a Tutor configuration, one sentence each naming the key and the value.
    """
    problems = []
    emails = config.get("OPENEDX_CC_OPERATOR_EMAILS", [])
    if not isinstance(emails, list):
        problems.append(f"OPENEDX_CC_OPERATOR_EMAILS must be a list of email addresses, not {emails!r}")
    else:
        problems += [f"OPENEDX_CC_OPERATOR_EMAILS[{index}] is {email!r}, which is not an email address"
                     for index, email in enumerate(emails) if not is_email_address(email)]
    aliases = config.get("OPENEDX_CC_REPOSITORY_ALIASES", {})
    if not isinstance(aliases, dict):
        problems.append(f'OPENEDX_CC_REPOSITORY_ALIASES must be a mapping {{"old/name": "new/name"}}, not {aliases!r}')
    else:
        problems += [f"OPENEDX_CC_REPOSITORY_ALIASES: {old!r}: {new!r} is not of the form owner/name: owner/name"
                     for old, new in aliases.items()
                     if not all(isinstance(name, str) and _REPOSITORY.fullmatch(name) for name in (old, new))]
    enabled = config.get("OPENEDX_CC_EVENT_BUS_ENABLED", False)
    if not isinstance(enabled, bool):
        problems.append(f"OPENEDX_CC_EVENT_BUS_ENABLED must be true or false, not {enabled!r}")
    hub = config.get("OPENEDX_CC_HUB")
    if hub is not None and not (isinstance(hub, dict) and set(hub) == {"url", "instance", "secret"}
                                and all(isinstance(value, str) and value.strip() for value in hub.values())
                                and hub["url"].startswith(("https://", "http://"))):
        problems.append('OPENEDX_CC_HUB must be null or {"url": "https://...", "instance": "NAME", "secret": "..."} '
                        f"with the three values set, not {_masked(hub)!r}")
    classes = config.get("OPENEDX_CC_HUB_ENVIRONMENT_CLASSES", {})
    if not isinstance(classes, dict):
        problems.append("OPENEDX_CC_HUB_ENVIRONMENT_CLASSES must be a mapping {\"environment\": \"production\"}, "
                        f"not {classes!r}")
    else:
        problems += [f"OPENEDX_CC_HUB_ENVIRONMENT_CLASSES: {name!r}: {value!r} is not production, staging or other"
                     for name, value in classes.items() if value not in ("production", "staging", "other")]
    requirement = config.get("OPENEDX_CC_PIP_REQUIREMENT", "")
    if not isinstance(requirement, str) or not requirement.strip():
        problems.append(f"OPENEDX_CC_PIP_REQUIREMENT must be a pip requirement, not {requirement!r}")
    return problems
