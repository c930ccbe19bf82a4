"""The capacity section: charts with the band and the thresholds, in both reports.

The PDF is read back with poppler (pdftotext, pdffonts), independent of WeasyPrint.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from waooaw_reports.analytics.capacity import project_capacity
from waooaw_reports.rendering import render_html, render_pdf
from waooaw_reports.rendering.capacity_charts import capacity_chart, capacity_chart_uri
from waooaw_reports.rendering.formatting import MINUS, NBSP, capacity_value, day_range

FIXTURE = Path(__file__).parent / "fixtures" / "report_weekly.json"
PERIOD_END = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
GB = 1_000_000_000


def history(values: list[float]) -> list[tuple[dt.date, float]]:
    first = dt.date(2026, 11, 29) - dt.timedelta(days=len(values) - 1)
    return [(first + dt.timedelta(days=i), value) for i, value in enumerate(values)]


def capacity() -> list[dict[str, Any]]:
    """A growing database whose Prometheus projection is 20 % higher, a pool growing
    towards its size, and a volume without data."""
    database = project_capacity(
        "database_size",
        history([100 * GB + i * GB for i in range(30)]),
        500 * GB,
        PERIOD_END,
        False,
        predict_linear_90d=1.2 * (129 + 90) * GB,
    )
    pool = project_capacity(
        "connection_pool:primary",
        history([0.30 + 0.01 * i + (0.02 if i % 3 else -0.02) for i in range(30)]),
        1.0,
        PERIOD_END,
        True,
        predict_linear_90d=1.0,
    )
    empty = project_capacity("disk_usage", [], None, PERIOD_END, False)
    units = ("bytes", "ratio", "bytes")
    return [
        {**entry, "unit": unit, "lookback_days": 30, "query": {"daily": "q"}}
        for entry, unit in zip((database, pool, empty), units, strict=True)
    ]


def report(kind: str) -> dict[str, Any]:
    loaded = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {**loaded, "kind": kind, "capacity": capacity()}


def test_chart_draws_history_band_and_thresholds():
    database = capacity()[0]
    svg = capacity_chart(database)

    texts = re.findall(r">([^<>]+)</text>", svg)
    for label in ("limit", "alert 90 %", "target 80 %", "95 % band", "fitted line", "daily value"):
        assert label in texts
    # Greyscale: the fit, the alert and the target lines each have their own dash pattern.
    dashes = set(re.findall(r"stroke-dasharray: ([0-9.,]+)", svg))
    assert len(dashes) >= 3
    # The same data give the same bytes.
    assert capacity_chart(database) == svg


def test_chart_text_uses_the_report_font():
    svg = capacity_chart(capacity()[0])

    families = set(re.findall(r"font-family: ([^;\"]+)", svg))
    assert families == {"'Report Sans', 'DejaVu Sans', sans-serif"}


def test_no_chart_without_daily_values():
    assert capacity_chart(capacity()[2]) == ""


def test_chart_reaches_the_page_as_an_image_of_itself():
    database = capacity()[0]
    uri = capacity_chart_uri(database)

    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == capacity_chart(database)
    assert capacity_chart_uri(capacity()[2]) == ""


@pytest.mark.parametrize("kind", ["weekly", "monthly"])
def test_capacity_section_shows_charts_and_the_second_opinion(kind):
    html = render_html(report(kind))
    section = html[
        html.index('<section id="capacity">') : html.index(
            "</section>", html.index('<section id="capacity">')
        )
    ]

    # Two resources with daily values, two charts; the one without data has none.
    charts = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,([^"]+)"', section)
    assert len(charts) == 2
    assert "target 80 %" in base64.b64decode(charts[0]).decode()
    # Prometheus says 20 % more for the database: shown. For the pool it agrees: not shown.
    assert section.count("Prometheus predict_linear:") == 1
    assert f"Prometheus predict_linear: 262.8{NBSP}GB" in section
    assert "over the last 30 days" in section


@pytest.mark.parametrize("kind", ["weekly", "monthly"])
def test_capacity_charts_reach_the_pdf_as_text(kind, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(render_html(report(kind))))

    # C18: WeasyPrint only logs what it drops; nothing may be dropped.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "target 80 %" in text
    assert "95 % band" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "DejaVu-Sans" not in fonts  # the chart text uses the shipped Report Sans


# interval, text
DAY_RANGES = [
    (None, ""),
    ([None, None], ""),
    # Both ends on the same whole day: nothing to add to the value.
    ([44.0, 44.0], ""),
    ([44.2, 44.9], ""),
    ([12.7, 40.2], f"12 to 40{NBSP}days"),
    ([0.0, 40.2], f"now to 40{NBSP}days"),
    # The band's lower edge never reaches the threshold.
    ([12.7, None], f"12{NBSP}days or later"),
    ([0.0, None], "any time"),
]


@pytest.mark.parametrize(("interval", "text"), DAY_RANGES)
def test_day_range(interval, text):
    assert day_range(interval) == text


# value, signed, text: sizes in GB, but growth under 0.1 GB a day in MB.
CAPACITY_VALUES = [
    (149.4e9, False, f"149.4{NBSP}GB"),
    (0.489e9, True, f"+0.5{NBSP}GB"),
    (13.41e6, True, f"+13.4{NBSP}MB"),
    (-13.41e6, True, f"{MINUS}13.4{NBSP}MB"),
    (50e6, False, f"50.0{NBSP}MB"),
    (0.0, True, "no change"),
    (None, True, "n/a"),
]


@pytest.mark.parametrize(("value", "signed", "text"), CAPACITY_VALUES)
def test_small_sizes_read_in_megabytes(value, signed, text):
    assert capacity_value(value, {"resource": "disk_usage:/", "unit": "bytes"}, signed) == text
