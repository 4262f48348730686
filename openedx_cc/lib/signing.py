"""
HMAC-SHA256 signatures of request bodies, as the set's signed endpoints take them: a header ``sha256=<hex digest>``
computed with a shared secret over the raw bytes, compared in constant time. Deployment reports
(docs/reference/report-format.rst) and GitHub's webhook deliveries (docs/reference/rest.rst) are signed this way; each
caller names its header and its secret.
"""
from __future__ import annotations

import hashlib
import hmac
import re

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class BadSignature(Exception):
    """The header is missing, malformed, or does not match the body."""


def hmac_sha256_hex(secret: str, raw: bytes) -> str:
    """The hex HMAC-SHA256 of ``raw`` with ``secret`` (UTF-8)."""
    return hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()


def check_signature(raw: bytes, header: str | None, *, secret: str, header_name: str) -> None:
    """
    Check that ``header`` (the value of the header ``header_name``) is ``sha256=<hex HMAC-SHA256 of raw>`` with
    ``secret``, comparing in constant time. Raises ``BadSignature`` saying what is wrong.
    """
    if not header:
        raise BadSignature(f"the {header_name} header is missing")
    scheme, _, signature = header.partition("=")
    if scheme.strip().lower() != "sha256" or not signature:
        raise BadSignature(f"the {header_name} header must be 'sha256=<hex digest>'")
    signature = signature.strip().lower()
    if not _HEX_DIGEST.fullmatch(signature):  # compare_digest refuses non-ASCII text: say what is wrong instead
        raise BadSignature(f"the {header_name} digest must be 64 hexadecimal digits")
    if not hmac.compare_digest(hmac_sha256_hex(secret, raw), signature):
        raise BadSignature(f"the {header_name} signature does not match the body")
