"""Error-budget attribution from counted requests, worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from waooaw_reports.analytics.budget_attribution import (
    Window,
    attribute_budget,
    incident_window,
    merged,
)
from waooaw_reports.periods import period_for

UTC = dt.UTC
WEEK = period_for("weekly", "2026-11-23")
AS_OF = dt.datetime(2026, 12, 1, 9, tzinfo=UTC)


def h(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# started, resolved (as of the as-of instant), as-of, window end
WINDOW_ROWS = [
    (h(25, 2), h(25, 4), AS_OF, h(25, 4)),  # resolved: to its resolution
    (h(29, 22), None, AS_OF, h(30, 0)),  # open: to the period's end, not to the as-of
    (h(29, 22), dt.datetime(2026, 11, 30, 6, tzinfo=UTC), AS_OF, h(30, 0)),  # cut at the end
    (h(29, 22), None, h(29, 23), h(29, 23)),  # as of inside the period: to the as-of
]


@pytest.mark.parametrize(("started", "resolved", "as_of", "end"), WINDOW_ROWS)
def test_incident_window(started, resolved, as_of, end):
    assert incident_window(started, resolved, WEEK, as_of) == Window(started, end)


def test_merged_windows():
    windows = [
        Window(h(25, 2), h(25, 3)),
        Window(h(25, 2, 30), h(25, 4)),  # overlaps the first
        Window(h(25, 4), h(25, 5)),  # touches the union: joins it
        Window(h(26, 1), h(26, 1)),  # empty: left out
        Window(h(24, 9), h(24, 10)),  # earlier, apart
    ]

    assert merged(windows) == [Window(h(24, 9), h(24, 10)), Window(h(25, 2), h(25, 5))]


def measured(total, bad, incidents, union, objective=0.999):
    return {
        "slo": "api_availability",
        "objective": objective,
        "total": total,
        "bad": bad,
        "incidents": [
            {"id": id, "start": "s", "end": "e", "bad": count, "query": "q"}
            for id, count in incidents
        ],
        "union": [{"start": "s", "end": "e", "bad": count} for count in union],
        "query": {"total": "t", "bad": "b"},
    }


def test_shares_of_the_budget():
    # 1,000,000 requests at 99.9 %: a budget of 1,000. Two overlapping incidents with 400 and
    # 300 bad requests, 500 in their union; 800 bad in the period, so 300 outside them.
    result = attribute_budget(measured(1_000_000, 800, [("a", 400), ("b", 300)], [500]))

    assert result["budget_requests"] == pytest.approx(1000)
    assert result["items"]["a"]["share"] == pytest.approx(0.4)
    assert result["items"]["b"]["share"] == pytest.approx(0.3)
    assert result["incident_requests"] == 500
    assert result["incident_share"] == pytest.approx(0.5)
    assert result["outside_incidents_requests"] == 300
    assert result["outside_incidents_share"] == pytest.approx(0.3)
    assert result["consumed"] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("total", "objective"),
    [
        (None, 0.999),  # no series: no data (C04)
        (0, 0.999),  # no traffic: no data, never 0 % or infinity
        (1_000_000, 1.0),  # an objective of 100 % has no budget
    ],
)
def test_no_budget_no_shares(total, objective):
    result = attribute_budget(measured(total, 0, [("a", 0)], [], objective=objective))

    assert result["budget_requests"] is None
    assert result["items"]["a"]["share"] is None
    assert result["incident_share"] is None
    assert result["consumed"] is None


def test_extrapolated_union_above_the_period_count_leaves_nothing_outside():
    # increase() extrapolates each window on its own, so the union can exceed the period's
    # count by a fraction; nothing is spent outside the incidents then, never a negative.
    result = attribute_budget(measured(1_000_000, 499.6, [("a", 500.2)], [500.2]))

    assert result["outside_incidents_requests"] == 0.0
