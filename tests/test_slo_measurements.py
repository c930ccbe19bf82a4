"""SLO figures from a real Prometheus over the three months of tests/slo_history.py.

Each figure is checked twice: against the value worked out by hand from the history, and
against Prometheus answering the same PromQL directly over plain HTTP.
"""

from __future__ import annotations

import datetime as dt
import logging

import httpx
import pytest

from tests.slo_history import DAY_REQUESTS, MAINTENANCE, SLOW_STEPS
from waooaw_reports.catalog import SloSpec, load_catalog
from waooaw_reports.periods import period_for
from waooaw_reports.slo_measurements import measure_slo, measure_slos
from waooaw_reports.slo_report import slo_entries, slo_entry
from waooaw_reports.sources.prometheus import PrometheusClient

UTC = dt.UTC
NOVEMBER = period_for("monthly", "2026-11-01")
WEEK = period_for("weekly", "2026-11-23")
STEPS = 288  # 5-minute steps a day
WINDOW_STEPS = 6  # the 30-minute maintenance window, at night

# Hand-worked November (UTC) with the maintenance window left out.
API_TOTAL = 30 * DAY_REQUESTS - 300  # 2,375,700: the window held 30 night minutes x 10
API_BAD = 2_400 + 300 + 500  # 3,200; the 150 inside the window are left out
GOAL_TOTAL = 30 * STEPS * 250 - WINDOW_STEPS * 250  # 2,158,500
GOAL_FAILED = 23 * STEPS * 2 + 7 * STEPS * 5 - WINDOW_STEPS * 2  # 23,316
LATENCY_GOOD = 30 * 77_040 - SLOW_STEPS * (485 - 200) - WINDOW_STEPS * 50  # 2,300,640


def ask(url: str, query: str, at: dt.datetime) -> float | None:
    """Prometheus' own answer to ``query``, with a plain HTTP client."""
    body = httpx.get(f"{url}/api/v1/query", params={"query": query, "time": at.timestamp()})
    body.raise_for_status()
    result = body.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def client(slo_prometheus_url):
    with PrometheusClient(slo_prometheus_url) as client:
        yield client


@pytest.fixture(scope="module")
def audit(client) -> dict[str, dict]:
    """The November audit's SLO entries, with the maintenance window configured."""
    measured = measure_slos(client, load_catalog(), NOVEMBER, (MAINTENANCE,))
    return {entry["name"]: entry for entry in slo_entries(measured, NOVEMBER)}


@pytest.fixture(scope="module")
def review_week(client) -> dict[str, dict]:
    measured = measure_slos(client, load_catalog(), WEEK, (MAINTENANCE,))
    return {entry["name"]: entry for entry in slo_entries(measured, WEEK)}


def test_availability_over_the_month_less_maintenance(audit):
    api = audit["api_availability"]
    assert (api["good"], api["total"]) == (API_TOTAL - API_BAD, API_TOTAL)
    assert api["sli"] == pytest.approx(1 - API_BAD / API_TOTAL, rel=1e-12)
    # consumed = (3,200 / 2,375,700) / 0.001 = 1.34697...; remaining negative: blown.
    assert api["error_budget_consumed"] == pytest.approx(API_BAD / API_TOTAL / 0.001, rel=1e-9)
    assert api["error_budget_remaining"] == pytest.approx(1 - API_BAD / API_TOTAL / 0.001)
    assert api["burn_rate"] == api["error_budget_consumed"]
    assert api["status"] == "breached"
    # Minutes down: 60 + 4 for the outage of 11-18, 60 + 4 at night, 10 + 4 by day. The 19
    # minutes of the outage inside the maintenance window are left out; 30 days allow 43.2.
    assert api["downtime_minutes"] == 142
    assert api["allowed_downtime_minutes"] == pytest.approx(43.2, rel=1e-12)
    assert api["maintenance_excluded"] == {
        "good": 150.0,
        "total": 300.0,
        "bad": 150.0,
        "downtime_minutes": 19.0,
        "parts": [
            {
                "start": "2026-11-10T01:00:00+00:00",
                "end": "2026-11-10T01:30:00+00:00",
                "good": 150.0,
                "total": 300.0,
                "downtime_minutes": 19.0,
                "query": api["maintenance_excluded"]["parts"][0]["query"],
            }
        ],
    }


