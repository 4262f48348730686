"""
Benchmarks of openedx-cc, measured side by side in one run on SQLite and on MySQL (MariaDB). Not a test: it prints
figures and ratios; the tests assert behaviour and query counts.

    python bench/run.py                 # both databases (make bench)
    python bench/run.py --db sqlite     # one of them (or postgresql, which "both" leaves out)
    python bench/run.py --quick         # a smaller registry, to check that the benchmark itself runs
    python bench/run.py --only check,backstage,dora    # some of the benchmarks (BENCHMARKS, and reporter)
    python bench/run.py --db mysql --db-name my_bench  # the database dropped and created (MySQL, PostgreSQL)

Each database runs in its own process (Django settings are per process) on a fresh database (MySQL and PostgreSQL:
``--db-name``, ``openedx_cc_bench`` by default, dropped and created again):

* **ownership check** -- the median time of ``check_ownership`` against the median of one hand-written SQL query
  returning the same ``allowed`` answer (``bench/baselines.py``), over the same questions, interleaved, on the
  foundation registry (10,000 CCs, 2,000 repositories, 10,000 extensions, 100,000 rights); both must agree on
  every question. Beside it, the check with no ``OwnershipCheckRequested`` step configured against the check with
  the filter hook stubbed out (the check before the filter existed), interleaved; target within 10%.
* **Backstage** -- ``entities.yaml`` of the same registry against its rows written to YAML directly
  (``bench/backstage.py``); target under 2x, constant queries.
* **deployments** -- a release deploy of 1,000 changes (300 by CCs of the registry): ``record_deployment`` against
  ``bulk_create`` of the same rows alone, and its 300 events published to Redis through openedx-cc against the
  event-bus producer called directly (``bench/deployments.py``); needs Redis on 127.0.0.1:6379.
* **metrics** -- the metrics computation over 100,000 recorded presences of changes, beside a hand-written SQL
  aggregation of the headline change failure rates (``bench/metrics.py``); recorded, no target. And the five DORA
  figures over 20,000 deployments and 100,000 presences beside hand-written SQL of the same (target: at most 3
  times as long).
* **GitHub intake** -- a ``deployment_status`` over 2,000 commits and 500 pull requests against a report of the same
  500 changes; on MySQL, 1,000 webhook deliveries by 8 senders to a server process, beside 1,000 reports, with the
  deliveries processed in process and queued to Celery (``bench/github.py``); needs Redis on 127.0.0.1:6379.
* **roster import** -- a 5,000-committer roster: time and queries of the first import (and per batch), and of the
  no-change re-import, which must write nothing.
* **people.yaml and catalog-info import** -- a 5,000-person people.yaml (with history) and 300 catalog-info.yaml
  files in one ``cc_import``: the same figures.
* **hub** -- the community hub (``bench/hub.py``): a batch of 500 events ingested beside ``bulk_create`` of the same
  rows (target at most 2x, constant queries); 10,000 events forwarded to a hub server process beside a plain HTTP
  client (throughput ratio at least 0.5); ``hub/changes/?user=`` over 1,000,000 events of 100 instances (constant
  queries).
* **reporter** -- ``openedx-cc-report --dry-run`` over the whole history of openedx/XBlock against the plain
  ``git log --first-parent --name-only`` it needs (``bench/reporter.py``); target at most 2x. It needs no
  database: it runs once, after the databases, in this process.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpu = cpu or platform.processor()
    return f"{platform.node()} ({cpu}, {os.cpu_count()} cores), Python {platform.python_version()}"


def _setup(db, name):
    os.environ["DJANGO_SETTINGS_MODULE"] = "host.settings"
    os.environ["OPENEDX_CC_HOST_DEBUG"] = "0"
    os.environ["OPENEDX_CC_HOST_DB"] = db
    if db == "sqlite":
        path = ROOT / ".demo" / "bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["OPENEDX_CC_HOST_SQLITE"] = str(path)
    elif db == "mysql":
        import MySQLdb

        os.environ["OPENEDX_CC_HOST_MYSQL_NAME"] = name
        conn = MySQLdb.connect(host="127.0.0.1", user="root", passwd="", port=3306)
        cursor = conn.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        conn.close()
    elif db == "postgresql":
        import psycopg2

        os.environ["OPENEDX_CC_HOST_PG_NAME"] = name
        conn = psycopg2.connect(host=os.environ.get("OPENEDX_CC_HOST_PG_HOST", "127.0.0.1"),
                                port=os.environ.get("OPENEDX_CC_HOST_PG_PORT", "5432"),
                                user=os.environ.get("OPENEDX_CC_HOST_PG_USER", "postgres"), dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8'")
        conn.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _median_us(samples):
    return statistics.median(samples) * 1e6


def bench_check():
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench import baselines, fixtures
    from openedx_cc.plugins.ownership.api import check_ownership

    questions = fixtures.sample_questions(400)
    now = timezone.now()
    answers = [check_ownership(u, r, path=p, at=now).allowed for u, r, p in questions]
    baseline = [baselines.allowed(u, r, p, now) for u, r, p in questions]
    disagreements = sum(a != b for a, b in zip(answers, baseline, strict=True))
    with CaptureQueriesContext(connection) as queries:
        check_ownership(*questions[0][:2], path=questions[0][2], at=now)
    queries_per_check = len(queries)
    reset_queries()
    api_times, sql_times = [], []
    for _round in range(5):
        for user, repo, path in questions:
            start = time.perf_counter()
            check_ownership(user, repo, path=path, at=now)
            api_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            baselines.allowed(user, repo, path, now)
            sql_times.append(time.perf_counter() - start)
    api_us, sql_us = _median_us(api_times), _median_us(sql_times)
    print(f"  ownership check: {len(questions)} questions x 5 rounds, {sum(answers)} allowed, "
          f"{disagreements} disagreements with the hand-written SQL, {queries_per_check} SQL query per check")
    print(f"  ownership check: median check_ownership {api_us:.0f} us, hand-written SQL {sql_us:.0f} us, "
          f"ratio {api_us / sql_us:.2f} (target <= 3)")
    _bench_filter_hook(check_ownership, questions, now)
    return api_us / sql_us, disagreements


def _bench_filter_hook(check_ownership, questions, now):
    """The check with no filter step configured against the check with the hook stubbed out, interleaved."""
    from contextlib import nullcontext
    from unittest import mock

    from openedx_cc.filters import OwnershipCheckRequested

    def timed(stub, user, repo, path):
        with mock.patch.object(OwnershipCheckRequested, "has_pipeline", lambda: False) if stub else nullcontext():
            start = time.perf_counter()
            check_ownership(user, repo, path=path, at=now)
            return time.perf_counter() - start

    hooked, stubbed = [], []
    for round_ in range(6):
        for question in questions:
            # Each question is asked twice in a row and the second ask is faster (warm caches): alternate the order.
            first_stubbed = round_ % 2 == 1
            first = timed(first_stubbed, *question)
            second = timed(not first_stubbed, *question)
            stubbed.append(first if first_stubbed else second)
            hooked.append(second if first_stubbed else first)
    hooked_us, stubbed_us = _median_us(hooked), _median_us(stubbed)
    print(f"  ownership check filter: median with no step configured {hooked_us:.0f} us, with the hook stubbed out "
          f"{stubbed_us:.0f} us, ratio {hooked_us / stubbed_us:.2f} (target <= 1.10)")


def _roster(count, repositories):
    import yaml

    committers = [
        {
            "github": f"roster-user-{i}", "name": f"Roster User {i}", "organization": f"org-{i % 50}",
            "since": "2020-06-01", "agreements": {"individual": "2020-06-01", "nda": "2020-06-01"},
            "champions": ["First Champion", "Second Champion"],
            "repos": [f"repo-{(i * 7 + k) % repositories}" for k in range(3)],
        }
        for i in range(count)
    ]
    organizations = [{"slug": f"org-{i}", "name": f"Organization {i}", "openedx_provider": i % 2 == 0,
                      **({"entity_agreement": "2020-06-01"} if i % 2 == 0 else {})} for i in range(50)]
    return yaml.safe_dump({"format": "openedx-cc-roster/v1", "default_repository_owner": "openedx",
                           "program": {"phase": "pilot", "since": "2020-06-01"},
                           "organizations": organizations, "committers": committers}, sort_keys=False)


def _imports_twice(paths):
    """Import ``paths`` twice, first and no-change re-import; yield label, seconds, queries, writes, report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from openedx_cc.python_api import import_files

    for label in ("first import", "no-change re-import"):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            report = import_files(paths)
            elapsed = time.perf_counter() - start
        writes = sum(1 for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"})
        yield label, elapsed, len(queries), writes, report


def bench_import(count, repositories):
    from openedx_cc.lib.sync import DEFAULT_BATCH_SIZE

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        handle.write(_roster(count, repositories))
        path = handle.name
    try:
        batches = -(-count // DEFAULT_BATCH_SIZE)
        for label, elapsed, queries, writes, report in _imports_twice([path]):
            print(f"  roster import ({count} committers, {batches} batches of {DEFAULT_BATCH_SIZE}): {label}: "
                  f"{elapsed:.2f} s, {queries} queries ({queries / batches:.1f} per batch), "
                  f"{writes} writes, {len(report.changes)} changes, {report.events} events")
    finally:
        os.unlink(path)


def _people_and_catalog(directory: Path, count: int, catalogs: int, repositories: int):
    import yaml

    orgs = {f"Org{i}": {"name": f"Organization {i}", "agreement": "institution" if i % 2 == 0 else "none",
                        "contractor": i % 3 == 0} for i in range(50)}
    people = {}
    for i in range(count):
        person = {"name": f"People User {i}", "email": f"people-user-{i}@example.org",
                  "agreement": "institution" if i % 4 == 0 else "individual", "institution": f"Org{i % 50}",
                  "committer": {"repos": [f"openedx/repo-{(i * 11 + k) % repositories}" for k in range(2)],
                                "champions": ["nedbat", "feanil"]}}
        if i % 4 == 0:
            person["institution"] = f"Org{(i // 4 % 25) * 2}"  # an institution with an entity agreement
        if i % 5 == 0:
            person["before"] = {"2022-01-01": {"committer": {"repos": [f"openedx/repo-{i % repositories}"]}},
                                "2021-01-01": {"committer": False, "agreement": "none"}}
        people[f"people-user-{i}"] = person
    (directory / "orgs.yaml").write_text(yaml.safe_dump(orgs))
    (directory / "people.yaml").write_text(yaml.safe_dump(people, sort_keys=False))
    catalog = directory / "catalog"
    catalog.mkdir()
    for i in range(catalogs):
        (catalog / f"repo-{i}__catalog-info.yaml").write_text(yaml.safe_dump({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": f"repo-{i}", "annotations": {"openedx.org/arch-interest-groups": "feanil"}},
            "spec": {"owner": f"group:committers-repo-{i}", "type": "library", "lifecycle": "production"},
        }))
    return [str(directory / "people.yaml"), str(catalog)]


def bench_people_catalog(count, catalogs, repositories):
    from openedx_cc.lib.sync import DEFAULT_BATCH_SIZE

    with tempfile.TemporaryDirectory() as directory:
        paths = _people_and_catalog(Path(directory), count, catalogs, repositories)
        batches = -(-count // DEFAULT_BATCH_SIZE)
        for label, elapsed, queries, writes, report in _imports_twice(paths):
            print(f"  people.yaml ({count} people) + {catalogs} catalog-info.yaml: {label}: {elapsed:.2f} s, "
                  f"{queries} queries ({queries / batches:.1f} per batch of {DEFAULT_BATCH_SIZE}), "
                  f"{writes} writes, {len(report.changes)} changes")


BENCHMARKS = ("check", "backstage", "deployments", "dora", "metrics", "import", "people", "github", "hub",
              "concurrency")


def child(db, quick, name, only):
    _setup(db, name)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if db == "sqlite" else "SELECT VERSION()")
        version = cursor.fetchone()[0]
    print(f"[{db} {version}]")
    sizes = ({"committers": 1_000, "repositories": 200, "rights": 10_000} if quick
             else {"committers": 10_000, "repositories": 2_000, "rights": 100_000})
    disagreements = 0
    from bench import fixtures

    started = time.perf_counter()
    counts = fixtures.generate(**sizes)  # the registry: the deployments and the imports use it too
    print(f"  registry: {counts} (generated in {time.perf_counter() - started:.1f} s)")
    if "check" in only:
        _ratio, disagreements = bench_check()
    if "backstage" in only:
        from bench import backstage

        backstage.bench(rounds=2 if quick else 5)
    if "deployments" in only:
        from bench import deployments

        deployments.bench_ingestion(rounds=2 if quick else 5)
        deployments.bench_rollbacks()
        deployments.bench_bodies()
        deployments.bench_publishing()
    from bench import metrics

    if "dora" in only:
        metrics.bench_dora(rounds=2 if quick else 5)
    if "metrics" in only:
        metrics.bench(rounds=2 if quick else 5)
    if "import" in only:
        bench_import(500 if quick else 5_000, sizes["repositories"])
    if "people" in only:
        bench_people_catalog(500 if quick else 5_000, 30 if quick else 300, sizes["repositories"])
    if "github" in only:
        from bench import github

        github.bench_range(rounds=1 if quick else 3)
        if db == "mysql":  # the target is for MariaDB; SQLite serializes writers anyway
            github.bench_webhook(db, total=200 if quick else 1_000)
            github.bench_webhook(db, total=200 if quick else 1_000, celery_broker="redis://127.0.0.1:6379/5")
    if "hub" in only:
        from bench import hub

        hub.bench_ingest(rounds=2 if quick else 7)
        hub.bench_forwarding(total=1_000 if quick else 10_000)
        hub.bench_reads(instances=100, events=50_000 if quick else 1_000_000, rounds=2 if quick else 5)
    concurrent_ok = True
    if db == "sqlite" and "concurrency" in only:
        from bench.concurrency import bench_sqlite_concurrency

        concurrent_ok = bench_sqlite_concurrency()
    return 0 if disagreements == 0 and concurrent_ok else 1


def _names(text):
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = names - set(BENCHMARKS) - {"reporter"}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown benchmarks: {', '.join(sorted(unknown))} "
                                         f"(choose among {', '.join(BENCHMARKS)}, reporter)")
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "mysql", "postgresql", "both"], default="both")
    parser.add_argument("--db-name", default="openedx_cc_bench",
                        help="the MySQL or PostgreSQL database the benchmarks drop and create (default: %(default)s)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", type=_names, default=None,
                        help=f"comma-separated benchmarks to run: {', '.join(BENCHMARKS)}, reporter (default: all)")
    parser.add_argument("--child", choices=["sqlite", "mysql", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = args.only if args.only is not None else set(BENCHMARKS) | {"reporter"}
    if args.child:
        return child(args.child, args.quick, args.db_name, only)
    print(f"openedx-cc benchmarks on {_machine()}")
    status = 0
    if only - {"reporter"}:
        for db in (["sqlite", "mysql"] if args.db == "both" else [args.db]):
            command = [sys.executable, __file__, "--child", db, "--db-name", args.db_name, "--only", ",".join(only)]
            status |= subprocess.call(command + (["--quick"] if args.quick else []), cwd=ROOT)
    if "reporter" in only:
        print("[reporter, no database]")
        from bench import reporter

        reporter.bench(rounds=5 if args.quick else 21)
    return status


if __name__ == "__main__":
    sys.exit(main())
