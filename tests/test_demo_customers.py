"""The demo's customers and credentials, and the security story its metrics tell.

Read back through the same sources and analytics the reports use, on the seven-month history
of the demo (generated in memory, without Prometheus): believable months, and one clear
anomaly in the last complete week and month.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from waooaw_reports.analytics import security
from waooaw_reports.analytics.customer_health import customer_health
from waooaw_reports.demo.customers import active_agent_levels
from waooaw_reports.demo.database import database_url, write_database
from waooaw_reports.demo.history import History, generate_history
from waooaw_reports.demo.schedule import PROBED_CLIENT
from waooaw_reports.periods import Period, period_for
from waooaw_reports.sources import schema
from waooaw_reports.sources.business_records import read_credentials, read_customer_records
from waooaw_reports.sources.database import PlatformDatabase

END = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
MONTHS = ("2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01")


@pytest.fixture(scope="module")
def history() -> History:
    return generate_history(END)


@pytest.fixture(scope="module")
def database(history: History, tmp_path_factory: pytest.TempPathFactory) -> PlatformDatabase:
    path = tmp_path_factory.mktemp("demo_customers") / "demo.db"
    write_database(path, history.schedule, active_agent_levels(history))
    return PlatformDatabase(database_url(path))


def _mean_active(history: History, period: Period) -> float:
    family = next(f for f in history.families if f.name == "active_agents")
    (series,) = family.series
    inside = (series.timestamps >= period.start.timestamp()) & (
        series.timestamps < period.end.timestamp()
    )
    return float(np.mean(series.values[inside]))


def _health(database: PlatformDatabase, history: History, period: Period) -> dict[str, Any]:
    records = read_customer_records(database, period.previous().start, period.end)
    active = _mean_active(history, period)
    before = _mean_active(history, period.previous())
    return customer_health(records, active, period, END, before)


def test_the_same_end_gives_the_same_tables(history: History, tmp_path: Path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    write_database(first, history.schedule, active_agent_levels(history))
    write_database(second, history.schedule, active_agent_levels(history))
    for table in ("trials", "subscriptions", "support_tickets", "csat_responses", "credentials"):
        rows = [
            PlatformDatabase(database_url(path)).rows(schema.metadata.tables[table]).rows
            for path in (first, second)
        ]
        assert rows[0] == rows[1] and rows[0], table


@pytest.mark.parametrize("key", MONTHS)
def test_every_month_is_believable(database: PlatformDatabase, history: History, key: str):
    figures = _health(database, history, period_for("monthly", key))
    assert 0.25 <= figures["trial_conversion"]["rate"] <= 0.5
    assert 60 <= figures["trial_conversion"]["ended"] <= 160
    assert 0.0 < figures["churn"]["rate"] < 0.06
    assert 0.7 <= figures["agent_utilisation"]["utilisation"] <= 0.9
    assert 20 <= figures["support_tickets"]["per_100_customers"] <= 70
    assert 3.9 <= figures["satisfaction"]["average"] <= 4.8
    assert figures["churn"]["customers_at_end"] > figures["churn"]["customers_at_start"]


def test_the_last_month_has_a_burst_of_integration_tickets(
    database: PlatformDatabase, history: History
):
    month = history.schedule.last_month
    figures = _health(database, history, month)
    categories = {row["category"]: row for row in figures["support_tickets"]["by_category"]}
    integrations = categories["integrations"]
    # The LinkedIn degradation: integration tickets at least double the month before, and the
    # other categories within a third of theirs.
    assert integrations["count"] >= 2 * integrations["previous"] + 20
    for name, row in categories.items():
        if name != "integrations":
            assert abs(row["count"] - row["previous"]) <= max(10, row["previous"] / 3), name
    assert figures["satisfaction"]["average"] < figures["satisfaction"]["previous"]
    # One unanswered survey stored as 0: left out and listed.
    assert [r["reason"] for r in figures["satisfaction"]["rejected"]] == ["score 0 is not 1 to 5"]


def test_linkedin_credentials_expire_after_the_last_week(
    database: PlatformDatabase, history: History
):
    week = history.schedule.last_week
    review = security.credential_records_review(read_credentials(database).rows, week.end, 90)
    by_platform = {row["platform"]: row for row in review["by_platform"]}
    assert by_platform["linkedin"]["expiring"] >= 20
    assert by_platform["linkedin"]["expiring"] > 3 * by_platform["instagram"]["expiring"]
    assert review["health_status"] == "at_risk"
    assert review["rotation_status"] == "met"
    assert review["never_rotated"] > 0 and review["rotation_overdue"] > 0


def _hourly_increase(history: History, name: str, labels: dict[str, str]) -> dict[float, float]:
    """Hourly increases of a counter from its raw samples (whole hours, no extrapolation)."""
    series = next(
        s for f in history.families for s in f.series
        if s.name == name and dict(s.labels) == labels
    )  # fmt: skip
    values = dict(zip(series.timestamps.tolist(), series.values.tolist(), strict=True))
    return {
        float(t): values[t] - values[t - 3_600]
        for t in values
        if t % 3_600 == 0 and t - 3_600 in values
    }


def test_the_failed_login_burst_is_the_last_week_only_anomaly(history: History):
    schedule = history.schedule
    hourly = _hourly_increase(history, "auth_attempts_total", {"result": "failure"})
    attack = schedule.login_attack
    week = schedule.last_week
    review = security.failed_login_review(hourly, 0.0, week)
    flagged = [h["hour"] for h in review["anomalies"]]
    attack_hours = {attack.start.replace(minute=0), attack.end.replace(minute=0)}
    assert flagged == [hour.isoformat() for hour in sorted(attack_hours)]
    assert all(h["score"] > 100 for h in review["anomalies"])
    # The week before is quiet.
    assert security.failed_login_review(hourly, 0.0, week.previous())["anomalies"] == []


def test_the_probed_key_moves_most(history: History):
    schedule = history.schedule
    week = schedule.last_week

    def requests(period: Period, statuses: tuple[str, ...]) -> dict[str, float]:
        totals: dict[str, float] = {}
        for family in history.families:
            for s in family.series:
                labels = dict(s.labels)
                if s.name != "api_client_requests_total" or labels["status"] not in statuses:
                    continue
                at = {int(t): v for t, v in zip(s.timestamps, s.values, strict=True)}
                start, end = int(period.start.timestamp()), int(period.end.timestamp())
                totals[labels["client"]] = totals.get(labels["client"], 0) + at[end] - at[start]
        return totals

    every = ("200", "401", "429", "500")
    movers = security.api_client_movers(
        requests(week, every),
        requests(week.previous(), every),
        requests(week, ("401",)),
        requests(week.previous(), ("401",)),
    )
    top = movers["movers"][0]
    assert top["client"] == PROBED_CLIENT
    assert top["unauthorised"] > 40 * top["unauthorised_previous"]
