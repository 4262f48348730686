"""
The operators' dashboard, rendered on the server (the browser test drives it in Chromium).
"""
import pytest
from django.urls import reverse

from tests.scripted import record_history

pytestmark = pytest.mark.django_db

URL = "/admin/openedx_cc/metricsdashboard/"


@pytest.fixture
def history(pilot, enabled):  # pylint: disable=unused-argument
    return record_history()


def test_the_dashboard_shows_the_registry_and_the_charts(client, staff_user, history):  # pylint: disable=unused-argument
    assert reverse("admin:openedx_cc_metricsdashboard_changelist") == URL
    client.force_login(staff_user)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="committers">9<' in html
    assert 'data-chart="cfr-by-month"' in html and 'data-chart="deploys-by-repository"' in html
    assert '<g data-series="CC changes"' in html and '<g data-series="All changes"' in html
    assert 'data-label="2026-08" data-value="0.5"' in html  # CC change failure rate in August
    assert 'data-label="2026-09" data-value="1.0"' in html
    assert 'data-label="openedx/openedx-platform" data-value="3"' in html  # deployed there


def test_bad_filters_are_reported_on_the_page(client, staff_user, history):  # pylint: disable=unused-argument
    client.force_login(staff_user)
    page = client.get(URL, {"since": "yesterday"}).content.decode()
    assert "since: " in page and "not an ISO 8601 datetime" in page


def test_the_dashboard_is_for_staff(client, plain_user, history):  # pylint: disable=unused-argument
    client.force_login(plain_user)
    assert client.get(URL).status_code == 302  # the admin sends non-staff to its login page
