"""The HTML report as a reader opens it: from disk, in headless Chromium (Debian's package).

It must load with no console error and make no request beyond the file itself: styles and
charts are inline, so it works from disk or as an email attachment.
"""

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from waooaw_reports.rendering import render_html

FIXTURE = Path(__file__).parent / "fixtures" / "report_weekly.json"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network: no background connections, no first-run work.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def test_report_opens_from_disk_without_errors_or_requests(browser, tmp_path):
    report = json.loads(FIXTURE.read_text())
    page_path = tmp_path / "report.html"
    page_path.write_text(render_html(report), encoding="utf-8")

    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri(), wait_until="networkidle")

    assert errors == []
    assert requests == [page_path.as_uri()]
    assert page.title()
    # The hostile incident title is shown as text, and no script ran from it.
    assert 'DB failover <script>alert(1)</script> & "quotes"' in page.inner_text("body")
    assert page.evaluate("document.scripts.length") == 0
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    page.close()
