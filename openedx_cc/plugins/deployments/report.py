"""
The deployment report (docs/reference/report-format.rst): parsing, validation and canonical form.

``parse_report(raw)`` validates *everything* and raises ``ValidationFailed`` listing every problem with its field
path (``changes[3].merged_at``); what it returns is a ``Report`` whose names are resolved and whose datetimes are
aware UTC. Checks that need the database (``rolls_back`` naming recorded deployments of the same environment, a
pull request reported before with another merge sha) are made by the ingest (``ingest.load_rolled_back``,
``changes.resolve_changes``).
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Literal

import attr
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr
from pydantic import ValidationError, field_validator, model_validator

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed, field_path
from openedx_cc.lib.formats import github_login, problems_from_pydantic
from openedx_cc.lib.values import AwareDatetime, Sha, repository_name
from openedx_cc.plugins.ownership.api import normalize_path

MAX_REPORT_BYTES = 5 * 1024 * 1024
# Size limits of the free-text fields (docs/decisions/0012): GitHub caps a pull request body at 65,536 characters and a
# title at 256; titles keep room for "Revert \"...\"" nestings and other tools.
MAX_BODY_CHARS = 65_536
MAX_TITLE_CHARS = 1_000
# Whole-value patterns, always applied with fullmatch: "$" would also match before a final newline, so "prod\n"
# would pass as a name of its own (docs/decisions/0012).
_ID = re.compile(r"(?!/)(?!heads\Z)[A-Za-z0-9._:/@+-]{1,200}(?<!/)")  # docs/reference/report-format.rst
_ID_GRAMMAR = "report id (1 to 200 of letters, digits and ._:/@+-, not starting or ending with /, not 'heads')"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
_URL = re.compile(r"https?://\S+")


def _path(value):
    try:
        return normalize_path(value)
    except InvalidValue as exc:
        raise ValueError(str(exc)) from exc


def _pattern(regex, what):
    def check(value):
        if not regex.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid {what}")
        return value

    return check


def _url(value):
    if value and not _URL.fullmatch(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


Login = Annotated[str, BeforeValidator(github_login)]


def _login_or_empty(value):
    if value is None or value == "":
        return ""
    return github_login(value)


# A login the sender may not know: "" (or null, or absent) when it cannot tell (docs/reference/report-format.rst).
OptionalLogin = Annotated[str, BeforeValidator(_login_or_empty)]
Repository = Annotated[StrictStr, AfterValidator(repository_name)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChangeIn(_Strict):
    """One merged pull request of a report."""

    repository: Repository
    pr_number: StrictInt = Field(gt=0, le=2**31 - 1)
    title: StrictStr = Field(default="", max_length=MAX_TITLE_CHARS)
    body: StrictStr = Field(default="", max_length=MAX_BODY_CHARS)
    url: Annotated[StrictStr, AfterValidator(_url)] = Field(default="", max_length=500)
    merge_sha: Sha
    author: OptionalLogin = ""
    merged_by: OptionalLogin = ""
    merged_at: AwareDatetime
    paths: list[Annotated[StrictStr, AfterValidator(_path)]] = Field(default_factory=list, max_length=10_000)


class DirectPushIn(_Strict):
    """A deployed commit that belongs to no pull request."""

    repository: Repository
    sha: Sha
    title: StrictStr = Field(default="", max_length=MAX_TITLE_CHARS)


class ReportIn(_Strict):
    """A deployment report (docs/reference/report-format.rst)."""

    id: Annotated[StrictStr, AfterValidator(_pattern(_ID, _ID_GRAMMAR))]
    environment: Annotated[StrictStr, AfterValidator(_pattern(_NAME, "environment name"))]
    service: StrictStr = Field(default="", max_length=100)
    release: StrictStr = Field(default="", max_length=255)
    deployed_at: AwareDatetime
    kind: Literal["deploy", "rollback"] = "deploy"
    rolls_back: list[StrictStr] = Field(default_factory=list, max_length=1000)
    changes: list[ChangeIn] = Field(default_factory=list, max_length=20_000)
    source: Literal["report", "reporter", "github"] = "report"
    result: Literal["success", "failure"] = "success"
    heads: dict[Repository, Sha] = Field(default_factory=dict, max_length=1000)
    direct_pushes: list[DirectPushIn] = Field(default_factory=list, max_length=20_000)

    @field_validator("rolls_back")
    @classmethod
    def _unique_rolls_back(cls, value):
        if len(set(value)) != len(value):
            raise ValueError("lists a deployment twice")
        return value

    @model_validator(mode="after")
    def _kind_and_rolls_back(self):
        if self.kind == "deploy" and self.rolls_back:
            raise ValueError("rolls_back: only a report of kind 'rollback' rolls deployments back")
        if self.kind == "rollback" and not self.rolls_back:
            raise ValueError("rolls_back: a rollback names the deployments it rolls back")
        if self.id in self.rolls_back:
            raise ValueError("rolls_back: a report cannot roll itself back")
        if self.result == "failure":
            for field in ("changes", "rolls_back", "heads", "direct_pushes"):
                if getattr(self, field):
                    raise ValueError(f"{field}: a failed attempt deploys nothing; report what it was to deploy with "
                                     f"the deployment that succeeds")
        return self


@attr.s(frozen=True)
class Report:
    """A validated report, and the hash of its canonical JSON (for idempotency)."""

    data = attr.ib(type=ReportIn)
    body_sha256 = attr.ib(type=str)


def canonical_sha256(document) -> str:
    """The sha256 of a JSON document's canonical form (sorted keys, no insignificant white space)."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _model_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for problem in problems_from_pydantic(exc, filename=None, sourcemap=None):
        if not problem.field and ": " in problem.message:  # a model-level rule names its field first
            field, message = problem.message.split(": ", 1)
            problem = Problem(field=field, message=message)
        problems.append(problem)
    return problems


