"""Incident count and MTTR over the last 8 weeks or 6 months, worked out by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from waooaw_reports.analytics.incident_trend import incident_trend, trend_periods
from waooaw_reports.periods import period_for

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = dt.datetime(2026, 12, 7, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)


def incident(id, started, ttr=None, **changes):
    return {
        "id": id,
        "title": f"Incident {id}",
        "severity": "P2",
        "service": "api",
        "started_at": started,
        "detected_at": started,
        "acknowledged_at": None,
        "mitigated_at": None,
        "resolved_at": None if ttr is None else started + ttr * MINUTE,
        "postmortem_completed_at": None,
        "postmortem_url": None,
        **changes,
    }


def utc(month, day, hour=0, minute=0, second=0):
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def shape(trend):
    return [(p["key"], p["count"], p["mttr_minutes"]) for p in trend]


def test_eight_weeks_ending_with_the_reported_one():
    period = period_for("weekly", "2026-11-23")
    rows = [
        incident("before", utc(10, 4, 23, 59, 59), ttr=10),  # a second before the first week
        incident("first", utc(10, 5), ttr=60),  # the first week's very start
        incident("a", utc(11, 2, 10), ttr=30),
        incident("b", utc(11, 3, 10), ttr=90),
        incident("b-copy", utc(11, 3, 10), ttr=80, title="  INCIDENT b "),  # folded into b
        # Acknowledged before detected: rejected, in no week.
        incident(
            "bad", utc(11, 10, 10), detected_at=utc(11, 10, 10, 5), acknowledged_at=utc(11, 10, 10)
        ),
        incident("open", utc(11, 16, 10)),  # still open: counted, no MTTR
        incident("late", utc(11, 23, 10), ttr=120),
        incident("after", utc(11, 30), ttr=5),  # the next week
    ]
    trend = incident_trend(rows, period, AS_OF)

    # Week 2026-11-02 holds a (30 min) and b (90 min, its copy resolved earlier): 2, MTTR 60.
    assert shape(trend) == [
        ("2026-10-05", 1, 60.0),
        ("2026-10-12", 0, None),
        ("2026-10-19", 0, None),
        ("2026-10-26", 0, None),
        ("2026-11-02", 2, 60.0),
        ("2026-11-09", 0, None),
        ("2026-11-16", 1, None),
        ("2026-11-23", 1, 120.0),
    ]
    assert trend[6]["open"] == 1
    assert trend[4]["resolved"] == 2
    assert trend[-1]["start"] == "2026-11-23T00:00:00+00:00"


def test_six_months_for_the_monthly_audit():
    period = period_for("monthly", "2026-11-01")
    rows = [
        incident("jun", utc(6, 1), ttr=30),
        incident("may", utc(5, 31, 23, 59), ttr=30),  # before the six months
        incident("sep1", utc(9, 10), ttr=100),
        incident("sep2", utc(9, 30, 23, 59), ttr=200),
        incident("nov", utc(11, 30, 23, 59), ttr=10),
    ]
    trend = incident_trend(rows, period, AS_OF)

    assert shape(trend) == [
        ("2026-06-01", 1, 30.0),
        ("2026-07-01", 0, None),
        ("2026-08-01", 0, None),
        ("2026-09-01", 2, 150.0),
        ("2026-10-01", 0, None),
        ("2026-11-01", 1, 10.0),
    ]


def test_no_periods_before_the_first_partition():
    # Weekly partitions start with 2024-01-01: the week of 2024-01-15 has two before it.
    keys = [p.key for p in trend_periods(period_for("weekly", "2024-01-15"))]
    months = [p.key for p in trend_periods(period_for("monthly", "2024-02-01"))]

    assert keys == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert months == ["2024-01-01", "2024-02-01"]


def test_weeks_follow_the_report_zone_across_daylight_saving():
    # Europe/Berlin: summer time ends on Sunday 2026-10-25, so the week keyed 2026-10-19 runs
    # from 2026-10-18 22:00 UTC to 2026-10-25 23:00 UTC (169 hours).
    period = period_for("weekly", "2026-10-26", "Europe/Berlin")
    rows = [
        incident("mon-start", utc(10, 18, 22), ttr=60),  # Monday 00:00 CEST: week 10-19
        incident("sun-late", utc(10, 25, 22, 59), ttr=30),  # Sunday 23:59 CET: week 10-19
        incident("next-mon", utc(10, 25, 23, 30), ttr=90),  # Monday 00:30 CET: week 10-26
    ]
    trend = incident_trend(rows, period, AS_OF, count=2)

    assert shape(trend) == [("2026-10-19", 2, 45.0), ("2026-10-26", 1, 90.0)]
    assert trend[0]["start"] == "2026-10-19T00:00:00+02:00"
    assert trend[0]["end"] == "2026-10-26T00:00:00+01:00"


def test_a_quiet_trend_has_zeros_and_nulls():
    trend = incident_trend([], period_for("weekly", "2026-11-23"), AS_OF)

    assert [p["count"] for p in trend] == [0] * 8
    assert [p["mttr_minutes"] for p in trend] == [None] * 8
