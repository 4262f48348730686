"""
Migrations move an existing database forward (and back) without losing rows, on each database of the suite.
"""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([("openedx_cc", target)])
    executor.loader.build_graph()
    return executor.loader.project_state([("openedx_cc", target)]).apps


def test_exact_ids_and_environments_keep_every_row():
    old_apps = _migrate("0008_environment_lock")
    Deployment = old_apps.get_model("openedx_cc", "Deployment")  # noqa: N806  a historical model
    Deployment.objects.create(report_id="Lms-Prod.1", environment="Production", deployed_at="2026-11-25T10:00:00Z",
                              body_sha256="0" * 64, result={"kept": True})
    new_apps = _migrate("0009_exact_ids_and_environments")
    Deployment = new_apps.get_model("openedx_cc", "Deployment")  # noqa: N806
    row = Deployment.objects.get()
    assert (row.report_id, row.environment, row.result) == ("Lms-Prod.1", "Production", {"kept": True})
    assert not Deployment.objects.filter(report_id="lms-prod.1").exists()  # exact from now on, on every database
    old_apps = _migrate("0008_environment_lock")  # and back
    assert old_apps.get_model("openedx_cc", "Deployment").objects.count() == 1
    _migrate_to_latest()
    assert new_apps.get_model("openedx_cc", "Deployment").objects.count() == 1


def _migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
