"""
The operators' dashboard, rendered on the server (the browser test drives it in Chromium).
"""
import re

import pytest
from django.urls import reverse

from tests.scripted import record_history

pytestmark = pytest.mark.django_db

URL = "/admin/openedx_cc/metricsdashboard/"


@pytest.fixture
def history(pilot, enabled):
    return record_history()


def test_the_dashboard_shows_the_registry_and_the_charts(client, staff_user, history):
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
    # DORA (test_metrics: all changes fail in 2 deployments of 4; lead time 4 days; recovery 1 day)
    assert '<tr data-dora="change_failure_rate">' in html
    assert '<td data-block="all_changes" data-band="low">50.0 % <small>(low)</small></td>' in html
    assert '<td data-block="all_changes" data-band="high">4 d <small>(high)</small></td>' in html
    assert '<td data-block="all_changes" data-band="medium">1 d <small>(medium)</small></td>' in html
    assert '<td data-block="all_changes" data-band="">50.0 %</td>' in html  # rework, no band


def test_bad_filters_are_reported_on_the_page(client, staff_user, history):
    client.force_login(staff_user)
    page = client.get(URL, {"since": "yesterday"}).content.decode()
    assert "since: " in page and "not an ISO 8601 datetime" in page


def test_the_dashboard_is_for_staff(client, plain_user, history):
    client.force_login(plain_user)
    assert client.get(URL).status_code == 302  # the admin sends non-staff to its login page


def test_an_invalid_filter_shows_no_figures_and_keeps_what_was_typed(client, staff_user, history):
    client.force_login(staff_user)
    html = client.get(URL, {"since": "yesterday", "environment": "production"}).content.decode()
    assert "not an ISO 8601 datetime" in html
    assert 'data-summary="cc"' not in html and 'data-chart="cfr-by-month"' not in html  # no unfiltered figures
    assert 'data-figures="none"' in html
    assert 'name="since" value="yesterday"' in html and 'name="environment" value="production"' in html
    assert 'data-figure="committers">9<' in html  # the registry does not depend on the filters


def test_the_json_link_carries_the_active_filters(client, staff_user, history):
    client.force_login(staff_user)
    html = client.get(URL, {"since": "2026-09-01T00:00:00Z", "environment": "production"}).content.decode()
    link = re.search(r'href="([^"]*)" data-link="figures-json"', html).group(1).replace("&amp;", "&")
    assert link == "/api/cc/v1/metrics/?since=2026-09-01T00%3A00%3A00Z&environment=production"
    figures = client.get(link).json()
    assert figures == client.get("/api/cc/v1/metrics/", {"since": "2026-09-01T00:00:00Z",
                                                         "environment": "production"}).json()
    assert figures != client.get("/api/cc/v1/metrics/").json()
    plain = client.get(URL).content.decode()
    assert re.search(r'href="/api/cc/v1/metrics/" data-link="figures-json"', plain)
