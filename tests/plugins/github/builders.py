"""
GitHub deliveries for the tests, built by editing GitHub's own example payloads (tests/fixtures/github/): a merged
pull request is the ``closed`` example with ``merged``, ``merged_by``, ``merged_at`` and ``merge_commit_sha`` set;
pushes are chained by their shas. ``deliver`` signs and posts a delivery as GitHub does.
"""
import copy
import hashlib
import hmac
import json
import uuid
from functools import cache
from itertools import count

from tests.conftest import FIXTURES

GITHUB = FIXTURES / "github"
SECRET = "test-github-secret"
ZERO = "0" * 40
REPOSITORY = "openedx/openedx-platform"
_counter = count(1)


@cache
def _real(name):
    return json.loads((GITHUB / f"{name}.payload.json").read_text())


def real(name):
    """A fresh copy of one of GitHub's example payloads (``push``, ``pull_request.closed``...)."""
    return copy.deepcopy(_real(name))


def sha(seed=None):
    """A 40-hex sha, unique unless ``seed`` is given."""
    value = seed if seed is not None else f"auto-{next(_counter)}"
    return hashlib.sha1(str(value).encode()).hexdigest()


def _repository(document, repository):
    owner, name = repository.split("/")
    document["repository"]["full_name"] = repository
    document["repository"]["name"] = name
    document["repository"]["owner"]["login"] = owner
    return document


def merged_pr(number, merge_sha, *, repository=REPOSITORY, title=None, body="", author="some-contributor",
              merged_by="bradenmacdonald", merged_at="2026-11-24T18:00:00Z", base="master", labels=(),
              files=None):
    """A ``pull_request`` ``closed`` delivery of a merged pull request."""
    document = _repository(real("pull_request.closed"), repository)
    document["number"] = number
    pr = document["pull_request"]
    pr.update(number=number, title=title or f"feat: change {number}", body=body, merged=True,
              merge_commit_sha=merge_sha, merged_at=merged_at, html_url=f"https://github.com/{repository}/pull/{number}")
    pr["user"]["login"] = author
    if merged_by is None:
        pr["merged_by"] = None
    else:
        pr["merged_by"] = dict(copy.deepcopy(pr["user"]), login=merged_by)
    pr["base"]["ref"] = base
    pr["labels"] = [dict(copy.deepcopy(_real("pull_request.closed")["pull_request"]["labels"][0]), name=name)
                    for name in labels]
    if files is not None:
        pr["files"] = [{"filename": name} for name in files]
    return document


def closed_unmerged(number=2, *, repository=REPOSITORY):
    """GitHub's ``closed`` example as it is: closed without merging."""
    document = _repository(real("pull_request.closed"), repository)
    return document


def commit(commit_sha, message):
    """A commit of a push, shaped as GitHub's example."""
    item = copy.deepcopy(_real("push.with-new-branch")["commits"][0])
    item.update(id=commit_sha, tree_id=sha(), message=message,
                url=f"https://github.com/x/y/commit/{commit_sha}")
    return item


def push(before, commits, *, ref="refs/heads/master", forced=False, repository=REPOSITORY,
         pushed_at=1_764_000_000):
    """A ``push`` delivery of ``commits`` (``(sha, message)`` pairs, oldest first) on top of ``before``."""
    document = _repository(real("push.with-new-branch"), repository)
    listed = [commit(commit_sha, message) for commit_sha, message in commits]
    after = listed[-1]["id"] if listed else before
    document.update(ref=ref, before=before, after=after, created=before == ZERO, deleted=False, forced=forced,
                    commits=listed, head_commit=copy.deepcopy(listed[-1]) if listed else None)
    document["repository"]["pushed_at"] = pushed_at
    return document


def deployment(github_id, deployed_sha, *, environment="production", ref="master", repository=REPOSITORY,
               service=None, created_at="2026-11-25T09:59:00Z"):
    """A ``deployment`` ``created`` delivery."""
    document = _repository(real("deployment"), repository)
    document["deployment"].update(id=github_id, sha=deployed_sha, ref=ref, environment=environment,
                                  original_environment=environment, created_at=created_at,
                                  payload={"service": service} if service else {})
    return document


def status(github_id, deployed_sha, state="success", *, status_id=None, environment="production", ref="master",
           repository=REPOSITORY, service=None, created_at="2026-11-25T10:00:00Z"):
    """A ``deployment_status`` ``created`` delivery."""
    document = _repository(real("deployment_status"), repository)
    document["deployment"].update(id=github_id, sha=deployed_sha, ref=ref, environment=environment,
                                  original_environment=environment, payload={"service": service} if service else {})
    document["deployment_status"].update(id=status_id or next(_counter) + 10_000, state=state,
                                         environment=environment, created_at=created_at, updated_at=created_at)
    return document


def signature(raw, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def deliver(client, event, document=None, *, delivery=None, raw=None, secret=SECRET, sign=True, headers=None):
    """POST a delivery to the GitHub intake as GitHub does; returns the response."""
    raw = json.dumps(document).encode() if raw is None else raw
    meta = {"HTTP_X_GITHUB_EVENT": event, "HTTP_X_GITHUB_DELIVERY": delivery or str(uuid.uuid4()),
            "HTTP_USER_AGENT": "GitHub-Hookshot/044aadd"}
    if sign:
        meta["HTTP_X_HUB_SIGNATURE_256"] = signature(raw, secret)
    meta.update(headers or {})
    return client.generic("POST", "/api/cc/v1/github/", raw, content_type="application/json", **meta)
