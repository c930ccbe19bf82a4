"""What Prometheus adds to the incident review, over the hand-made history of tests/history.py:
bad requests while each incident was open, firing episodes from ALERTS, and the figures built
from them. Counts are checked against the history's known outages (300 and 500 bad requests)
and against Prometheus answering the same PromQL.

The test Prometheus (2.x) includes both ends of a range, and the history has a sample at every
whole minute, so an incident window from one whole minute to another needs no extrapolation.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.history import DAY_OUTAGE, NIGHT_OUTAGE, WEEK
from waooaw_reports.analytics.alerts import firing_episodes
from waooaw_reports.analytics.incident_review import review_incidents
from waooaw_reports.analytics.incidents import summarise_incidents
from waooaw_reports.catalog import load_catalog
from waooaw_reports.incident_measurements import (
    measure_budget_windows,
    measure_incident_telemetry,
    read_firing_alerts,
)
from waooaw_reports.periods import period_for
from waooaw_reports.sources.prometheus import PrometheusClient

UTC = dt.UTC
PERIOD = period_for("weekly", WEEK)
AS_OF = dt.datetime(2026, 12, 1, 9, tzinfo=UTC)
TOTAL = 7 * (720 * 100 + 720 * 10)  # 554,400 requests in the week
BUDGET = 0.001 * TOTAL  # 554.4 bad requests
MINUTE = dt.timedelta(minutes=1)
NIGHT, DAY = NIGHT_OUTAGE[0], DAY_OUTAGE[0]  # 2026-11-25 02:00 and 2026-11-26 10:00 UTC


def ask(url: str, query: str, at: dt.datetime) -> float | None:
    body = httpx.get(f"{url}/api/v1/query", params={"query": query, "time": at.timestamp()})
    result = body.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


@pytest.fixture(scope="module")
def client(prometheus_url):
    with PrometheusClient(prometheus_url) as client:
        yield client


def incident(id, started, resolved=None, detected=None, service="api-gateway", **extra):
    return {
        "id": id,
        "title": f"Incident {id}",
        "severity": extra.pop("severity", "P1"),
        "service": service,
        "started_at": started,
        "detected_at": detected or started,
        "acknowledged_at": None,
        "mitigated_at": None,
        "resolved_at": resolved,
        "postmortem_completed_at": None,
        "postmortem_url": None,
        **extra,
    }


def budget_of(client, rows, as_of=AS_OF, period=PERIOD):
    items = summarise_incidents(rows, period, as_of).items
    return measure_budget_windows(client, load_catalog(), items, period, as_of)


def test_bad_requests_of_the_two_outages(client, prometheus_url):
    # Incidents exactly as long as the outages: 60 min × 5 = 300 and 10 min × 50 = 500.
    rows = [
        incident("night", NIGHT, resolved=NIGHT + 60 * MINUTE),
        incident("day", DAY, resolved=DAY + 10 * MINUTE),
    ]
    measured = budget_of(client, rows)
    bad = {entry["id"]: entry["bad"] for entry in measured["incidents"]}

    assert bad == {"night": 300.0, "day": 500.0}
    assert measured["total"] == TOTAL
    assert measured["bad"] == 800.0
    assert measured["objective"] == 0.999
    night = measured["incidents"][0]
    assert night["query"] == 'sum(increase(api_requests_total{status=~"5.."}[3600s]))'
    assert night["end"] == "2026-11-25T03:00:00+00:00"
    # Prometheus' own answer to the same query at the window's end:
    assert ask(prometheus_url, night["query"], NIGHT + 60 * MINUTE) == 300.0


# rows, expected bad requests per incident, in the union, and why
WINDOW_ROWS = [
    # Resolved two hours after the night outage began: its 300 bad requests, no more.
    ([incident("a", NIGHT, resolved=NIGHT + 120 * MINUTE)], {"a": 300.0}, 300.0),
    # Ten minutes inside the night outage: 10 × 5 = 50.
    (
        [incident("a", NIGHT + 30 * MINUTE, resolved=NIGHT + 40 * MINUTE)],
        {"a": 50.0},
        50.0,
    ),
    # Still open at the as-of instant: counted to the period's end, so the day outage's 500.
    ([incident("a", DAY)], {"a": 500.0}, 500.0),
    # Resolved after the period: cut at the period's end, the same 500.
    (
        [incident("a", DAY, resolved=dt.datetime(2026, 11, 30, 6, tzinfo=UTC))],
        {"a": 500.0},
        500.0,
    ),
    # Overlapping: 02:00-02:40 holds 200, 02:20-03:00 holds 200; their union 300.
    (
        [
            incident("a", NIGHT, resolved=NIGHT + 40 * MINUTE),
            incident("b", NIGHT + 20 * MINUTE, resolved=NIGHT + 60 * MINUTE, service="web"),
        ],
        {"a": 200.0, "b": 200.0},
        300.0,
    ),
    # Resolved the minute it started: an empty window, no query, nothing spent.
    ([incident("a", NIGHT, resolved=NIGHT)], {"a": 0.0}, 0.0),
]


@pytest.mark.parametrize(("rows", "expected", "union"), WINDOW_ROWS)
def test_bad_requests_while_open(client, rows, expected, union):
    measured = budget_of(client, rows)

    assert {entry["id"]: entry["bad"] for entry in measured["incidents"]} == expected
    assert sum(window["bad"] for window in measured["union"]) == union


def test_open_incident_is_counted_to_the_as_of_instant_inside_the_period(client):
    # As of 2026-11-26 10:05 (inside the period, as a partial read would be): 5 × 50 = 250.
    as_of = DAY + 5 * MINUTE
    measured = budget_of(client, [incident("a", DAY)], as_of=as_of)

    assert measured["incidents"][0]["end"] == "2026-11-26T10:05:00+00:00"
    assert measured["incidents"][0]["bad"] == 250.0


def test_firing_episodes_read_from_alerts(client):
    alerts = read_firing_alerts(
        client, PERIOD.start - dt.timedelta(hours=1), PERIOD.end + 30 * MINUTE, 60
    )
    episodes = firing_episodes(((s["labels"], s["times"]) for s in alerts["series"]), 60)
    found = [
        (
            e.alertname,
            e.service,
            e.start.strftime("%d %H:%M"),
            e.end.strftime("%d %H:%M"),
            e.samples,
        )
        for e in episodes
    ]

    assert alerts["queries"] == 1  # 7 days 1.5 h at 60 s is 10,170 points
    assert alerts["step_seconds"] == 60
    # The pending sample at 02:01 is not firing; the DiskFilling episode began before the
    # read; HighLatency on the 24th is two episodes, 14:05 and 14:06 being missed.
    assert found == [
        ("DiskFilling", "database", "22 23:30", "23 00:30", 61),
        ("HighLatency", "agent-runtime", "24 14:00", "24 14:04", 5),
        ("HighLatency", "agent-runtime", "24 14:07", "24 14:09", 3),
        ("HighErrorRate", "api-gateway", "25 02:02", "25 03:00", 59),
        ("HighErrorRate", "api-gateway", "26 10:01", "26 10:10", 10),
        ("HighLatency", "agent-runtime", "27 20:00", "27 20:02", 3),
        ("HighErrorRate", "api-gateway", "29 23:50", "29 23:55", 6),
    ]


def test_a_long_read_is_split_within_the_point_limit_and_loses_nothing(client):
    # Three weeks at a 60 s step are 30,240 points: three queries of at most 11,000 points
    # (660,000 s each). The pieces share their edge points, which count once.
    start, end = dt.datetime(2026, 11, 9, tzinfo=UTC), dt.datetime(2026, 11, 30, tzinfo=UTC)
    pieces = read_firing_alerts(client, start, end, 60)
    whole_week = read_firing_alerts(client, dt.datetime(2026, 11, 22, tzinfo=UTC), end, 60)

    assert pieces["queries"] == 3
    assert {tuple(sorted(s["labels"].items())): s["times"] for s in pieces["series"]} == {
        tuple(sorted(s["labels"].items())): s["times"] for s in whole_week["series"]
    }


def test_incident_review_with_telemetry(client):
    # The night and day outages as incidents, detected 4 and 2 minutes after they began;
    # a third incident, next week, follows the 23:50 alert of the 29th within 30 minutes.
    rows = [
        incident(
            "INC-1",
            NIGHT,
            detected=NIGHT + 4 * MINUTE,
            resolved=NIGHT + 120 * MINUTE,
            mitigated_at=NIGHT + 60 * MINUTE,
        ),
        incident(
            "INC-2",
            DAY,
            detected=DAY + 2 * MINUTE,
            resolved=DAY + 70 * MINUTE,
            mitigated_at=DAY + 10 * MINUTE,
        ),
        incident("INC-4", dt.datetime(2026, 11, 30, 0, 10, tzinfo=UTC), severity="P3"),
    ]
    items = summarise_incidents(rows, PERIOD, AS_OF).items
    telemetry = measure_incident_telemetry(client, load_catalog(), items, PERIOD, AS_OF, 60, 1800)
    review = review_incidents(rows, PERIOD, AS_OF, telemetry=telemetry)
    by_id = {item["id"]: item for item in review["items"]}

    # Budget 0.001 × 554,400 = 554.4; INC-1 300 / 554.4, INC-2 500 / 554.4; no overlap.
    budget = review["error_budget"]
    assert budget["budget_requests"] == pytest.approx(BUDGET)
    assert by_id["INC-1"]["error_budget_share"] == pytest.approx(300 / 554.4)
    assert by_id["INC-2"]["error_budget_share"] == pytest.approx(500 / 554.4)
    assert by_id["INC-1"]["error_budget_window_end"] == "2026-11-25T04:00:00+00:00"
    assert budget["incident_share"] == pytest.approx(800 / 554.4)
    assert budget["consumed"] == pytest.approx(800 / 554.4)
    assert budget["outside_incidents_requests"] == 0.0

    # Alerts fired at 02:02 and 10:01: 2 and 1 minutes before detection.
    assert (by_id["INC-1"]["alertname"], by_id["INC-1"]["alerted_at"]) == (
        "HighErrorRate",
        "2026-11-25T02:02:00+00:00",
    )
    assert by_id["INC-1"]["alert_detection_gap_minutes"] == 2.0
    assert by_id["INC-2"]["alert_detection_gap_minutes"] == 1.0
    assert review["alert_detection"]["detected_earlier_by_alerts"] == 2
    assert review["alert_detection"]["gap"]["mean_minutes"] == 1.5

    # Six episodes began in the week: three HighLatency without any agent-runtime incident,
    # three HighErrorRate each with an api-gateway incident under way within 30 minutes.
    noise = review["alert_noise"]
    assert (noise["fired"], noise["not_followed"], noise["noise_share"]) == (6, 3, 0.5)
    assert noise["noisiest"] == [
        {"alertname": "HighLatency", "fired": 3, "not_followed": 3, "noise_share": 1.0}
    ]
    assert [e["followed_by"] for e in noise["episodes"]] == [
        None,
        None,
        "INC-1",
        "INC-2",
        None,
        "INC-4",
    ]
    assert review["total"] == 2  # INC-4 belongs to the next week
