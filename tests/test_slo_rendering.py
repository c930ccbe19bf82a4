"""The SLO section as a reader sees it: burn-down charts, runway, review and maintenance, in
the HTML and in the PDF (read back with poppler's pdftotext), with WeasyPrint kept quiet."""

from __future__ import annotations

import copy
import json
import logging
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from waooaw_reports.rendering import render_html, render_pdf
from waooaw_reports.rendering.burn_down import burn_down_svg
from waooaw_reports.rendering.inline_svg import inline_svg
from waooaw_reports.rendering.slo_text import period_label, review_text, runway_text

FIXTURE = Path(__file__).parent / "fixtures" / "report_weekly.json"


def line(remaining: list[float]) -> list[dict[str, Any]]:
    """A burn-down over a 30-day month with the given budget left at each day end."""
    days = len(remaining)
    return [
        {
            "at": f"2026-11-{day + 1:02d}T00:00:00+00:00"
            if day < 30
            else "2026-12-01T00:00:00+00:00",
            "good": None,
            "total": None,
            "sli_to_date": None,
            "error_budget_remaining": value,
            "ideal": 1 - day / 30,
        }
        for day, value in zip(range(days), remaining, strict=True)
    ]


SPENDING = line([1.0] + [1 - 0.03 * day for day in range(1, 31)])
BLOWN = line([1.0] * 18 + [-0.01] * 7 + [-0.35] * 6)


@pytest.fixture
def monthly_report() -> dict[str, Any]:
    """The weekly fixture turned into a monthly audit with a burn-down and a review."""
    report = json.loads(FIXTURE.read_text(encoding="utf-8"))
    report.update(kind="monthly", title="Monthly health audit")
    report["period"] = {
        "key": "2026-11-01",
        "start": "2026-11-01T00:00:00+00:00",
        "end": "2026-12-01T00:00:00+00:00",
        "timezone": "UTC",
    }
    reasons = ["missed_twice_in_three", None, "met_with_budget_left"]
    for slo, burn_down, reason in zip(
        report["slos"], (BLOWN, SPENDING, None), reasons, strict=True
    ):
        slo["burn_down"] = burn_down
        months = [
            {"key": key, "sli": 0.99, "error_budget_remaining": 0.5, "status": "met"}
            for key in ("2026-09-01", "2026-10-01", "2026-11-01")
        ]
        slo["history"] = [{**slo["history"][0], "key": m["key"]} for m in months[:2]]
        slo["review"] = {"flagged": reason is not None, "reason": reason, "months": months}
    return report


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def weasyprint_warnings():
    handler = _Warnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def test_chart_is_deterministic_and_escapes_its_title():
    slo = {"name": "api_availability", "burn_down": BLOWN}
    first = burn_down_svg(slo, 'API <script>alert(1)</script> & "x"')
    assert first == burn_down_svg(slo, 'API <script>alert(1)</script> & "x"')
    assert "<script>" not in first
    assert "&lt;script&gt;" in first
    assert first.startswith("<svg ")


def test_chart_text_is_text_and_styles_are_attributes():
    svg = burn_down_svg({"name": "api_latency", "burn_down": SPENDING}, "API latency")
    assert "style=" not in svg and "<style" not in svg
    assert 'stroke-linejoin="round"' in svg.split(">", 1)[0]
    # Tick labels and the legend stay text (svg.fonttype none), so the PDF can be searched.
    texts = re.sub(r"<[^>]+>", "\n", svg)
    for text in ("Budget left", "Ideal", "01 Nov", "29 Nov"):
        assert f"\n{text}\n" in texts, text


def test_two_charts_on_one_page_share_no_id():
    first = burn_down_svg({"name": "api_availability", "burn_down": BLOWN}, "a")
    second = burn_down_svg({"name": "integration_success:linkedin", "burn_down": BLOWN}, "b")
    ids = re.findall(r'\bid="([^"]+)"', first + second)
    assert len(ids) == len(set(ids))
    referenced = re.findall(r'(?:href="#|url\(#)([^")]+)', first + second)
    assert referenced and set(referenced) <= set(ids)


def test_no_chart_without_a_burn_down():
    assert burn_down_svg({"name": "x", "burn_down": None}, "x") == ""
    assert burn_down_svg({"name": "x", "burn_down": BLOWN[:1]}, "x") == ""


def test_inline_svg_refuses_what_it_cannot_turn_into_attributes():
    with pytest.raises(ValueError, match="Unexpected SVG style property"):
        inline_svg('<svg ><path style="fill: red; --evil: 1"/></svg>', "p")


@pytest.mark.parametrize(
    ("runway", "text"),
    [
        ({"state": "running", "days": 12.597, "runs_out_at": "2026-12-13T14:19:51+00:00"}, "12.6"),
        ({"state": "spent", "days": 0.0, "runs_out_at": None}, "Budget spent"),
        ({"state": "not_being_spent", "days": None, "runs_out_at": None}, "Not at risk"),
        ({"state": "no_data", "days": None, "runs_out_at": None}, "n/a"),
    ],
)
def test_runway_words(runway, text):
    assert runway_text(runway).startswith(text)


def test_review_and_period_words():
    assert review_text(None) == "n/a"
    assert review_text({"reason": None}) == "No change suggested."
    assert "tighter objective" in review_text({"reason": "met_with_budget_left"})
    assert period_label("2026-09-01", "monthly") == "Sep 2026"
    assert period_label("2026-10-26", "weekly") == "26\u00a0Oct"


def test_weekly_review_shows_five_weeks_and_the_runway():
    report = json.loads(FIXTURE.read_text(encoding="utf-8"))
    html = render_html(report)
    assert "This week beside the four weeks before" in html
    for week in ("26\u00a0Oct", "2\u00a0Nov", "9\u00a0Nov", "16\u00a0Nov", "23\u00a0Nov"):
        assert f">{week}<" in html
    assert "Error budget runway" in html
    assert "Error budget burn-down" not in html  # monthly only
    assert "Gateway certificate rotation" in html  # the maintenance window


def test_monthly_audit_pdf_shows_burn_down_runway_and_review(
    monthly_report, weasyprint_warnings, tmp_path
):
    html = render_html(monthly_report)
    assert html.count("<svg ") == 2  # api_latency has no burn-down here
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(html))
    assert weasyprint_warnings == []

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Error budget burn-down",
        "Budget left",
        "Ideal",
        "Error budget runway",
        "16.1 days",  # api_availability: 0.458 × 28 / 0.798
        "2026-12-16",
        "Budget spent",
        "SLO review",
        "Missed in two of the last",
        "No burn-down without traffic: API latency",
    ):
        assert expected in text, expected


def test_report_without_maintenance_windows_says_nothing_about_them(monthly_report):
    report = copy.deepcopy(monthly_report)
    report["maintenance_windows"] = []
    assert "Maintenance windows" not in render_html(report)
