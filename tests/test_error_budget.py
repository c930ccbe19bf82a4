"""Burn-down, runway and SLO review (DESIGN §5), each expected value worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from waooaw_reports.analytics.error_budget import burn_down, review, runway
from waooaw_reports.analytics.slo import slo_figures
from waooaw_reports.periods import period_for

UTC = dt.UTC
END = dt.datetime(2026, 12, 1, tzinfo=UTC)
START = dt.datetime(2026, 11, 1, tzinfo=UTC)


def day(n: int) -> dt.datetime:
    return START + dt.timedelta(days=n)


def test_burn_down_spends_the_months_budget_and_ends_on_the_months_figure():
    # 1,000 requests a day for 30 days at 99 %: the month's budget is 0.01 x 30,000 = 300 bad.
    # Day 1 no failures, day 2 60 bad, day 3 none, then 240 on the last day.
    points = [(day(1), 1_000, 1_000), (day(2), 1_940, 2_000), (day(3), 2_940, 3_000)]
    points.append((END, 29_700, 30_000))
    line = burn_down("goals", 0.99, 30_000, START, END, points)

    assert line is not None
    assert [p["at"] for p in line] == [START, day(1), day(2), day(3), END]
    remaining = [p["error_budget_remaining"] for p in line]
    # 1 − 0/300, 1 − 0/300, 1 − 60/300 = 0.8, 0.8, 1 − 300/300 = 0.
    assert remaining == pytest.approx([1.0, 1.0, 0.8, 0.8, 0.0])
    # The ideal line spends evenly over the 30 days: 1 − k/30.
    assert [p["ideal"] for p in line] == pytest.approx([1, 29 / 30, 28 / 30, 27 / 30, 0])
    # The last point is the month's own figure: consumed (300 / 30,000) / 0.01 = 1.
    month = slo_figures("goals", 0.99, 29_700, 30_000, None, 43_200, False)
    assert remaining[-1] == pytest.approx(month["error_budget_remaining"])
    assert line[2]["sli_to_date"] == pytest.approx(1_940 / 2_000)
    json.dumps([{**p, "at": p["at"].isoformat()} for p in line], allow_nan=False)


def test_burn_down_goes_negative_when_the_budget_is_blown():
    # 0.001 × 100,000 = 100 bad allowed; 250 by the end: 1 − 250/100 = −1.5.
    line = burn_down("api", 0.999, 100_000, START, END, [(END, 99_750, 100_000)])
    assert line is not None
    assert line[-1]["error_budget_remaining"] == pytest.approx(-1.5)


def test_burn_down_without_traffic_is_no_data():
    # C04: no events in the month leaves no budget to burn down.
    assert burn_down("quiet", 0.95, 0.0, START, END, [(END, 0.0, 0.0)]) is None
    assert burn_down("absent", 0.95, None, START, END, [(END, None, None)]) is None


def test_burn_down_before_the_first_event_and_without_a_good_series():
    line = burn_down("late", 0.95, 100, START, END, [(day(1), None, None), (END, None, 100)])
    assert line is not None
    # Nothing happened by day 1: nothing spent. By the end the good series is still missing.
    assert line[1]["error_budget_remaining"] == 1.0
    assert line[2]["error_budget_remaining"] is None


def test_burn_down_never_counts_good_above_total_as_negative_bad(caplog):
    # C06: good 100.4 against total 100.1 at one instant is no bad events, with a warning.
    with caplog.at_level(logging.WARNING, logger="waooaw_reports.analytics.error_budget"):
        line = burn_down("api", 0.999, 1_000, START, END, [(day(1), 100.4, 100.1)])
    assert line is not None
    assert line[1]["error_budget_remaining"] == 1.0
    assert line[1]["sli_to_date"] == 1.0
    assert "above total" in caplog.text


def test_ideal_line_follows_the_real_length_of_a_month_with_a_daylight_saving_change():
    # October 2026 in Europe/Berlin lasts 745 hours; its 25th day end (2026-10-26 00:00 CET)
    # comes 25 × 24 + 1 = 601 hours after the start: ideal 1 − 601/745.
    october = period_for("monthly", "2026-10-01", "Europe/Berlin")
    at = dt.datetime(2026, 10, 25, 23, tzinfo=UTC)
    line = burn_down("api", 0.999, 1_000, october.start, october.end, [(at, 1_000, 1_000)])
    assert line is not None
    assert line[1]["ideal"] == pytest.approx(1 - 601 / 745)


# remaining over 28 days, burn rate of the last 7 days, days, state
RUNWAY_ROWS = [
    # Half the 28 days' budget left, spending at exactly the sustainable rate: 0.5 × 28 / 1 = 14.
    (0.5, 1.0, 14.0, "running"),
    # The same budget at twice the rate runs out in 7 days.
    (0.5, 2.0, 7.0, "running"),
    # Slow spending: 0.9 × 28 / 0.1 = 252 days.
    (0.9, 0.1, 252.0, "running"),
    # Nothing spent in the last 7 days: not at risk, no runway.
    (0.8, 0.0, None, "not_being_spent"),
    # Already blown over the 28 days: no runway left.
    (-0.2, 1.5, 0.0, "spent"),
    (0.0, 1.0, 0.0, "spent"),
    # No traffic: no data.
    (None, 1.0, None, "no_data"),
    (0.5, None, None, "no_data"),
]


@pytest.mark.parametrize(("remaining", "burn_rate", "days", "state"), RUNWAY_ROWS)
def test_runway(remaining, burn_rate, days, state):
    figures = runway(remaining, 28.0, burn_rate, END)
    assert figures["state"] == state
    assert figures["days"] == (None if days is None else pytest.approx(days))
    if state == "running":
        assert figures["runs_out_at"] == END + dt.timedelta(days=days)
    else:
        assert figures["runs_out_at"] is None


def test_runway_date():
    # 0.45 × 28 / 1.0 = 12.6 days after 2026-12-01 00:00: 2026-12-13 14:24.
    figures = runway(0.45, 28.0, 1.0, END)
    assert figures["runs_out_at"] == dt.datetime(2026, 12, 13, 14, 24, tzinfo=UTC)


def month(status: str, remaining: float | None) -> dict:
    return {"status": status, "error_budget_remaining": remaining}


# three months oldest first, reason
REVIEW_ROWS = [
    # Met with more than 90 % left three months running: looser than the service.
    ([month("met", 0.95), month("met", 0.91), month("met", 1.0)], "met_with_budget_left"),
    # Exactly 90 % left is not "over 90 %".
    ([month("met", 0.95), month("met", 0.9), month("met", 1.0)], None),
    # Missed twice in three, in any order.
    (
        [month("breached", -0.3), month("met", 0.9), month("breached", -0.1)],
        "missed_twice_in_three",
    ),
    (
        [month("met", 0.5), month("breached", -0.3), month("breached", -0.1)],
        "missed_twice_in_three",
    ),
    # Missed once: no flag.
    ([month("met", 0.5), month("met", 0.2), month("breached", -0.1)], None),
    # A month without data breaks "three months running" and is not a miss.
    ([month("no_data", None), month("met", 1.0), month("met", 1.0)], None),
    # Only two months of history so far: two misses already flag; two good months do not.
    ([month("breached", -1.0), month("breached", -1.0)], "missed_twice_in_three"),
    ([month("met", 1.0), month("met", 1.0)], None),
    # Older months than three do not count.
    ([month("breached", -1), month("met", 0.5), month("met", 0.5), month("breached", -1)], None),
]


@pytest.mark.parametrize(("months", "reason"), REVIEW_ROWS)
def test_review(months, reason):
    flag = review(months)
    assert flag["reason"] == reason
    assert flag["flagged"] is (reason is not None)


@pytest.mark.parametrize(
    ("kind", "key", "timezone", "hours", "allowed"),
    [
        # A week across the autumn change in Berlin: 169 h × 60 × 0.001 = 10.14 minutes.
        ("weekly", "2026-10-19", "Europe/Berlin", 169, 10.14),
        # A week across the spring change: 167 h → 10.02 minutes.
        ("weekly", "2027-03-22", "Europe/Berlin", 167, 10.02),
        # The same week in UTC: 168 h → 10.08.
        ("weekly", "2026-10-19", "UTC", 168, 10.08),
        # October in Berlin: 745 h → 44.7; in UTC 744 h → 44.64; November 720 h → 43.2.
        ("monthly", "2026-10-01", "Europe/Berlin", 745, 44.7),
        ("monthly", "2026-10-01", "UTC", 744, 44.64),
        ("monthly", "2026-11-01", "Europe/Berlin", 720, 43.2),
    ],
)
def test_allowed_downtime_of_real_periods(kind, key, timezone, hours, allowed):
    period = period_for(kind, key, timezone)
    assert period.minutes == hours * 60
    figures = slo_figures("api_availability", 0.999, 1, 1, 0.0, period.minutes, True)
    assert figures["allowed_downtime_minutes"] == pytest.approx(allowed, rel=1e-12)
