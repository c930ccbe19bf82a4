"""Three months of platform history for the SLO tests, made by hand so every figure can be
worked out on paper. Times are UTC; samples run from 2026-08-31 00:00 to 2026-12-01 00:00.

API requests, sampled every minute: 100 a minute from 08:00 to 20:00 UTC, 10 at night, so a
day holds 720 x 100 + 720 x 10 = 79,200 requests. The 5xx series first appears (at 0) when the
first outage starts, so every week before 2026-09-15 has no error series at all (case C05).

| outage | start (UTC) | minutes | 5xx a minute | 5xx |
|---|---|---|---|---|
| September, by day | 2026-09-15 10:00 | 60 | 50 of 100 | 3,000 |
| October, by day | 2026-10-21 14:00 | 10 | 20 of 100 | 200 |
| inside maintenance, at night | 2026-11-10 01:05 | 15 | 10 of 10 | 150 |
| November, by day | 2026-11-18 09:00 | 60 | 40 of 100 | 2,400 |
| night | 2026-11-25 02:00 | 60 | 5 of 10 | 300 |
| day | 2026-11-26 10:00 | 10 | 50 of 100 | 500 |

The night outage lasts six times as long as the day outage on the next day and holds fewer
failed requests (300 against 500): requests, not minutes, decide the SLI.
MAINTENANCE (2026-11-10 01:00-01:30, 30 night minutes, 300 requests) holds the third outage.

Other series are sampled every 5 minutes; counts below are per 5-minute step (288 a day):
- goal runs: 250, of which 2 failed (0.008), 5 failed (0.02) from 2026-11-24 00:00;
- deliverables: 245 created and 5 failed per 250 goal runs (0.98);
- integrations: instagram 98 successes and 2 failures (0.98); linkedin 50 successes and no
  failure series at all; delta_exchange a success series that never moves (no calls);
- no login series at all;
- API latency histogram, buckets 0.1, 0.2, 0.5 and +Inf: by day (08:00-20:00) 500 requests with
  450 / 485 / 495 / 500 at or under each bound, at night 50 with 48 / 50 / 50 / 50. From
  2026-11-18 09:00 to 12:00 (36 steps) the day is slow: 100 / 200 / 450 / 500.
  A day: 144 x 500 + 144 x 50 = 79,200 requests, 144 x 485 + 144 x 50 = 77,040 under 0.2 s.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from waooaw_reports.demo.openmetrics import Family, Series, write_openmetrics
from waooaw_reports.maintenance import MaintenanceWindow

UTC = dt.UTC
START = dt.datetime(2026, 8, 31, tzinfo=UTC)
END = dt.datetime(2026, 12, 1, tzinfo=UTC)
STEP = 300
DAY_REQUESTS = 720 * 100 + 720 * 10  # 79,200

# (start, minutes, 5xx a minute)
SEPTEMBER_OUTAGE = (dt.datetime(2026, 9, 15, 10, tzinfo=UTC), 60, 50)
OCTOBER_OUTAGE = (dt.datetime(2026, 10, 21, 14, tzinfo=UTC), 10, 20)
MAINTENANCE_OUTAGE = (dt.datetime(2026, 11, 10, 1, 5, tzinfo=UTC), 15, 10)
NOVEMBER_OUTAGE = (dt.datetime(2026, 11, 18, 9, tzinfo=UTC), 60, 40)
NIGHT_OUTAGE = (dt.datetime(2026, 11, 25, 2, tzinfo=UTC), 60, 5)
DAY_OUTAGE = (dt.datetime(2026, 11, 26, 10, tzinfo=UTC), 10, 50)
OUTAGES = (
    SEPTEMBER_OUTAGE,
    OCTOBER_OUTAGE,
    MAINTENANCE_OUTAGE,
    NOVEMBER_OUTAGE,
    NIGHT_OUTAGE,
    DAY_OUTAGE,
)
MAINTENANCE = MaintenanceWindow(
    dt.datetime(2026, 11, 10, 1, tzinfo=UTC),
    dt.datetime(2026, 11, 10, 1, 30, tzinfo=UTC),
    "Database upgrade",
)
MAINTENANCE_YAML = """\
- start: 2026-11-10T02:00:00+01:00
  end: 2026-11-10T02:30:00+01:00
  reason: Database upgrade
