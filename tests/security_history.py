"""A small history for the security and customer figures, built so each can be worked by hand.

Week under test: 2026-11-23 to 2026-11-30 (UTC). Four weeks before it give the baseline.

Failed logins (``auth_attempts_total{result="failure"}``), from 2026-10-26:
- usually 1 a minute from 08:00 to 20:00 UTC (60 in each of those hours), none at night;
- the week of 2026-11-16 has no failed logins at all (the counter stays flat);
- in the week under test: 2 a minute on 2026-11-24 12:00-13:00 (120), 3 a minute on
  2026-11-25 10:00-11:00 (180) and a burst of 50 a minute on 2026-11-27 21:00-22:00 (3,000).
Successful logins: 10 a minute throughout, so a flat failure counter means 0, not no data.

API clients (``api_client_requests_total``), from 2026-11-16, per minute:
- key_a: 10 in the week before, 12 in the week under test (status 200);
- key_b: 5 (200) throughout, and 401s at 100 a minute on 2026-11-29 03:00-05:00 (12,000);
- key_new: 1 from 2026-11-23 on; key_gone: 2 until 2026-11-23;
- ops@example.com (an exporter that put an email in the label): 1 throughout.

``platform_credentials``: 90 valid, 6 expiring, 4 invalid, scraped every 5 minutes.
``active_agents``: 40 until 2026-11-23 00:00, 50 from then on, every minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np

from waooaw_reports.demo.openmetrics import Family, Series, write_openmetrics

UTC = dt.UTC
WEEK = "2026-11-23"
FIRST = dt.datetime(2026, 10, 26, tzinfo=UTC)
CLIENTS_FROM = dt.datetime(2026, 11, 16, tzinfo=UTC)
WEEK_START = dt.datetime(2026, 11, 23, tzinfo=UTC)
QUIET_WEEK = "2026-11-16"
END = dt.datetime(2026, 11, 30, tzinfo=UTC)  # the last samples sit exactly here

# start, minutes, failed logins a minute
BURSTS = (
    (dt.datetime(2026, 11, 24, 12, tzinfo=UTC), 60, 2),
    (dt.datetime(2026, 11, 25, 10, tzinfo=UTC), 60, 3),
    (dt.datetime(2026, 11, 27, 21, tzinfo=UTC), 60, 50),
)
PROBE = (dt.datetime(2026, 11, 29, 3, tzinfo=UTC), 120, 100)
EMAIL_CLIENT = "ops@example.com"


def _times(start: dt.datetime, end: dt.datetime, step: int = 60) -> np.ndarray:
    return np.arange(int(start.timestamp()), int(end.timestamp()) + 1, step, dtype=np.int64)


def _counter(
    name: str, labels: dict[str, str], times: np.ndarray, per_minute: Callable[[int], float]
) -> Series:
    """Counter samples at ``times``; ``per_minute(t)`` is added in the minute after ``t``."""
    increments = np.array([per_minute(int(t)) for t in times[:-1]], dtype=np.int64)
    values = np.concatenate([[0], np.cumsum(increments)])
    return Series(name, tuple(labels.items()), times, values)


def _within(t: int, start: dt.datetime, minutes: int) -> bool:
    return int(start.timestamp()) <= t < int(start.timestamp()) + 60 * minutes


def failed_per_minute(t: int) -> int:
    for start, minutes, rate in BURSTS:
        if _within(t, start, minutes):
            return rate
    if _within(t, CLIENTS_FROM, 7 * 24 * 60):
        return 0  # the quiet week
    hour = (t // 3600) % 24
    return 1 if 8 <= hour < 20 else 0


def _logins() -> Family:
    times = _times(FIRST, END)
    return Family(
        "auth_attempts",
        "counter",
        (
            _counter("auth_attempts_total", {"result": "failure"}, times, failed_per_minute),
            _counter("auth_attempts_total", {"result": "success"}, times, lambda t: 10),
        ),
    )


def _clients() -> Family:
    both = _times(CLIENTS_FROM, END)
    split = int(WEEK_START.timestamp())
    series = [
        _counter(
            "api_client_requests_total",
            {"client": "key_a", "status": "200"},
            both,
            lambda t: 10 if t < split else 12,
        ),
        _counter(
            "api_client_requests_total", {"client": "key_b", "status": "200"}, both, lambda t: 5
        ),
        _counter(
            "api_client_requests_total",
            {"client": "key_b", "status": "401"},
            both,
            lambda t: PROBE[2] if _within(t, PROBE[0], PROBE[1]) else 0,
        ),
        _counter(
            "api_client_requests_total",
            {"client": "key_new", "status": "200"},
            _times(WEEK_START, END),
            lambda t: 1,
        ),
        _counter(
            "api_client_requests_total",
            {"client": "key_gone", "status": "200"},
            _times(CLIENTS_FROM, WEEK_START),
            lambda t: 2,
        ),
        _counter(
            "api_client_requests_total",
            {"client": EMAIL_CLIENT, "status": "200"},
            both,
            lambda t: 1,
        ),
    ]
    return Family("api_client_requests", "counter", tuple(series))


def _gauges() -> list[Family]:
    slow = _times(WEEK_START, END, 300)
    credentials = Family(
        "platform_credentials",
        "gauge",
        tuple(
            Series(
                "platform_credentials",
                (("state", state),),
                slow,
                np.full(len(slow), count, dtype=np.int64),
            )
            for state, count in (("valid", 90), ("expiring", 6), ("invalid", 4))
        ),
    )
    minutes = _times(CLIENTS_FROM, END)
    agents = np.where(minutes < int(WEEK_START.timestamp()), 40, 50).astype(np.int64)
    active = Family("active_agents", "gauge", (Series("active_agents", (), minutes, agents),))
    return [credentials, active]


def write_history(directory: Path) -> list[Path]:
    """One OpenMetrics file per day, as promtool likes them."""
    directory.mkdir(parents=True, exist_ok=True)
    everything = [_logins(), _clients(), *_gauges()]
    paths = []
    day = FIRST
    while day <= END:
        start = int(day.timestamp())
        path = directory / f"{day:%Y-%m-%d}.om"
        if write_openmetrics(path, [f.between(start, start + 86_400) for f in everything]):
            paths.append(path)
        day += dt.timedelta(days=1)
    return paths