def test_other_slos_over_the_month(audit):
    goals = audit["goal_execution_success"]
    assert (goals["good"], goals["total"]) == (GOAL_TOTAL - GOAL_FAILED, GOAL_TOTAL)
    assert goals["error_budget_remaining"] == pytest.approx(1 - GOAL_FAILED / GOAL_TOTAL / 0.02)
    assert goals["status"] == "met"
    assert goals["downtime_minutes"] is None and goals["allowed_downtime_minutes"] is None

    deliverables = audit["deliverable_creation_success"]
    assert deliverables["good"] == 30 * STEPS * 245 - WINDOW_STEPS * 245
    assert deliverables["total"] == GOAL_TOTAL  # per goal run
    assert deliverables["sli"] == pytest.approx(0.98)

    instagram = audit["integration_success:instagram"]
    assert instagram["total"] == 30 * STEPS * 100 - WINDOW_STEPS * 100
    assert instagram["sli"] == pytest.approx(0.98)
    assert instagram["error_budget_remaining"] == pytest.approx(1 - 0.02 / 0.05)

    # LinkedIn has no failure series at all: every call counts as good.
    linkedin = audit["integration_success:linkedin"]
    assert (linkedin["sli"], linkedin["error_budget_remaining"]) == (1.0, 1.0)

    # The latency SLO: calls under 200 ms over all calls, from the summed buckets.
    latency = audit["api_latency"]
    assert (latency["good"], latency["total"]) == (LATENCY_GOOD, API_TOTAL)
    assert latency["sli"] == pytest.approx(LATENCY_GOOD / API_TOTAL, rel=1e-12)
    assert latency["status"] == "met"


def test_no_traffic_is_no_data(audit):
    # C04: Delta Exchange's series exists but never moves; there is no login series at all.
    for name in ("integration_success:delta_exchange", "authentication_success"):
        slo = audit[name]
        assert slo["sli"] is None, name
        assert slo["status"] == "no_data"
        assert slo["error_budget_remaining"] is None
        assert slo["burn_down"] is None
        assert slo["runway"]["state"] == "no_data" and slo["runway"]["days"] is None
    assert audit["integration_success:delta_exchange"]["total"] == 0
    assert audit["authentication_success"]["total"] is None


@pytest.mark.parametrize("report", ["audit", "review_week"])
def test_every_count_is_prometheus_answering_the_reported_query(
    report, request, slo_prometheus_url
):
    entries = request.getfixturevalue(report)
    end = NOVEMBER.end if report == "audit" else WEEK.end
    for slo in entries.values():
        spans = [(slo, end), (slo["rolling_28d"], end), (slo["last_7d"], end)]
        spans += [(before, instant(before["end"])) for before in slo["history"]]
        for span, at in spans:
            for figure in ("good", "total", "downtime"):
                if figure not in span["query"]:
                    continue
                direct = ask(slo_prometheus_url, span["query"][figure], at)
                # Less each maintenance window inside the span, asked at the window's end.
                for part in span["maintenance_excluded"]["parts"] if direct is not None else []:
                    part_end = instant(part["end"])
                    direct -= ask(slo_prometheus_url, part["query"][figure], part_end) or 0.0
                value = span["downtime_minutes" if figure == "downtime" else figure]
                if direct is None:
                    assert value is None, (slo["name"], figure)
                else:
                    assert value == pytest.approx(direct, rel=1e-12), (slo["name"], figure)
    # The window of 2026-11-10 falls in these spans and was taken out of each:
    api = entries["api_availability"]
    assert api["rolling_28d"]["maintenance_excluded"]["total"] == 300
    if report == "review_week":
        assert api["maintenance_excluded"]["parts"] == []
        assert api["history"][2]["maintenance_excluded"]["total"] == 300


def test_whole_slis_in_one_expression_each(audit, slo_prometheus_url):
    # The SLI as one PromQL expression, the window taken out with the @ modifier.
    month, window, window_end = "2592000s", "1800s", int(MAINTENANCE.end.timestamp())

    def less_window(selector: str) -> str:
        return (
            f"(sum(increase({selector}[{month}])) - "
            f"sum(increase({selector}[{window}] @ {window_end})))"
        )

    errors = 'api_requests_total{status=~"5.."}'
    availability = f"1 - {less_window(errors)} / {less_window('api_requests_total')}"
    assert audit["api_availability"]["sli"] == pytest.approx(
        ask(slo_prometheus_url, availability, NOVEMBER.end), rel=1e-12
    )
    fast = 'api_request_duration_seconds_bucket{le="0.2"}'
    latency = f"{less_window(fast)} / {less_window('api_request_duration_seconds_count')}"
    assert audit["api_latency"]["sli"] == pytest.approx(
        ask(slo_prometheus_url, latency, NOVEMBER.end), rel=1e-12
    )


def test_month_beside_the_rolling_28_days(audit):
    api = audit["api_availability"]
    rolling = api["rolling_28d"]
    assert (rolling["start"], rolling["end"]) == (
        "2026-11-03T00:00:00+00:00",
        "2026-12-01T00:00:00+00:00",
    )
    # 28 days of requests less the window; the same three outages.
    assert rolling["total"] == 28 * DAY_REQUESTS - 300
    assert rolling["good"] == rolling["total"] - API_BAD
    assert rolling["downtime_minutes"] == 142
    assert rolling["allowed_downtime_minutes"] == pytest.approx(0.001 * 28 * 1440)
    assert rolling["status"] == "breached"


