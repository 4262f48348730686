"""
The reporter's HTTP requests to an openedx-cc service, signed and retried.

* ``POST <base>/api/cc/v1/deployments/`` with the report; the header ``X-CC-Signature-256: sha256=<hex>`` is the
  HMAC-SHA256 of the body (docs/reference/report-format.rst, "Signature").
* ``GET <base>/api/cc/v1/deployments/heads/?environment=<env>``; the same header is the HMAC-SHA256 of the request's
  path and query string exactly as sent, the base URL's own path included (``/lms/api/cc/v1/deployments/heads/?...``
  for a base URL ``https://example.org/lms``).

Connection errors, timeouts, 5xx and 429 answers are retried with exponential backoff and jitter (a
``Retry-After`` of up to two minutes is honoured instead); any other answer is returned as it is. Redirects are not
followed: a POST must not silently become a GET, so a 3xx comes back as the answer.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from importlib import metadata
from typing import Callable, Mapping

SIGNATURE_HEADER = "X-CC-Signature-256"
REPORTS_PATH = "/api/cc/v1/deployments/"
HEADS_PATH = "/api/cc/v1/deployments/heads/"
SECRET_VARIABLE = "OPENEDX_CC_WEBHOOK_SECRET"
URL_VARIABLE = "OPENEDX_CC_URL"


def sign(secret: str, payload: bytes) -> str:
    """The value of the ``X-CC-Signature-256`` header for ``payload``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()


class Unreachable(Exception):
    """The server could not be reached, or kept answering 5xx, through every attempt."""


class BadURL(ValueError):
    """The base URL is not one the reporter can send to."""


@dataclass(frozen=True)
class Answer:
    """What the server answered: the HTTP ``status`` and the raw ``body``."""

    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> object:
        """The body as JSON; None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass(frozen=True)
class RetryPolicy:
    """
    How long to keep trying: ``attempts`` in all; before retry *n* a wait of ``first_delay * 2**(n-1)`` seconds (at
    most ``max_delay``), shortened at random by up to half (jitter), or the server's ``Retry-After`` when it gives
    one of at most ``max_retry_after`` seconds. The defaults wait 15 to 31 seconds in all before giving up.
    """

    attempts: int = 6
    first_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, retry: int, jitter: float, retry_after: float | None = None) -> float:
        """The wait before retry number ``retry`` (1 for the first); ``jitter`` is a random number in [0, 1)."""
        if retry_after is not None and 0 <= retry_after <= self.max_retry_after:
            return retry_after
        backoff = min(self.max_delay, self.first_delay * 2.0 ** (retry - 1))
        return backoff / 2 + backoff / 2 * jitter


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _user_agent() -> str:
    try:
        version = metadata.version("openedx-cc")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"openedx-cc-report/{version}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: object, code: int, msg: str,
                         headers: object, newurl: str) -> None:
        return None


@dataclass(frozen=True)
class BaseURL:
    """A service's base URL, split: ``origin`` (scheme and host) and ``path`` (without a trailing slash)."""

    origin: str
    path: str

    @classmethod
    def parse(cls, url: str) -> BaseURL:
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadURL(f"{url!r} is not an http(s) URL such as https://lms.example.org")
        if parts.username or parts.password:
            raise BadURL("the URL must not carry credentials: the report is signed with the secret instead")
        if parts.query or parts.fragment:
            raise BadURL(f"{url!r}: give the service's base URL, without a query or fragment")
        if any(c.isspace() or ord(c) < 32 for c in url.strip()):
            raise BadURL(f"{url!r}: a URL has no spaces or control characters")
        return cls(origin=f"{parts.scheme}://{parts.netloc}", path=parts.path.rstrip("/"))


class Server:
    """
    An openedx-cc service at ``base_url``, signing with ``secret``. ``sleep``, ``jitter`` and ``say`` (where the
    retries are told) can be replaced, for tests.
    """

    def __init__(self, base_url: str, secret: str, *, policy: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep, jitter: Callable[[], float] = random.random,
                 say: Callable[[str], None] = lambda message: None, timeout: float = 30.0) -> None:
        self.base = BaseURL.parse(base_url)
        self._secret = secret
        self._policy = policy
        self._sleep = sleep
        self._jitter = jitter
        self._say = say
        self._timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._agent = _user_agent()

    def post_report(self, body: bytes) -> Answer:
        """POST the report ``body`` (the exact bytes that are signed)."""
        target = self.base.path + REPORTS_PATH
        return self._send("POST", target, body, {"Content-Type": "application/json", SIGNATURE_HEADER:
                                                 sign(self._secret, body)})

    def get_heads(self, environment: str) -> Answer:
        """GET the heads of ``environment``, signed over the path and query string."""
        target = f"{self.base.path}{HEADS_PATH}?{urllib.parse.urlencode({'environment': environment})}"
        return self._send("GET", target, None, {SIGNATURE_HEADER: sign(self._secret, target.encode("utf-8"))})

    def _send(self, method: str, target: str, body: bytes | None, headers: Mapping[str, str]) -> Answer:
        url = self.base.origin + target
        attempts = max(1, self._policy.attempts)
        for attempt in range(1, attempts + 1):
            problem, retry_after = self._attempt(method, url, body, headers)
            if isinstance(problem, Answer):
                return problem
            if attempt == attempts:
                raise Unreachable(f"{method} {url}: {problem}, after {attempts} attempt(s)")
            wait = self._policy.delay(attempt, self._jitter(), retry_after)
            self._say(f"{method} {url}: {problem}; retrying in {wait:.1f} s (attempt {attempt + 1} of {attempts})")
            self._sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _attempt(self, method: str, url: str, body: bytes | None,
                 headers: Mapping[str, str]) -> tuple[Answer | str, float | None]:
        """One request: the answer to return, or what went wrong (to retry) and the server's Retry-After."""
        request = urllib.request.Request(url, data=body, method=method, headers={
            "Accept": "application/json", "User-Agent": self._agent, **headers})
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return Answer(status=response.status, body=response.read()), None
        except urllib.error.HTTPError as error:
            answer = Answer(status=error.code, body=error.read())
            if error.code >= 500 or error.code == 429:
                excerpt = " ".join(answer.text.split())[:200]
                return (f"HTTP {error.code}" + (f" ({excerpt})" if excerpt else ""),
                        parse_retry_after(error.headers.get("Retry-After")))
            return answer, None
        except urllib.error.URLError as error:
            if isinstance(error.reason, ssl.SSLCertVerificationError):
                raise Unreachable(f"{method} {url}: the server's TLS certificate is not trusted: "
                                  f"{error.reason}") from error
            return f"cannot connect ({error.reason})", None
        except (http.client.HTTPException, OSError) as error:  # reset, closed early, timed out
            return f"connection failed ({error.__class__.__name__}: {error})", None
