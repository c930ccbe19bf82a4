"""Security and agent figures from a real Prometheus over tests/security_history.py.

Each figure is checked against the value worked out by hand in security_history.py and, where
it is one number, against Prometheus answering the same PromQL directly.
"""

import datetime as dt

import httpx
import pytest

from tests.security_history import BURSTS, EMAIL_CLIENT, QUIET_WEEK, WEEK
from waooaw_reports.analytics import security
from waooaw_reports.customer_measurements import measure_active_agents
from waooaw_reports.periods import period_for
from waooaw_reports.security_measurements import (
    measure_client_requests,
    measure_credential_states,
    measure_failed_logins,
)
from waooaw_reports.sources.prometheus import PrometheusClient

PERIOD = period_for("weekly", WEEK)
QUIET = period_for("weekly", QUIET_WEEK)
# 7 days x 12 day hours x 60, plus what the three bursts add over a usual hour.
TOTAL = 7 * 12 * 60 + (120 - 60) + (180 - 60) + (3_000 - 0)


def ask(url: str, query: str, at: dt.datetime) -> float | None:
    body = httpx.get(f"{url}/api/v1/query", params={"query": query, "time": at.timestamp()})
    result = body.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


@pytest.fixture(scope="module")
def client(security_prometheus_url):
    with PrometheusClient(security_prometheus_url) as client:
        yield client


def _review(client, period):
    measured = measure_failed_logins(client, period)
    hourly = {t: v for t, v in measured["hourly"]}
    return measured, security.failed_login_review(hourly, measured["total"], period)


def test_failed_logins_per_hour_and_the_week_total(client, security_prometheus_url):
    measured, review = _review(client, PERIOD)
    assert TOTAL == 8_220
    assert review["total"] == TOTAL
    assert review["total"] == ask(
        security_prometheus_url,
        'sum(increase(auth_attempts_total{result="failure"}[7d]))',
        PERIOD.end,
    )
    # 168 hours of the week, each judged; 4 weeks of baseline, 5 weeks of points in all.
    assert review["hours_with_data"] == 168
    assert review["hours_without_baseline"] == 0
    hours = {h["hour"]: h for h in review["hourly"]}
    assert hours["2026-11-23T09:00:00+00:00"]["failures"] == 60
    assert hours["2026-11-23T03:00:00+00:00"]["failures"] == 0
    # Prometheus' own answer for one hour, at the hour's end:
    assert hours["2026-11-25T10:00:00+00:00"]["failures"] == ask(
        security_prometheus_url,
        'sum(increase(auth_attempts_total{result="failure"}[1h]))',
        dt.datetime(2026, 11, 25, 11, tzinfo=dt.UTC),
    )


def test_anomalies_against_the_same_hour_of_four_weeks(client):
    _, review = _review(client, PERIOD)
    # Day hours: the baseline is [0 (the quiet week), 60, 60, 60], median 60, MAD 0, so the
    # spread is its floor, a quarter of the median: 15. Night hours: median 0, spread 5.
    flagged = {h["hour"]: h for h in review["anomalies"]}
    assert list(flagged) == [start.isoformat() for start, _, _ in BURSTS]
    noon = flagged["2026-11-24T12:00:00+00:00"]
    assert sorted(noon["baseline"]) == [0, 60, 60, 60]
    assert (noon["baseline_median"], noon["baseline_mad"]) == (60, 0)
    assert noon["score"] == pytest.approx((120 - 60) / 15)  # 4.0
    assert flagged["2026-11-25T10:00:00+00:00"]["score"] == pytest.approx((180 - 60) / 15)
    night = flagged["2026-11-27T21:00:00+00:00"]
    assert night["baseline"] == [0, 0, 0, 0]
    assert night["score"] == pytest.approx(3_000 / 5)  # 600
    assert review["peak"] == {"hour": "2026-11-27T21:00:00+00:00", "failures": 3_000}
    assert review["anomalous_hours"] == 3
    assert review["status"] == "at_risk"
    usual = next(h for h in review["hourly"] if h["hour"] == "2026-11-26T09:00:00+00:00")
    assert (usual["failures"], usual["score"], usual["anomaly"]) == (60, 0, False)


