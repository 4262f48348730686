"""
Django system checks of what an operator can get wrong when installing openedx-cc (``manage.py check``).

They read settings only, never the database, so they pass or fail the same before ``migrate``. Each message names
the setting (or app) and the fix. Ids: ``openedx_cc.E00N`` (the set cannot work as configured) and
``openedx_cc.W00N`` (it works, with a capability off or degraded).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from openedx_cc.lib.environments import environment_classes_problems
from openedx_cc.lib.conf import get_setting
from openedx_cc.lib.repositories import configured_alias_problems
from openedx_cc.plugins.hub.api import hub_setting_problems, hub_url_in_clear
from openedx_cc.settings.common import REQUIRED_APPS

TAG = "openedx_cc"

# What LMS and CMS have and the set relies on (docs/reference/settings.rst): a host without one of them must add it.
HOST_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "waffle",
    "rest_framework",
    "simple_history",
    "openedx_events",
]
# What the plugin mechanism adds by itself; a host that lists the app without the plugin mechanism adds them itself.
SET_APPS = REQUIRED_APPS
REQUEST_CACHE_MIDDLEWARE = "edx_django_utils.cache.middleware.RequestCacheMiddleware"

# Settings whose type a host can get wrong, with the types they take.
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "OPENEDX_CC_WEBHOOK_SECRET": ((str, type(None)), "a string"),
    "OPENEDX_CC_GITHUB_WEBHOOK_SECRET": ((str, type(None)), "a string"),
    "OPENEDX_CC_BACKSTAGE_TOKEN": ((str, type(None)), "a string"),
    "OPENEDX_CC_OPERATOR_EMAILS": ((list, tuple), "a list of email addresses"),
    "OPENEDX_CC_REPOSITORY_ALIASES": ((Mapping,), 'a mapping {"old-owner/old-name": "new-owner/new-name"}'),
    "OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS": ((list, tuple), "a list of entry-point group names"),
}


def _wrong_type(name: str) -> checks.CheckMessage | None:
    types, expected = _TYPES[name]
    value = get_setting(name)
    if isinstance(value, types):
        return None
    return checks.Error(
        f"{name} is {type(value).__name__} {value!r:.80}, expected {expected}.",
        hint=f"Set {name} to {expected} in the service's settings (or remove it to use the default).",
        id="openedx_cc.E002",
    )


@checks.register(TAG)
def check_installed_apps(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """
    Every app the set needs is installed (E005), and the request cache is cleared per request (W002).
    """
    installed = set(settings.INSTALLED_APPS)
    messages: list[checks.CheckMessage] = []
    for app in HOST_APPS + SET_APPS:
        if app not in installed:
            how = ("the Open edX plugin mechanism adds it (add_plugins); without it, add it yourself"
                   if app in SET_APPS else "LMS and CMS have it")
            messages.append(checks.Error(
                f"openedx-cc needs the app {app!r}, which INSTALLED_APPS lacks ({how}).",
                hint=f"Add {app!r} to INSTALLED_APPS.",
                id="openedx_cc.E005",
            ))
    if REQUEST_CACHE_MIDDLEWARE not in (getattr(settings, "MIDDLEWARE", None) or []):
        messages.append(checks.Warning(
            "MIDDLEWARE lacks the request cache middleware: switch values (edx-toggles) read by a web process are "
            "cached in it and never cleared, so flipping an openedx_cc switch takes effect only after a restart.",
            hint=f"Add {REQUEST_CACHE_MIDDLEWARE!r} to MIDDLEWARE, first, as LMS and CMS do.",
            id="openedx_cc.W002",
        ))
    return messages


@checks.register(TAG)
def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """
    The ``OPENEDX_CC_*`` settings have the types and values the set can use.
    """
    type_errors = {name: _wrong_type(name) for name in _TYPES}
    messages: list[checks.CheckMessage] = [error for error in type_errors.values() if error is not None]
    wrongly_typed = {name for name, error in type_errors.items() if error is not None}

    if "OPENEDX_CC_WEBHOOK_SECRET" not in wrongly_typed:
        secret = get_setting("OPENEDX_CC_WEBHOOK_SECRET")
        if secret is None:
            messages.append(checks.Warning(
                "OPENEDX_CC_WEBHOOK_SECRET is not set: the deployment endpoint refuses every report with 503.",
                hint="Set OPENEDX_CC_WEBHOOK_SECRET to a long random string shared with the CD pipeline, e.g. "
                     "the output of: python -c 'import secrets; print(secrets.token_hex(32))'.",
                id="openedx_cc.W001",
            ))
        elif not secret.strip():
            messages.append(checks.Error(
                "OPENEDX_CC_WEBHOOK_SECRET is blank: anyone could sign a deployment report with it.",
                hint="Set it to a long random string shared with the CD pipeline, or remove the setting to refuse "
                     "every report.",
                id="openedx_cc.E001",
            ))

    if "OPENEDX_CC_REPOSITORY_ALIASES" not in wrongly_typed:
        for problem in configured_alias_problems():
            messages.append(checks.Error(
                problem,
                hint='Write each alias as "old-owner/old-name": "new-owner/new-name" (or "owner/*": "owner/*"), '
                     "with no chain of aliases that leads back to where it started.",
                id="openedx_cc.E003",
            ))

    if "OPENEDX_CC_OPERATOR_EMAILS" not in wrongly_typed:
        for index, address in enumerate(get_setting("OPENEDX_CC_OPERATOR_EMAILS")):
            try:
                validate_email(address)
            except (ValidationError, TypeError):
                messages.append(checks.Error(
                    f"OPENEDX_CC_OPERATOR_EMAILS[{index}] is {address!r}, which is not an email address.",
                    hint="List the site operators' addresses, e.g. ['ops@example.org'].",
                    id="openedx_cc.E004",
                ))

    if "OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS" not in wrongly_typed:
        for index, group in enumerate(get_setting("OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS")):
            if not isinstance(group, str) or not group.strip():
                messages.append(checks.Error(
                    f"OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS[{index}] is {group!r}, not an entry-point group name.",
                    hint="List group names such as 'xblock.v1'.",
                    id="openedx_cc.E002",
                ))
    return messages


@checks.register(TAG)
def check_hub_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """
    The settings of an instance of a community hub (docs/how-to/join-a-hub.rst): ``OPENEDX_CC_HUB`` can be used
    (E006) and is not plain http to another machine (W003); ``OPENEDX_CC_HUB_ENVIRONMENT_CLASSES`` maps names to the
    three classes (E007).
    """
    hub = get_setting("OPENEDX_CC_HUB")
    messages: list[checks.CheckMessage] = [
        checks.Error(
            problem,
            hint='Set OPENEDX_CC_HUB to {"url": "https://hub.example.org", "instance": "NAME", "secret": "..."}, '
                 "with the name and secret the hub's operators gave you (or remove it: no hub).",
            id="openedx_cc.E006",
        )
        for problem in hub_setting_problems(hub)
    ]
    if hub_url_in_clear(hub):
        messages.append(checks.Warning(
            f"OPENEDX_CC_HUB['url'] is {hub['url']!r}: plain http to another machine, so what is forwarded can be "
            "read on the way (the signature only keeps it from being altered).",
            hint="Use the hub's https URL.",
            id="openedx_cc.W003",
        ))
    messages += [
        checks.Error(
            problem,
            hint='Map each environment name to "production", "staging" or "other", e.g. {"live": "production"}.',
            id="openedx_cc.E007",
        )
        for problem in environment_classes_problems(get_setting("OPENEDX_CC_HUB_ENVIRONMENT_CLASSES"))
    ]
    return messages
