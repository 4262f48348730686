"""
The parts of GitHub's webhook payloads that the intake reads, as pydantic models (docs/reference/rest.rst, "GitHub
intake").

Only the fields the set needs are declared; everything else GitHub sends is ignored, so that a field GitHub adds
never breaks a delivery. A field the set needs that is missing or of the wrong type makes the delivery fail with a
``ValidationFailed`` naming it (``pull_request.merged_by.login``). ``decode_body`` turns the raw body into a JSON
object: GitHub sends JSON, or, when the hook's content type is ``application/x-www-form-urlencoded``, a form whose
``payload`` field holds the same JSON.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qs

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError, model_validator

from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.lib.formats import problems_from_pydantic
from openedx_cc.lib.values import AwareDatetime, RepositoryName, Sha, aware_datetime

ZERO_SHA = "0" * 40
_FORM_PREFIX = b"payload="


def _epoch_or_datetime(value: object) -> datetime | None:
    # a push payload's repository.pushed_at is seconds since the epoch; other payloads give ISO strings
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"{value!r} is not a time") from exc
    return aware_datetime(value)




class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Account(_Payload):
    """A GitHub user or bot."""

    login: StrictStr


class Repository(_Payload):
    """The repository a delivery is about."""

    full_name: RepositoryName
    name: StrictStr


class Label(_Payload):
    """A label of a pull request."""

    name: StrictStr


class Branch(_Payload):
    """The base (or head) of a pull request."""

    ref: StrictStr


class ChangedFile(_Payload):
    """A file a pull request changed, as GitHub's REST API lists them (webhooks do not; a relay may add them)."""

    filename: StrictStr


class PullRequest(_Payload):
    """A pull request; a merged one has its merge commit, merge time and merger."""

    number: StrictInt = Field(gt=0, le=2**31 - 1)
    title: StrictStr
    body: StrictStr | None = None
    html_url: StrictStr
    user: Account
    base: Branch
    merged: StrictBool = False
    merge_commit_sha: Sha | None
    merged_at: AwareDatetime | None
    merged_by: Account | None = None
    labels: list[Label] = Field(default_factory=list)
    files: list[ChangedFile | StrictStr] | None = None

    @model_validator(mode="after")
    def _merged_has_its_commit(self) -> PullRequest:
        if self.merged and self.merge_commit_sha is None:
            raise ValueError("merge_commit_sha: a merged pull request has a merge commit")
        if self.merged and self.merged_at is None:
            raise ValueError("merged_at: a merged pull request has a merge time")
        return self

    def paths(self) -> list[str] | None:
        """The files it changed, when the payload lists them; None when it does not say."""
        if self.files is None:
            return None
        return [item if isinstance(item, str) else item.filename for item in self.files]


class PullRequestEvent(_Payload):
    """``pull_request``: the intake records a pull request when it is closed merged."""

    action: StrictStr
    pull_request: PullRequest
    repository: Repository


class Commit(_Payload):
    """A commit a push lists."""

    id: Sha
    message: StrictStr = ""

    @property
    def title(self) -> str:
        """The first line of its message."""
        return self.message.strip().split("\n", 1)[0].strip()


class Pusher(_Payload):
    """Who pushed (their GitHub login, for a person)."""

    name: StrictStr = ""


class PushRepository(Repository):
    """The repository of a push, with the time of the push."""

    pushed_at: Annotated[datetime | None, BeforeValidator(_epoch_or_datetime)] = None


class PushEvent(_Payload):
    """``push``: a ref moved from ``before`` to ``after``, bringing ``commits`` (at most 2,048 are listed)."""

    ref: StrictStr = Field(min_length=1, max_length=255)
    before: Sha
    after: Sha
    created: StrictBool = False
    deleted: StrictBool = False
    forced: StrictBool = False
    commits: list[Commit] = Field(default_factory=list)
    head_commit: Commit | None = None
    pusher: Pusher | None = None
    repository: PushRepository

    @property
    def branch(self) -> str | None:
        """The branch name, for a push to a branch (not a tag)."""
        return self.ref.removeprefix("refs/heads/") if self.ref.startswith("refs/heads/") else None


class Deployment(_Payload):
    """A GitHub deployment: an environment asked to run ``sha`` (from ``ref``)."""

    id: StrictInt = Field(gt=0)
    sha: Sha
    ref: StrictStr  # a branch, a tag or a sha; kept cut to 255 characters (it names nothing the set looks up)
    environment: StrictStr = Field(min_length=1, max_length=255)
    task: StrictStr = ""
    payload: dict[str, Any] | StrictStr | None = None
    created_at: AwareDatetime

    @property
    def service(self) -> str | None:
        """``payload.service`` when the deployment names one (the payload may be an object or a JSON string)."""
        payload = self.payload
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                return None
        if isinstance(payload, dict) and isinstance(payload.get("service"), str) and payload["service"].strip():
            return str(payload["service"]).strip()
        return None


class DeploymentEvent(_Payload):
    """``deployment``: a deployment was created."""

    action: StrictStr
    deployment: Deployment
    repository: Repository


class DeploymentStatus(_Payload):
    """A status of a deployment."""

    id: StrictInt = Field(gt=0)
    state: StrictStr = Field(min_length=1, max_length=16)
    description: StrictStr | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None


class DeploymentStatusEvent(_Payload):
    """``deployment_status``: a deployment got a status."""

    action: StrictStr
    deployment_status: DeploymentStatus
    deployment: Deployment
    repository: Repository


_Model = TypeVar("_Model", bound=_Payload)


def decode_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a delivery's body; ``ValidationFailed`` when it is not one."""
    if raw.startswith(_FORM_PREFIX):  # content type application/x-www-form-urlencoded
        try:
            values = parse_qs(raw.decode("ascii"), strict_parsing=True).get("payload") or [""]
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValidationFailed([Problem(field="", message=f"the form body is malformed: {exc}")]) from exc
        raw = values[0].encode("utf-8")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(field="", message=f"the body is not UTF-8: {exc.reason}")]) from exc
    except json.JSONDecodeError as exc:
        raise ValidationFailed([Problem(field="", message=f"the body is not JSON: {exc.msg} at line {exc.lineno} "
                                                          f"column {exc.colno}")]) from exc
    except RecursionError as exc:
        raise ValidationFailed([Problem(field="", message="the body is JSON nested too deeply")]) from exc
    except ValueError as exc:  # an integer of more digits than Python converts
        raise ValidationFailed([Problem(field="", message=f"the body is not valid JSON: {exc}")]) from exc
    if not isinstance(document, dict):
        raise ValidationFailed([Problem(field="", message="the body is not a JSON object")])
    return document


def parse_payload(model: type[_Model], document: dict[str, Any]) -> _Model:
    """``document`` as ``model``; ``ValidationFailed`` naming each missing or malformed field."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        problems = []
        for problem in problems_from_pydantic(exc, filename=None, sourcemap=None):
            if ": " in problem.message and problem.message.split(": ", 1)[0].isidentifier():
                # a model-level rule names its field first
                field, message = problem.message.split(": ", 1)
                problem = Problem(field=".".join(part for part in (problem.field, field) if part), message=message)
            problems.append(problem)
        raise ValidationFailed(problems) from exc


def envelope(document: dict[str, Any]) -> tuple[str, str]:
    """The ``action`` and ``repository.full_name`` of a payload, as given ("" when absent), for the delivery's row."""
    action = document.get("action")
    repository = document.get("repository")
    name = repository.get("full_name") if isinstance(repository, dict) else None
    return (action[:50] if isinstance(action, str) else "", name[:140] if isinstance(name, str) else "")
