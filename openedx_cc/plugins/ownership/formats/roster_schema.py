"""
The schema of the ``openedx-cc-roster/v1`` format (docs/reference/roster-format.rst): one pydantic model per part of the
document, with the field validators of the shared lib. ``roster.py`` validates a document against it, then checks
its references.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo
from pydantic import field_validator

from openedx_cc.lib.errors import InvalidValue
from openedx_cc.lib.formats import email_address, github_login, to_date
from openedx_cc.lib.repositories import parse_repository_name
from openedx_cc.plugins.ownership.scopes import normalize_branch_pattern, normalize_path

FORMAT = "openedx-cc-roster/v1"


def _wrap(func):
    """Turn a lib validator raising ``InvalidValue`` into one raising ``ValueError`` for pydantic."""

    def validator(value):
        try:
            return func(value)
        except InvalidValue as exc:
            raise ValueError(str(exc)) from exc

    return validator


def _repository(value, info: ValidationInfo):
    default_owner = (info.context or {}).get("default_owner")
    try:
        return parse_repository_name(value, default_owner=default_owner, allow_owner_pattern=True).full_name
    except InvalidValue as exc:
        raise ValueError(str(exc)) from exc


def _nonempty(value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


RosterDate = Annotated[date, BeforeValidator(to_date)]
Text = Annotated[str, AfterValidator(_nonempty)]
Login = Annotated[str, BeforeValidator(github_login)]
Email = Annotated[str, BeforeValidator(email_address)]
RepoName = Annotated[str, AfterValidator(_repository)]
Path = Annotated[str, AfterValidator(_wrap(lambda v: normalize_path(v, prefix=True)))]
Branch = Annotated[str, AfterValidator(_wrap(normalize_branch_pattern))]


def _ends_after(end: date | None, start: date | None, message: str) -> date | None:
    """``end`` if it is after ``start`` (or either is open); else a ``ValueError`` of ``message`` with both dates."""
    if end is not None and start is not None and end <= start:
        raise ValueError(message.format(end=end, start=start))
    return end


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _agreement_shorthand(value):
    if isinstance(value, (date, str)) and not isinstance(value, datetime):
        return {"signed": value}
    return value


class AgreementIn(_Strict):
    """``2020-06-01`` or ``{signed: 2020-06-01, expires: 2021-06-01}``."""

    signed: RosterDate
    expires: RosterDate | None = None
    document: str | None = None

    @field_validator("expires")
    @classmethod
    def _expires_after_signed(cls, value, info: ValidationInfo):
        return _ends_after(value, info.data.get("signed"),
                           "expires on {end} but is signed on {start}; it must expire after it is signed")


Agreement = Annotated[AgreementIn, BeforeValidator(_agreement_shorthand)]


class AgreementsIn(_Strict):
    individual: Agreement | None = None
    nda: Agreement | None = None


def _champion_shorthand(value):
    if isinstance(value, str):
        return {"name": value}
    return value


class ChampionIn(_Strict):
    name: Text
    email: Email | None = None
    github: Login | None = None


class RightIn(_Strict):
    repository: RepoName
    paths: list[Path] = Field(default_factory=list)
    extension: Text | None = None
    branches: list[Branch] = Field(default_factory=list)
    valid_from: RosterDate | None = Field(default=None, alias="from")
    until: RosterDate | None = None

    @field_validator("extension")
    @classmethod
    def _extension_or_paths(cls, value, info: ValidationInfo):
        if value is not None and info.data.get("paths"):
            raise ValueError("give either paths or an extension, not both")
        return value

    @field_validator("until")
    @classmethod
    def _until_after_from(cls, value, info: ValidationInfo):
        return _ends_after(value, info.data.get("valid_from"), "ends on {end}, not after it starts on {start}")


class CommitterIn(_Strict):
    github: Login
    name: Text
    email: Email | None = None
    organization: Text | None = None
    status: Literal["active", "emeritus", "suspended"] = "active"
    since: RosterDate | None = None
    until: RosterDate | None = None
    agreements: AgreementsIn = Field(default_factory=AgreementsIn)
    champions: list[Annotated[ChampionIn, BeforeValidator(_champion_shorthand)]] = Field(default_factory=list)
    repos: list[RepoName] = Field(default_factory=list)
    rights: list[RightIn] = Field(default_factory=list)

    @field_validator("until")
    @classmethod
    def _until_after_since(cls, value, info: ValidationInfo):
        return _ends_after(value, info.data.get("since"), "ends on {end}, not after the status starts on {start}")


class OrganizationIn(_Strict):
    slug: Annotated[str, AfterValidator(_nonempty)] = Field(pattern=r"^[A-Za-z0-9_-]+$")
    name: Text
    openedx_provider: bool = False
    entity_agreement: Agreement | None = None


class ExtensionIn(_Strict):
    name: Text
    path: Path


class RepositoryIn(_Strict):
    name: RepoName
    aliases: list[RepoName] = Field(default_factory=list)
    extensions: list[ExtensionIn] = Field(default_factory=list)


class ProgramIn(_Strict):
    phase: Literal["pilot", "published", "scale"] = "pilot"
    since: RosterDate | None = None
    require_nda: bool | None = None
    require_champions: int | None = Field(default=None, ge=0, le=20)


class RosterIn(_Strict):
    format: Literal["openedx-cc-roster/v1"]
    default_repository_owner: Annotated[str, AfterValidator(_nonempty)] | None = None
    program: ProgramIn | None = None
    organizations: list[OrganizationIn] = Field(default_factory=list)
    committers: list[CommitterIn] = Field(default_factory=list)
    repositories: list[RepositoryIn] = Field(default_factory=list)
