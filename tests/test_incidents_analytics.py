"""Incident figures (DESIGN §3.2, §5, §6; cases C13 and C14), values worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import math
from zoneinfo import ZoneInfo

import pytest

from waooaw_reports.analytics.incidents import (
    BusinessHours,
    normalise_severity,
    response_deadline,
    summarise_incidents,
)
from waooaw_reports.periods import period_for

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2026-11-23 00:00 to Monday 2026-11-30 00:00 UTC.
WEEK = period_for("weekly", "2026-11-23")
AS_OF = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def nov(day, hour=0, minute=0, second=0, tz=UTC):
    """An instant in November 2026, given on the wall clock of ``tz``, as aware UTC."""
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=tz).astimezone(UTC)


def local(*parts, tz=BERLIN):
    return dt.datetime(*parts, tzinfo=tz).astimezone(UTC)


def incident(
    id,
    *,
    started,
    detected=None,
    acknowledged=None,
    mitigated=None,
    resolved=None,
    postmortem=None,
    severity="P1",
    service="api",
    title=None,
):
    return {
        "id": id,
        "title": title if title is not None else f"Incident {id}",
        "severity": severity,
        "service": service,
        "started_at": started,
        "detected_at": detected if detected is not None else started,
        "acknowledged_at": acknowledged,
        "mitigated_at": mitigated,
        "resolved_at": resolved,
        "postmortem_completed_at": postmortem,
        "postmortem_url": None,
    }


def summary(rows, *, period=WEEK, as_of=AS_OF, hours=None):
    return summarise_incidents(rows, period, as_of, hours).as_json()


def only_item(result):
    assert len(result["items"]) == 1
    return result["items"][0]


# label, normalised
SEVERITY_ROWS = [
    ("P0", "P0"),
    ("p0", "P0"),
    ("SEV-0", "P0"),  # hyphen removed
    ("SEV0", "P0"),
    ("critical", "P0"),
    (" P1 ", "P1"),  # trimmed
    ("sev-1", "P1"),
    ("High", "P1"),
    ("sev 2", "P2"),  # inner space removed
    ("MEDIUM", "P2"),
    ("low", "P3"),
    ("P4", None),
    ("urgent", None),
    ("sev_1", None),  # underscores are not in the rule
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("label", "expected"), SEVERITY_ROWS)
def test_severity_spellings(label, expected):
    assert normalise_severity(label) == expected


def test_c13_severity_spellings_fold_into_p0_and_p1():
    # C13: 'P0', 'p0', 'SEV-0', 'SEV0', 'critical' are P0 × 5; ' P1 ', 'sev-1' are P1 × 2.
    labels = ["P0", "p0", "SEV-0", "SEV0", "critical", " P1 ", "sev-1"]
    rows = [
        incident(f"s{i}", severity=label, started=nov(24, 10 + i)) for i, label in enumerate(labels)
    ]
    result = summary(rows)

    assert result["total"] == 7
    assert {sev: v["count"] for sev, v in result["by_severity"].items()} == {
        "P0": 5,
        "P1": 2,
        "P2": 0,
        "P3": 0,
    }
    assert result["rejected"] == []


def test_c13_unknown_label_is_rejected_with_its_reason():
    rows = [
        incident("u1", severity="urgent", started=nov(24, 10)),
        incident("ok", severity="P2", started=nov(24, 11)),
    ]
    result = summary(rows)

    assert result["total"] == 1
    assert result["rejected"] == [
        {"id": "u1", "reason": "unknown severity 'urgent'; expected P0-P3 or a known spelling"}
    ]


def test_c13_acknowledged_before_detected_enters_no_mean():
    # C13: acknowledged 30 s before detection is a contradiction. Only the good row counts:
    # its time to acknowledge is 11:10 − 11:00 = 10 min, so MTTA is 10, never (10 − 0.5) / 2.
    rows = [
        incident(
            "bad", started=nov(24, 10), detected=nov(24, 10, 5), acknowledged=nov(24, 10, 4, 30)
        ),
        incident("good", started=nov(24, 11), acknowledged=nov(24, 11, 10)),
    ]
    result = summary(rows)

    assert result["total"] == 1
    assert result["mtta_minutes"] == 10.0
    assert result["rejected"] == [
        {
            "id": "bad",
            "reason": "acknowledged_at (2026-11-24T10:04:30+00:00) is before "
            "detected_at (2026-11-24T10:05:00+00:00)",
        }
    ]


def test_c13_one_incident_stored_three_times_counts_once():
    # Same service and start; titles equal once trimmed and case-folded. Resolved at 09:00,
    # 10:00 and 09:30: the row resolved last, c2, is kept; TTR 10:00 − 08:00 = 120 min.
    common = {"service": "scheduler", "started": nov(25, 8), "detected": nov(25, 8, 5)}
    rows = [
        incident("c1", title="Scheduler stalled", resolved=nov(25, 9), **common),
        incident("c2", title="  scheduler STALLED ", resolved=nov(25, 10), **common),
        incident("c3", title="Scheduler Stalled", resolved=nov(25, 9, 30), **common),
    ]
    result = summary(rows)

    assert result["total"] == 1
    assert only_item(result)["id"] == "c2"
    assert result["mttr_minutes"] == 120.0
    assert result["duplicates"] == [{"id": "c1", "kept_id": "c2"}, {"id": "c3", "kept_id": "c2"}]


@pytest.mark.parametrize(
    "open_resolution",
    [
        None,  # still open in the records
        dt.datetime(2026, 12, 8, tzinfo=UTC),  # resolved only after the as-of instant
    ],
)
def test_an_open_copy_keeps_the_incident_open(open_resolution):
    # A copy still open at the as-of instant counts as resolved last.
    rows = [
        incident("o1", resolved=nov(25, 9), started=nov(25, 8)),
        incident("o2", resolved=open_resolution, started=nov(25, 8)),
    ]
    rows[1]["title"] = rows[0]["title"]
    result = summary(rows)

    assert result["total"] == 1
    assert result["open"] == 1
    assert only_item(result)["id"] == "o2"
    assert result["mttr_minutes"] is None
    assert result["duplicates"] == [{"id": "o1", "kept_id": "o2"}]


def test_same_title_and_start_on_another_service_is_another_incident():
    rows = [
        incident("a", service="api", title="Outage", started=nov(25, 8)),
        incident("b", service="web", title="Outage", started=nov(25, 8)),
    ]
    result = summary(rows)

    assert result["total"] == 2
    assert result["duplicates"] == []


# row changes, reason
REJECTION_ROWS = [
    (
        {"detected_at": nov(24, 9, 59)},
        "detected_at (2026-11-24T09:59:00+00:00) is before started_at (2026-11-24T10:00:00+00:00)",
    ),
    (
        {"mitigated_at": nov(24, 9)},
        "mitigated_at (2026-11-24T09:00:00+00:00) is before started_at (2026-11-24T10:00:00+00:00)",
    ),
    (
        {"resolved_at": nov(24, 9, 30)},
        "resolved_at (2026-11-24T09:30:00+00:00) is before started_at (2026-11-24T10:00:00+00:00)",
    ),
    ({"detected_at": None}, "detected_at is missing"),
    ({"severity": "P4"}, "unknown severity 'P4'; expected P0-P3 or a known spelling"),
    # Two problems in one row are both named.
    (
        {"severity": "sev9", "resolved_at": nov(24, 9, 30)},
        "unknown severity 'sev9'; expected P0-P3 or a known spelling; "
        "resolved_at (2026-11-24T09:30:00+00:00) is before started_at (2026-11-24T10:00:00+00:00)",
    ),
]


@pytest.mark.parametrize(("changes", "reason"), REJECTION_ROWS)
def test_rejection_reasons(changes, reason):
    row = incident("r1", started=nov(24, 10), severity="P0") | changes
    result = summary([row])

    assert result["rejected"] == [{"id": "r1", "reason": reason}]
    assert result["total"] == 0
    # A rejected P0 requires no post-mortem: rejected rows enter nothing.
    assert result["postmortems"]["required"] == 0


def walk(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner)
    else:
        yield value


def test_c14_quiet_week_has_nulls_not_nans():
    # C14: no incidents. 0 incidents; every duration figure null; all four severities present.
    result = summary([])

    assert result["total"] == 0
    assert result["open"] == 0
    for figures in (result, *result["by_severity"].values()):
        assert figures["mttd_minutes"] is None
        assert figures["mtta_minutes"] is None
        assert figures["mttr_minutes"] is None
        assert figures["response_target_met"] is None
        assert figures["resolution_target_met"] is None
        assert figures["time_to_resolve"] == {
            "n": 0,
            "mean_minutes": None,
            "median_minutes": None,
            "p90_minutes": None,
            "max_minutes": None,
        }
    assert list(result["by_severity"]) == ["P0", "P1", "P2", "P3"]
    assert result["postmortems"] == {"required": 0, "completed": 0, "missing": []}
    assert result["items"] == result["rejected"] == result["duplicates"] == []
    assert not any(isinstance(v, float) and math.isnan(v) for v in walk(result))
    json.dumps(result, allow_nan=False)


def test_durations_mean_median_p90_and_max():
    # Five P1 incidents, minutes after their start at 10:00 on successive days:
    #   detected 2, 4, 6, 8, 30; acknowledged 5, 10, 15, 20, 60 after detection;
    #   resolved 30, 60, 90, 120, 600 after the start.
    # P90 by linear interpolation: rank 0.9 × (5 − 1) = 3.6, i.e. x4 + 0.6 × (x5 − x4).
    #   TTD: mean 50 / 5 = 10, median 6, P90 8 + 0.6 × 22 = 21.2, max 30.
    #   TTA: mean 110 / 5 = 22, median 15, P90 20 + 0.6 × 40 = 44, max 60.
    #   TTR: mean 900 / 5 = 180, median 90, P90 120 + 0.6 × 480 = 408, max 600.
    # Response (P1, 30 min): 5, 10, 15, 20 met, 60 missed → 4 / 5 = 0.8.
    # Resolution (P1, 24 h from detection): all five met → 1.0.
    minutes = dt.timedelta(minutes=1)
    rows = []
    for i, (ttd, tta, ttr) in enumerate(
        [(2, 5, 30), (4, 10, 60), (6, 15, 90), (8, 20, 120), (30, 60, 600)]
    ):
        started = nov(23 + i, 10)
        detected = started + ttd * minutes
        rows.append(
            incident(
                f"d{i + 1}",
                started=started,
                detected=detected,
                acknowledged=detected + tta * minutes,
                resolved=started + ttr * minutes,
            )
        )
    result = summary(rows)

    expected = {
        "time_to_detect": (5, 10.0, 6.0, 21.2, 30.0),
        "time_to_acknowledge": (5, 22.0, 15.0, 44.0, 60.0),
        "time_to_resolve": (5, 180.0, 90.0, 408.0, 600.0),
    }
    for figures in (result, result["by_severity"]["P1"]):
        for name, (n, mean, median, p90, most) in expected.items():
            stats = figures[name]
            assert stats["n"] == n
            assert stats["mean_minutes"] == pytest.approx(mean)
            assert stats["median_minutes"] == pytest.approx(median)
            assert stats["p90_minutes"] == pytest.approx(p90)
            assert stats["max_minutes"] == pytest.approx(most)
        assert figures["mttd_minutes"] == pytest.approx(10.0)
        assert figures["mtta_minutes"] == pytest.approx(22.0)
        assert figures["mttr_minutes"] == pytest.approx(180.0)
        assert figures["response_target_met"] == pytest.approx(0.8)
        assert figures["resolution_target_met"] == 1.0
    assert result["postmortems"] == {
        "required": 5,
        "completed": 0,
        "missing": ["d1", "d2", "d3", "d4", "d5"],
    }
    assert result["by_severity"]["P0"]["mttr_minutes"] is None


def test_period_edges_in_europe_berlin():
    # The Berlin week keyed 2026-11-23 runs from 2026-11-22 23:00 UTC to 2026-11-29 23:00 UTC.
    # Started exactly at the start: in. Exactly at the end: out (the next week's).
    period = period_for("weekly", "2026-11-23", "Europe/Berlin")
    rows = [
        incident("before-start", started=nov(22, 22, 59, 59)),
        incident("at-start", started=nov(22, 23)),
        incident("before-end", started=nov(29, 22, 59, 59)),
        incident("at-end", started=nov(29, 23)),
    ]
    result = summary(rows, period=period)

    assert [item["id"] for item in result["items"]] == ["at-start", "before-end"]
    assert result["items"][0]["started_at"] == "2026-11-23T00:00:00+01:00"
    assert result["items"][1]["started_at"] == "2026-11-29T23:59:59+01:00"


def test_state_is_read_as_of_the_as_of_instant():
    # As of Monday 2026-11-30 09:00 UTC, a P1 started and detected Friday 27 at 10:00 was
    # acknowledged and resolved only later, and its post-mortem was written later still.
    # So: open, no TTA and no TTR, age 27 10:00 → 30 09:00 = 71 h = 4,260 min.
    # Response due 10:30 and resolution due 28 10:00 (24 h) have both passed: missed.
    as_of = nov(30, 9)
    late = as_of + dt.timedelta(hours=1)
    row = incident(
        "late",
        started=nov(27, 10),
        acknowledged=late,
        resolved=late,
        postmortem=late,
    )
    result = summary([row], as_of=as_of)
    item = only_item(result)

    assert result["open"] == 1
    assert result["mttr_minutes"] is None
    assert result["mtta_minutes"] is None
    assert item["open"] is True
    assert item["acknowledged_at"] is None
    assert item["resolved_at"] is None
    assert item["age_minutes"] == 4_260.0
    assert item["response_met"] is False
    assert item["resolution_met"] is False
    assert result["postmortems"] == {"required": 1, "completed": 0, "missing": ["late"]}


def test_incident_detected_after_the_as_of_instant_is_not_yet_known():
    row = incident("future", started=nov(29, 23, 50), detected=nov(30, 0, 10))
    result = summary([row], as_of=nov(30, 0))

    assert result["total"] == 0


def test_open_incidents_within_and_past_their_targets():
    # As of Sunday 29 16:00 UTC, three incidents detected at 12:00 and never acknowledged:
    #   P0: response due 12:15, passed → missed; resolution due 16:00 = as-of, not yet passed.
    #   P1: response due 12:30 → missed; resolution due Monday 12:00 → not judged.
    #   P2: response runs on business time from Monday 09:00, due 10:00 → not judged;
    #       resolution due Wednesday 12:00 → not judged.
    as_of = nov(29, 16)
    rows = [
        incident("p0", severity="P0", started=nov(29, 12)),
        incident("p1", severity="P1", started=nov(29, 11, 59), detected=nov(29, 12)),
        incident("p2", severity="P2", started=nov(29, 11, 59), detected=nov(29, 12)),
    ]
    result = summary(rows, as_of=as_of)
    items = {item["id"]: item for item in result["items"]}

    assert [items[k]["response_met"] for k in ("p0", "p1", "p2")] == [False, False, None]
    assert [items[k]["resolution_met"] for k in ("p0", "p1", "p2")] == [None, None, None]
    assert result["by_severity"]["P0"]["response_target_met"] == 0.0
    assert result["by_severity"]["P0"]["resolution_target_met"] is None
    assert result["by_severity"]["P2"]["response_target_met"] is None
    assert result["by_severity"]["P2"]["response_target"] == {
        "met": 0,
        "missed": 0,
        "pending": 1,
        "share_met": None,
    }
    # Overall response: 0 met of 2 judged.
    assert result["response_target_met"] == 0.0
    assert items["p2"]["response_deadline"] == "2026-11-30T10:00:00+00:00"


# severity, acknowledged and resolved after detection, response met, resolution met
WALL_CLOCK_ROWS = [
    ("P0", dt.timedelta(minutes=15), dt.timedelta(hours=4), True, True),  # both on the target
    ("P0", dt.timedelta(minutes=15, seconds=1), dt.timedelta(hours=4, seconds=1), False, False),
    ("P1", dt.timedelta(minutes=30), dt.timedelta(hours=24), True, True),
    ("P1", dt.timedelta(minutes=31), dt.timedelta(hours=24, minutes=1), False, False),
    # P2 and P3 resolution: 3 and 14 calendar days. Responses well within business time.
    ("P2", dt.timedelta(minutes=10), dt.timedelta(days=3), True, True),
    ("P2", dt.timedelta(minutes=10), dt.timedelta(days=3, minutes=1), True, False),
    ("P3", dt.timedelta(minutes=10), dt.timedelta(days=14), True, True),
    ("P3", dt.timedelta(minutes=10), dt.timedelta(days=14, minutes=1), True, False),
]


@pytest.mark.parametrize(("severity", "ack", "resolve", "response", "resolution"), WALL_CLOCK_ROWS)
def test_wall_clock_targets(severity, ack, resolve, response, resolution):
    # Started Monday 23 09:00, detected 10:00 (inside business hours). Resolution counts from
    # detection, so P0 resolved at 14:00 (5 h after the start) is still within 4 h.
    detected = nov(23, 10)
    row = incident(
        "w",
        severity=severity,
        started=nov(23, 9),
        detected=detected,
        acknowledged=detected + ack,
        resolved=detected + resolve,
    )
    item = only_item(summary([row], as_of=dt.datetime(2026, 12, 31, tzinfo=UTC)))

    assert item["response_met"] is response
    assert item["resolution_met"] is resolution


BERLIN_HOURS = BusinessHours()
UNITY_DAY = BusinessHours(holidays=frozenset({dt.date(2024, 10, 3)}))

# detected and acknowledged on the Berlin wall clock, business hours, met
P2_ROWS = [
    # Friday 17:30 → Monday 09:25: 30 min Friday + 25 min Monday = 55 ≤ 60.
    ((2026, 11, 27, 17, 30), (2026, 11, 30, 9, 25), BERLIN_HOURS, True),
    # Friday 17:30 → Monday 09:31: 30 + 31 = 61 > 60.
    ((2026, 11, 27, 17, 30), (2026, 11, 30, 9, 31), BERLIN_HOURS, False),
    # Monday 17:00 → Monday 18:30: the hour ran out at closing time, 18:00; 18:30 is still
    # 60 business minutes, so met (pandas writes the deadline as Tuesday 09:00).
    ((2026, 11, 23, 17, 0), (2026, 11, 23, 18, 30), BERLIN_HOURS, True),
    # Saturday 10:00 → Monday 09:59: the clock starts Monday 09:00, 59 min.
    ((2026, 11, 28, 10, 0), (2026, 11, 30, 9, 59), BERLIN_HOURS, True),
    # Tuesday evening 20:00 → Wednesday 09:45: the clock starts 09:00, 45 min.
    ((2026, 11, 24, 20, 0), (2026, 11, 25, 9, 45), BERLIN_HOURS, True),
    # Tuesday 20:00 → Wednesday 10:01: 61 min.
    ((2026, 11, 24, 20, 0), (2026, 11, 25, 10, 1), BERLIN_HOURS, False),
    # Tuesday 20:00 → Tuesday 23:00: acknowledged before the clock started.
    ((2026, 11, 24, 20, 0), (2026, 11, 24, 23, 0), BERLIN_HOURS, True),
    # Wednesday 2024-10-02 17:30, Thursday a holiday → Friday 09:20: 30 + 0 + 20 = 50.
    ((2024, 10, 2, 17, 30), (2024, 10, 4, 9, 20), UNITY_DAY, True),
    # The same without the holiday configured: 30 + 540 + 20 = 590 min.
    ((2024, 10, 2, 17, 30), (2024, 10, 4, 9, 20), BERLIN_HOURS, False),
    # Acknowledged on the holiday: the clock stopped at 30 min.
    ((2024, 10, 2, 17, 30), (2024, 10, 3, 12, 0), UNITY_DAY, True),
    # Across the autumn change (Sunday 27 Oct 2024): Friday 17:30 CEST → Monday 09:30 CET is
    # 30 + 30 = 60 business minutes (65 h 60 min wall clock), exactly the target.
    ((2024, 10, 25, 17, 30), (2024, 10, 28, 9, 30), BERLIN_HOURS, True),
    ((2024, 10, 25, 17, 30), (2024, 10, 28, 9, 31), BERLIN_HOURS, False),
]


@pytest.mark.parametrize(("detected", "acknowledged", "hours", "met"), P2_ROWS)
def test_p2_response_runs_on_business_hours_in_the_report_zone(detected, acknowledged, hours, met):
    detected_at = local(*detected)
    day = dt.date(*detected[:3])
    monday = day - dt.timedelta(days=day.weekday())
    period = period_for("weekly", monday.isoformat(), "Europe/Berlin")
    row = incident("p2", severity="P2", started=detected_at, acknowledged=local(*acknowledged))
    item = only_item(summary([row], period=period, as_of=local(2026, 12, 31, 0, 0), hours=hours))

    assert item["response_met"] is met


def test_p2_deadline_across_daylight_saving_is_written_in_the_report_zone():
    # Friday 2024-10-25 17:30 CEST (15:30 UTC) + 1 business hour = Monday 09:30 CET (08:30 UTC).
    due = response_deadline("P2", local(2024, 10, 25, 17, 30), BERLIN_HOURS, BERLIN)

    assert due == dt.datetime(2024, 10, 28, 8, 30, tzinfo=UTC)
    period = period_for("weekly", "2024-10-21", "Europe/Berlin")
    row = incident("p2", severity="P2", started=local(2024, 10, 25, 17, 30))
    item = only_item(summary([row], period=period, as_of=local(2024, 12, 1, 0, 0)))
    assert item["response_deadline"] == "2024-10-28T09:30:00+01:00"


# detected (wall clock), zone, business hours, deadline (wall clock)
P3_ROWS = [
    # Monday 10:00 → end of business on Tuesday.
    ((2026, 11, 23, 10, 0), UTC, BERLIN_HOURS, (2026, 11, 24, 18, 0)),
    # Monday 03:00, before opening: still the next business day, Tuesday.
    ((2026, 11, 23, 3, 0), UTC, BERLIN_HOURS, (2026, 11, 24, 18, 0)),
    # Friday 20:00 → Monday 18:00.
    ((2026, 11, 27, 20, 0), UTC, BERLIN_HOURS, (2026, 11, 30, 18, 0)),
    # Saturday 10:00 → Monday 18:00.
    ((2026, 11, 28, 10, 0), UTC, BERLIN_HOURS, (2026, 11, 30, 18, 0)),
    # Wednesday 2024-10-02 in Berlin, Thursday a holiday → Friday 18:00 Berlin.
    ((2024, 10, 2, 10, 0), BERLIN, UNITY_DAY, (2024, 10, 4, 18, 0)),
]


@pytest.mark.parametrize(("detected", "tz", "hours", "due"), P3_ROWS)
def test_p3_response_is_due_by_end_of_next_business_day(detected, tz, hours, due):
    deadline = response_deadline("P3", local(*detected, tz=tz), hours, tz)

    assert deadline == local(*due, tz=tz)


# acknowledged, as-of, response met
P3_OPEN_ROWS = [
    (None, nov(30, 17, 59), None),  # Monday 17:59: still within → not judged
    (None, nov(30, 18, 1), False),  # Monday 18:01: the deadline passed → missed
    (nov(30, 17, 59), nov(30, 18, 1), True),  # acknowledged a minute before the deadline
]


@pytest.mark.parametrize(("acknowledged", "as_of", "met"), P3_OPEN_ROWS)
def test_p3_open_within_and_past_its_target(acknowledged, as_of, met):
    # Detected Friday 27 20:00 UTC: due Monday 30 18:00.
    row = incident("p3", severity="low", started=nov(27, 20), acknowledged=acknowledged)
    item = only_item(summary([row], as_of=as_of))

    assert item["response_met"] is met


def test_postmortems_required_for_p0_and_p1_done_by_the_as_of_instant():
    as_of = nov(30, 12)
    rows = [
        incident("pm-done", severity="P0", started=nov(23, 10), postmortem=nov(26, 10)),
        incident("pm-none", severity="P1", started=nov(24, 10)),
        incident("pm-p2", severity="P2", started=nov(25, 10)),
        incident("pm-late", severity="P0", started=nov(26, 10), postmortem=nov(30, 13)),
    ]
    result = summary(rows, as_of=as_of)

    assert result["postmortems"] == {
        "required": 3,
        "completed": 1,
        "missing": ["pm-none", "pm-late"],
    }


def test_by_service_counts():
    rows = [
        incident("a", service="api", started=nov(23, 10)),
        incident("b", service="scheduler", started=nov(24, 10)),
        incident("c", service="api", started=nov(25, 10)),
    ]

    assert summary(rows)["by_service"] == {"api": 2, "scheduler": 1}


def test_items_carry_normalised_severity_and_times_in_the_report_zone():
    period = period_for("weekly", "2026-11-23", "Europe/Berlin")
    row = incident(
        "i1",
        severity="SEV-0",
        title='DB failover <script>alert(1)</script> & "quotes"',
        started=nov(24, 10, tz=BERLIN),
        detected=nov(24, 10, 3, tz=BERLIN),
        acknowledged=nov(24, 10, 10, tz=BERLIN),
        mitigated=nov(24, 10, 40, tz=BERLIN),
        resolved=nov(24, 11, 30, tz=BERLIN),
    )
    item = only_item(summary([row], period=period))

    # TTD 3 min, TTA 10 − 3 = 7 min, TTR 11:30 − 10:00 = 90 min.
    expected = {
        "id": "i1",
        "title": 'DB failover <script>alert(1)</script> & "quotes"',
        "severity": "P0",
        "started_at": "2026-11-24T10:00:00+01:00",
        "detected_at": "2026-11-24T10:03:00+01:00",
        "acknowledged_at": "2026-11-24T10:10:00+01:00",
        "mitigated_at": "2026-11-24T10:40:00+01:00",
        "resolved_at": "2026-11-24T11:30:00+01:00",
        "ttd_minutes": 3.0,
        "tta_minutes": 7.0,
        "ttr_minutes": 90.0,
        "open": False,
        "age_minutes": None,
        "response_met": True,
        "resolution_met": True,
    }
    assert {name: item[name] for name in expected} == expected
    json.dumps(item, allow_nan=False)


def test_naive_as_of_is_refused():
    with pytest.raises(ValueError, match="naive"):
        summarise_incidents([], WEEK, dt.datetime(2026, 12, 1))


def test_business_hours_must_open_before_closing():
    with pytest.raises(ValueError, match="before the closing"):
        BusinessHours(start=dt.time(18), end=dt.time(9))


def test_time_to_mitigate_where_recorded():
    # Mitigated 20 and 40 min after the start; the third never recorded a mitigation, and
    # the fourth was mitigated only after the as-of instant.
    # n 2, mean 30, median 30, P90 20 + 0.9 × 20 = 38, maximum 40.
    rows = [
        incident("m1", started=nov(23, 10), mitigated=nov(23, 10, 20)),
        incident("m2", started=nov(24, 10), mitigated=nov(24, 10, 40)),
        incident("m3", started=nov(25, 10), severity="P2"),
        incident("m4", started=nov(26, 10), severity="P2", mitigated=nov(30, 12)),
    ]
    result = summary(rows, as_of=nov(30, 9))

    assert result["time_to_mitigate"] == {
        "n": 2,
        "mean_minutes": 30.0,
        "median_minutes": 30.0,
        "p90_minutes": pytest.approx(38.0),
        "max_minutes": 40.0,
    }
    assert result["mttm_minutes"] == 30.0
    assert result["by_severity"]["P1"]["mttm_minutes"] == 30.0
    assert result["by_severity"]["P2"]["mttm_minutes"] is None
    assert result["by_severity"]["P2"]["time_to_mitigate"]["n"] == 0
    items = {item["id"]: item for item in result["items"]}
    assert [items[k]["ttm_minutes"] for k in ("m1", "m2", "m3", "m4")] == [20.0, 40.0, None, None]


# severity, acknowledged after detection (None: not yet), as-of after detection, verdict
ACK_RULE_ROWS = [
    ("P0", dt.timedelta(minutes=5), dt.timedelta(days=1), True),  # exactly 5 min: kept
    ("P0", dt.timedelta(minutes=5, seconds=1), dt.timedelta(days=1), False),
    (
        "P3",
        dt.timedelta(minutes=2),
        dt.timedelta(days=1),
        True,
    ),  # the rule holds for every severity
    ("P2", None, dt.timedelta(minutes=4), None),  # not acknowledged, still within 5 min
    ("P2", None, dt.timedelta(minutes=5), None),  # at the deadline: not yet passed
    ("P2", None, dt.timedelta(minutes=6), False),  # not acknowledged 6 min on: broken
]


@pytest.mark.parametrize(("severity", "ack", "as_of_after", "verdict"), ACK_RULE_ROWS)
def test_on_call_rule_acknowledged_within_5_minutes(severity, ack, as_of_after, verdict):
    detected = nov(24, 10, 3)
    row = incident(
        "a",
        severity=severity,
        started=nov(24, 10),
        detected=detected,
        acknowledged=None if ack is None else detected + ack,
    )
    result = summary([row], as_of=detected + as_of_after)

    assert only_item(result)["acknowledged_within_5_minutes"] is verdict
    share = None if verdict is None else float(verdict)
    assert result["by_severity"][severity]["acknowledged_within_5_minutes"] == share
    assert result["acknowledged_within_5_minutes"] == share


def test_on_call_rule_shares_per_severity():
    # P0: 3 and 7 min → 1 of 2. P1: 4 min → 1 of 1. P2: 10 min → 0 of 1. Overall 2 of 4.
    rows = [
        incident("a", severity="P0", started=nov(23, 10), acknowledged=nov(23, 10, 3)),
        incident("b", severity="P0", started=nov(24, 10), acknowledged=nov(24, 10, 7)),
        incident("c", severity="P1", started=nov(25, 10), acknowledged=nov(25, 10, 4)),
        incident("d", severity="P2", started=nov(26, 10), acknowledged=nov(26, 10, 10)),
    ]
    result = summary(rows)

    shares = {sev: v["acknowledged_within_5_minutes"] for sev, v in result["by_severity"].items()}
    assert shares == {"P0": 0.5, "P1": 1.0, "P2": 0.0, "P3": None}
    assert result["acknowledged_within_5_minutes"] == 0.5
    assert result["acknowledgement_rule"] == {"met": 2, "missed": 2, "pending": 0, "share_met": 0.5}


def test_rows_of_other_periods_are_not_rejected_in_this_one():
    # A row without a detection time, started the week before: rejected in that week's
    # report, not in this one's.
    rows = [
        incident("old", started=nov(16, 10)) | {"detected_at": None},
        incident("this", started=nov(24, 10)) | {"detected_at": None},
    ]

    assert summary(rows)["rejected"] == [{"id": "this", "reason": "detected_at is missing"}]
