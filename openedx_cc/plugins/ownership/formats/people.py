"""
The openedx-webhooks ``people.yaml`` format, with the ``orgs.yaml`` beside it (docs/reference/roster-format.rst).

``people.yaml`` maps GitHub logins to what the openedx-webhooks bot knew of each person: ``agreement``
(``institution``, ``individual`` or ``none``), ``institution`` (a key of ``orgs.yaml``), ``committer`` (``orgs``,
``repos``, ``branches``, ``champions``, or ``false``), and a dated history under ``before``: each
``before: {DATE: {...}}`` entry says what was different *before* that date, cumulatively, newest date first.

The format turns that history into periods and records what held over each period: rights from and until the
period's dates, individual agreements signed at the start of their period (or, with no date in the file, on
``UNDATED_AGREEMENT_DATE``) and ending when the person stopped having one. Only people who are or were committers
are recorded; robots are skipped; both are reported. People covered only by their institution's entity agreement
get no individual agreement -- effectiveness asks for one, so they are reported as not effective.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Iterable, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic import model_validator

from openedx_cc.lib.errors import InvalidValue, Problem, ValidationFailed, field_path
from openedx_cc.lib.formats import email_address, github_login, problems_from_pydantic, raise_if, read_text, to_date
from openedx_cc.lib.sourcemap import Location, SourceMap, load_yaml
from openedx_cc.lib.timeutil import start_of_day
from openedx_cc.plugins.ownership.formats.common import NameResolver, slugify
from openedx_cc.plugins.ownership.scopes import normalize_branch_pattern
from openedx_cc.plugins.ownership.snapshot import (
    AgreementSpec,
    ChampionSpec,
    CommitterSpec,
    OrganizationSpec,
    RegistrySnapshot,
    RightSpec,
)

if TYPE_CHECKING:
    from openedx_cc.plugins.ownership.selectors import RegistryView

    # a span of dates (None: open-ended), and a period of a person: its span and the state in force during it
    _Span = tuple[date | None, date | None]
    _Period = tuple[date | None, date | None, dict[str, Any]]

# Open edX was open-sourced on 2013-06-01: an agreement whose signing date a source does not give is recorded as
# signed then, the earliest it can have been.
UNDATED_AGREEMENT_DATE = date(2013, 6, 1)

_OBSOLETE = {"expires_on": "the 2020 format's expires_on is obsolete: describe the past with before: {DATE: {...}}"}


def _branch(value: object) -> str:
    try:
        return normalize_branch_pattern(value)
    except InvalidValue as exc:
        raise ValueError(str(exc)) from exc


Email = Annotated[str, BeforeValidator(email_address)]
Login = Annotated[str, BeforeValidator(github_login)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CommitterIn(_Strict):
    """What a committer may commit to."""

    orgs: list[str] = Field(default_factory=list)
    repos: list[str] = Field(default_factory=list)
    branches: list[Annotated[str, AfterValidator(_branch)]] = Field(default_factory=list)
    champions: list[Login] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_scope(self) -> CommitterIn:
        if not (self.orgs or self.repos or self.branches):
            raise ValueError("committer: give at least one of orgs, repos or branches (or committer: false)")
        if self.branches and not (self.orgs or self.repos):
            raise ValueError("committer.branches: branches limit the rights on orgs or repos; give one of them")
        return self


class StateIn(_Strict):
    """What ``before`` entries may override."""

    name: str | None = None
    email: Email | None = None
    agreement: Literal["institution", "individual", "none"] | None = None
    institution: str | None = None
    committer: CommitterIn | Literal[False] | None = None
    comments: list[str] | None = None
    jira: str | None = None
    other_emails: list[Email] | None = None
    contractor: bool | None = None
    is_robot: bool | None = None


class PersonIn(StateIn):
    """One person of people.yaml."""

    name: str
    agreement: Literal["institution", "individual", "none"]
    before: dict[Annotated[date, BeforeValidator(to_date)], StateIn] = Field(default_factory=dict)


class OrgIn(_Strict):
    """One organization of orgs.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str | None = None
    agreement: Literal["institution", "none"] = "none"
    contractor: bool = False
    contact: dict[str, str] | None = None
    internal_ghorgs: list[str] = Field(default_factory=list, alias="internal-ghorgs")
    committer: CommitterIn | Literal[False] | None = None


