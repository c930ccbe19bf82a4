"""The tier 2 to 4 series of the hand-made history, each figure worked out on paper.

The week under test is 2026-11-23 to 2026-11-30 (UTC); the week before, 2026-11-16 to
2026-11-23, gives the trend. Minute series start on 2026-11-15, so both weeks are covered from
their first instant and counts are exact: a sample sits on each edge, so `increase` has nothing
to extrapolate. A counter's increments are set per minute and change only where a week starts.

Percentiles (cumulative counts per minute; P = lower + width x (rank - below) / (above - below)):
- API latency, buckets 0.05 0.1 0.2 0.5 1: before 50 92 97 100 100 -> P95 = 0.1 + 0.1 x 3/5 = 0.16;
  week 50 80 90 100 100 -> P95 = 0.2 + 0.3 x 5/10 = 0.35 (at risk: over 0.2, not over 0.5).
- Goal latency, buckets 30 60 120 300 600, 50 runs a minute: before 10 30 48 50 50 ->
  P95 = 60 + 60 x 17.5/18 = 118.33; week 10 30 45 49 50 -> 120 + 180 x 2.5/4 = 232.5.
- Approval wait, buckets 1800 3600 7200 14400 86400 172800, 10 a minute: before 2 4 7 9 10 10:
  median 3600 + 3600 x 1/3 = 4800, P95 14400 + 72000 x 0.5 = 50400; week 2 4 7 8 9 10: median
  4800, P95 = 86400 + 86400 x 0.5 = 129600 (breached: over a day).

Ratios: Instagram 99 of 100 calls a minute succeed (0.99) in both weeks; LinkedIn 24 of 25 before
(0.96), 21 of 25 in the week (0.84, breached); Delta Exchange 48 of 50 until 2026-11-20 00:00,
then nothing at all (no data in the week). Cache: 800 hits and 200 misses a minute before (0.8),
900 and 100 in the week (0.9).

Gauges:
- Pools: primary 40 of 100, replica 20 of 50; in the week the primary holds 95 from
  2026-11-27 14:00 to 14:09 (highest 5-minute average 0.95), the week before the replica holds
  42 from 2026-11-18 10:00 to 10:09 (0.84).
- Slow queries: 2 a minute; 30 a minute from 2026-11-26 03:00 to 03:20 (peak 30), 8 a minute from
  2026-11-19 12:00 to 12:20 (peak 8).
- Heartbeat: beats every 30 s, scraped 20 s after each minute, so on the minute grid the last beat
  is 60 s old. The scheduler stalls from 2026-11-24 06:00:00 to 06:10:00: at 06:10 the last beat
  is 600 s old, and it is over 180 s old at 06:04 to 06:10, 7 minutes.
- Active agents, scraped every 10 minutes at 5 past: one level per UTC day (AGENTS). Week mean
  671 / 7; largest fall 26 / 104 = 0.25 on 2026-11-26. Before: mean 662 / 7, largest fall
  2 / 95 on 2026-11-20.
- Credentials, scraped every 10 minutes at 2 past (the last sample before a midnight is 8 minutes
  old, beyond the 5-minute lookback, case C08): 930 valid, 50 expiring, 20 invalid at the week's
  end (0.93); 960, 30, 10 at the end of the week before (0.96).

Slowest queries (buckets 0.01 0.1 1 5, per minute): select_goals_due 100 calls 90 100 100 100 ->
P95 0.055; insert_deliverable 50 calls 25 45 50 50 -> P95 0.55; select_pending_approvals 10 calls
0 2 8 10 -> P95 4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from waooaw_reports.demo.openmetrics import Family, Series

UTC = dt.UTC
MINUTES_FROM = dt.datetime(2026, 11, 15, tzinfo=UTC)
GAUGES_FROM = dt.datetime(2026, 10, 20, tzinfo=UTC)
HISTORY_END = dt.datetime(2026, 11, 30, tzinfo=UTC)
WEEK_START = dt.datetime(2026, 11, 23, tzinfo=UTC)
STALL = (dt.datetime(2026, 11, 24, 6, tzinfo=UTC), dt.datetime(2026, 11, 24, 6, 10, tzinfo=UTC))
POOL_SPIKES = (
    ("primary", dt.datetime(2026, 11, 27, 14, tzinfo=UTC), 95),
    ("replica", dt.datetime(2026, 11, 18, 10, tzinfo=UTC), 42),
)
SLOW_SPIKES = (
    (dt.datetime(2026, 11, 26, 3, tzinfo=UTC), 30),
    (dt.datetime(2026, 11, 19, 12, tzinfo=UTC), 8),
)
DELTA_EXCHANGE_STOPS = dt.datetime(2026, 11, 20, tzinfo=UTC)
AGENTS = {
    dt.date(2026, 11, 15): 88,
    dt.date(2026, 11, 16): 90,
    dt.date(2026, 11, 17): 92,
    dt.date(2026, 11, 18): 95,
    dt.date(2026, 11, 19): 95,
    dt.date(2026, 11, 20): 93,
    dt.date(2026, 11, 21): 97,
    dt.date(2026, 11, 22): 100,
    dt.date(2026, 11, 23): 100,
    dt.date(2026, 11, 24): 104,
    dt.date(2026, 11, 25): 104,
    dt.date(2026, 11, 26): 78,
    dt.date(2026, 11, 27): 90,
    dt.date(2026, 11, 28): 95,
    dt.date(2026, 11, 29): 100,
}
CREDENTIALS = {"before": (960, 30, 10), "week": (930, 50, 20)}
API_BUCKETS = (0.05, 0.1, 0.2, 0.5, 1.0)
API_CUMULATIVE = {"before": (50, 92, 97, 100, 100, 100), "week": (50, 80, 90, 100, 100, 100)}
GOAL_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0)
GOAL_CUMULATIVE = {"before": (10, 30, 48, 50, 50, 50), "week": (10, 30, 45, 49, 50, 50)}
APPROVAL_BUCKETS = (1800.0, 3600.0, 7200.0, 14400.0, 86400.0, 172800.0)
APPROVAL_CUMULATIVE = {"before": (2, 4, 7, 9, 10, 10, 10), "week": (2, 4, 7, 8, 9, 10, 10)}
QUERY_BUCKETS = (0.01, 0.1, 1.0, 5.0)
# query_id -> cumulative calls a minute per bucket (+Inf last), seconds spent a minute
QUERIES = {
    "select_goals_due": ((90, 100, 100, 100, 100), 0.5),
    "insert_deliverable": ((25, 45, 50, 50, 50), 10.0),
    "select_pending_approvals": ((0, 2, 8, 10, 10), 25.0),
}


def _unix(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def _minute_times() -> np.ndarray:
    return np.arange(_unix(MINUTES_FROM), _unix(HISTORY_END) + 60, 60, dtype=np.int64)


def _in_week(times: np.ndarray) -> np.ndarray:
    return times >= _unix(WEEK_START)


def _weekly(times: np.ndarray, before: float, week: float) -> np.ndarray:
    return np.where(_in_week(times), week, before)


def _between(times: np.ndarray, start: dt.datetime, minutes: int) -> np.ndarray:
    return (times >= _unix(start)) & (times < _unix(start) + 60 * minutes)


def _counter(name: str, labels: dict[str, str], times: np.ndarray, per_minute: np.ndarray):
    """Counter samples at ``times``; ``per_minute[i]`` is added between sample i and i+1."""
    values = np.concatenate([[0], np.cumsum(per_minute[:-1])])
    return Series(name, tuple(labels.items()), times, values.astype(np.int64))


def _histogram(
    name: str,
    labels: dict[str, str],
    times: np.ndarray,
    bounds: Sequence[float],
    before: Sequence[int],
    week: Sequence[int],
) -> list[Series]:
    """Bucket and count series from cumulative counts a minute (+Inf last) for each week."""
    les = [f"{bound:g}" for bound in bounds] + ["+Inf"]
    series = [
        _counter(f"{name}_bucket", {**labels, "le": le}, times, _weekly(times, low, high))
        for le, low, high in zip(les, before, week, strict=True)
    ]
    series.append(_counter(f"{name}_count", labels, times, _weekly(times, before[-1], week[-1])))
    return series


def _latencies(times: np.ndarray) -> list[Family]:
    api = _histogram(
        "api_request_duration_seconds",
        {"service": "api-gateway"},
        times,
        API_BUCKETS,
        API_CUMULATIVE["before"],
        API_CUMULATIVE["week"],
    )
    goals = _histogram(
        "goal_execution_latency_seconds",
        {},
        times,
        GOAL_BUCKETS,
        GOAL_CUMULATIVE["before"],
        GOAL_CUMULATIVE["week"],
    )
    approvals = _histogram(
        "approval_wait_seconds",
        {},
        times,
        APPROVAL_BUCKETS,
        APPROVAL_CUMULATIVE["before"],
        APPROVAL_CUMULATIVE["week"],
    )
    queries: list[Series] = []
    for query_id, (cumulative, seconds) in QUERIES.items():
        labels = {"query_id": query_id}
        queries += _histogram(
            "db_query_duration_seconds", labels, times, QUERY_BUCKETS, cumulative, cumulative
        )
        spent = np.full(len(times), seconds)
        values = np.concatenate([[0.0], np.cumsum(spent[:-1])])
        queries.append(
            Series("db_query_duration_seconds_sum", tuple(labels.items()), times, values, "%r")
        )
    return [
        Family("api_request_duration_seconds", "histogram", tuple(api)),
        Family("goal_execution_latency_seconds", "histogram", tuple(goals)),
        Family("approval_wait_seconds", "histogram", tuple(approvals)),
        Family("db_query_duration_seconds", "histogram", tuple(queries)),
    ]


def _integrations(times: np.ndarray) -> Family:
    series = []
    for platform, calls, good_before, good_week in (
        ("instagram", 100, 99, 99),
        ("linkedin", 25, 24, 21),
    ):
        good = _weekly(times, good_before, good_week)
        for status, per_minute in (("success", good), ("failure", calls - good)):
            labels = {"platform": platform, "status": status}
            series.append(_counter("integration_requests_total", labels, times, per_minute))
    until = times[times <= _unix(DELTA_EXCHANGE_STOPS)]
    for status, per_minute in (("success", 48), ("failure", 2)):
        labels = {"platform": "delta_exchange", "status": status}
        increments = np.full(len(until), per_minute)
        series.append(_counter("integration_requests_total", labels, until, increments))
    return Family("integration_requests", "counter", tuple(series))


def _pools(times: np.ndarray) -> list[Family]:
    sizes = {"primary": 100, "replica": 50}
    in_use = {"primary": np.full(len(times), 40), "replica": np.full(len(times), 20)}
    for pool, start, held in POOL_SPIKES:
        in_use[pool] = np.where(_between(times, start, 10), held, in_use[pool])
    used = tuple(
        Series("db_pool_connections_in_use", (("pool", pool),), times, in_use[pool])
        for pool in sizes
    )
    limits = tuple(
        Series("db_pool_connections_max", (("pool", pool),), times, np.full(len(times), size))
        for pool, size in sizes.items()
    )
    return [
        Family("db_pool_connections_in_use", "gauge", used),
        Family("db_pool_connections_max", "gauge", limits),
    ]


def _slow_queries(times: np.ndarray) -> Family:
    per_minute = np.full(len(times), 2)
    for start, rate in SLOW_SPIKES:
        per_minute = np.where(_between(times, start, 20), rate, per_minute)
    return Family(
        "db_slow_queries", "counter", (_counter("db_slow_queries_total", {}, times, per_minute),)
    )


def _heartbeat(times: np.ndarray) -> Family:
    scraped = times[:-1] + 20
    beats = scraped - scraped % 30
    stalled = (beats >= _unix(STALL[0])) & (beats < _unix(STALL[1]))
    beats = np.where(stalled, _unix(STALL[0]), beats)
    series = Series("scheduler_heartbeat_timestamp_seconds", (), scraped, beats)
    return Family("scheduler_heartbeat_timestamp_seconds", "gauge", (series,))


def _cache(times: np.ndarray) -> list[Family]:
    hits = _counter("redis_keyspace_hits_total", {}, times, _weekly(times, 800, 900))
    misses = _counter("redis_keyspace_misses_total", {}, times, _weekly(times, 200, 100))
    return [
        Family("redis_keyspace_hits", "counter", (hits,)),
        Family("redis_keyspace_misses", "counter", (misses,)),
    ]


def _slow_times(offset_seconds: int) -> np.ndarray:
    start = _unix(GAUGES_FROM) + offset_seconds
    return np.arange(start, _unix(HISTORY_END), 600, dtype=np.int64)


def _days(times: np.ndarray) -> list[dt.date]:
    return [dt.datetime.fromtimestamp(int(t), UTC).date() for t in times]


def _business_gauges() -> list[Family]:
    times = _slow_times(300)
    levels = [AGENTS.get(day, 88) for day in _days(times)]
    agents = Series("active_agents", (), times, np.asarray(levels, dtype=np.int64))

    times = _slow_times(120)
    week = _in_week(times)
    states = []
    for index, state in enumerate(("valid", "expiring", "invalid")):
        values = np.where(week, CREDENTIALS["week"][index], CREDENTIALS["before"][index])
        states.append(Series("platform_credentials", (("state", state),), times, values))
    return [
        Family("active_agents", "gauge", (agents,)),
        Family("platform_credentials", "gauge", tuple(states)),
    ]


def scorecard_families() -> list[Family]:
    times = _minute_times()
    return [
        *_latencies(times),
        _integrations(times),
        *_pools(times),
        _slow_queries(times),
        _heartbeat(times),
        *_cache(times),
        *_business_gauges(),
    ]