def test_a_week_with_no_failed_logins(client):
    _, review = _review(client, QUIET)
    # The failure counter exists but stays flat: zero, not "no data".
    assert review["total"] == 0
    assert review["hours_with_data"] == 168
    assert all(h["failures"] == 0 for h in review["hourly"])
    # Only three weeks of history before it: still enough to judge (at least 3 of 4).
    assert review["hours_without_baseline"] == 0
    day_hour = next(h for h in review["hourly"] if h["hour"] == "2026-11-17T10:00:00+00:00")
    assert day_hour["baseline_median"] == 60
    assert day_hour["score"] == pytest.approx(-60 / 15)
    assert review["anomalies"] == []
    assert review["peak"] is None
    assert review["status"] == "met"


def test_weeks_without_any_login_series_have_no_data(client):
    before = period_for("weekly", "2026-10-12")
    _, review = _review(client, before)
    assert review["total"] is None
    assert review["hours_with_data"] == 0
    assert review["status"] == "no_data"


def test_api_client_movers(client):
    measured = measure_client_requests(client, PERIOD)
    movers = security.api_client_movers(
        measured["requests"],
        measured["requests_previous"],
        measured["unauthorised"],
        measured["unauthorised_previous"],
    )
    hidden = security.opaque_client(EMAIL_CLIENT)
    assert hidden.startswith("redacted-") and "@" not in hidden
    rows = {row["client"]: row for row in movers["movers"]}
    # Ranked by the size of the change; key_a and key_gone tie at 20,160 and go by key id.
    assert [row["client"] for row in movers["movers"]] == [
        "key_a",
        "key_gone",
        "key_b",
        "key_new",
        hidden,
    ]
    assert (rows["key_a"]["requests"], rows["key_a"]["previous"]) == (12 * 10_080, 10 * 10_080)
    assert rows["key_a"]["change_ratio"] == pytest.approx(0.2)
    assert rows["key_b"]["requests"] == 5 * 10_080 + 12_000
    assert rows["key_b"]["unauthorised"] == 12_000
    assert rows["key_b"]["unauthorised_previous"] == 0
    assert rows["key_b"]["change_ratio"] == pytest.approx(12_000 / 50_400)
    assert rows["key_new"]["new"] and rows["key_new"]["previous"] == 0
    assert rows["key_new"]["change_ratio"] is None
    assert rows["key_gone"]["gone"] and rows["key_gone"]["change"] == -20_160
    assert rows[hidden]["change"] == 0
    assert movers["clients"] == 4 and movers["clients_previous"] == 4
    assert movers["requests"] == 120_960 + 62_400 + 10_080 + 10_080
    assert movers["requests_previous"] == 100_800 + 50_400 + 20_160 + 10_080


def test_credential_gauge_at_the_period_end(client):
    gauge = security.credential_gauge(measure_credential_states(client, PERIOD)["states"])
    assert (gauge["valid"], gauge["expiring"], gauge["invalid"], gauge["total"]) == (90, 6, 4, 100)
    assert gauge["valid_share"] == pytest.approx(0.90)
    assert gauge["expiring_share"] == pytest.approx(0.06)
    assert gauge["invalid_share"] == pytest.approx(0.04)
    assert gauge["status"] == "at_risk"  # below 95 %, above the 85 % alert
    # Before the gauge existed: no data.
    before = period_for("weekly", "2026-11-09")
    early = security.credential_gauge(measure_credential_states(client, before)["states"])
    assert early["total"] is None and early["status"] == "no_data"


def test_mean_active_agents(client, security_prometheus_url):
    measured = measure_active_agents(client, PERIOD)
    assert measured["value"] == 50
    # The week before: 10,080 minutes at 40 and, in Prometheus 2's closed range, the sample
    # at its end (50).
    assert measured["previous"] == pytest.approx((40 * 10_080 + 50) / 10_081, rel=1e-12)
    assert measured["previous"] == ask(
        security_prometheus_url, measured["query"]["value"], QUIET.end
    )
