"""
The benchmarks' data, written straight into the tables with bulk inserts (deterministic, seeded): the benchmark
registry (10,000 Core Committers in 200 organizations, 2,000 repositories with 10,000 extensions, 100,000 rights and
the agreements and champions that go with them), the questions asked of it, and 100,000 recorded presences of changes
for the metrics. Only this module and ``baselines`` may use the models: what is measured goes through the public API
(``.importlinter``, "bench-public-api").
"""
import random
import uuid
from datetime import date, datetime, timedelta, timezone

from django.db import connection, transaction

from openedx_cc.plugins.deployments.models import Change, DeployedChange, Deployment, DeploymentSpan

from openedx_cc.plugins.ownership.models import (
    Agreement,
    Champion,
    CommitRight,
    CoreCommitter,
    Extension,
    Organization,
    ProgramPhase,
    Repository,
)
from openedx_cc.plugins.ownership.scopes import scope_key

START = datetime(2020, 6, 1, tzinfo=timezone.utc)
PRESENCES_START = datetime(2025, 1, 1, tzinfo=timezone.utc)  # the metrics data


def _analyze():
    """
    PostgreSQL plans by the statistics that ANALYZE gathers, and its autovacuum gathers them only minutes after a bulk
    load: without them it chose plans that ran the DORA benchmark's queries for minutes. The other databases keep
    their statistics as rows come in.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate(*, committers=10_000, repositories=2_000, extensions_per_repo=5, rights=100_000, seed=42, batch=5_000):
    """Fill an empty registry; returns a dict of the counts written."""
    rng = random.Random(seed)
    with transaction.atomic():
        ProgramPhase.objects.create(phase="pilot", since=START)
        orgs = Organization.objects.bulk_create(
            [Organization(slug=f"org-{i}", name=f"Organization {i}", openedx_provider=i % 2 == 0) for i in range(200)],
            batch_size=batch,
        )
        Agreement.objects.bulk_create(
            [Agreement(kind="entity", organization=o, signed_on=date(2020, 1, 1)) for o in orgs if o.openedx_provider],
            batch_size=batch,
        )
        repos = Repository.objects.bulk_create(
            [Repository(full_name=f"openedx/repo-{i}", key=f"openedx/repo-{i}", owner="openedx")
             for i in range(repositories)],
            batch_size=batch,
        )
        exts = Extension.objects.bulk_create(
            [Extension(repository=r, name=f"ext-{j}", path=f"src/ext_{j}/") for r in repos
             for j in range(extensions_per_repo)],
            batch_size=batch,
        )
        people = CoreCommitter.objects.bulk_create(
            [
                CoreCommitter(
                    github_username=f"User-{i}", github_key=f"user-{i}", name=f"User {i}",
                    organization=orgs[i % len(orgs)], status="active", status_since=START,
                )
                for i in range(committers)
            ],
            batch_size=batch,
        )
        agreements = []
        champions = []
        for i, person in enumerate(people):
            agreements.append(Agreement(kind="individual", committer=person, signed_on=date(2020, 6, 1)))
            if i % 10 != 0:  # one in ten has no NDA: not effective in the pilot
                agreements.append(Agreement(kind="nda", committer=person, signed_on=date(2020, 6, 1),
                                            expires_on=date(2030, 1, 1)))
            for k in range(2):
                champions.append(Champion(committer=person, name=f"Champion {i}-{k}"))
        Agreement.objects.bulk_create(agreements, batch_size=batch)
        Champion.objects.bulk_create(champions, batch_size=batch)
        seen = set()
        rows = []
        while len(rows) < rights:
            person = people[rng.randrange(len(people))]
            repo_index = rng.randrange(len(repos))
            repo = repos[repo_index]
            kind = rng.random()
            ext = None
            if kind < 0.2:
                ext = exts[repo_index * extensions_per_repo + rng.randrange(extensions_per_repo)]
            key = scope_key(extension_name=ext.name if ext else "")
            if (person.id, repo.id, key) in seen:
                continue
            seen.add((person.id, repo.id, key))
            until = START + timedelta(days=3650) if kind > 0.9 else None
            rows.append(CommitRight(committer=person, repository=repo, owner="openedx", extension=ext,
                                    scope_key=key, valid_from=START, valid_until=until))
        CommitRight.objects.bulk_create(rows, batch_size=batch)
    _analyze()
    return {
        "committers": len(people), "repositories": len(repos), "extensions": len(exts), "rights": len(rows),
        "agreements": len(agreements) + sum(1 for o in orgs if o.openedx_provider), "champions": len(champions),
    }


def sample_questions(n=200, seed=7):
    """(login, repository, path) questions drawn from the registry: half of them covered by a right."""
    rng = random.Random(seed)
    rights = list(
        CommitRight.objects.select_related("committer", "repository", "extension").order_by("?")[: n // 2]
    )
    questions = []
    for right in rights:
        path = (right.extension.path + "api.py") if right.extension_id else "src/any/file.py"
        questions.append((right.committer.github_username, right.repository.full_name, path))
    count = CoreCommitter.objects.count()
    repos = Repository.objects.count()
    while len(questions) < n:
        questions.append((f"User-{rng.randrange(count)}", f"openedx/repo-{rng.randrange(repos)}", "src/ext_1/x.py"))
    rng.shuffle(questions)
    return questions


def cc_pairs(count, seed=11):
    """(login, repository, path) of effective rights: whole-repository rights of committers with an NDA."""
    rng = random.Random(seed)
    rights = list(
        CommitRight.objects.filter(extension__isnull=True, valid_until__isnull=True,
                                   committer__github_key__startswith="user-")
        .select_related("committer", "repository")
        .order_by("id")[:20_000]
    )
    rng.shuffle(rights)
    pairs = []
    for right in rights:
        number = int(right.committer.github_key.split("-")[1])
        if number % 10 != 0:  # the generator gives one committer in ten no NDA
            pairs.append((right.committer.github_username, right.repository.full_name))
        if len(pairs) == count:
            break
    return pairs


def generate_presences(count=100_000, seed=5, batch=5_000):
    """
    The metrics benchmark's data: ``count`` changes, each deployed once to one of three environments (one presence
    each); some reverted or rolled back.
    """
    rng = random.Random(seed)
    with transaction.atomic():
        deployment = Deployment.objects.create(report_id=f"metrics-bench-{seed}", environment="production",
                                               deployed_at=PRESENCES_START, body_sha256="0" * 64)
        changes = Change.objects.bulk_create([
            Change(repository=f"openedx/repo-{i % 500}", repository_key=f"openedx/repo-{i % 500}",
                   pr_number=i + 1, change_key=f"metrics-bench/{i}", merge_sha=f"{i:040x}", author="a",
                   merged_by="a", merged_at=PRESENCES_START)
            for i in range(count)
        ], batch_size=batch)
        if changes and changes[0].pk is None:
            ids = dict(Change.objects.filter(change_key__startswith="metrics-bench/").values_list("change_key", "id"))
            for change in changes:
                change.pk = ids[change.change_key]
        spans = []
        for i, change in enumerate(changes):
            deployed = PRESENCES_START + timedelta(minutes=rng.randrange(0, 60 * 24 * 600))
            fate = rng.random()
            kind = "revert" if fate < 0.03 else "rollback" if fate < 0.05 else ""
            seconds = rng.randrange(600, 86_400 * 7) if kind else None
            spans.append(DeploymentSpan(
                change=change, environment=("production", "staging", "edge")[i % 3], deployed_by=deployment,
                deployed_at=deployed, release=f"release/r{i % 12}", repository_key=change.repository_key,
                is_cc_change=i % 4 == 0, core_committer=f"user-{i % 200}" if i % 4 == 0 else "",
                removed_at=deployed + timedelta(seconds=seconds) if seconds else None, removed_kind=kind,
                seconds_to_removal=seconds, removed_by=deployment if kind else None,
            ))
        DeploymentSpan.objects.bulk_create(spans, batch_size=batch)
    _analyze()
    return count


DORA_START = datetime(2024, 1, 1, tzinfo=timezone.utc)  # the DORA benchmark's data, before the metrics data


def generate_dora_history(deployments=20_000, spans=100_000, seed=7, batch=5_000):
    """
    The DORA benchmark's data: ``deployments`` deployments over 600 days to three environments (2 % failed attempts,
    3 % rollbacks), and ``spans`` changes, each brought by one of them (one presence each, with its deployed change);
    3 % of the changes are later reverted, 2 % rolled back, by a deployment a little later.
    """
    rng = random.Random(seed)
    environments = ("bench-production", "bench-staging", "bench-edge")
    with transaction.atomic():
        rows = []
        for i in range(deployments):
            fate = rng.random()
            rows.append(Deployment(
                report_id=f"dora-bench-{i}", environment=environments[i % 3], release=f"release/r{i % 12}",
                deployed_at=DORA_START + timedelta(minutes=i * 43 + rng.randrange(0, 40)), body_sha256="0" * 64,
                result="failure" if fate < 0.02 else "success", kind="rollback" if 0.02 <= fate < 0.05 else "deploy"))
        made = Deployment.objects.bulk_create(rows, batch_size=batch)
        if made and made[0].pk is None:
            ids = dict(Deployment.objects.filter(report_id__startswith="dora-bench-").values_list("report_id", "id"))
            for row in made:
                row.pk = ids[row.report_id]
        bringing = [row for row in made if row.result == "success" and row.kind == "deploy"]
        plan = []  # (index of the deployment that brings the change, its fate)
        for _ in range(spans):
            fate = rng.random()
            plan.append((rng.randrange(len(bringing)),
                         "revert" if fate < 0.03 else "rollback" if fate < 0.05 else "",
                         rng.randrange(10, 60 * 24 * 20), rng.randrange(1, 30)))
        changes = Change.objects.bulk_create([
            Change(repository=f"openedx/dora-{i % 300}", repository_key=f"openedx/dora-{i % 300}", pr_number=i + 1,
                   change_key=f"dora-bench/{i}", merge_sha=f"{i + 10**7:040x}", author="a", merged_by="a",
                   merged_at=bringing[index].deployed_at - timedelta(minutes=minutes))
            for i, (index, _kind, minutes, _later) in enumerate(plan)
        ], batch_size=batch)
        if changes and changes[0].pk is None:
            ids = dict(Change.objects.filter(change_key__startswith="dora-bench/").values_list("change_key", "id"))
            for change in changes:
                change.pk = ids[change.change_key]
        span_rows, links = [], []
        for i, (change, (index, kind, _minutes, later)) in enumerate(zip(changes, plan, strict=True)):
            brought = bringing[index]
            remover = bringing[min(index + later, len(bringing) - 1)] if kind else None
            seconds = int((remover.deployed_at - brought.deployed_at).total_seconds()) if remover else None
            span_rows.append(DeploymentSpan(
                change=change, environment=brought.environment, deployed_by=brought, deployed_at=brought.deployed_at,
                release=brought.release, repository_key=change.repository_key, is_cc_change=i % 4 == 0,
                core_committer=f"user-{i % 200}" if i % 4 == 0 else "", removed_by=remover,
                removed_at=remover.deployed_at if remover else None, removed_kind=kind, seconds_to_removal=seconds))
            links.append(DeployedChange(deployment=brought, change=change))
        DeploymentSpan.objects.bulk_create(span_rows, batch_size=batch)
        DeployedChange.objects.bulk_create(links, batch_size=batch)
    _analyze()
    return deployments, spans


def remove_dora_history():
    """Delete the DORA benchmark's data, so that the benchmarks after it measure their own."""
    with transaction.atomic():
        DeploymentSpan.objects.filter(change__change_key__startswith="dora-bench/").delete()
        DeployedChange.objects.filter(change__change_key__startswith="dora-bench/").delete()
        Change.objects.filter(change_key__startswith="dora-bench/").delete()
        Deployment.objects.filter(report_id__startswith="dora-bench-").delete()


