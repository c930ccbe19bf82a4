"""Firing episodes, detection from alerts and alert noise, on hand-made sample times."""

from __future__ import annotations

import datetime as dt

import pytest

from waooaw_reports.analytics.alerts import (
    alert_noise,
    detection_from_alerts,
    firing_episodes,
)
from waooaw_reports.analytics.incidents import check_records, summarise_incidents
from waooaw_reports.periods import period_for

UTC = dt.UTC
WEEK = period_for("weekly", "2026-11-23")
AS_OF = dt.datetime(2026, 12, 7, tzinfo=UTC)
T0 = dt.datetime(2026, 11, 24, 10, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)


def at(minutes: float) -> float:
    """Unix seconds ``minutes`` after T0."""
    return (T0 + dt.timedelta(minutes=minutes)).timestamp()


def labels(alertname="HighErrorRate", service="api", severity="critical"):
    return {"alertname": alertname, "service": service, "severity": severity}


def spans(episodes):
    return [
        (
            e.alertname,
            e.service,
            (e.start - T0) / MINUTE,
            (e.end - T0) / MINUTE,
            e.samples,
        )
        for e in episodes
    ]


# sample minutes after T0, interval in seconds, episodes (start, end, samples) in minutes
EPISODE_ROWS = [
    ([0, 1, 2, 3], 60, [(0, 3, 4)]),  # every evaluation: one episode
    ([0, 1, 3, 4], 60, [(0, 1, 2), (3, 4, 2)]),  # one evaluation missed: 120 s > 60 s
    ([0, 2, 4], 120, [(0, 4, 3)]),  # a 2-minute interval: 120 s is no gap
    ([0, 1, 1, 2], 60, [(0, 2, 3)]),  # a point read twice (a piece's edge) counts once
    ([3, 0, 2, 1], 60, [(0, 3, 4)]),  # order of arrival does not matter
    ([5], 60, [(5, 5, 1)]),  # a single evaluation is an episode
    ([], 60, []),
]


@pytest.mark.parametrize(("minutes", "interval", "expected"), EPISODE_ROWS)
def test_episodes_split_on_gaps_longer_than_the_interval(minutes, interval, expected):
    episodes = firing_episodes([(labels(), [at(m) for m in minutes])], interval)

    assert [(start, end, n) for _, _, start, end, n in spans(episodes)] == expected


def test_episodes_are_per_alert_and_service_across_severities():
    series = [
        (labels(severity="warning"), [at(0), at(1)]),
        (labels(severity="critical"), [at(2), at(3)]),  # escalated: the same run goes on
        (labels(service="web"), [at(1)]),
        (labels(alertname="HighLatency"), [at(2)]),
    ]
    episodes = firing_episodes(series, 60)

    assert spans(episodes) == [
        ("HighErrorRate", "api", 0, 3, 4),
        ("HighErrorRate", "web", 1, 1, 1),
        ("HighLatency", "api", 2, 2, 1),
    ]
    assert episodes[0].severities == ("critical", "warning")