def test_burn_down_each_day_end_is_one_instant_query_over_the_month_so_far(
    audit, slo_prometheus_url
):
    api = audit["api_availability"]
    line = api["burn_down"]
    assert len(line) == 31  # the start and 30 day ends
    assert line[0] == {
        "at": "2026-11-01T00:00:00+00:00",
        "good": 0.0,
        "total": 0.0,
        "sli_to_date": None,
        "error_budget_remaining": 1.0,
        "ideal": 1.0,
        "query": None,
    }
    budget = 0.001 * API_TOTAL  # 2,375.7 bad requests for the month
    by_day = {point["at"][:10]: point for point in line}
    # Nothing spent until the outage of 11-18 (the one of 11-10 is maintenance).
    assert by_day["2026-11-18"]["error_budget_remaining"] == 1.0
    assert by_day["2026-11-19"]["error_budget_remaining"] == pytest.approx(1 - 2_400 / budget)
    assert by_day["2026-11-26"]["error_budget_remaining"] == pytest.approx(1 - 2_700 / budget)
    assert by_day["2026-11-27"]["error_budget_remaining"] == pytest.approx(1 - 3_200 / budget)
    assert line[-1]["error_budget_remaining"] == pytest.approx(api["error_budget_remaining"])
    assert [point["ideal"] for point in line] == pytest.approx([1 - k / 30 for k in range(31)])

    # Prometheus, asked at each day end over the elapsed seconds, less the window once past it.
    for point in line[1:]:
        end = instant(point["at"])
        elapsed = int((end - NOVEMBER.start).total_seconds())
        query = f"sum(increase(api_requests_total[{elapsed}s]))"
        assert point["query"]["total"] == query
        for figure in ("good", "total"):
            direct = ask(slo_prometheus_url, point["query"][figure], end)
            if end >= MAINTENANCE.end:
                window = api["maintenance_excluded"]["parts"][0]["query"][figure]
                direct -= ask(slo_prometheus_url, window, MAINTENANCE.end)
            assert point[figure] == pytest.approx(direct, rel=1e-12), (point["at"], figure)


def test_burn_down_follows_local_days_across_a_daylight_saving_change(client):
    # October in Berlin: 745 hours, 31 local day ends, the 25th 601 hours after the start.
    october = period_for("monthly", "2026-10-01", "Europe/Berlin")
    spec = next(s for s in load_catalog().slos if s.name == "api_availability")
    entry = slo_entry(measure_slo(client, spec, october), october)
    line = entry["burn_down"]
    assert [point["at"] for point in line[25:27]] == [
        "2026-10-26T00:00:00+01:00",
        "2026-10-27T00:00:00+01:00",
    ]
    assert line[25]["ideal"] == pytest.approx(1 - 601 / 745)
    # From 2026-09-30 22:00 to 2026-10-31 23:00 UTC: 31 days and one night hour.
    assert entry["total"] == 31 * DAY_REQUESTS + 600
    assert entry["allowed_downtime_minutes"] == pytest.approx(44.7, rel=1e-12)
    budget = 0.001 * entry["total"]
    assert line[21]["error_budget_remaining"] == pytest.approx(1 - 200 / budget)  # after 10-21
    assert line[20]["error_budget_remaining"] == 1.0


def test_runway_at_the_last_weeks_burn_rate(audit):
    goals = audit["goal_execution_success"]["runway"]
    # 28 days: 21 at 2 and 7 at 5 failures a step, less the window (12 failed of 1,500 runs).
    total = 28 * STEPS * 250 - 1_500
    failed = 21 * STEPS * 2 + 7 * STEPS * 5 - 12
    remaining = 1 - failed / total / 0.02
    assert goals["error_budget_remaining_28d"] == pytest.approx(remaining)
    assert goals["burn_rate_7d"] == pytest.approx(1.0)  # 5 of 250 against a 2 % budget
    assert goals["days"] == pytest.approx(remaining * 28)  # 12.597 days
    assert goals["state"] == "running"
    assert goals["runs_out_at"].startswith("2026-12-13T")

    latency = audit["api_latency"]["runway"]
    bad = 28 * (DAY_REQUESTS - 77_040) + SLOW_STEPS * 285  # 70,740 slow requests
    remaining = 1 - bad / (28 * DAY_REQUESTS - 300) / 0.05
    burn_rate = (DAY_REQUESTS - 77_040) / DAY_REQUESTS / 0.05  # 0.5454...
    assert latency["days"] == pytest.approx(remaining * 28 / burn_rate)  # 18.58 days

    assert audit["deliverable_creation_success"]["runway"]["days"] == pytest.approx(14)
    assert audit["integration_success:instagram"]["runway"]["runs_out_at"].startswith("2027-01-12")
    assert audit["integration_success:linkedin"]["runway"] == {
        "days": None,
        "runs_out_at": None,
        "state": "not_being_spent",
        "burn_rate_7d": 0.0,
        "error_budget_remaining_28d": 1.0,
    }
    api = audit["api_availability"]["runway"]
    assert (api["state"], api["days"]) == ("spent", 0.0)
    assert api["burn_rate_7d"] == pytest.approx(800 / (7 * DAY_REQUESTS) / 0.001)


