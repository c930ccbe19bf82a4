"""The playbook scorecard from a real Prometheus over the hand-made history.

Every metric is checked against the value worked out in tests/history.py and
tests/scorecard_history.py, and against Prometheus answering the same question with a query
written here independently of the catalog.
"""

import datetime as dt

import httpx
import pytest

from tests.history import DAY_OUTAGE, NIGHT_OUTAGE, WEEK
from waooaw_reports import measurements, offenders, scorecard
from waooaw_reports.catalog import load_catalog
from waooaw_reports.periods import period_for
from waooaw_reports.report import metric_scorecard
from waooaw_reports.sources.prometheus import PrometheusClient

PERIOD = period_for("weekly", WEEK)
BEFORE = PERIOD.previous()
TOTAL = 7 * (720 * 100 + 720 * 10)  # API requests in the week, tests/history.py
BAD = NIGHT_OUTAGE[1] * NIGHT_OUTAGE[2] + DAY_OUTAGE[1] * DAY_OUTAGE[2]
MINUTES = 7 * 24 * 60


def ask(url: str, query: str, at: dt.datetime) -> float | None:
    """Prometheus' own answer to ``query``, with a plain HTTP client."""
    body = httpx.get(f"{url}/api/v1/query", params={"query": query, "time": at.timestamp()})
    result = body.json()["data"]["result"]
    assert len(result) <= 1, result
    return float(result[0]["value"][1]) if result else None


@pytest.fixture(scope="module")
def client(prometheus_url):
    with PrometheusClient(prometheus_url) as client:
        yield client


@pytest.fixture(scope="module")
def card(client):
    measured = measurements.measure_metrics(client, load_catalog(), PERIOD)
    return {m["name"]: m for m in metric_scorecard(measured)}