def incident(id, started, detected=None, resolved=None, service="api", **extra):
    return {
        "id": id,
        "title": f"Incident {id}",
        "severity": "P1",
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


def item_of(row):
    (item,) = summarise_incidents([row], WEEK, AS_OF).items
    return item


# alert minutes after T0 (one episode each), service, expected alert minute or None
# The incident started at T0 + 10 and was detected at T0 + 30.
DETECTION_ROWS = [
    ([list(range(12, 20))], "api", 12),  # fired 2 minutes after the start: 18 min ahead
    ([list(range(0, 40))], "api", 10),  # already firing at the start: counted from the start
    ([list(range(0, 11))], "api", 10),  # its last evaluation at the very start: still firing
    ([list(range(0, 10))], "api", None),  # ended before the impact began: unrelated
    ([list(range(30, 40))], "api", None),  # fired at the detection: not earlier
    ([list(range(12, 20))], "web", None),  # another service
    ([list(range(25, 29)), list(range(15, 18))], "api", 15),  # the earliest of two
]


@pytest.mark.parametrize(("runs", "service", "expected"), DETECTION_ROWS)
def test_detection_from_alerts(runs, service, expected):
    item = item_of(incident("i", T0 + 10 * MINUTE, detected=T0 + 30 * MINUTE))
    episodes = firing_episodes(
        [(labels(service=service), [at(m) for run in runs for m in run])], 60
    )
    found = detection_from_alerts(item, episodes)

    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert found.alerted_at == T0 + expected * MINUTE
        assert found.gap_minutes == 30 - expected
        assert found.alertname == "HighErrorRate"


def noise_of(episode_minutes, rows, period=WEEK, follow=30 * MINUTE, service="api"):
    episodes = firing_episodes(
        [
            (labels(alertname=name, service=service), [at(m) for m in minutes])
            for name, minutes in episode_minutes
        ],
        60,
    )
    records = check_records(
        rows, dt.datetime.min.replace(tzinfo=UTC), period.end + follow, AS_OF, "UTC"
    ).valid
    return alert_noise(episodes, records, period, follow)


# incident rows, followed or not; the alert fired at T0 for two minutes
FOLLOW_ROWS = [
    ([incident("a", T0 + 30 * MINUTE)], True),  # started exactly 30 min after: followed
    ([incident("a", T0 + 30 * MINUTE + dt.timedelta(seconds=1))], False),  # one second late
    ([incident("a", T0 - 60 * MINUTE, resolved=T0)], True),  # resolved as the alert began
    ([incident("a", T0 - 60 * MINUTE, resolved=T0 - dt.timedelta(seconds=1))], False),
    ([incident("a", T0 - 3 * 24 * 60 * MINUTE)], True),  # open for days: under way
    ([incident("a", T0 + 5 * MINUTE, service="web")], False),  # another service
    # Rejected (acknowledged before detected): enters no figure, so the alert is noise.
    (
        [
            incident(
                "a",
                T0 + 5 * MINUTE,
                detected=T0 + 6 * MINUTE,
                acknowledged_at=T0 + 5 * MINUTE,
            )
        ],
        False,
    ),
    # Detected only after the as-of instant: not known yet.
    ([incident("a", T0 + 5 * MINUTE, detected=AS_OF + MINUTE)], False),
]


@pytest.mark.parametrize(("rows", "followed"), FOLLOW_ROWS)
def test_an_alert_is_followed_by_an_incident_under_way_within_the_window(rows, followed):
    noise = noise_of([("HighErrorRate", [0, 1])], rows)

    assert noise["fired"] == 1
    assert noise["not_followed"] == (0 if followed else 1)
    assert noise["episodes"][0]["followed_by"] == ("a" if followed else None)


def test_the_follow_window_is_a_setting():
    rows = [incident("a", T0 + 40 * MINUTE)]

    assert noise_of([("X", [0])], rows, follow=30 * MINUTE)["not_followed"] == 1
    assert noise_of([("X", [0])], rows, follow=45 * MINUTE)["not_followed"] == 0


def test_episodes_fired_in_the_period_only():
    # The week runs from 2026-11-23 00:00 to 2026-11-30 00:00 UTC.
    start, end = WEEK.start, WEEK.end
    before, first, last, after = (
        (instant - T0) / MINUTE for instant in (start - MINUTE, start, end - MINUTE, end)
    )
    noise = noise_of([("A", [before, first]), ("B", [last]), ("C", [after])], [])

    # A began a minute before the period (its sample at the start continues it): not counted.
    assert [e["alertname"] for e in noise["episodes"]] == ["B"]
    assert noise["fired"] == 1


def test_noise_share_and_the_noisiest_names():
    # Followed: only the HighErrorRate episode at T0 (incident at T0 + 10 min).
    episodes = [
        ("HighErrorRate", [0]),
        ("HighErrorRate", [600]),
        ("Flappy", [100]),
        ("Flappy", [200]),
        ("Flappy", [300]),
        ("DiskFilling", [400]),
    ]
    noise = noise_of(episodes, [incident("a", T0 + 10 * MINUTE, resolved=T0 + 20 * MINUTE)])

    # 6 fired, 5 without an incident: 5 / 6.
    assert (noise["fired"], noise["not_followed"]) == (6, 5)
    assert noise["noise_share"] == pytest.approx(5 / 6)
    assert noise["noisiest"] == [
        {"alertname": "Flappy", "fired": 3, "not_followed": 3, "noise_share": 1.0},
        {"alertname": "DiskFilling", "fired": 1, "not_followed": 1, "noise_share": 1.0},
        {"alertname": "HighErrorRate", "fired": 2, "not_followed": 1, "noise_share": 0.5},
    ]


def test_no_alerts_gives_no_share():
    noise = noise_of([], [])

    assert (noise["fired"], noise["not_followed"], noise["noise_share"]) == (0, 0, None)
    assert noise["noisiest"] == noise["episodes"] == []
