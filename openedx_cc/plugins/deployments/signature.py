"""
The signature of a deployment report (docs/reference/report-format.rst): ``X-CC-Signature-256: sha256=<hex HMAC-SHA256
of the raw body>`` with the shared secret ``OPENEDX_CC_WEBHOOK_SECRET``, compared in constant time.
"""
from __future__ import annotations

from openedx_cc.lib.conf import get_secret
from openedx_cc.lib.signing import BadSignature, check_signature

SIGNATURE_HEADER = "X-CC-Signature-256"


class SignatureError(Exception):
    """The report is unsigned or wrongly signed, or no secret is configured (``configured`` is False then)."""

    def __init__(self, message: str, *, configured: bool = True) -> None:
        super().__init__(message)
        self.configured = configured


def verify_signature(raw: bytes, header: str | None) -> None:
    """
    Check ``X-CC-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`` against ``OPENEDX_CC_WEBHOOK_SECRET``
    in constant time. Raises ``SignatureError``.
    """
    secret = get_secret("OPENEDX_CC_WEBHOOK_SECRET")
    if secret is None:
        raise SignatureError("OPENEDX_CC_WEBHOOK_SECRET is not set (or is blank): this service accepts no deployment "
                             "report", configured=False)
    try:
        check_signature(raw, header, secret=secret, header_name=SIGNATURE_HEADER)
    except BadSignature as exc:
        raise SignatureError(str(exc)) from exc
