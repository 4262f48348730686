"""
Every row the admin can show names itself (inline rows, history, related links): never Django's "DeployedChange
object (32)".
"""
import re

import pytest
from django.apps import apps

from tests.scripted import record_history

pytestmark = pytest.mark.django_db


def test_every_recorded_row_has_a_readable_label(pilot, enabled):
    record_history()
    seen = 0
    for model in apps.get_app_config("openedx_cc").get_models():
        if not model._meta.managed:
            continue
        row = model.objects.order_by("pk").first()
        if row is None:
            continue
        seen += 1
        assert not re.fullmatch(r".* object \(\d+\)", str(row)), f"{model.__name__}: {row}"
    assert seen > 10


def test_a_deployed_change_names_the_change_and_the_deployment(pilot, enabled):
    record_history()
    row = apps.get_model("openedx_cc", "DeployedChange").objects.get(change__pr_number=101)
    assert str(row) == "openedx/openedx-platform#101 in prod-08-10"
