"""
The signature of a deployment report (docs/reference/report-format.rst): ``X-CC-Signature-256: sha256=<hex HMAC-SHA256
of the raw body>`` with the shared secret ``OPENEDX_CC_WEBHOOK_SECRET``, compared in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import re

from openedx_cc.lib.conf import get_secret

SIGNATURE_HEADER = "X-CC-Signature-256"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


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
    if not header:
        raise SignatureError(f"the {SIGNATURE_HEADER} header is missing")
    scheme, _, signature = header.partition("=")
    if scheme.strip().lower() != "sha256" or not signature:
        raise SignatureError(f"the {SIGNATURE_HEADER} header must be 'sha256=<hex digest>'")
    signature = signature.strip().lower()
    if not _HEX_DIGEST.fullmatch(signature):  # compare_digest refuses non-ASCII text: say what is wrong instead
        raise SignatureError(f"the {SIGNATURE_HEADER} digest must be 64 hexadecimal digits")
    expected = hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise SignatureError(f"the {SIGNATURE_HEADER} signature does not match the body")
