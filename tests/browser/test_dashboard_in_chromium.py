"""
The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright, against the demo host started
with the README's demo command (``scripts/demo`` on a free port, its own SQLite file).
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = ROOT / "reports" / "dashboard.png"

pytestmark = pytest.mark.integration


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo host, running; yields (base URL, admin password)."""
    if os.environ.get("OPENEDX_CC_TEST_DB", "sqlite") != "sqlite":
        pytest.skip("the browser test runs once, with the SQLite suite")
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (scripts/ensure-system-deps installs it)"
    port, state = _free_port(), tmp_path_factory.mktemp("demo")
    env = dict(os.environ, DEMO_STATE_DIR=str(state), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(state / "demo.log", "w+", encoding="utf-8")
    process = subprocess.Popen(["scripts/demo", str(port)], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/admin/login/", timeout=2)
                break
            except OSError:
                assert process.poll() is None, (state / "demo.log").read_text()[-3000:]
                time.sleep(0.5)
        else:
            raise AssertionError("the demo did not start: " + (state / "demo.log").read_text()[-3000:])
        password = re.search(r"user: admin\s+password: (\S+)", (state / "demo.log").read_text()).group(1)
        yield base, password
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
        log.close()


def test_the_dashboard_renders_its_charts_in_chromium(demo):
    from playwright.sync_api import sync_playwright

    base, password = demo
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(f"{base}/admin/login/?next=/admin/openedx_cc/metricsdashboard/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", password)
            page.click("input[type=submit]")
            page.wait_for_selector("svg[data-chart='cfr-by-month']", state="visible")
            assert page.locator("[data-figure='committers']").inner_text() == "9"

            # The series drawn are the metrics the API computes from the demo's scripted history.
            metrics = json.loads(page.evaluate("() => fetch('/api/cc/v1/metrics/').then(r => r.text())"))
            months = [row["month"] for row in metrics["by_month"]]
            assert months == ["2026-08", "2026-09", "2026-10", "2026-11"]
            for series, key in (("CC changes", "cc_changes"), ("All changes", "all_changes")):
                points = page.locator(f"svg[data-chart='cfr-by-month'] g[data-series='{series}'] circle")
                drawn = [(points.nth(i).get_attribute("data-label"), float(points.nth(i).get_attribute("data-value")))
                         for i in range(points.count())]
                assert drawn == [(row["month"], row[key]["change_failure_rate"]) for row in metrics["by_month"]]
                box = points.first.bounding_box()
                assert box and box["width"] > 0  # laid out and visible, not only in the markup
            bars = page.locator("svg[data-chart='deploys-by-repository'] g[data-series='Deployed'] rect")
            assert bars.count() >= 5
            platform = page.locator("svg[data-chart='deploys-by-repository'] g[data-series='Deployed'] "
                                    "rect[data-label='openedx/openedx-platform']")
            expected = next(r for r in metrics["by_repository"] if r["repository"] == "openedx/openedx-platform")
            assert int(platform.get_attribute("data-value")) == expected["all_changes"]["deployed"]
            assert platform.bounding_box()["height"] > 0
            reverted = page.locator("svg[data-chart='deploys-by-repository'] g[data-series='Reverted'] rect")
            assert sum(int(reverted.nth(i).get_attribute("data-value")) for i in range(reverted.count())) == \
                sum(r["all_changes"]["reverted"] for r in metrics["by_repository"][:])
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
