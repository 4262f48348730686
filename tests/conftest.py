"""
Shared fixtures. The suite runs in the host service of ``host/`` (``host.test_settings``), which loads openedx-cc
through the Open edX plugin mechanism only.
"""
from datetime import datetime, timezone
from pathlib import Path

import pytest
from edx_django_utils.cache import RequestCache
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.lib.toggles import ENABLED
from openedx_cc.plugins.eventlog.toggles import EMIT_EVENTS

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "real"
PILOT_ROSTER = FIXTURES / "pilot-roster.yaml"


def utc(*args):
    """``datetime(*args)`` in UTC."""
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _clear_request_cache():
    """edx-toggles caches switch values per request; each test is its own request."""
    RequestCache.clear_all_namespaces()
    yield
    RequestCache.clear_all_namespaces()


@pytest.fixture
def enabled():
    """``openedx_cc.enabled`` on."""
    with override_waffle_switch(ENABLED, True):
        yield


@pytest.fixture
def events_on(enabled):
    """``openedx_cc.enabled`` and ``openedx_cc.emit_events`` on."""
    with override_waffle_switch(EMIT_EVENTS, True):
        yield


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("operator", "operator@example.org", "pw", is_staff=True,
                                                 is_superuser=True)


@pytest.fixture
def plain_user(django_user_model):
    return django_user_model.objects.create_user("learner", "learner@example.org", "pw")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def pilot(db):
    """The pilot roster imported."""
    from openedx_cc.python_api import import_files

    return import_files([str(PILOT_ROSTER)])


@pytest.fixture
def captured_events():
    """Every openedx-cc event sent in-process during the test, as (event_type, kwargs)."""
    from openedx_cc.events import ALL_SIGNALS

    received = []

    def receiver(signal, sender, **kwargs):
        received.append((signal.event_type, kwargs))

    for signal in ALL_SIGNALS:
        signal.connect(receiver, dispatch_uid=f"test-capture-{signal.event_type}")
    yield received
    for signal in ALL_SIGNALS:
        signal.disconnect(dispatch_uid=f"test-capture-{signal.event_type}")
