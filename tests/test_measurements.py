"""Figures from a real Prometheus over the hand-made history of tests/history.py.

Each figure is checked twice: against the value worked out by hand in history.py, and against
Prometheus answering the whole figure's PromQL directly.
"""

import datetime as dt

import httpx
import pytest

from tests.history import DAY_OUTAGE, GB, NIGHT_OUTAGE, WEEK
from waooaw_reports import measurements
from waooaw_reports.catalog import load_catalog
from waooaw_reports.periods import period_for
from waooaw_reports.report import capacity_projection, metric_scorecard, sla_compliance
from waooaw_reports.slo_measurements import measure_slo
from waooaw_reports.sources.prometheus import PrometheusClient, choose_step

PERIOD = period_for("weekly", WEEK)
TOTAL = 7 * (720 * 100 + 720 * 10)  # 554,400 requests in the week
BAD = NIGHT_OUTAGE[1] * NIGHT_OUTAGE[2] + DAY_OUTAGE[1] * DAY_OUTAGE[2]  # 300 + 500


def ask(url: str, query: str, at: dt.datetime) -> float | None:
    """Prometheus' own answer to ``query``, with a plain HTTP client."""
    body = httpx.get(f"{url}/api/v1/query", params={"query": query, "time": at.timestamp()})
    result = body.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


@pytest.fixture(scope="module")
def client(prometheus_url):
    with PrometheusClient(prometheus_url) as client:
        yield client


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def availability(client, catalog, period):
    """The API availability SLO's entry for ``period``."""
    spec = next(s for s in catalog.slos if s.name == "api_availability")
    return sla_compliance([measure_slo(client, spec, period)], period)[0]


def test_availability_slo_weighs_requests_not_minutes(client, catalog, prometheus_url):
    slo = availability(client, catalog, PERIOD)
    assert slo["total"] == TOTAL
    assert slo["good"] == TOTAL - BAD
    assert slo["sli"] == pytest.approx(553_600 / 554_400, rel=1e-12)
    # consumed = (800 / 554,400) / 0.001 = 1.443001...; the budget is blown.
    assert slo["error_budget_consumed"] == pytest.approx(800 / 554_400 / 0.001, rel=1e-9)
    assert slo["error_budget_remaining"] == pytest.approx(1 - 800 / 554_400 / 0.001, rel=1e-9)
    assert slo["burn_rate"] == slo["error_budget_consumed"]
    assert slo["status"] == "breached"
    # Prometheus itself, asked for the whole SLI in one expression:
    direct = ask(
        prometheus_url,
        "1 - sum(increase(api_requests_total{status=~'5..'}[7d]))"
        " / sum(increase(api_requests_total[7d]))",
        PERIOD.end,
    )
    assert slo["sli"] == pytest.approx(direct, rel=1e-12)


def test_downtime_minutes_on_a_one_minute_grid(client, catalog):
    slo = availability(client, catalog, PERIOD)
    # A 5-minute window sees an outage's failures from its first minute until 4 minutes after
    # its last: 60 + 4 = 64 minutes at night, 10 + 4 = 14 by day.
    assert slo["downtime_minutes"] == 78
    assert slo["allowed_downtime_minutes"] == pytest.approx(0.001 * 7 * 24 * 60)  # 10.08


def test_previous_week_without_failures(client, catalog):
    previous = PERIOD.previous()
    slo = availability(client, catalog, previous)
    # The week before has no 5xx at all: availability 1, not "no data".
    assert slo["sli"] == 1.0
    assert slo["downtime_minutes"] == 0
    assert slo["error_budget_remaining"] == 1.0


def test_tier_one_metrics_with_status_and_change(client, catalog, prometheus_url):
    scorecard = {
        m["name"]: m
        for m in metric_scorecard(measurements.measure_metrics(client, catalog, PERIOD))
    }
    availability = scorecard["api_availability"]
    assert availability["value"] == pytest.approx(553_600 / 554_400, rel=1e-12)
    assert availability["status"] == "at_risk"  # 0.99856: below 0.999, above 0.995
    assert availability["previous"] == 1.0
    assert availability["change"] == pytest.approx(-800 / 554_400, rel=1e-9)

    goals = scorecard["goal_execution_success"]
    assert goals["value"] == pytest.approx(0.96)  # 48 of 50 a minute
    assert goals["status"] == "at_risk"  # below 0.98, above the 0.95 alert
    assert goals["change"] == pytest.approx(0.0, abs=1e-12)
    assert goals["value"] == pytest.approx(
        ask(
            prometheus_url,
            "sum(increase(goal_executions_total{status='succeeded'}[604800s]))"
            " / sum(increase(goal_executions_total[604800s]))",
            PERIOD.end,
        )
    )

    deliverables = scorecard["deliverable_creation_success"]
    assert deliverables["value"] == pytest.approx(0.94)  # 47 created per 50 goal runs
    assert deliverables["status"] == "at_risk"

    # No login series at all: no data, never 0 % or 100 % (case C04).
    logins = scorecard["authentication_success"]
    assert logins["value"] is None
    assert logins["status"] == "no_data"
    assert logins["previous"] is None and logins["change"] is None


def test_database_capacity_from_slow_scraped_gauge(client, catalog):
    history = measurements.measure_capacity(client, catalog, PERIOD, 30, "/var/lib/postgresql")
    # The database first; then the disks (no free-space series here) and the two pools of
    # scorecard_history.py.
    projection, *others = capacity_projection(history, PERIOD)
    assert [other["resource"] for other in others] == [
        "disk_usage",
        "connection_pool:primary",
        "connection_pool:replica",
    ]
    daily = history[0]["daily"]
    # 30 daily points, none lost to the slow scrape. Each is the level at the day's last
    # five-minute point, the day's end, which holds the sample taken at that midnight.
    assert len(daily) == 30
    assert daily[0][0] == dt.date(2026, 10, 31)
    assert daily[-1] == (dt.date(2026, 11, 29), 141 * GB)  # 100 GB + 41 days x 1 GB
    assert projection["limit"] == 500 * GB
    assert projection["current"] == daily[-1][1]
    assert projection["growth_per_day"] == pytest.approx(GB, rel=1e-9)
    # The line reaches 80 % of 500 GB = 400 GB (400 - 141) / 1 = 259 days after the period end.
    assert projection["days_until_target"] == pytest.approx(259, rel=1e-9)
    assert projection["days_until_full"] == pytest.approx(359, rel=1e-9)
    assert projection["verdict"] == "ok"
    # This history has the volume's size but not its free space: the catalog's disks are
    # listed without data rather than left out.
    assert others[0]["verdict"] == "insufficient_data"


def test_coverage_of_the_period(client, catalog):
    coverage = {c["series"]: c for c in measurements.measure_data_coverage(client, catalog, PERIOD)}
    assert coverage["api_requests_total"]["coverage"] == 1.0
    assert coverage["api_requests_total"]["series_born_in_period"] == 0
    assert coverage['auth_attempts_total{result="success"}']["coverage"] == 0.0


def test_a_month_of_minutes_in_one_range_query(client):
    # Case C01: the step chosen for October stays under Prometheus' 11,000-point limit, and
    # Prometheus answers with floor(range / step) + 1 points.
    october = period_for("monthly", "2026-10-01")
    step = choose_step(october.start, october.end, 60)
    (series,) = client.range("vector(1)", october.start, october.end, step)
    assert step == 244
    assert len(series.points) == 2_678_400 // 244 + 1