def looks_like_people(data: object) -> bool:
    """Whether a loaded document looks like people.yaml: logins mapped to people with an agreement."""
    return isinstance(data, dict) and bool(data) and all(
        isinstance(v, dict) and "agreement" in v and ("name" in v or "email" in v) for v in data.values()
    )


_ORG_KEYS = {"name", "agreement", "contractor", "contact", "internal-ghorgs", "committer"}


def looks_like_orgs(data: object) -> bool:
    """Whether a loaded document looks like orgs.yaml: organization names mapped to their details."""
    return isinstance(data, dict) and bool(data) and not looks_like_people(data) and all(
        isinstance(v, dict) and set(v) <= _ORG_KEYS for v in data.values()
    )


def find_orgs_file(people_path: str) -> str | None:
    """The orgs.yaml beside a people.yaml: ``orgs.yaml``, or the same name with ``people`` replaced."""
    path = Path(people_path)
    candidates = []
    if "people" in path.name:
        candidates.append(path.with_name(path.name.replace("people", "orgs", 1)))
        prefix = path.name[: path.name.index("people")]
        candidates.append(path.with_name(f"{prefix}orgs.yaml"))
    candidates.append(path.with_name("orgs.yaml"))
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    return None


def _problems(exc: ValidationError, filename: str, sourcemap: SourceMap, prefix: Location = ()) -> list[Problem]:
    problems = []
    for problem in problems_from_pydantic(exc, filename=filename, sourcemap=sourcemap, prefix=prefix):
        if problem.message == "unknown field" and problem.field.rsplit(".", 1)[-1] in _OBSOLETE:
            problem = Problem(field=problem.field, message=_OBSOLETE[problem.field.rsplit(".", 1)[-1]],
                              file=problem.file, line=problem.line)
        problems.append(problem)
    return problems


def load_orgs(path: str) -> dict[str, OrgIn]:
    """Validate an orgs.yaml file; ``{organization key: OrgIn}``."""
    data, sourcemap = load_yaml(read_text(path), path)
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(field="", message="orgs.yaml maps organization names to their details",
                                        file=path, line=1)])
    orgs, problems = {}, []
    for key, value in data.items():
        try:
            orgs[str(key)] = OrgIn.model_validate(value or {})
        except ValidationError as exc:
            problems.extend(_problems(exc, path, sourcemap, prefix=(str(key),)))
    raise_if(problems)
    return orgs


def _periods(person: PersonIn) -> list[_Period]:
    """
    ``[(start, end, state)]`` newest first: the current state from the newest ``before`` date on, then each
    ``before`` entry applied on top of the later ones, back to the beginning (start None).
    """
    current = person.model_dump(exclude={"before"})
    dates = list(person.before)
    out: list[_Period] = [(dates[0] if dates else None, None, current)]
    state = dict(current)
    for index, when in enumerate(dates):
        state = {**state, **person.before[when].model_dump(exclude_unset=True)}
        out.append((dates[index + 1] if index + 1 < len(dates) else None, when, state))
    return out


def _merge(spans: Iterable[_Span]) -> list[_Span]:
    """Merge ``(start, end)`` spans that touch (oldest first); None is open-ended."""
    merged: list[_Span] = []
    for start, end in sorted(spans, key=lambda s: (s[0] is not None, s[0] or date.min)):
        if merged and merged[-1][1] is not None and start is not None and merged[-1][1] >= start:
            last_start, last_end = merged[-1]
            assert last_end is not None  # merged[-1][1], tested just above
            merged[-1] = (last_start, None if end is None else max(last_end, end))
        elif merged and merged[-1][1] is None:
            continue
        else:
            merged.append((start, end))
    return merged