def test_review_flags_over_three_months(audit):
    api = audit["api_availability"]["review"]
    assert [m["key"] for m in api["months"]] == ["2026-09-01", "2026-10-01", "2026-11-01"]
    assert [m["status"] for m in api["months"]] == ["breached", "met", "breached"]
    assert api["months"][0]["sli"] == pytest.approx(1 - 3_000 / (30 * DAY_REQUESTS))
    assert api["months"][1]["sli"] == pytest.approx(1 - 200 / (31 * DAY_REQUESTS))
    assert (api["flagged"], api["reason"]) == (True, "missed_twice_in_three")

    linkedin = audit["integration_success:linkedin"]["review"]
    assert (linkedin["flagged"], linkedin["reason"]) == (True, "met_with_budget_left")
    for name in ("goal_execution_success", "api_latency", "integration_success:delta_exchange"):
        assert audit[name]["review"]["flagged"] is False, name


def test_week_weighs_the_night_outage_by_its_requests(review_week):
    api = review_week["api_availability"]
    # 300 failed requests in 60 night minutes, 500 in 10 day minutes.
    assert (api["good"], api["total"]) == (7 * DAY_REQUESTS - 800, 7 * DAY_REQUESTS)
    assert api["downtime_minutes"] == 64 + 14
    assert api["allowed_downtime_minutes"] == pytest.approx(10.08)
    assert api["burn_down"] is None and api["review"] is None


def test_week_beside_the_four_weeks_before(review_week):
    history = review_week["api_availability"]["history"]
    assert [week["key"] for week in history] == [
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
    ]
    # The week of 11-09 held only the outage inside the maintenance window: left out.
    assert [week["sli"] for week in history] == pytest.approx(
        [1.0, 1.0, 1.0, 1 - 2_400 / (7 * DAY_REQUESTS)]
    )
    assert history[2]["total"] == 7 * DAY_REQUESTS - 300


def test_week_across_the_autumn_change_in_berlin(client):
    week = period_for("weekly", "2026-10-19", "Europe/Berlin")
    spec = next(s for s in load_catalog().slos if s.name == "api_availability")
    api = slo_entry(measure_slo(client, spec, week), week)
    # 169 hours from 2026-10-18 22:00 UTC: seven days and one night hour of requests.
    assert api["total"] == 7 * DAY_REQUESTS + 600
    assert api["good"] == api["total"] - 200
    assert api["allowed_downtime_minutes"] == pytest.approx(0.001 * 169 * 60)  # 10.14
    # Met on requests, yet 14 minutes down against 10.14 allowed: the report shows both.
    assert api["status"] == "met"
    assert api["downtime_minutes"] == 14


def test_missing_error_series_means_no_errors(client, slo_prometheus_url):
    # C05: before 2026-09-15 no 5xx series exists. The SLI is 1, not "no data" and not 0.
    week = period_for("weekly", "2026-09-07")
    spec = next(s for s in load_catalog().slos if s.name == "api_availability")
    api = slo_entry(measure_slo(client, spec, week), week)
    assert api["good"] == api["total"] == 7 * DAY_REQUESTS
    assert api["sli"] == 1.0
    # The fallback on the whole expression, as case C05 warns, would have said 0.
    wrong = (
        "1 - sum(increase(api_requests_total{status=~'5..'}[7d]))"
        " / sum(increase(api_requests_total[7d])) or vector(0)"
    )
    assert ask(slo_prometheus_url, wrong, week.end) == 0


def test_good_above_total_is_clamped_with_a_warning(client, caplog):
    # C06: good read from a wider selector than total (all goal runs over succeeded ones).
    spec = SloSpec(
        name="inverted",
        description="Good above total on purpose.",
        objective=0.9,
        total='goal_executions_total{status="succeeded"}',
        good="goal_executions_total",
    )
    with caplog.at_level(logging.WARNING):
        entry = slo_entry(measure_slo(client, spec, WEEK), WEEK)
    assert entry["good"] > entry["total"]
    assert entry["sli"] == 1.0
    assert entry["error_budget_remaining"] == 1.0
    assert "inverted" in caplog.text and "clamped" in caplog.text