def parse_report(raw) -> Report:
    """
    Validate a report given as raw bytes (the HTTP body, a file) or an already decoded JSON document.
    """
    if isinstance(raw, (bytes, bytearray)):
        if len(raw) > MAX_REPORT_BYTES:
            raise ValidationFailed([Problem(field="", message=f"the report is larger than {MAX_REPORT_BYTES} bytes")])
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ValidationFailed([Problem(field="", message=f"the report is not UTF-8: {exc.reason}")]) from exc
        except json.JSONDecodeError as exc:
            raise ValidationFailed([Problem(field="", message=f"the report is not JSON: {exc.msg} at line "
                                                               f"{exc.lineno} column {exc.colno}")]) from exc
        except RecursionError as exc:
            raise ValidationFailed([Problem(field="", message="the report is not a report: JSON nested too "
                                                               "deeply")]) from exc
        except ValueError as exc:  # an integer of more digits than Python converts (4,300)
            raise ValidationFailed([Problem(field="", message=f"the report is not valid JSON: {exc}")]) from exc
    else:
        document = raw
    if not isinstance(document, dict):
        raise ValidationFailed([Problem(field="", message="the report must be a JSON object")])
    try:
        data = ReportIn.model_validate(document)
    except ValidationError as exc:
        raise ValidationFailed(_model_problems(exc)) from exc
    problems = []
    seen: dict[tuple, int] = {}
    for index, change in enumerate(data.changes):
        key = (change.repository.lower(), change.pr_number)
        if key in seen:
            problems.append(Problem(field=field_path(("changes", index, "pr_number")),
                                    message=f"{change.repository}#{change.pr_number} is listed twice "
                                            f"(also changes[{seen[key]}])"))
        seen.setdefault(key, index)
    if problems:
        raise ValidationFailed(problems)
    return Report(data=data, body_sha256=canonical_sha256(document))


def parse_completion(deployment, *, changes: list, direct_pushes: list) -> ReportIn:
    """
    The report of an unresolved ``deployment`` (a stored row) with the ``changes`` and ``direct_pushes`` it turned
    out to bring, validated as a report's (``ValidationFailed`` naming ``changes[i].field``).
    """
    document = {
        "id": deployment.report_id, "environment": deployment.environment, "service": deployment.service,
        "release": deployment.release, "deployed_at": deployment.deployed_at.isoformat(), "kind": deployment.kind,
        "source": deployment.source, "changes": changes, "direct_pushes": direct_pushes,
    }
    if deployment.kind == "rollback":
        document["rolls_back"] = [row.report_id for row in deployment.rolls_back.all()]
    return parse_report(document).data
