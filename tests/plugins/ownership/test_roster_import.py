"""
The roster importer (docs/reference/roster-format.rst, format ``openedx-cc-roster/v1``) and the sync engine behind it.
"""
import math
import textwrap

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openedx_cc.python_api import import_files
from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.plugins.eventlog.models import LoggedEvent
from openedx_cc.plugins.ownership import api
from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Organization,
    ProgramPhase,
    Repository,
)
from tests.conftest import PILOT_ROSTER, utc

pytestmark = pytest.mark.django_db

PILOT_REPOS = {
    "ziafazal": {"openedx/openedx-platform"},
    "bradenmacdonald": {"openedx/blockstore", "openedx/xblock", "openedx/xblock-sdk", "openedx/xblock-utils",
                        "openedx/opaque-keys", "openedx/openedx-platform"},
    "regisb": {"openedx/devstack", "openedx/edx-toggles", "openedx/django-config-models", "openedx/edx-django-utils",
               "openedx/code-annotations"},
}


def history_rows():
    return sum(model.history.count() for model in (Organization, CoreCommitter, Agreement, Champion, CommitRight,
                                                   Repository, ProgramPhase))


def write(tmp_path, text, name="roster.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_the_pilot_roster_imports_cleanly(pilot):
    assert CoreCommitter.objects.count() == 9
    assert pilot.counts()["+ committer"] == 9
    for login, repos in PILOT_REPOS.items():
        rights = CommitRight.objects.filter(committer__github_key=login).select_related("repository")
        assert {r.repository.full_name for r in rights} == repos
        assert all(r.valid_from == utc(2020, 6, 1) for r in rights)
    assert CoreCommitter.objects.get(github_key="omarithawi").github_username == "omarIthawi"
    assert ProgramPhase.objects.get().phase == "pilot"
    for login in PILOT_REPOS:
        assert api.check_ownership(login, next(iter(PILOT_REPOS[login]))).allowed


def test_a_second_run_changes_nothing_writes_nothing_and_emits_nothing(pilot):
    before = (history_rows(), LoggedEvent.objects.count())
    with CaptureQueriesContext(connection) as queries:
        report = import_files([str(PILOT_ROSTER)])
    assert not report.changed and report.events == 0
    assert (history_rows(), LoggedEvent.objects.count()) == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_the_first_import_logs_one_ownership_event_per_right(pilot):
    assert pilot.events == CommitRight.objects.count() == LoggedEvent.objects.count()


def test_dry_run_reports_and_writes_nothing(db):
    report = import_files([str(PILOT_ROSTER)], dry_run=True)
    assert report.dry_run and report.counts()["+ right"] == 37
    assert CoreCommitter.objects.count() == 0 and history_rows() == 0 and LoggedEvent.objects.count() == 0


def test_toml_rosters_are_read_like_yaml(tmp_path):

    path = write(tmp_path, """\
        format = "openedx-cc-roster/v1"
        default_repository_owner = "openedx"

        [program]
        phase = "published"
        since = 2023-01-01

        [[organizations]]
        slug = "opencraft"
        name = "OpenCraft"
        openedx_provider = true
        entity_agreement = 2020-06-01

        [[committers]]
        github = "bradenmacdonald"
        name = "Braden MacDonald"
        organization = "opencraft"
        since = 2020-06-01
        agreements = { individual = 2020-06-01 }
        champions = ["Dave Ormsbee", { name = "Kyle McCormick", email = "kyle@example.org" }]
        repos = ["xblock"]

        [[committers.rights]]
        repository = "edx-platform"
        paths = ["openedx/core/djangoapps/content_libraries/"]
        branches = ["master", "release/*"]
        """, "roster.toml")
    report = import_files([path])
    assert report.counts()["+ right"] == 2
    result = api.check_ownership("bradenmacdonald", "openedx/openedx-platform",
                                 path="openedx/core/djangoapps/content_libraries/api.py", branch="release/verawood")
    assert result.allowed, result.reasons
    assert Champion.objects.get(name="Kyle McCormick").email == "kyle@example.org"


BASE = """\
format: openedx-cc-roster/v1
default_repository_owner: openedx
organizations:
  - {slug: opencraft, name: OpenCraft, openedx_provider: true, entity_agreement: 2020-06-01}
repositories:
  - name: openedx/openedx-platform
    extensions:
      - {name: content_libraries, path: openedx/core/djangoapps/content_libraries/}
committers:
  - github: alice
    name: Alice
    organization: opencraft
    since: 2020-06-01
    agreements: {individual: 2020-06-01, nda: 2020-06-01}
    champions: [One, Two]
    repos: [xblock]
"""


@pytest.mark.parametrize(
    "extra, line, field, message",
    [
        ("    favourite_colour: blue\n", 17, "committers[0].favourite_colour", "unknown field"),
        ("    until: 2020-13-01\n", 17, "committers[0].until", "not a real date"),
        ("  - {github: Alice, name: Alice again}\n", 17, "committers[1].github", "GitHub login Alice is listed twice"),
        ("    rights: [{repository: xblock, paths: [../../etc/]}]\n", 17, "committers[0].rights[0].paths[0]",
         "leaves the repository"),
        ("    rights: [{repository: xblock, paths: [/etc/]}]\n", 17, "committers[0].rights[0].paths[0]",
         "absolute path"),
        ("  - {github: bob, name: Bob, agreements: {nda: {signed: 2021-01-01, expires: 2020-01-01}}}\n", 17,
         "committers[1].agreements.nda.expires", "must expire after it is signed"),
        ("  - {github: bob, name: Bob, organization: edunext}\n", 17, "committers[1].organization",
         "unknown organization 'edunext'"),
        ("    rights: [{repository: edx-platform, extension: nope}]\n", 17, "committers[0].rights[0].extension",
         "is not defined in openedx/openedx-platform"),
        ("    rights: [{repository: 'not/a/repo'}]\n", 17, "committers[0].rights[0].repository",
         "not of the form owner/name"),
        ("  - {github: -bad-, name: Bad}\n", 17, "committers[1].github", "not a valid GitHub login"),
        ("    status: retired\n", 17, "committers[0].status", "Input should be 'active', 'emeritus' or 'suspended'"),
        ("    repos: [xblock, XBlock]\n", 17, "committers[0].repos[1]", "duplicate right on openedx/XBlock"),
    ],
)
def test_bad_rosters_name_file_line_and_field_and_write_nothing(tmp_path, extra, line, field, message):
    path = write(tmp_path, BASE + extra)
    if extra.startswith("    repos:"):  # replaces the committer's repos line rather than adding a second key
        path = write(tmp_path, BASE.replace("    repos: [xblock]\n", extra))
        line = 16
    with pytest.raises(ValidationFailed) as info:
        import_files([path])
    problems = info.value.problems
    assert any(p.field == field and message in p.message and p.line == line and p.file == path
               for p in problems), [str(p) for p in problems]
    assert CoreCommitter.objects.count() == 0 and Organization.objects.count() == 0 and history_rows() == 0


def test_every_problem_of_every_file_is_reported_together(tmp_path):
    first = write(tmp_path, BASE + "    colour: red\n", "a.yaml")
    second = write(tmp_path, "format: openedx-cc-roster/v1\ncommitters: [{github: x}]\n", "b.yaml")
    with pytest.raises(ValidationFailed) as info:
        import_files([first, second])
    assert {(p.file, p.field) for p in info.value.problems} == {(first, "committers[0].colour"),
                                                                (second, "committers[0].name")}


def test_a_provider_without_entity_agreement_is_reported_not_refused(tmp_path):
    path = write(tmp_path, BASE.replace(", entity_agreement: 2020-06-01", ""))
    report = import_files([path])
    assert report.notes == [f"{path}: organization opencraft is an Open edX provider without an entity agreement; "
                            "its Core Committers are not effective until it has one"]
    assert not api.check_ownership("alice", "openedx/xblock").allowed


def test_an_unknown_format_is_refused(tmp_path):
    path = write(tmp_path, "just: a mapping\n")
    with pytest.raises(ValidationFailed, match="cannot tell the format"):
        import_files([path])


def test_prune_revokes_what_the_file_no_longer_lists_with_history(tmp_path, pilot):
    rights_before = CommitRight.objects.count()
    smaller = yaml.safe_load(PILOT_ROSTER.read_text())
    smaller["committers"] = [c for c in smaller["committers"] if c["github"] != "regisb"]
    smaller["committers"][0]["champions"] = ["Jeremy Bowman"]
    path = write(tmp_path, yaml.safe_dump(smaller))
    without_prune = import_files([path])
    assert not [c for c in without_prune.changes if c.action == "-"]
    report = import_files([path], prune=True)
    assert report.counts() == {"- right": 5, "- champion": 3}  # regisb's two, and one of ziafazal's
    assert CommitRight.objects.count() == rights_before  # nothing deleted
    regisb = CommitRight.objects.filter(committer__github_key="regisb")
    assert all(r.revoked_at is not None for r in regisb)
    assert all(r.history.filter(history_type="~").exists() for r in regisb)
    assert not api.check_ownership("regisb", "openedx/edx-toggles").allowed
    assert api.check_ownership("regisb", "openedx/edx-toggles", at=utc(2021, 1, 1)).allowed
    assert not api.check_ownership("ziafazal", "openedx/openedx-platform").allowed  # one champion left
    assert not import_files([path], prune=True).changed


def test_changes_are_attributed_in_the_history(tmp_path, django_user_model):
    operator = django_user_model.objects.create_user("operator")
    path = write(tmp_path, BASE)
    import_files([path], actor=operator)
    history = CommitRight.history.get()
    assert history.history_user == operator and history.history_type == "+"
    assert history.history_change_reason.startswith("cc_import")


def _roster(count):
    committers = [
        {"github": f"user-{i}", "name": f"User {i}", "organization": "opencraft", "since": "2020-06-01",
         "agreements": {"individual": "2020-06-01", "nda": "2020-06-01"}, "champions": ["One", "Two"],
         "repos": ["xblock", "opaque-keys"]}
        for i in range(count)
    ]
    return yaml.safe_dump({"format": "openedx-cc-roster/v1", "default_repository_owner": "openedx",
                           "organizations": [{"slug": "opencraft", "name": "OpenCraft"}], "committers": committers})


def _import_queries(tmp_path, count, batch):
    path = write(tmp_path, _roster(count), f"r{count}.yaml")
    with CaptureQueriesContext(connection) as queries:
        import_files([path], batch_size=batch)
    return len(queries)


def test_queries_grow_with_batches_not_with_rows(tmp_path):
    batch = 10
    counts = {}
    for count in (10, 30, 50):
        for model in (CommitRight, Champion, Agreement, CoreCommitter, Organization, Repository, LoggedEvent):
            model.objects.all().delete()
        counts[count] = _import_queries(tmp_path, count, batch)
    per_batch = (counts[30] - counts[10]) / 2
    assert per_batch == (counts[50] - counts[30]) / 2, counts  # a fixed cost per batch of 10 committers
    assert per_batch < 20, counts  # reads, bulk inserts and their history rows; not one query per row
    assert counts[50] == counts[10] + per_batch * (math.ceil(50 / batch) - 1)


def test_the_command_exits_non_zero_and_lists_every_problem(tmp_path, capsys):
    path = write(tmp_path, BASE + "    colour: red\n    until: 1999-01-01\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("cc_import", path)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert f"error: {path}:17: committers[0].colour: unknown field" in err
    assert f"error: {path}:18: committers[0].until: ends on 1999-01-01" in err
    assert "nothing was imported" in err
    assert CoreCommitter.objects.count() == 0


def test_the_command_prints_changes_and_a_summary(tmp_path, capsys):
    call_command("cc_import", str(PILOT_ROSTER), "--dry-run")
    out = capsys.readouterr().out
    assert "+ right bradenmacdonald on openedx/openedx-platform (whole repository, all branches)" in out
    assert "would change" in out and CoreCommitter.objects.count() == 0
    call_command("cc_import", str(PILOT_ROSTER))
    call_command("cc_import", str(PILOT_ROSTER))
    assert "changed nothing; 0 event(s) logged." in capsys.readouterr().out


def test_schema_and_reference_problems_are_reported_in_one_run(tmp_path):
    """
    Hostile input (docs/decisions/0012): a schema error in one committer no longer hides a duplicate and an unknown
    organization elsewhere in the file; each problem keeps its own index and line, in file order, and nothing is
    half-checked (a committer of an organization whose own entry is broken is not also reported as of an unknown one).
    """
    text = BASE + (
        "  - {github: bob, name: Bob, colour: red}\n"
        "  - {github: Alice, name: Alice again}\n"
        "  - {github: carol, name: Carol, organization: nowhere}\n"
        "  - {github: dave, name: Dave, organization: broken}\n"
    )
    text = text.replace("organizations:\n", "organizations:\n  - {slug: broken, name: 7, extra: x}\n", 1)
    path = write(tmp_path, text)
    with pytest.raises(ValidationFailed) as caught:
        import_files([path])
    found = [(p.line, p.field, p.message.split(":")[0]) for p in caught.value.problems]
    assert [field for _line, field, _message in found] == [
        "organizations[0].name", "organizations[0].extra", "committers[1].colour", "committers[2].github",
        "committers[3].organization",
    ], found  # not committers[4].organization: its organization is there, with problems of its own
    assert [line for line, _field, _message in found] == sorted(line for line, _field, _message in found)
    messages = {p.field: p.message for p in caught.value.problems}
    assert messages["committers[2].github"] == "GitHub login Alice is listed twice (also committers[0])"
    assert "unknown organization 'nowhere'" in messages["committers[3].organization"]
    assert CoreCommitter.objects.count() == 0
