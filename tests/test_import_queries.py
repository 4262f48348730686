"""
A people.yaml and a directory of catalog-info.yaml files imported in one command: the number of queries grows
with the number of batches of people, not with the number of people or of catalog files.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.run import _people_and_catalog
from openedx_cc.plugins.catalog.models import CatalogEntry
from openedx_cc.plugins.ownership.models import Agreement, Champion, CommitRight, CoreCommitter, Organization
from openedx_cc.plugins.ownership.models import Repository
from openedx_cc.python_api import import_files

pytestmark = pytest.mark.django_db


def _queries(tmp_path, people, catalogs):
    for model in (CommitRight, Champion, Agreement, CoreCommitter, Organization, Repository, CatalogEntry):
        model.objects.all().delete()
    directory = tmp_path / f"{people}-{catalogs}"
    directory.mkdir()
    paths = _people_and_catalog(directory, people, catalogs, repositories=40)
    with CaptureQueriesContext(connection) as queries:
        import_files(paths, batch_size=10)
    with CaptureQueriesContext(connection) as again:
        assert not import_files(paths, batch_size=10).changed
    writes = [q for q in again if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    return len(queries), writes


def test_queries_grow_with_batches_only(tmp_path):
    small, writes = _queries(tmp_path, 30, 3)  # every shape of person occurs from 20 people on
    assert writes == []
    larger, _ = _queries(tmp_path, 50, 12)
    largest, _ = _queries(tmp_path, 70, 24)
    per_batch = (larger - small) / 2
    assert per_batch == (largest - larger) / 2, (small, larger, largest)
    assert per_batch < 20
