"""
The setting ``OPENEDX_CC_HUB`` of an instance (docs/how-to/join-a-hub.rst): read and checked in one place, for the
forwarder (``hub_config``) and the system checks (``hub_setting_problems``, ``hub_url_in_clear``), which say the same.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Mapping
from urllib.parse import urlsplit

import attr

from openedx_cc.lib.conf import get_setting
from openedx_cc.plugins.hub.wire import EVENTS_PATH


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class HubConfig:
    """The hub this service forwards to (the setting ``OPENEDX_CC_HUB``), checked."""

    url: str  # the hub's base URL, without a trailing slash
    instance: str  # this service's name on the hub
    secret: str = attr.ib(repr=False)

    @property
    def events_url(self) -> str:
        """Where batches are posted."""
        return self.url + EVENTS_PATH


class HubSettingInvalid(ValueError):
    """``OPENEDX_CC_HUB`` is set but cannot be used; ``problems`` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


_HUB_KEYS = ("url", "instance", "secret")


def hub_setting_problems(value: Any) -> list[str]:
    """
    What is wrong with ``value`` as the setting ``OPENEDX_CC_HUB`` (``None``, unset, is fine: no hub), one sentence
    each; the system check and ``hub_config`` say the same.
    """
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [f'OPENEDX_CC_HUB is {type(value).__name__}, expected a mapping {{"url", "instance", "secret"}}']
    problems = []
    unknown = sorted(str(key) for key in value if key not in _HUB_KEYS)
    if unknown:
        problems.append(f"OPENEDX_CC_HUB has unknown keys {', '.join(unknown)} (it takes url, instance and secret)")
    for key in _HUB_KEYS:
        if key not in value:
            problems.append(f"OPENEDX_CC_HUB lacks {key!r}")
    url = value.get("url")
    if "url" in value:
        problems += _url_problems(url)
    instance = value.get("instance")
    if "instance" in value and (
        not isinstance(instance, str) or not instance.strip() or instance != instance.strip() or len(instance) > 100
        or not instance.isascii() or not instance.isprintable()
    ):
        problems.append(f"OPENEDX_CC_HUB['instance'] is {instance!r:.80}, expected the name the hub registered this "
                        "service under (1-100 printable ASCII characters, no leading or trailing space)")
    secret = value.get("secret")
    if "secret" in value and (not isinstance(secret, str) or not secret.strip()):
        problems.append("OPENEDX_CC_HUB['secret'] is blank or not a string, expected the secret the hub printed for "
                        "this service")
    return problems


def _url_problems(url: Any) -> list[str]:
    if not isinstance(url, str):
        return [f"OPENEDX_CC_HUB['url'] is {type(url).__name__}, expected a URL such as https://hub.example.org"]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return [f"OPENEDX_CC_HUB['url'] {url!r:.200} is not a URL: {exc}"]
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return [f"OPENEDX_CC_HUB['url'] {url!r:.200} is not an http(s) URL such as https://hub.example.org"]
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        return [f"OPENEDX_CC_HUB['url'] {url!r:.200} must be the hub's base URL, with no credentials, query or "
                "fragment"]
    return []


def hub_url_in_clear(value: Any) -> bool:
    """Whether the setting names a hub reached over plain http on another machine (the system check warns)."""
    if not isinstance(value, Mapping) or not isinstance(value.get("url"), str) or hub_setting_problems(value):
        return False
    parts = urlsplit(value["url"])
    if parts.scheme != "http":
        return False
    host = parts.hostname or ""
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host != "localhost"


def hub_config() -> HubConfig | None:
    """The hub this service forwards to, or None when ``OPENEDX_CC_HUB`` is unset; ``HubSettingInvalid`` if
    malformed."""
    value = get_setting("OPENEDX_CC_HUB")
    if value is None:
        return None
    problems = hub_setting_problems(value)
    if problems:
        raise HubSettingInvalid(problems)
    return HubConfig(url=value["url"].rstrip("/"), instance=value["instance"], secret=value["secret"])