def people_snapshot(path: str, data: object, sourcemap: SourceMap, *, registry: RegistryView | None = None,
                    orgs_path: str | None = None) -> RegistrySnapshot:
    """
    Validate a loaded people.yaml (and its orgs.yaml) and turn it into a snapshot.
    """
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(field="", message="people.yaml maps GitHub logins to people", file=path,
                                        line=1)])
    orgs_path = orgs_path or find_orgs_file(path)
    if orgs_path is None:
        raise ValidationFailed([Problem(field="", message="no orgs.yaml beside this people.yaml: institutions cannot "
                                                          "be resolved", file=path, line=1)])
    orgs = load_orgs(orgs_path)
    org_slugs = {key: slugify(key) for key in orgs}
    problems: list[Problem] = []
    people: dict[str, PersonIn] = {}
    seen_logins: dict[str, str] = {}
    for login, value in data.items():
        login = str(login)
        loc = (login,)
        try:
            github_login(login)
        except ValueError as exc:
            problems.append(Problem(field=login, message=str(exc), file=path, line=sourcemap.line_for(loc)))
            continue
        if login.lower() in seen_logins:
            problems.append(Problem(field=login, message=f"listed twice (also as {seen_logins[login.lower()]})",
                                    file=path, line=sourcemap.line_for(loc)))
            continue
        seen_logins[login.lower()] = login
        try:
            people[login] = PersonIn.model_validate(value or {})
        except ValidationError as exc:
            problems.extend(_problems(exc, path, sourcemap, prefix=loc))
            continue
        dates = list(people[login].before)
        for newer, older in zip(dates, dates[1:], strict=False):  # each before: entry goes further back in time
            if older >= newer:
                where: tuple[str, ...] = loc + ("before", older.isoformat())  # a place in the file (as below)
                problems.append(Problem(field=field_path(where), message=f"before: dates must go from the newest to "
                                                                         f"the oldest; {older} comes after {newer}",
                                        file=path, line=sourcemap.line_for(where)))
    for login, person in people.items():
        for _start, end, state in _periods(person):
            institution = state.get("institution")
            if state.get("agreement") == "institution":
                where = (login,) if end is None else (login, "before", end.isoformat())
                if not institution:
                    problems.append(Problem(field=field_path(where + ("institution",)),
                                            message="agreement: institution needs an institution", file=path,
                                            line=sourcemap.line_for(where)))
                elif institution not in orgs:
                    problems.append(Problem(
                        field=field_path(where + ("institution",)),
                        message=f"unknown institution {institution!r}: not in {Path(orgs_path).name} "
                                f"({', '.join(sorted(orgs))})",
                        file=path, line=sourcemap.line_for(where + ("institution",)),
                    ))
    raise_if(problems)
    resolver = NameResolver(registry)
    robots, bystanders, institution_only = [], [], []
    committers: list[CommitterSpec] = []
    used_orgs: dict[str, str] = {}  # organization slug -> institution, for institutions orgs.yaml does not list
    for login, person in people.items():
        if person.is_robot:
            robots.append(login)
            continue
        periods = _periods(person)
        if not any(isinstance(state.get("committer"), dict) for _s, _e, state in periods):
            bystanders.append(login)
            continue
        spec = _committer(login, person, periods, resolver, path, sourcemap, problems, orgs, org_slugs, used_orgs)
        if spec is not None:
            committers.append(spec)
            if not any(a.kind == "individual" for a in spec.agreements):
                institution_only.append(login)
    raise_if(problems)
    organizations = []
    for key, org in orgs.items():
        agreements = (AgreementSpec(kind="entity", signed_on=UNDATED_AGREEMENT_DATE),) if org.agreement == \
            "institution" else ()
        organizations.append(OrganizationSpec(slug=org_slugs[key], name=org.name or key,
                                              openedx_provider=org.contractor, agreements=agreements))
    for slug, name in used_orgs.items():
        if slug not in {o.slug for o in organizations}:
            organizations.append(OrganizationSpec(slug=slug, name=name))
    notes = []
    if robots:
        notes.append(f"{path}: skipped {len(robots)} robot(s): {', '.join(robots)}")
    if bystanders:
        notes.append(f"{path}: {len(bystanders)} people were never committers and are not recorded: "
                     f"{', '.join(bystanders)}")
    if institution_only:
        notes.append(f"{path}: {', '.join(institution_only)}: covered by an institution's entity agreement only; "
                     "an individual agreement is also needed for them to be effective")
    notes.append(f"{path}: people.yaml gives no signing dates; agreements in force since the start of its history "
                 f"are recorded as signed on {UNDATED_AGREEMENT_DATE}")
    return RegistrySnapshot(source=path, organizations=tuple(organizations), committers=tuple(committers),
                            notes=tuple(notes))


