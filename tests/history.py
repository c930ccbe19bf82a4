"""A small platform history, built by hand so every figure can be worked out on paper.

Week under test: 2026-11-23 to 2026-11-30 (UTC), with the week before it for trends.

API traffic, per minute: 100 requests from 08:00 to 20:00 UTC, 10 at night.
- Night outage: 2026-11-25 02:00-03:00, 5 of the 10 requests a minute answer 500.
- Day outage: 2026-11-26 10:00-10:10, 50 of the 100 requests a minute answer 500.

Week totals: a day has 720 day minutes x 100 + 720 night minutes x 10 = 79,200 requests, so
7 x 79,200 = 554,400. Bad: 60 x 5 + 10 x 50 = 800, of which the night outage holds 300 in 60
minutes and the day outage 500 in 10 minutes: requests, not minutes, decide the SLI.

Goal runs: 48 succeeded and 2 failed a minute (0.96); deliverables: 47 created a minute per 50
goal runs (0.94). No login series at all. Database: 100 GB on 2026-10-20 00:00 growing exactly
1 GB a day, scraped every 10 minutes (case C08), on a 500 GB volume. The series of tiers 2 to 4
are in scorecard_history.py.

Alerts (ALERTS, one firing sample a minute while an alert fires, as a 1-minute evaluation
writes them), every window below with both ends sampled:
- HighErrorRate, api-gateway: 2026-11-25 02:02-03:00 (the night outage), 2026-11-26
  10:01-10:10 (the day outage) and 2026-11-29 23:50-23:55; one pending sample at 02:01.
- HighLatency, agent-runtime: 2026-11-24 14:00-14:04, then after two missed evaluations
  14:07-14:09 (two episodes), and 2026-11-27 20:00-20:02.
- DiskFilling, database: 2026-11-22 23:30 to 2026-11-23 00:30, firing as the week begins.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from tests.scorecard_history import scorecard_families
from waooaw_reports.demo.openmetrics import Family, Series, write_openmetrics

UTC = dt.UTC
COUNTERS_FROM = dt.datetime(2026, 11, 9, tzinfo=UTC)
GAUGES_FROM = dt.datetime(2026, 10, 20, tzinfo=UTC)
HISTORY_END = dt.datetime(2026, 11, 30, tzinfo=UTC)  # the last samples sit exactly here
WEEK = "2026-11-23"
NIGHT_OUTAGE = (dt.datetime(2026, 11, 25, 2, tzinfo=UTC), 60, 5)  # start, minutes, bad a minute
DAY_OUTAGE = (dt.datetime(2026, 11, 26, 10, tzinfo=UTC), 10, 50)
GB = 1_000_000_000


def _at(day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# (alertname, service, severity, alertstate) -> firing windows, both ends sampled
ALERT_WINDOWS = {
    ("HighErrorRate", "api-gateway", "critical", "firing"): (
        (_at(25, 2, 2), _at(25, 3, 0)),
        (_at(26, 10, 1), _at(26, 10, 10)),
        (_at(29, 23, 50), _at(29, 23, 55)),
    ),
    ("HighErrorRate", "api-gateway", "critical", "pending"): ((_at(25, 2, 1), _at(25, 2, 1)),),
    ("HighLatency", "agent-runtime", "warning", "firing"): (
        (_at(24, 14, 0), _at(24, 14, 4)),
        (_at(24, 14, 7), _at(24, 14, 9)),
        (_at(27, 20, 0), _at(27, 20, 2)),
    ),
    ("DiskFilling", "database", "warning", "firing"): ((_at(22, 23, 30), _at(23, 0, 30)),),
}


def _minutes() -> np.ndarray:
    start, end = int(COUNTERS_FROM.timestamp()), int(HISTORY_END.timestamp())
    return np.arange(start, end + 60, 60, dtype=np.int64)


def _counter(name: str, labels: dict[str, str], times: np.ndarray, per_minute: np.ndarray):
    """Counter samples at ``times``; ``per_minute[i]`` is added between sample i and i+1."""
    values = np.concatenate([[0], np.cumsum(per_minute[:-1])])
    return Series(name, tuple(labels.items()), times, values.astype(np.int64))


def families() -> list[Family]:
    times = _minutes()
    hours = (times // 3600) % 24
    traffic = np.where((hours >= 8) & (hours < 20), 100, 10)
    bad = np.zeros_like(traffic)
    for start, minutes, per_minute in (NIGHT_OUTAGE, DAY_OUTAGE):
        first = int((start.timestamp() - times[0]) // 60)
        bad[first : first + minutes] = per_minute
    api = {"service": "api-gateway", "endpoint": "/v1/goals"}
    requests = Family(
        "api_requests",
        "counter",
        (
            _counter("api_requests_total", {**api, "status": "200"}, times, traffic - bad),
            _counter("api_requests_total", {**api, "status": "500"}, times, bad),
        ),
    )
    ones = np.ones_like(traffic)
    goals = Family(
        "goal_executions",
        "counter",
        (
            _counter("goal_executions_total", {"status": "succeeded"}, times, 48 * ones),
            _counter("goal_executions_total", {"status": "failed"}, times, 2 * ones),
        ),
    )
    deliverables = Family(
        "deliverables",
        "counter",
        (
            _counter("deliverables_total", {"status": "created"}, times, 47 * ones),
            _counter("deliverables_total", {"status": "failed"}, times, 3 * ones),
        ),
    )
    slow = np.arange(
        int(GAUGES_FROM.timestamp()), int(HISTORY_END.timestamp()) + 1, 600, dtype=np.int64
    )
    days = (slow - slow[0]) / 86_400
    database = Family(
        "pg_database_size_bytes",
        "gauge",
        (
            Series(
                "pg_database_size_bytes",
                (("datname", "waooaw"),),
                slow,
                (100 * GB + GB * days).astype(np.int64),
            ),
        ),
    )
    volume = Family(
        "node_filesystem_size_bytes",
        "gauge",
        (
            Series(
                "node_filesystem_size_bytes",
                (("mountpoint", "/var/lib/postgresql"),),
                slow,
                np.full(len(slow), 500 * GB, dtype=np.int64),
            ),
        ),
    )
    return [requests, goals, deliverables, database, volume, _alerts(), *scorecard_families()]


def _alerts() -> Family:
    series = []
    for (alertname, service, severity, state), windows in sorted(ALERT_WINDOWS.items()):
        times = np.concatenate(
            [
                np.arange(int(start.timestamp()), int(end.timestamp()) + 1, 60, dtype=np.int64)
                for start, end in windows
            ]
        )
        labels = (
            ("alertname", alertname),
            ("alertstate", state),
            ("service", service),
            ("severity", severity),
        )
        series.append(Series("ALERTS", labels, times, np.ones(len(times), dtype=np.int64)))
    return Family("ALERTS", "gauge", tuple(series))


def database_size_at(instant: dt.datetime) -> float:
    return 100 * GB + GB * (instant - GAUGES_FROM).total_seconds() / 86_400


def write_history(directory: Path) -> list[Path]:
    """One OpenMetrics file per day, as promtool likes them."""
    directory.mkdir(parents=True, exist_ok=True)
    everything = families()
    paths = []
    day = GAUGES_FROM
    while day <= HISTORY_END:
        start = int(day.timestamp())
        path = directory / f"{day:%Y-%m-%d}.om"
        if write_openmetrics(path, [f.between(start, start + 86_400) for f in everything]):
            paths.append(path)
        day += dt.timedelta(days=1)
    return paths