# name: (value, previous, status, Prometheus' own query over a week, its week-before value)
EXPECTED = {
    # Tier 2. P95 of the summed buckets (see scorecard_history.py).
    "api_latency_p95": (
        0.35,
        0.16,
        "at_risk",
        "histogram_quantile(0.95, sum by (le) (rate(api_request_duration_seconds_bucket[1w])))",
    ),
    "goal_execution_latency_p95": (
        232.5,
        60 + 60 * 17.5 / 18,
        "at_risk",
        "histogram_quantile(0.95, sum by (le) (rate(goal_execution_latency_seconds_bucket[1w])))",
    ),
    "approval_wait_median": (
        4800.0,
        4800.0,
        "met",
        "histogram_quantile(0.5, sum by (le) (rate(approval_wait_seconds_bucket[1w])))",
    ),
    "approval_wait_p95": (  # past the one-day alert; a metric without a target is met below it
        129_600.0,
        50_400.0,
        "breached",
        "histogram_quantile(0.95, sum by (le) (rate(approval_wait_seconds_bucket[1w])))",
    ),
    "integration_success:instagram": (
        0.99,
        0.99,
        "met",
        "sum(rate(integration_requests_total{platform='instagram',status='success'}[1w]))"
        " / sum(rate(integration_requests_total{platform='instagram'}[1w]))",
    ),
    "integration_success:linkedin": (
        21 / 25,
        24 / 25,
        "breached",
        "sum(rate(integration_requests_total{platform='linkedin',status='success'}[1w]))"
        " / sum(rate(integration_requests_total{platform='linkedin'}[1w]))",
    ),
    # Tier 3.
    "connection_pool_utilization": (
        0.95,
        0.84,
        "breached",
        "max_over_time(max(avg_over_time(db_pool_connections_in_use[5m])"
        " / on (pool) avg_over_time(db_pool_connections_max[5m]))[1w:1m])",
    ),
    "scheduler_heartbeat_max_age": (
        600.0,
        60.0,
        "breached",
        # The gauge is scraped every minute, so the plain selector sees every beat.
        "max_over_time((time() - scheduler_heartbeat_timestamp_seconds)[1w:1m])",
    ),
    "slow_queries_per_minute": (
        30.0,
        8.0,
        "breached",
        "60 * max_over_time(rate(db_slow_queries_total[5m])[1w:1m])",
    ),
    "error_rate_5xx": (
        BAD / TOTAL,
        0.0,
        "at_risk",
        "sum(rate(api_requests_total{status=~'5..'}[1w])) / sum(rate(api_requests_total[1w]))",
    ),
    "cache_hit_rate": (
        0.9,
        0.8,
        "met",
        "sum(rate(redis_keyspace_hits_total[1w])) / (sum(rate(redis_keyspace_hits_total[1w]))"
        " + sum(rate(redis_keyspace_misses_total[1w])))",
    ),
    # Tier 4. Active agents are judged on their fall, below.
    "active_agents": (671 / 7, 662 / 7, "breached", "avg_over_time(active_agents[1w])"),
    "credential_health": (
        0.93,
        0.96,
        "at_risk",
        "sum(last_over_time(platform_credentials{state='valid'}[1h]))"
        " / sum(last_over_time(platform_credentials[1h]))",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metric_agrees_with_hand_and_prometheus(card, prometheus_url, name):
    value, previous, status, direct = EXPECTED[name]
    metric = card[name]
    assert metric["value"] == pytest.approx(value, rel=1e-9)
    assert metric["previous"] == pytest.approx(previous, rel=1e-9, abs=1e-12)
    assert metric["change"] == pytest.approx(value - previous, rel=1e-9, abs=1e-12)
    assert metric["status"] == status
    assert metric["value"] == pytest.approx(ask(prometheus_url, direct, PERIOD.end), rel=1e-9)
    assert metric["previous"] == pytest.approx(
        ask(prometheus_url, direct, BEFORE.end), rel=1e-9, abs=1e-12
    )


def test_every_metric_of_the_weekly_review_is_on_the_card(card):
    names = {m.name for m in load_catalog().metrics if m.source == "prometheus"}
    assert set(card) == names
    tiers = {m["tier"] for m in card.values()}
    assert tiers == {1, 2, 3, 4}
    for metric in card.values():
        assert metric["query"], metric["name"]
        assert metric["status"] in ("met", "at_risk", "breached", "no_data")


def test_a_platform_without_calls_has_no_data_not_zero(card, prometheus_url):
    # Delta Exchange's series stop on 2026-11-20: the week before has a rate, this week none.
    delta = card["integration_success:delta_exchange"]
    assert delta["value"] is None
    assert delta["status"] == "no_data"
    assert delta["previous"] == pytest.approx(0.96)
    assert delta["change"] is None
    direct = "sum(increase(integration_requests_total{platform='delta_exchange'}[1w]))"
    assert ask(prometheus_url, direct, PERIOD.end) is None


def test_error_rate_is_the_failure_share_of_the_same_counts(card):
    errors, availability = card["error_rate_5xx"], card["api_availability"]
    assert errors["total"] == availability["total"] == TOTAL
    assert errors["bad"] == BAD
    assert errors["value"] == pytest.approx(BAD / TOTAL, rel=1e-12)
    assert errors["value"] + availability["value"] == pytest.approx(1.0, rel=1e-12)


def test_heartbeat_minutes_older_than_three_minutes(card, prometheus_url):
    heartbeat = card["scheduler_heartbeat_max_age"]
    # The stall: the last beat is over 180 s old at 06:04 to 06:10, seven minute ends.
    assert heartbeat["details"] == {"minutes_older_than_3_min": 7.0}
    direct = "count_over_time(((time() - scheduler_heartbeat_timestamp_seconds) > 180)[1w:1m])"
    assert ask(prometheus_url, direct, PERIOD.end) == 7
    assert "minutes_older_than_3_min" in heartbeat["query"]


def test_active_agents_judged_on_their_largest_daily_fall(card, prometheus_url):
    agents = card["active_agents"]
    judged = agents["judged_on"]
    # 104 on the 25th, 78 on the 26th: a fall of 26 / 104, past the 20 % alert.
    assert judged["value"] == pytest.approx(0.25, rel=1e-9)
    assert judged["day"] == "2026-11-26"
    assert judged["previous"] == pytest.approx(2 / 95, rel=1e-9)  # 95 -> 93 on the 20th
    assert agents["status"] == "breached"
    assert (agents["target"], agents["alert_threshold"], agents["direction"]) == (0, 0.2, "lower")

    # The daily means, the day before the period first, against Prometheus' own per day.
    days = [day for day, _ in judged["daily"]]
    assert days == [f"2026-11-{day}" for day in range(22, 30)]
    for day, value in judged["daily"]:
        end = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
        assert value == pytest.approx(ask(prometheus_url, "avg_over_time(active_agents[1d])", end))


def test_credentials_read_past_the_lookback_of_a_slow_scrape(prometheus_url):
    # The last sample before the period end is 8 minutes old: a plain selector misses it
    # (case C08); the catalog's last_over_time reads it.
    assert ask(prometheus_url, "sum(platform_credentials)", PERIOD.end) is None
    assert ask(prometheus_url, "sum(last_over_time(platform_credentials[15m]))", PERIOD.end) == 1000


def test_daily_windows_follow_the_zone(client):
    # A Berlin week across the end of daylight saving time: the Sunday lasts 25 hours.
    week = period_for("weekly", "2026-10-19", "Europe/Berlin")
    days = scorecard.local_days(week)
    assert [day.isoformat() for day, _ in days][0] == "2026-10-18"
    assert len(days) == 8
    assert [window.seconds // 3600 for _, window in days] == [24] * 7 + [25]


def test_top_offenders(client, prometheus_url):
    found = offenders.top_offenders(client, PERIOD)

    (errors,) = found["error_rate"]["rows"]
    assert (errors["service"], errors["endpoint"]) == ("api-gateway", "/v1/goals")
    assert (errors["errors"], errors["requests"]) == (BAD, TOTAL)
    assert errors["error_rate"] == pytest.approx(BAD / TOTAL, rel=1e-12)

    # The latency histogram carries only the service: one row, endpoint empty.
    (latency,) = found["latency_p95"]["rows"]
    assert (latency["service"], latency["endpoint"]) == ("api-gateway", "")
    assert latency["p95_seconds"] == pytest.approx(0.35)
    assert latency["requests"] == 100 * MINUTES

    queries = found["slow_queries"]["rows"]
    assert [q["query_id"] for q in queries] == [
        "select_pending_approvals",  # P95 1 + 4 x 1.5 / 2 = 4 s
        "insert_deliverable",  # 0.1 + 0.9 x 2.5 / 5 = 0.55 s
        "select_goals_due",  # 0.01 + 0.09 x 5 / 10 = 0.055 s
    ]
    assert [q["p95_seconds"] for q in queries] == pytest.approx([4.0, 0.55, 0.055])
    slowest = queries[0]
    assert slowest["calls"] == 10 * MINUTES
    assert slowest["total_seconds"] == pytest.approx(25 * MINUTES)
    assert slowest["mean_seconds"] == pytest.approx(2.5)
    direct = (
        "histogram_quantile(0.95, sum by (le) "
        "(rate(db_query_duration_seconds_bucket{query_id='insert_deliverable'}[1w])))"
    )
    assert queries[1]["p95_seconds"] == pytest.approx(ask(prometheus_url, direct, PERIOD.end))