def _committer(login: str, person: PersonIn, periods: list[_Period], resolver: NameResolver, path: str,
               sourcemap: SourceMap, problems: list[Problem], orgs: dict[str, OrgIn], org_slugs: dict[str, str],
               used_orgs: dict[str, str]) -> CommitterSpec | None:
    rights: dict[tuple[str, tuple[str, ...]], list[_Span]] = {}
    individual_spans = []
    for start, end, state in periods:
        where = (login,) if end is None else (login, "before", end.isoformat())
        if state.get("agreement") == "individual":
            individual_spans.append((start, end))
        committer = state.get("committer")
        if not isinstance(committer, dict):
            continue
        branches = tuple(committer.get("branches") or ())
        targets = [(f"{org}/*", ("committer", "orgs", i)) for i, org in enumerate(committer.get("orgs") or ())]
        targets += [(repo, ("committer", "repos", i)) for i, repo in enumerate(committer.get("repos") or ())]
        for name, loc in targets:
            resolved, error = resolver.resolve(name, allow_owner_pattern=True)
            if error:
                problems.append(Problem(field=field_path(where + loc), message=error, file=path,
                                        line=sourcemap.line_for(where + loc)))
                continue
            assert resolved is not None  # NameResolver.resolve gives either a name or the reason it is not one
            rights.setdefault((resolved, branches), []).append((start, end))
    specs = []
    for (repository, branches), spans in rights.items():
        for start, end in _merge(spans):
            specs.append(RightSpec(repository=repository, branches=branches,
                                   valid_from=start_of_day(start) if start else None,
                                   valid_until=start_of_day(end) if end else None))
    committer_spans = _merge([(s, e) for s, e, state in periods if isinstance(state.get("committer"), dict)])
    current = periods[0][2]
    agreements = tuple(
        AgreementSpec(kind="individual", signed_on=start or UNDATED_AGREEMENT_DATE, expires_on=end)
        for start, end in _merge(individual_spans)
    )
    institution = current.get("institution")
    organization = None
    if institution:
        organization = org_slugs.get(institution) or slugify(institution)
        if institution not in orgs:
            used_orgs[organization] = institution
    champions = tuple(ChampionSpec(name=c, github_username=c)
                      for c in dict.fromkeys((current.get("committer") or {}).get("champions") or ()))
    first, last = committer_spans[0][0], committer_spans[-1][1]
    return CommitterSpec(
        github_username=login,
        name=person.name,
        email=person.email,
        organization=organization,
        status="active",
        status_since=start_of_day(first) if first else None,
        status_until=start_of_day(last) if last else None,
        agreements=agreements,
        champions=champions,
        rights=tuple(specs),
    )


__all__ = ["UNDATED_AGREEMENT_DATE", "find_orgs_file", "load_orgs", "looks_like_orgs", "looks_like_people",
           "people_snapshot"]
