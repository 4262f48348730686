"""
The ``openedx-cc-roster/v1`` format (docs/reference/roster-format.rst), in YAML or TOML.

``parse_roster`` validates the whole document -- its schema first, then its references (organizations, repositories
and their aliases, extensions, duplicates) -- and returns a ``RegistrySnapshot``, or raises ``ValidationFailed`` with
every problem, each naming the file, the line and the field.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from openedx_cc.lib.errors import Problem, ValidationFailed, field_path
from openedx_cc.lib.formats import problems_from_pydantic, raise_if
from openedx_cc.lib.sourcemap import Location, SourceMap, load_document
from openedx_cc.lib.timeutil import start_of_day
from openedx_cc.plugins.ownership.formats.common import NameResolver
from openedx_cc.plugins.ownership.formats.roster_schema import (
    FORMAT,
    AgreementIn,
    CommitterIn,
    OrganizationIn,
    RepositoryIn,
    RosterIn,
)
from openedx_cc.plugins.ownership.scopes import scope_key
from openedx_cc.plugins.ownership.snapshot import (
    AgreementSpec,
    ChampionSpec,
    CommitterSpec,
    ExtensionSpec,
    OrganizationSpec,
    PhaseSpec,
    RegistrySnapshot,
    RepositorySpec,
    RightSpec,
)

if TYPE_CHECKING:
    from openedx_cc.plugins.ownership.selectors import RegistryView

PROGRAM_START = datetime(1970, 1, 1, tzinfo=timezone.utc)


def is_roster(data: object) -> bool:
    """Whether a loaded document declares the roster format."""
    return isinstance(data, dict) and data.get("format") == FORMAT


def parse_roster(text: str, *, filename: str, kind: str = "yaml",
                 registry: RegistryView | None = None) -> RegistrySnapshot:
    """
    Validate a roster document and return its snapshot. ``registry`` answers referential questions about what is
    already recorded (see ``RegistryView``); ``None`` means an empty registry.
    """
    data, sourcemap = load_document(text, kind, filename)
    return roster_snapshot(data, sourcemap=sourcemap, filename=filename, registry=registry)


def roster_snapshot(
    data: object, *, sourcemap: SourceMap, filename: str, registry: RegistryView | None = None
) -> RegistrySnapshot:
    """
    Validate loaded roster data (see ``parse_roster``).
    """
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(field="", message="a roster is a mapping with a 'format' key", file=filename,
                                        line=1)])
    default_owner = data.get("default_repository_owner")
    context = {"default_owner": default_owner if isinstance(default_owner, str) else None}
    try:
        roster = RosterIn.model_validate(data, context=context)
    except ValidationError as exc:
        # Every problem of the file at once (docs/decisions/0012): the schema's, then the references of every item that
        # passes the schema alone (duplicates, unknown organizations...), each with its own index and line.
        problems = problems_from_pydantic(exc, filename=filename, sourcemap=sourcemap)
        part = _schema_valid_part(data, context)
        if part is not None:
            valid, index_map, invalid = part
            try:
                _Resolver(valid, filename=filename, sourcemap=sourcemap, registry=registry, index_map=index_map,
                          invalid=invalid).snapshot()
            except ValidationFailed as referential:
                problems += referential.problems
        problems.sort(key=lambda problem: problem.line or 0)
        raise ValidationFailed(problems) from exc
    return _Resolver(roster, filename=filename, sourcemap=sourcemap, registry=registry).snapshot()


_ITEM_MODELS: dict[str, type[BaseModel]] = {
    "organizations": OrganizationIn, "committers": CommitterIn, "repositories": RepositoryIn,
}


def _schema_valid_part(
    data: dict[str, Any], context: dict[str, Any]
) -> tuple[RosterIn, dict[str, list[int]], dict[str, list[Any]]] | None:
    """
    The roster made of the items that pass the schema on their own: ``(roster, index_map, invalid)``, where
    ``index_map[list][i]`` is the index in the file of the i-th kept item and ``invalid[list]`` the items left out;
    None when the file's top level itself is broken.
    """
    top = {key: value for key, value in data.items() if key not in _ITEM_MODELS}
    kept: dict[str, list[Any]] = {}  # the items as written in the file
    index_map: dict[str, list[int]] = {}
    invalid: dict[str, list[Any]] = {}
    for name, model in _ITEM_MODELS.items():
        items = data.get(name) or []
        if not isinstance(items, list):
            return None
        kept[name], index_map[name], invalid[name] = [], [], []
        for index, item in enumerate(items):
            try:
                model.model_validate(item, context=context)
            except ValidationError:
                invalid[name].append(item)
                continue
            kept[name].append(item)
            index_map[name].append(index)
    try:
        return RosterIn.model_validate({**top, **kept}, context=context), index_map, invalid
    except ValidationError:
        return None


class _Resolver:
    """
    Referential validation of a schema-valid roster, and its conversion to a snapshot.
    """

    def __init__(self, roster: RosterIn, *, filename: str, sourcemap: SourceMap, registry: RegistryView | None,
                 index_map: dict[str, list[int]] | None = None, invalid: dict[str, list[Any]] | None = None) -> None:
        self.roster = roster
        # When the roster holds only the items that passed the schema: where each kept item is in the file, and
        # what was left out (a reference to a left-out organization or extension is not reported as unknown).
        self.index_map = index_map or {}
        invalid = invalid or {}
        self.unchecked_organizations = {str(item.get("slug", "")).lower() for item in invalid.get("organizations", [])
                                        if isinstance(item, dict)}
        self.repositories_incomplete = bool(invalid.get("repositories"))
        self.filename = filename
        self.sourcemap = sourcemap
        self.registry = registry
        self.problems: list[Problem] = []
        self.file_aliases: dict[str, str] = {}
        self._resolver: NameResolver | None = None  # made once the file's aliases are known

    def index_of(self, list_name: str, index: int) -> int:
        """The index in the file of the ``index``-th item of ``list_name`` that this resolver holds."""
        return self.index_map[list_name][index] if list_name in self.index_map else index

    def file_loc(self, loc: Location) -> Location:
        """``loc`` with the index of its item as it is in the file."""
        if len(loc) > 1 and isinstance(loc[1], int):
            # every location of this module starts with the name of a top-level list (committers, repositories...)
            assert isinstance(loc[0], str)
            return (loc[0], self.index_of(loc[0], loc[1])) + loc[2:]
        return loc

    def problem(self, loc: Location, message: str) -> None:
        loc = self.file_loc(loc)
        self.problems.append(
            Problem(field=field_path(loc), message=message, file=self.filename, line=self.sourcemap.line_for(loc))
        )

    def resolve(self, name: str, loc: Location) -> str | None:
        if self._resolver is None:
            self._resolver = NameResolver(self.registry, self.file_aliases)
        resolved, error = self._resolver.resolve(name)
        if error:
            self.problem(loc, error)
        return resolved

    def snapshot(self) -> RegistrySnapshot:
        repositories = self._repositories()
        organizations, org_slugs = self._organizations()
        committers = self._committers(org_slugs, repositories)
        phases = self._phases()
        raise_if(self.problems)
        notes = tuple(
            f"{self.filename}: organization {org.slug} is an Open edX provider without an entity agreement; "
            "its Core Committers are not effective until it has one"
            for org in organizations if org.openedx_provider and not org.agreements
        )
        return RegistrySnapshot(
            source=self.filename,
            organizations=tuple(organizations),
            committers=tuple(committers),
            repositories=tuple(repositories.values()),
            phases=tuple(phases),
            notes=notes,
        )

    def _repositories(self) -> dict[str, RepositorySpec]:
        for i, repo in enumerate(self.roster.repositories):
            for j, alias in enumerate(repo.aliases):
                if alias.endswith("/*"):
                    self.problem(("repositories", i, "aliases", j), "an alias names one repository, not owner/*")
                    continue
                self.file_aliases[alias.lower()] = repo.name
        out: dict[str, RepositorySpec] = {}
        where: dict[str, int] = {}
        for i, repo in enumerate(self.roster.repositories):
            loc = ("repositories", i, "name")
            if repo.name.endswith("/*"):
                self.problem(loc, "name one repository here, not owner/*")
                continue
            if repo.name.lower() in self.file_aliases:
                self.problem(loc, f"{repo.name} is also listed as an alias of {self.file_aliases[repo.name.lower()]}")
                continue
            name = self.resolve(repo.name, loc)
            if name is None:
                continue
            if name.lower() in out:
                first = self.index_of("repositories", where[name.lower()])
                self.problem(loc, f"{name} is listed twice (also repositories[{first}])")
                continue
            seen_ext: dict[str, int] = {}
            for j, ext in enumerate(repo.extensions):
                if ext.name.lower() in seen_ext:
                    self.problem(("repositories", i, "extensions", j, "name"),
                                 f"extension {ext.name} is listed twice in {name}")
                seen_ext[ext.name.lower()] = j
            where[name.lower()] = i
            out[name.lower()] = RepositorySpec(
                full_name=name,
                aliases=tuple(a for a in repo.aliases if not a.endswith("/*")),
                extensions=tuple(ExtensionSpec(name=e.name, path=e.path) for e in repo.extensions),
            )
        return out

    def _organizations(self) -> tuple[list[OrganizationSpec], set[str]]:
        organizations: list[OrganizationSpec] = []
        seen: dict[str, int] = {}
        for i, org in enumerate(self.roster.organizations):
            key = org.slug.lower()
            if key in seen:
                first = self.index_of("organizations", seen[key])
                self.problem(("organizations", i, "slug"), f"organization {org.slug} is listed twice "
                                                           f"(also organizations[{first}])")
                continue
            seen[key] = i
            agreements: tuple[AgreementSpec, ...] = ()
            if org.entity_agreement is not None:
                agreements = (_agreement("entity", org.entity_agreement),)
            organizations.append(
                OrganizationSpec(slug=org.slug, name=org.name, openedx_provider=org.openedx_provider,
                                 agreements=agreements)
            )
        known = set(seen) | (self.registry.organization_slugs() if self.registry else set())
        return organizations, known

    def _committers(self, org_slugs: set[str], repositories: dict[str, RepositorySpec]) -> list[CommitterSpec]:
        committers: list[CommitterSpec] = []
        seen: dict[str, int] = {}
        declared_extensions = {
            (key, ext.name.lower()): ext for key, repo in repositories.items() for ext in repo.extensions
        }
        for i, person in enumerate(self.roster.committers):
            loc = ("committers", i)
            key = person.github.lower()
            if key in seen:
                self.problem(loc + ("github",), f"GitHub login {person.github} is listed twice "
                                                f"(also committers[{self.index_of('committers', seen[key])}])")
                continue
            seen[key] = i
            if person.organization and person.organization.lower() not in org_slugs | self.unchecked_organizations:
                self.problem(loc + ("organization",), f"unknown organization {person.organization!r}: it is neither "
                                                      "in this file's organizations nor in the registry")
            since = start_of_day(person.since) if person.since else None
            rights = self._rights(person, loc, since, declared_extensions)
            agreements = tuple(
                _agreement(kind, value)
                for kind, value in (("individual", person.agreements.individual), ("nda", person.agreements.nda))
                if value is not None
            )
            champions, seen_champions = [], set()
            for j, champion in enumerate(person.champions):
                if champion.name.lower() in seen_champions:
                    self.problem(loc + ("champions", j), f"champion {champion.name} is listed twice")
                    continue
                seen_champions.add(champion.name.lower())
                champions.append(ChampionSpec(name=champion.name, email=champion.email,
                                              github_username=champion.github or ""))
            committers.append(
                CommitterSpec(
                    github_username=person.github,
                    name=person.name,
                    email=person.email,
                    organization=person.organization.lower() if person.organization else None,
                    status=person.status,
                    status_since=since,
                    status_until=start_of_day(person.until) if person.until else None,
                    agreements=agreements,
                    champions=tuple(champions),
                    rights=tuple(rights),
                )
            )
        return committers

    def _rights(self, person: CommitterIn, loc: Location, since: datetime | None,
                declared_extensions: dict[tuple[str, str], ExtensionSpec]) -> list[RightSpec]:
        rights: list[RightSpec] = []
        identities: dict[tuple[str, str], Location] = {}

        def add(spec: RightSpec, where: Location) -> None:
            identity = (spec.repository.lower(), scope_key(paths=spec.paths, extension_name=spec.extension,
                                                           branches=spec.branches))
            if identity in identities:
                also = field_path(self.file_loc(identities[identity]))
                self.problem(where, f"duplicate right on {spec.repository} (also {also})")
                return
            identities[identity] = where
            rights.append(spec)

        for j, repo in enumerate(person.repos):
            name = self.resolve(repo, loc + ("repos", j))
            if name is not None:
                add(RightSpec(repository=name, valid_from=since), loc + ("repos", j))
        for j, right in enumerate(person.rights):
            where = loc + ("rights", j)
            name = self.resolve(right.repository, where + ("repository",))
            if name is None:
                continue
            if right.extension:
                if name.endswith("/*"):
                    self.problem(where + ("extension",), "an extension belongs to one repository, not to owner/*")
                    continue
                known = (name.lower(), right.extension.lower()) in declared_extensions or (
                    self.registry is not None and self.registry.has_extension(name, right.extension)
                )
                if not known:
                    if not self.repositories_incomplete:
                        self.problem(where + ("extension",), f"extension {right.extension!r} is not defined in "
                                                             f"{name} (declare it under repositories[].extensions)")
                    continue
            add(
                RightSpec(
                    repository=name,
                    paths=tuple(right.paths),
                    extension=right.extension or "",
                    branches=tuple(right.branches),
                    valid_from=start_of_day(right.valid_from) if right.valid_from else since,
                    valid_until=start_of_day(right.until) if right.until else None,
                ),
                where,
            )
        return rights

    def _phases(self) -> list[PhaseSpec]:
        program = self.roster.program
        if program is None:
            return []
        return [
            PhaseSpec(
                phase=program.phase,
                since=start_of_day(program.since) if program.since else PROGRAM_START,
                require_nda=program.require_nda,
                require_champions=program.require_champions,
            )
        ]


def _agreement(kind: str, value: AgreementIn) -> AgreementSpec:
    return AgreementSpec(kind=kind, signed_on=value.signed, expires_on=value.expires, document_url=value.document)
