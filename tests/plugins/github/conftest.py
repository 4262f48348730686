"""Fixtures of the GitHub intake's tests."""
import pytest
from edx_toggles.toggles.testutils import override_waffle_switch

from openedx_cc.plugins.deployments.toggles import RECORD_DEPLOYMENTS


@pytest.fixture
def intake(events_on):
    """The set, events and deployment recording switched on."""
    with override_waffle_switch(RECORD_DEPLOYMENTS, True):
        yield
