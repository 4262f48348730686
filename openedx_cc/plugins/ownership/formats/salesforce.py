"""
The openedx-webhooks ``salesforce-export.csv`` format (docs/reference/roster-format.rst): the CSV that replaced
people.yaml in 2023, and its older 7-column form.

Columns: ``First Name``, ``Last Name``, ``Number of Active Ind. CLA Contracts``, ``Title``, ``Account Name``,
``Number of Active Entity CLA Contracts``, ``GitHub Username`` and, in the 8-column export, ``Is Core
Contributor``. A person flagged ``1`` becomes an active Core Committer *without repository scope* (the export has
none; rights come from a roster or the admin). Active CLA counts give an individual agreement to the person and an
entity agreement to their account (organization); the export gives no dates, so they are recorded as signed on
``UNDATED_AGREEMENT_DATE``. The 7-column export has no flag: it only refreshes the agreements and organizations of
people already in the registry.
"""
from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from openedx_cc.lib.errors import Problem, ValidationFailed
from openedx_cc.lib.formats import github_login, raise_if
from openedx_cc.plugins.ownership.formats.common import slugify
from openedx_cc.plugins.ownership.formats.people import UNDATED_AGREEMENT_DATE
from openedx_cc.plugins.ownership.snapshot import AgreementSpec, CommitterSpec, OrganizationSpec, RegistrySnapshot

if TYPE_CHECKING:
    from openedx_cc.plugins.ownership.selectors import RegistryView

BASE_COLUMNS = ["First Name", "Last Name", "Number of Active Ind. CLA Contracts", "Title", "Account Name",
                "Number of Active Entity CLA Contracts", "GitHub Username"]
FLAG = "Is Core Contributor"
NO_ACCOUNT = {"", "individual contributors"}


def looks_like_salesforce(text: str) -> bool:
    """Whether a text starts with the export's header."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return first.startswith('"First Name"') or first.startswith("First Name,")


def _count(value: str, column: str, line: int, path: str, problems: list[Problem]) -> int:
    value = (value or "").strip()
    if not value:
        return 0
    try:
        number = int(float(value))
    except ValueError:
        problems.append(Problem(field=column, message=f"{value!r} is not a number", file=path, line=line))
        return 0
    if number < 0:
        problems.append(Problem(field=column, message=f"{value!r} is negative", file=path, line=line))
    return number


def salesforce_snapshot(path: str, text: str, *, registry: RegistryView | None = None) -> RegistrySnapshot:
    """
    Validate a Salesforce export and turn it into a snapshot.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ValidationFailed([Problem(field="header", message="the file is empty", file=path, line=1)]) from exc
    if header == BASE_COLUMNS + [FLAG]:
        flagged = True
    elif header == BASE_COLUMNS:
        flagged = False
    else:
        expected = ", ".join(f'"{c}"' for c in BASE_COLUMNS + [FLAG])
        raise ValidationFailed([Problem(field="header", message=f"expected the columns {expected} (or the first "
                                                                f"seven of them), got {', '.join(header)}",
                                        file=path, line=1)])
    problems: list[Problem] = []
    committers: list[CommitterSpec] = []
    organizations: dict[str, OrganizationSpec] = {}
    not_flagged: list[str] = []  # GitHub logins
    unknown: list[str] = []
    known = registry.committer_logins() if registry is not None else set()
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(field="row", message=f"has {len(row)} columns, the header {len(header)}",
                                    file=path, line=line))
            continue
        values = dict(zip(header, row, strict=True))
        login = values["GitHub Username"].strip()
        try:
            github_login(login)
        except ValueError as exc:
            problems.append(Problem(field="GitHub Username", message=str(exc), file=path, line=line))
            continue
        if login.lower() in seen:
            problems.append(Problem(field="GitHub Username", message=f"{login} is listed twice (also line "
                                                                     f"{seen[login.lower()]})", file=path, line=line))
            continue
        seen[login.lower()] = line
        individual = _count(values["Number of Active Ind. CLA Contracts"], "Number of Active Ind. CLA Contracts",
                            line, path, problems)
        entity = _count(values["Number of Active Entity CLA Contracts"], "Number of Active Entity CLA Contracts",
                        line, path, problems)
        flag = values.get(FLAG, "").strip()
        if flagged and flag not in {"0", "1", ""}:
            problems.append(Problem(field=FLAG, message=f"expected 1 or 0, got {flag!r}", file=path, line=line))
            continue
        account = values["Account Name"].strip()
        organization = None
        if account.lower() not in NO_ACCOUNT:
            organization = slugify(account)
            org = organizations.get(organization)
            agreements = (AgreementSpec(kind="entity", signed_on=UNDATED_AGREEMENT_DATE),) if entity else ()
            if org is None or (agreements and not org.agreements):
                organizations[organization] = OrganizationSpec(slug=organization, name=account,
                                                               agreements=agreements or (org.agreements if org else ()))
        is_cc = flag == "1" if flagged else login.lower() in known
        if not is_cc:
            (not_flagged if flagged else unknown).append(login)
            continue
        name = " ".join(part for part in (values["First Name"].strip(), values["Last Name"].strip()) if part)
        committers.append(CommitterSpec(
            github_username=login,
            name=name or login,
            organization=organization,
            status="active",
            # no dates, and a CRM's account is not the program's record: an existing CC keeps status and organization
            keep_if_registered=("status", "status_since", "status_until", "organization"),
            agreements=(AgreementSpec(kind="individual", signed_on=UNDATED_AGREEMENT_DATE),) if individual else (),
        ))
    raise_if(problems)
    notes = []
    if flagged:
        notes.append(f"{path}: {len(committers)} people flagged '{FLAG}' recorded as active Core Committers with no "
                     "repository scope (the export has none; give them rights in a roster or the admin)")
        if not_flagged:
            notes.append(f"{path}: {len(not_flagged)} people not flagged are not recorded")
    else:
        notes.append(f"{path}: the older export has no '{FLAG}' column: only the {len(committers)} people already "
                     f"in the registry were updated; {len(unknown)} others are not recorded")
    notes.append(f"{path}: the export gives no signing dates; agreements are recorded as signed on "
                 f"{UNDATED_AGREEMENT_DATE}")
    return RegistrySnapshot(source=path, organizations=tuple(organizations.values()), committers=tuple(committers),
                            notes=tuple(notes), not_prunable="a Salesforce export carries no rights, champions or "
                                                              "dated agreements: it cannot be the whole registry")