"""

GOAL_RUNS = 250
GOAL_FAILED, GOAL_FAILED_LATE = 2, 5
GOALS_WORSE_FROM = dt.datetime(2026, 11, 24, tzinfo=UTC)
DELIVERABLES_CREATED = 245
INSTAGRAM_OK, INSTAGRAM_FAILED = 98, 2
LINKEDIN_OK = 50
LATENCY_BOUNDS = ("0.1", "0.2", "0.5", "+Inf")
LATENCY_DAY = (450, 485, 495, 500)
LATENCY_NIGHT = (48, 50, 50, 50)
LATENCY_SLOW = (100, 200, 450, 500)
SLOW_FROM, SLOW_STEPS = dt.datetime(2026, 11, 18, 9, tzinfo=UTC), 36


def _times(step: int) -> np.ndarray:
    return np.arange(int(START.timestamp()), int(END.timestamp()) + step, step, dtype=np.int64)


def _index(times: np.ndarray, instant: dt.datetime) -> int:
    return int(np.searchsorted(times, int(instant.timestamp())))


def _counter(name: str, labels: dict[str, str], times: np.ndarray, per_step: np.ndarray) -> Series:
    """Counter samples at ``times``; ``per_step[i]`` is added between sample i and i + 1."""
    values = np.concatenate([[0], np.cumsum(per_step[:-1])])
    return Series(name, tuple(labels.items()), times, values.astype(np.int64))


def _is_day(times: np.ndarray) -> np.ndarray:
    hours = (times // 3600) % 24
    return (hours >= 8) & (hours < 20)


def _api_requests() -> Family:
    times = _times(60)
    traffic = np.where(_is_day(times), 100, 10)
    bad = np.zeros_like(traffic)
    for start, minutes, per_minute in OUTAGES:
        first = _index(times, start)
        bad[first : first + minutes] = per_minute
    labels = {"service": "api-gateway", "endpoint": "/v1/goals"}
    born = _index(times, SEPTEMBER_OUTAGE[0])
    errors = _counter("api_requests_total", {**labels, "status": "500"}, times[born:], bad[born:])
    return Family(
        "api_requests",
        "counter",
        (_counter("api_requests_total", {**labels, "status": "200"}, times, traffic - bad), errors),
    )


def _workload() -> list[Family]:
    times = _times(STEP)
    ones = np.ones(len(times), dtype=np.int64)
    failed = np.where(times >= int(GOALS_WORSE_FROM.timestamp()), GOAL_FAILED_LATE, GOAL_FAILED)
    goals = Family(
        "goal_executions",
        "counter",
        (
            _counter("goal_executions_total", {"status": "succeeded"}, times, GOAL_RUNS - failed),
            _counter("goal_executions_total", {"status": "failed"}, times, failed),
        ),
    )
    created = DELIVERABLES_CREATED * ones
    deliverables = Family(
        "deliverables",
        "counter",
        (
            _counter("deliverables_total", {"status": "created"}, times, created),
            _counter("deliverables_total", {"status": "failed"}, times, GOAL_RUNS - created),
        ),
    )
    name = "integration_requests_total"
    integrations = Family(
        "integration_requests",
        "counter",
        (
            _counter(
                name, {"platform": "instagram", "status": "success"}, times, INSTAGRAM_OK * ones
            ),
            _counter(
                name, {"platform": "instagram", "status": "failure"}, times, INSTAGRAM_FAILED * ones
            ),
            _counter(
                name, {"platform": "linkedin", "status": "success"}, times, LINKEDIN_OK * ones
            ),
            _counter(name, {"platform": "delta_exchange", "status": "success"}, times, 0 * ones),
        ),
    )
    return [goals, deliverables, integrations, _latency(times)]


def _latency(times: np.ndarray) -> Family:
    cumulative = np.where(
        _is_day(times)[:, None], np.array(LATENCY_DAY)[None, :], np.array(LATENCY_NIGHT)[None, :]
    )
    first = _index(times, SLOW_FROM)
    cumulative[first : first + SLOW_STEPS] = LATENCY_SLOW
    labels = {"service": "api-gateway"}
    series = [
        _counter("api_request_duration_seconds_bucket", {**labels, "le": le}, times, column)
        for le, column in zip(LATENCY_BOUNDS, cumulative.T, strict=True)
    ]
    series.append(_counter("api_request_duration_seconds_count", labels, times, cumulative[:, -1]))
    return Family("api_request_duration_seconds", "histogram", tuple(series))


def write_history(directory: Path) -> list[Path]:
    """One OpenMetrics file per day, as promtool likes them."""
    directory.mkdir(parents=True, exist_ok=True)
    families = [_api_requests(), *_workload()]
    paths = []
    day = START
    while day <= END:
        start = int(day.timestamp())
        path = directory / f"{day:%Y-%m-%d}.om"
        if write_openmetrics(path, [f.between(start, start + 86_400) for f in families]):
            paths.append(path)
        day += dt.timedelta(days=1)
    return paths
