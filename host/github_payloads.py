"""
Webhook deliveries shaped as GitHub sends them (the fields of GitHub's own example payloads that a receiver reads,
and the envelope around them), for the demo's scripted history and the benchmarks; the tests edit GitHub's real
example payloads instead (tests/plugins/github/builders.py). ``signed_headers`` signs a body as GitHub does.
"""
import hashlib
import hmac
import uuid


def repository(full_name):
    owner, name = full_name.split("/")
    return {"id": int(hashlib.sha1(full_name.encode()).hexdigest()[:8], 16), "name": name, "full_name": full_name,
            "private": False, "owner": {"login": owner, "type": "Organization"},
            "html_url": f"https://github.com/{full_name}", "default_branch": "master"}


def account(login):
    return {"login": login, "type": "User"}


def commit(full_name, sha, message, *, login, name="", email="", timestamp="2026-11-25T11:00:00Z"):
    return {"id": sha, "message": message, "timestamp": timestamp, "distinct": True,
            "author": {"name": name or login, "email": email or f"{login}@users.noreply.github.com",
                       "username": login},
            "url": f"https://github.com/{full_name}/commit/{sha}"}


def push(full_name, before, commits, *, login, branch="master", forced=False):
    """A ``push`` of ``commits`` (``commit(...)`` dicts, oldest first) onto ``branch`` at ``before``."""
    after = commits[-1]["id"]
    return ("push", {
        "ref": f"refs/heads/{branch}", "before": before, "after": after, "created": False, "deleted": False,
        "forced": forced, "base_ref": None,
        "compare": f"https://github.com/{full_name}/compare/{before[:12]}...{after[:12]}",
        "commits": commits[-20:], "head_commit": commits[-1],  # GitHub lists at most 20 commits
        "repository": repository(full_name), "pusher": {"name": login}, "sender": account(login)})


def merged_pull_request(full_name, number, merge_sha, *, title, author, merged_by, merged_at, body="", files=None,
                        base="master"):
    """A ``pull_request`` ``closed`` delivery of a merged pull request."""
    pull_request = {
        "number": number, "state": "closed", "title": title, "body": body,
        "html_url": f"https://github.com/{full_name}/pull/{number}", "user": account(author), "base": {"ref": base},
        "merged": True, "merge_commit_sha": merge_sha, "merged_at": merged_at, "merged_by": account(merged_by),
        "labels": []}
    if files is not None:
        pull_request["files"] = [{"filename": name} for name in files]
    return ("pull_request", {"action": "closed", "number": number, "pull_request": pull_request,
                             "repository": repository(full_name), "sender": account(merged_by)})


def _deployment(number, sha, ref, environment, at, service):
    return {"id": number, "sha": sha, "ref": ref, "task": "deploy", "environment": environment,
            "payload": {"service": service} if service else {}, "created_at": at, "creator": account("deploy-bot")}


def deployment(full_name, number, sha, *, ref, environment, at, service=""):
    """A ``deployment`` ``created`` delivery."""
    return ("deployment", {"action": "created", "deployment": _deployment(number, sha, ref, environment, at, service),
                           "repository": repository(full_name), "sender": account("deploy-bot")})


def deployment_status(full_name, number, sha, state, *, ref, environment, at, service=""):
    """A ``deployment_status`` ``created`` delivery of deployment ``number``."""
    status_id = int(hashlib.sha1(f"{number}:{state}:{at}".encode()).hexdigest()[:8], 16)
    return ("deployment_status", {
        "action": "created",
        "deployment_status": {"id": status_id, "state": state, "description": f"{state} (pipeline)",
                              "created_at": at, "updated_at": at, "creator": account("deploy-bot")},
        "deployment": _deployment(number, sha, ref, environment, at, service),
        "repository": repository(full_name), "sender": account("deploy-bot")})


def signed_headers(event, body: bytes, secret: str):
    """The headers GitHub sends with a delivery; the delivery id is derived from the body (a redelivery keeps it)."""
    return {"Content-Type": "application/json", "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid5(uuid.NAMESPACE_URL, event + ":" + hashlib.sha256(body).hexdigest())),
            "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            "User-Agent": "GitHub-Hookshot/openedx-cc"}
