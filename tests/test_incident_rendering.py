"""The incidents section as a reader sees it: a quiet week (C14), the trend chart, open
incidents, the error budget and alert tables, alert noise in the monthly audit, action items by
owner. The section comes from the real analytics over hand-made rows and telemetry; the rest of
the report is the rendering tests' fixture.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from waooaw_reports.analytics.action_items import review_action_items
from waooaw_reports.analytics.incident_review import review_incidents
from waooaw_reports.periods import format_time, period_for
from waooaw_reports.rendering import render_html, render_pdf
from waooaw_reports.rendering.files import report_json

FIXTURE = Path(__file__).parent / "fixtures" / "report_weekly.json"
UTC = dt.UTC
WEEK = period_for("weekly", "2026-11-23")
MONTH = period_for("monthly", "2026-11-01")
AS_OF = dt.datetime(2026, 12, 1, 9, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)


def incident(id, started, severity="P1", service="api-gateway", **times):
    return {
        "id": id,
        "title": f"Incident {id}",
        "severity": severity,
        "service": service,
        "started_at": started,
        "detected_at": times.get("detected", started),
        "acknowledged_at": times.get("acknowledged"),
        "mitigated_at": times.get("mitigated"),
        "resolved_at": times.get("resolved"),
        "postmortem_completed_at": None,
        "postmortem_url": None,
    }


def telemetry(total, bad_by_id, alert_series=()):
    return {
        "budget": {
            "slo": "api_availability",
            "objective": 0.999,
            "total": total,
            "bad": sum(bad_by_id.values()),
            "incidents": [
                {"id": i, "start": "s", "end": "2026-11-25T04:00:00+00:00", "bad": b, "query": "q"}
                for i, b in bad_by_id.items()
            ],
            "union": [{"start": "s", "end": "e", "bad": b} for b in bad_by_id.values()],
            "query": {"total": "sum(increase(api_requests_total[604800s]))", "bad": "b"},
        },
        "alerts": {
            "series": list(alert_series),
            "query": 'timestamp(ALERTS{alertstate="firing"})',
            "start": WEEK.start,
            "end": WEEK.end,
            "step_seconds": 60,
            "queries": 1,
        },
        "evaluation_interval_seconds": 60,
        "follow_window_seconds": 1800,
    }


def report_with(incidents: dict[str, Any], period=WEEK) -> dict[str, Any]:
    report = json.loads(FIXTURE.read_text(encoding="utf-8"))
    report["incidents"] = incidents
    report["kind"] = period.kind
    report["period"] = period.as_json()
    report["as_of"] = format_time(AS_OF, period.timezone)
    return report


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").split())


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def quiet_weasyprint() -> Iterator[None]:
    """C18: a WeasyPrint warning means something silently left the PDF; fail on it."""
    handler = _Records()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert [record.getMessage() for record in handler.records] == []


def poppler(tool: str, *args: str) -> str:
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


def test_quiet_week_says_zero_incidents_and_na_with_nulls_in_json(
    tmp_path: Path, quiet_weasyprint: None
) -> None:
    # C14: no incidents, 554,400 requests, no alerts.
    incidents = review_incidents([], WEEK, AS_OF, telemetry=telemetry(554_400, {}))
    report = report_with(incidents)

    document = json.loads(report_json(report))["incidents"]
    assert document["total"] == 0
    for figures in (document, *document["by_severity"].values()):
        for name in (
            "mttd_minutes",
            "mtta_minutes",
            "mttr_minutes",
            "mttm_minutes",
            "response_target_met",
            "resolution_target_met",
            "acknowledged_within_5_minutes",
        ):
            assert figures[name] is None, name
    assert document["alert_detection"]["gap"]["median_minutes"] is None
    assert document["alert_noise"]["noise_share"] is None
    assert document["error_budget"]["incident_share"] == 0.0
    assert [week["mttr_minutes"] for week in document["trend"]] == [None] * 8

    html = render_html(report)
    text = text_of(html)
    assert "0 incidents started in the period, 0 still open" in text
    assert "MTTD n/a, MTTA n/a, MTTR n/a, time to mitigate n/a" in text
    assert "within 5 minutes of detection: n/a (0 of 0 judged)" in text
    assert "While incidents were open, 0 bad requests spent 0 % of it" in text
    assert "<h3>Open incidents</h3>" not in html

    pdf = tmp_path / "quiet.pdf"
    pdf.write_bytes(render_pdf(html))
    assert "Trend over the last 8 weeks" in poppler("pdftotext", str(pdf), "-")


def busy_week() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    night = dt.datetime(2026, 11, 25, 2, tzinfo=UTC)
    rows = [
        incident(
            "INC-1",
            night,
            detected=night + 4 * MINUTE,
            acknowledged=night + 6 * MINUTE,
            mitigated=night + 60 * MINUTE,
            resolved=night + 120 * MINUTE,
        ),
        incident("INC-9", dt.datetime(2026, 11, 29, 20, tzinfo=UTC), severity="P2"),
        incident(
            "INC-0",
            dt.datetime(2026, 11, 12, 10, tzinfo=UTC),
            resolved=dt.datetime(2026, 11, 12, 12, tzinfo=UTC),
        ),
    ]
    firing = [(night + m * MINUTE).timestamp() for m in range(2, 61)]
    flapping = [dt.datetime(2026, 11, 24, 14, m, tzinfo=UTC).timestamp() for m in (0, 1, 5)]
    series = [
        {"labels": {"alertname": "HighErrorRate", "service": "api-gateway"}, "times": firing},
        {"labels": {"alertname": "HighLatency", "service": "agent-runtime"}, "times": flapping},
    ]
    return rows, telemetry(554_400, {"INC-1": 300.0, "INC-9": 0.0}, series)


@pytest.mark.parametrize("period", [WEEK, MONTH], ids=["weekly", "monthly"])
def test_busy_period_shows_every_incident_figure(
    period, tmp_path: Path, quiet_weasyprint: None
) -> None:
    rows, measured = busy_week()
    report = report_with(review_incidents(rows, period, AS_OF, telemetry=measured), period)
    html = render_html(report)
    text = text_of(html)

    # INC-9 is open: 2026-11-29 20:00 to the as-of 2026-12-01 09:00 is 37 h = 2,220 min.
    assert "Open incidents" in text
    assert "2,220.0 min (37.0 h)" in text
    # INC-1: 300 bad requests of a 554.4 budget, 54.1 %; the alert 2 minutes ahead.
    assert "300 54.1 % HighErrorRate, 2026-11-25 02:02 2.0 min" in text
    assert "INC-9 P2 api-gateway" in text
    assert '<img class="chart" alt="Incidents started and MTTR per ' in html

    # Two HighLatency episodes (14:00-14:01 and 14:05) and one HighErrorRate: 2 of 3 noise.
    if period.kind == "monthly":
        assert "Alert noise" in text
        assert "3 alert episodes started firing in the period; 2 (66.7 %)" in text
        assert "HighLatency 2 2 100 %" in text
        assert "HighLatency agent-runtime 2026-11-24 14:00 2026-11-24 14:01 2" in text
        assert "HighLatency agent-runtime 2026-11-24 14:05 2026-11-24 14:05 1" in text
        assert "Trend over the last 6 months" in text
    else:
        assert "Alert noise" not in text
        assert "Trend over the last 8 weeks" in text

    pdf = tmp_path / "busy.pdf"
    pdf.write_bytes(render_pdf(html))
    pdf_text = " ".join(poppler("pdftotext", str(pdf), "-").split())
    assert "MTTR (hours, resolved incidents)" in pdf_text  # the chart's legend, as text
    fonts = {
        line.split()[0].split("+")[-1] for line in poppler("pdffonts", str(pdf)).splitlines()[2:]
    }
    assert fonts == {"Report-Sans", "Report-Sans-Bold", "Report-Mono"}


def test_trend_chart_is_deterministic() -> None:
    rows, measured = busy_week()
    report = report_with(review_incidents(rows, WEEK, AS_OF, telemetry=measured))

    assert render_html(report) == render_html(copy.deepcopy(report))


def test_action_items_by_owner() -> None:
    rows = [
        {
            "id": f"AI-{n}",
            "incident_id": None,
            "title": f"Item {n}",
            "owner": owner,
            "due_date": dt.date(2026, 11, 20) if n < 2 else dt.date(2026, 12, 20),
            "status": "open",
            "created_at": dt.datetime(2026, 11, 1, tzinfo=UTC),
            "closed_at": None,
        }
        for n, owner in enumerate(["dana", "priya", "dana"])
    ]
    report = report_with(review_incidents([], WEEK, AS_OF))
    report["action_items"] = review_action_items(rows, WEEK, AS_OF)
    text = text_of(render_html(report))

    assert "3 open, 2 overdue (due before 2026-12-01), 0 done in the period" in text
    assert "dana 2 1 0" in text
    assert "priya 1 1 0" in text
