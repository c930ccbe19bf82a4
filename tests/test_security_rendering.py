"""The security and customer health sections in the HTML and the PDF: every figure shown,
every item without data saying so in one line, only opaque client ids, a chart that leaves
WeasyPrint nothing to complain about."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import subprocess
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from waooaw_reports.analytics import customer_health as health
from waooaw_reports.analytics import security
from waooaw_reports.periods import period_for
from waooaw_reports.rendering import render_html, render_pdf

FIXTURE = Path(__file__).parent / "fixtures" / "report_weekly.json"
WEEK = period_for("weekly", "2026-11-23")
UTC = dt.UTC
AS_OF = dt.datetime(2026, 12, 1, 9, tzinfo=UTC)


def text_of(html: str) -> str:
    """The visible text, tags removed and whitespace squeezed."""
    body = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(body).split())


def empty_security() -> dict[str, Any]:
    return security.security_review(
        security.failed_login_review({}, None, WEEK),
        security.api_client_movers({}, {}, {}, {}),
        security.credential_gauge({}),
        security.credential_records_review([], WEEK.end, 90),
    )


def one_customer() -> list[dict[str, Any]]:
    return [
        {
            "customer_id": "cus_1",
            "plan": "starter",
            "agents": 2,
            "started_at": dt.datetime(2026, 1, 1, tzinfo=UTC),
            "cancelled_at": None,
        }
    ]


def empty_customer_health() -> dict[str, Any]:
    """One customer, and nothing else: no trials, tickets, answers or agents gauge."""
    records = {
        "trials": [],
        "subscriptions": one_customer(),
        "support_tickets": [],
        "csat_responses": [],
    }
    return health.customer_health(records, None, WEEK, AS_OF)


def busy_security() -> dict[str, Any]:
    hour_end = WEEK.start + dt.timedelta(hours=22)
    week = 7 * 24 * 3600
    hourly = {hour_end.timestamp() - weeks * week: 0.0 for weeks in range(1, 5)}
    hourly[hour_end.timestamp()] = 3_000.0
    hourly[hour_end.timestamp() - 3600] = 12.0
    day = dt.timedelta(days=1)
    return security.security_review(
        security.failed_login_review(hourly, 3_012.0, WEEK),
        security.api_client_movers(
            {"key_7d20e4": 62_400, "ops@example.com": 10},
            {"key_7d20e4": 50_400, "ops@example.com": 10},
            {"key_7d20e4": 12_000},
            {},
        ),
        security.credential_gauge({"valid": 90, "expiring": 6, "invalid": 4}),
        security.credential_records_review(
            [
                {
                    "customer_id": "cus_1",
                    "platform": "linkedin",
                    "expires_at": WEEK.end + 3 * day,
                    "last_rotated_at": WEEK.end - 10 * day,
                },
                {
                    "customer_id": "cus_2",
                    "platform": "instagram",
                    "expires_at": WEEK.end + 60 * day,
                    "last_rotated_at": WEEK.end - 120 * day,
                },
            ],
            WEEK.end,
            90,
        ),
    )


def busy_customer_health() -> dict[str, Any]:
    start = WEEK.start
    hours = dt.timedelta(hours=1)
    records = {
        "trials": [
            {
                "id": "t1",
                "customer_id": "cus_9",
                "started_at": start - dt.timedelta(days=13),
                "ends_at": start + dt.timedelta(days=1),
                "converted_at": start,
            }
        ],
        "subscriptions": one_customer(),
        "support_tickets": [
            {
                "id": "k1",
                "created_at": start + 10 * hours,
                "priority": "high",
                "category": "integrations",
                "status": "resolved",
                "resolved_at": start + 16 * hours,
            }
        ],
        "csat_responses": [
            {"id": "a1", "submitted_at": start + 20 * hours, "score": 4},
            {"id": "a2", "submitted_at": start + 21 * hours, "score": 9},
        ],
    }
    return health.customer_health(records, 1.5, WEEK, AS_OF)


def report_with(security_section, health_section) -> dict[str, Any]:
    report = json.loads(FIXTURE.read_text(encoding="utf-8"))
    # Through JSON, as report.json carries them.
    report["security"] = json.loads(json.dumps(security_section))
    report["customer_health"] = json.loads(json.dumps(health_section))
    return report


def test_items_without_data_say_so_in_one_line():
    text = text_of(render_html(report_with(empty_security(), empty_customer_health())))
    for line in [
        "No login data: Prometheus holds no auth_attempts_total series for the period.",
        "No API client requests: Prometheus holds no api_client_requests_total series for this "
        "period or the one before.",
        "Platform check: no platform_credentials gauge at the period end.",
        "Credential records: none in the credentials table.",
        "No trial ended in the period.",
        "0 of 1 customer at the start left",
        "No satisfaction answers in the period.",
        "No active_agents gauge in the period.",
        "No support tickets were raised in the period by the 1 customer served.",
    ]:
        assert line in text, line


def test_the_figures_and_only_opaque_client_ids():
    html = render_html(report_with(busy_security(), busy_customer_health()))
    text = text_of(html)
    assert "Security signals" in text  # the weekly heading
    assert "3,012 failed logins in the period; the busiest hour, from 2026-11-23 21:00" in text
    assert "1 hour flagged as unusual" in text
    assert "2026-11-23 21:00 3,000 0 0.0 600.0" in text  # hour, failures, usual, MAD, score
    assert "Method: median and MAD." in text
    assert "key_7d20e4 62,400 50,400 +12,000" in text
    assert "ops@example.com" not in html
    assert "redacted-" in text
    assert "90 valid (90 %), 6 expiring (6 %), 4 invalid (4 %) of 100" in text
    assert "50 % valid, 50 % expiring within 7 days, 0 % expired, of 2" in text
    assert "50 % rotated within 90 days; 1 overdue, 0 never rotated" in text
    assert "1 of 1 trials that ended in the period converted" in text
    assert "1 answers, 100 % scored 4 or 5" in text
    assert "75 %" in text  # 1.5 active of 2 hired
    assert "high 1 1 0 6.0 h" in text
    assert "csat_responses a2 (score 9 is not 1 to 5)" in text
    assert 'src="data:image/svg+xml;base64,' in html


def test_the_monthly_heading_is_security_posture():
    report = report_with(busy_security(), busy_customer_health())
    report["kind"] = "monthly"
    assert "Security posture" in text_of(render_html(report))


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def weasyprint_warnings() -> Iterator[list[str]]:
    handler = _Warnings()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def test_the_pdf_draws_the_chart_quietly(tmp_path, weasyprint_warnings):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(render_html(report_with(busy_security(), busy_customer_health()))))
    # Case C18: an SVG in the page whose styles WeasyPrint could not read would log warnings.
    assert weasyprint_warnings == []
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "failed logins (log scale)" in text  # the chart's own text, as text
    assert "Customer health" in text
