"""
Builders of deployment reports for the tests, and the signing the CD pipeline does.
"""
import hashlib
import hmac
import json
from itertools import count

_sha_counter = count(1)
_pr_counter = count(1000)


def sha(seed=None):
    """A 40-hex sha, unique unless ``seed`` is given."""
    value = seed if seed is not None else next(_sha_counter)
    return hashlib.sha1(str(value).encode()).hexdigest()


def change(repository="openedx/openedx-platform", **overrides):
    """One change of a report, valid as given."""
    number = overrides.pop("pr_number") if "pr_number" in overrides else next(_pr_counter)
    data = {
        "repository": repository,
        "pr_number": number,
        "title": f"feat: change {number}",
        "body": "",
        "url": f"https://github.com/{repository}/pull/{number}",
        "merge_sha": sha(),
        "author": "some-author",
        "merged_by": "some-merger",
        "merged_at": "2026-11-24T18:00:00Z",
        "paths": [],
    }
    data.update(overrides)
    return data


def report(report_id="lms-prod-1", changes=(), **overrides):
    data = {
        "id": report_id,
        "environment": "production",
        "service": "lms",
        "release": "release/verawood",
        "deployed_at": "2026-11-25T10:00:00Z",
        "kind": "deploy",
        "rolls_back": [],
        "changes": list(changes),
    }
    data.update(overrides)
    return data


def body(document) -> bytes:
    return json.dumps(document).encode()


def signature(raw: bytes, secret="test-webhook-secret") -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post(client, document, *, secret="test-webhook-secret", raw=None, sign=True):
    raw = body(document) if raw is None else raw
    headers = {"HTTP_X_CC_SIGNATURE_256": signature(raw, secret)} if sign else {}
    return client.generic("POST", "/api/cc/v1/deployments/", raw, content_type="application/json", **headers)
