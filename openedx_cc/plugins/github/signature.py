"""
The signature of a GitHub delivery: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` with the
webhook's secret, ``OPENEDX_CC_GITHUB_WEBHOOK_SECRET``, compared in constant time (GitHub's "Validating webhook
deliveries").
"""
from __future__ import annotations

from openedx_cc.lib.conf import get_secret
from openedx_cc.lib.signing import BadSignature, check_signature

SIGNATURE_HEADER = "X-Hub-Signature-256"
SECRET_SETTING = "OPENEDX_CC_GITHUB_WEBHOOK_SECRET"


class GitHubSignatureError(Exception):
    """The delivery is unsigned or wrongly signed, or no secret is configured (``configured`` is False then)."""

    def __init__(self, message: str, *, configured: bool = True) -> None:
        super().__init__(message)
        self.configured = configured


def verify_github_signature(raw: bytes, header: str | None) -> None:
    """Check the ``X-Hub-Signature-256`` header of a delivery. Raises ``GitHubSignatureError``."""
    secret = get_secret(SECRET_SETTING)
    if secret is None:
        raise GitHubSignatureError(f"{SECRET_SETTING} is not set (or is blank): this service accepts no GitHub "
                                   "delivery", configured=False)
    try:
        check_signature(raw, header, secret=secret, header_name=SIGNATURE_HEADER)
    except BadSignature as exc:
        raise GitHubSignatureError(str(exc)) from exc
