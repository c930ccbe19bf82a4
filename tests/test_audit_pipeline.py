"""The monthly audit end to end: the CLI runs the Dagster assets over three months of history
with a maintenance window configured, and the report shows burn-down, runway and review."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.slo_history import DAY_REQUESTS, MAINTENANCE_YAML
from waooaw_reports.sources import schema

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2026-11-01"
AS_OF = "2026-12-02T09:00:00+00:00"


@pytest.fixture(scope="module")
def audit(slo_prometheus_url, tmp_path_factory) -> Path:
    """The November audit's directory, written once by the CLI."""
    root = tmp_path_factory.mktemp("audit")
    database = root / "platform.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    schema.metadata.create_all(engine)
    engine.dispose()
    windows = root / "maintenance.yaml"
    windows.write_text(MAINTENANCE_YAML)
    environment = {
        **os.environ,
        "WAOOAW_PROMETHEUS_URL": slo_prometheus_url,
        "WAOOAW_DATABASE_URL": f"sqlite:///{database}",
        "WAOOAW_REPORTS_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    environment.pop("WAOOAW_MAINTENANCE_WINDOWS", None)
    args = ["run", "monthly", "--period", MONTH, "--as-of", AS_OF]
    result = subprocess.run(
        [sys.executable, "-m", "waooaw_reports.cli", *args, "--maintenance-windows", str(windows)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    # C18: WeasyPrint only logs what it drops (here: SVG styles it cannot read as HTML CSS).
    assert "WARNING weasyprint" not in result.stderr
    return Path(result.stdout.strip())


def test_report_json_holds_the_audit(audit):
    report = json.loads((audit / "report.json").read_text())
    slos = {slo["name"]: slo for slo in report["slos"]}
    assert len(slos) == 8
    assert report["maintenance_windows"] == [
        {
            "start": "2026-11-10T01:00:00+00:00",
            "end": "2026-11-10T01:30:00+00:00",
            "reason": "Database upgrade",
            "minutes_in_period": 30.0,
        }
    ]
    api = slos["api_availability"]
    assert api["total"] == 30 * DAY_REQUESTS - 300
    assert api["good"] == api["total"] - 3_200
    assert api["maintenance_excluded"]["total"] == 300
    assert len(api["burn_down"]) == 31
    assert api["review"]["reason"] == "missed_twice_in_three"
    assert slos["goal_execution_success"]["runway"]["runs_out_at"].startswith("2026-12-13")
    assert report["provenance"]["settings"]["maintenance_windows"][0]["reason"] == (
        "Database upgrade"
    )


def test_html_inlines_one_burn_down_chart_per_slo_with_data(audit):
    html = (audit / "report.html").read_text()
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    assert len(charts) == 6  # no chart for the two SLOs without traffic
    ids = re.findall(r'\bid="([^"]+)"', "".join(charts))
    assert len(ids) == len(set(ids))
    # Styles are SVG attributes, and no chart brings a stylesheet into the page.
    assert not any("style=" in chart or "<style" in chart for chart in charts)
    assert "No burn-down without traffic: Authentication success" in html


def test_pdf_shows_burn_down_runway_and_review(audit):
    text = subprocess.run(
        ["pdftotext", "-layout", str(audit / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in (
        "Calendar month and rolling 28 days",
        "Error budget runway",
        "Error budget burn-down",
        "SLO review",
        "Maintenance windows",
        "Database upgrade",
        # The charts' own text, drawn as text:
        "Budget left",
        "Ideal",
        "01 Nov",
        # Runways, in days and as a date:
        "12.6 days",
        "2026-12-13",
        "Budget spent",
        "Not at risk",
        "Missed in two of the last",
        "Met with over 90",
    ):
        assert expected in text, expected
