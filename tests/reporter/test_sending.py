"""
The reporter's HTTP requests against a real local HTTP server: signatures (checked here with hmac), the heads
request's signed path, retries with backoff and Retry-After, what is not retried, and redirects.
"""
import hashlib
import hmac
from datetime import datetime, timezone

import pytest

from openedx_cc.reporter.sending import (
    BadURL,
    BaseURL,
    RetryPolicy,
    Server,
    Unreachable,
    parse_retry_after,
    sign,
)
from tests.reporter.service import SECRET, Answer, refused_url

BODY = b'{"id":"r1","environment":"production"}'


def _server(url, sleeps=None, said=None, **policy):
    return Server(url, SECRET, policy=RetryPolicy(**policy), sleep=(sleeps if sleeps is not None else []).append,
                  jitter=lambda: 0.5, say=(said if said is not None else []).append)


def test_sign_is_hmac_sha256_of_the_payload():
    assert sign("key", b"body") == "sha256=" + hmac.new(b"key", b"body", hashlib.sha256).hexdigest()


def test_post_report_sends_the_signed_body(service):
    answer = _server(service.url).post_report(BODY)
    assert (answer.status, answer.json()) == (201, {"id": "ok"})
    (request,) = service.requests
    assert (request.method, request.path, request.body) == ("POST", "/api/cc/v1/deployments/", BODY)
    assert request.signed_with(SECRET)
    assert not request.signed_with("another secret")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("openedx-cc-report/")


@pytest.mark.parametrize("base, environment, target", [
    ("", "production", "/api/cc/v1/deployments/heads/?environment=production"),
    ("/lms/", "production", "/lms/api/cc/v1/deployments/heads/?environment=production"),
    ("/a/b", "stage/eu-1", "/a/b/api/cc/v1/deployments/heads/?environment=stage%2Feu-1"),
])
def test_the_heads_request_is_signed_over_its_path_and_query_string(service, base, environment, target):
    service.answer(Answer(200, {"environment": environment, "heads": {}}))
    answer = _server(service.url + base).get_heads(environment)
    assert answer.status == 200
    (request,) = service.requests
    assert (request.method, request.path, request.body) == ("GET", target, b"")
    assert request.signed_with(SECRET, target.encode())


def test_5xx_and_429_are_retried_with_backoff_and_retry_after(service):
    service.answer(Answer(500, {"detail": "boom"}), Answer(503, {}, {"Retry-After": "3"}), Answer(429, {}),
                   Answer(502, b"<html>bad gateway</html>"), Answer(200, {"id": "ok"}))
    sleeps, said = [], []
    answer = _server(service.url, sleeps, said).post_report(BODY)
    assert answer.status == 200
    assert len(service.requests) == 5 and all(r.body == BODY and r.signed_with(SECRET) for r in service.requests)
    # 1, 2, 4, 8 seconds, each shortened by up to half (jitter 0.5 here: by a quarter); Retry-After as given.
    assert sleeps == [0.75, 3.0, 3.0, 6.0]
    assert said[0] == (f"POST {service.url}/api/cc/v1/deployments/: HTTP 500 ({{\"detail\": \"boom\"}}); retrying in "
                       "0.8 s (attempt 2 of 6)")
    assert "HTTP 502 (<html>bad gateway</html>)" in said[3]


def test_a_server_that_keeps_failing_is_unreachable_after_every_attempt(service):
    service.answer(Answer(503, {}))
    sleeps = []
    with pytest.raises(Unreachable, match=r"HTTP 503.*after 4 attempt\(s\)"):
        _server(service.url, sleeps, attempts=4).post_report(BODY)
    assert len(service.requests) == 4 and len(sleeps) == 3


def test_a_refused_connection_is_retried_then_unreachable():
    sleeps, said = [], []
    with pytest.raises(Unreachable, match="cannot connect"):
        _server(refused_url(), sleeps, said, attempts=3).post_report(BODY)
    assert sleeps == [0.75, 1.5]
    assert len(said) == 2 and "Connection refused" in said[0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413])
def test_other_answers_are_not_retried(service, status):
    service.answer(Answer(status, {"errors": [{"field": "id", "message": "no"}]}))
    sleeps = []
    answer = _server(service.url, sleeps).post_report(BODY)
    assert (answer.status, answer.json()) == (status, {"errors": [{"field": "id", "message": "no"}]})
    assert len(service.requests) == 1 and sleeps == []


def test_redirects_are_not_followed(service):
    service.answer(Answer(302, {}, {"Location": "/elsewhere/"}))
    answer = _server(service.url).post_report(BODY)
    assert answer.status == 302
    assert [r.path for r in service.requests] == ["/api/cc/v1/deployments/"]


def test_the_retry_policy():
    policy = RetryPolicy()
    assert [policy.delay(n, 0.0) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 15, 15]
    assert [policy.delay(n, 0.999) for n in (1, 6)] == pytest.approx([0.9995, 29.985])
    assert policy.delay(1, 0.5, retry_after=120) == 120
    assert policy.delay(1, 0.5, retry_after=3600) == 0.75  # beyond reason: the backoff instead
    assert policy.delay(1, 0.5, retry_after=0) == 0


def test_retry_after_values():
    now = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("Wed, 25 Nov 2026 10:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 25 Nov 2026 09:00:00 GMT", now=now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-1") is None


@pytest.mark.parametrize("url, message", [
    ("lms.example.org", "is not an http"),
    ("ftp://lms.example.org", "is not an http"),
    ("https://user:pw@lms.example.org", "must not carry credentials"),
    ("https://lms.example.org/?x=1", "without a query"),
    ("https://lms.example.org/a b", "no spaces"),
])
def test_bad_base_urls(url, message):
    with pytest.raises(BadURL, match=message):
        BaseURL.parse(url)


def test_base_urls():
    assert BaseURL.parse("https://lms.example.org/") == BaseURL(origin="https://lms.example.org", path="")
    assert BaseURL.parse(" http://127.0.0.1:8000/lms// ") == BaseURL(origin="http://127.0.0.1:8000", path="/lms")