def generate_hub_history(*, instances=100, events=1_000_000, changes=50_000, seed=13, batch=10_000):
    """
    A hub's data: ``instances`` instances that sent ``events`` events about ``changes`` changes of 1,000 Core
    Committers (one in ten a removal). One CC has 3 changes, one 600. Returns their logins (few, many).
    """
    from openedx_cc.plugins.hub.models import HubChange, HubEvent, HubInstance

    rng = random.Random(seed)
    few, many = "hub-cc-few", "hub-cc-many"
    with transaction.atomic():
        hub_instances = HubInstance.objects.bulk_create([
            HubInstance(name=f"bench-hub-instance-{i}", secret_salt=f"{i:032x}") for i in range(instances)])
        if hub_instances[0].pk is None:
            hub_instances = list(HubInstance.objects.filter(name__startswith="bench-hub-instance-").order_by("id"))
        change_rows = []
        for j in range(changes):
            login = many if j < 600 else few if j < 603 else f"hub-cc-{j % 1000}"
            change_rows.append(HubChange(
                repository=f"openedx/hub-{j % 500}", repository_key=f"openedx/hub-{j % 500}", pr_number=j + 1,
                merge_sha=f"{j:040x}", title=f"feat: change {j}",
                url=f"https://github.com/openedx/hub-{j % 500}/pull/{j}",
                core_committer=login, core_committer_key=login, merged_at=START,
                first_reported_at=START + timedelta(minutes=j)))
        made = HubChange.objects.bulk_create(change_rows, batch_size=batch)
        if made[0].pk is None:
            made = list(HubChange.objects.order_by("id"))
    classes = ("production", "staging", "other")
    for start in range(0, events, batch):
        rows = []
        for k in range(start, min(start + batch, events)):
            removed = rng.random() < 0.1
            deployed_at = START + timedelta(minutes=k)
            rows.append(HubEvent(
                instance=hub_instances[k % instances], event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                kind="reverted" if removed else "deployed", change=made[rng.randrange(changes)],
                environment_class=classes[k % 3], time=deployed_at, deployed_at=deployed_at,
                revert_kind=("revert" if k % 2 else "rollback") if removed else "",
                reverted_at=deployed_at + timedelta(hours=1) if removed else None, received_at=deployed_at))
        with transaction.atomic():
            HubEvent.objects.bulk_create(rows, batch_size=batch)
    return few, many
