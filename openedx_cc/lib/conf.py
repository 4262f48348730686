"""
Settings of openedx-cc, with their defaults in one place (docs/reference/settings.rst).

Settings are read lazily, at call time, never at import time: plugin modules are imported before the host's settings
are complete.
"""
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # .. setting_name: OPENEDX_CC_WEBHOOK_SECRET
    # .. setting_default: None
    # .. setting_description: Shared secret of the signed deployment reports (``X-CC-Signature-256`` header,
    #   HMAC-SHA256 of the raw body). While it is unset the deployment endpoint rejects every report with 503 and
    #   says why.
    # .. setting_warning: Keep it out of version control; rotate it together with the CD pipeline's copy.
    "OPENEDX_CC_WEBHOOK_SECRET": None,

    # .. setting_name: OPENEDX_CC_OPERATOR_EMAILS
    # .. setting_default: []
    # .. setting_description: Email addresses of the site operators who receive openedx-cc notifications
    #   (reverts, rollbacks, ownership changes, expiries). Never learners.
    "OPENEDX_CC_OPERATOR_EMAILS": [],

    # .. setting_name: OPENEDX_CC_GITHUB_WEBHOOK_SECRET
    # .. setting_default: None
    # .. setting_description: Secret of the GitHub webhook (or GitHub App) that delivers pull requests, pushes,
    #   deployments and deployment statuses to ``POST /api/cc/v1/github/`` (``X-Hub-Signature-256`` header,
    #   HMAC-SHA256 of the raw body). While it is unset (or blank) the endpoint answers every delivery with 503 and
    #   says why; nothing is stored.
    # .. setting_warning: Keep it out of version control; set the same value in the webhook's settings on GitHub.
    "OPENEDX_CC_GITHUB_WEBHOOK_SECRET": None,

    # .. setting_name: OPENEDX_CC_BACKSTAGE_TOKEN
    # .. setting_default: None
    # .. setting_description: Token that lets a Backstage ``url`` location read the registry as Backstage entities
    #   (``GET /api/cc/v1/backstage/entities.yaml?token=...``). While it is unset (or blank) only staff read them;
    #   a request with another token gets 403 and nothing listed.
    # .. setting_warning: Keep it out of version control; it sits in the Backstage location's URL, so give it to
    #   that Backstage only and rotate it together with its app-config.
    "OPENEDX_CC_BACKSTAGE_TOKEN": None,

    # .. setting_name: OPENEDX_CC_HUB
    # .. setting_default: None
    # .. setting_description: The community hub this service forwards the fate of CC changes to:
    #   ``{"url": "https://hub.example.org", "instance": "NAME", "secret": "..."}`` (the name and secret that the
    #   hub's ``cc_hub_instance add NAME`` printed). Forwarding also needs the switch ``openedx_cc.share_with_hub``.
    #   While it is unset nothing is forwarded and the events wait in the event log.
    # .. setting_warning: Keep the secret out of version control.
    "OPENEDX_CC_HUB": None,

    # .. setting_name: OPENEDX_CC_HUB_ENVIRONMENT_CLASSES
    # .. setting_default: {}
    # .. setting_description: ``{"environment name": "production" | "staging" | "other"}``: the class of each
    #   environment in what leaves the service (events forwarded to a hub, the DevLake export). A name it does not
    #   map is classed by what it contains: "prod" is production, "stag" staging, anything else other.
    "OPENEDX_CC_HUB_ENVIRONMENT_CLASSES": {},

    # .. setting_name: OPENEDX_CC_REPOSITORY_ALIASES
    # .. setting_default: {}
    # .. setting_description: Extra repository renames ``{"old-owner/old-name": "new-owner/new-name"}``
    #   (``owner/*`` on both sides renames a whole owner), applied on top of the built-in renames and repeatedly
    #   until none applies.
    "OPENEDX_CC_REPOSITORY_ALIASES": {},

    # .. setting_name: OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS
    # .. setting_default: []
    # .. setting_description: Entry-point groups that extension discovery (``manage.py cc_discover_extensions``)
    #   searches besides the Open edX plugin groups (lms.djangoapp, cms.djangoapp, xblock.v1, ...); console_scripts
    #   is never searched.
    "OPENEDX_CC_EXTENSION_ENTRY_POINT_GROUPS": [],
}


def get_secret(name: str) -> str | None:
    """
    The secret the setting ``name`` holds, or None when it holds none: unset, not a string, or blank. A blank
    secret would let anyone sign; a value of another type is a configuration error (the system checks name both),
    never a reason to fail each request.
    """
    value = get_setting(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value


def get_setting(name: str) -> Any:
    """
    Return the value of the openedx-cc setting ``name``, or its default.
    """
    if name not in DEFAULTS:
        raise KeyError(f"{name} is not an openedx-cc setting")
    return getattr(settings, name, DEFAULTS[name])
