"""Infrastructure: database pool and queries, disk, cache, the scheduler heartbeat and alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np

from waooaw_reports.demo.histograms import bucket_probabilities, histogram_series, split_counts
from waooaw_reports.demo.openmetrics import Family, Series
from waooaw_reports.demo.schedule import Schedule, Window
from waooaw_reports.demo.timeline import (
    COARSE_STEP,
    DAY_SECONDS,
    FloatArray,
    Grid,
    Grids,
    IntArray,
    counter,
    covered,
    days_since,
    diurnal,
    during,
    traffic,
    unix,
    weekend,
)

GIB = 2**30
POOLS = {"primary": 100, "replica": 50}
QUERY_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 2.5)
SLOW_SECONDS = 1.0
# query_id -> (calls per minute at peak, median seconds, log-logistic shape)
QUERIES = {
    "select_goals_due": (900.0, 0.004, 2.5),
    "insert_deliverable": (300.0, 0.012, 2.5),
    "update_agent_state": (600.0, 0.008, 2.2),
    "select_pending_approvals": (30.0, 0.15, 1.8),
}
# The approvals query slows down as its table grows: its median doubles over the history.
GROWING_QUERY = "select_pending_approvals"
DATABASE_START_BYTES = 50 * GIB
DATABASE_GROWTH_PER_DAY = 0.0045
VOLUMES = {
    "/": ("/dev/nvme0n1p1", 50 * GIB),
    "/var/lib/postgresql": ("/dev/nvme1n1", 200 * GIB),
}
HEARTBEAT_SECONDS = 30
HEARTBEAT_PHASE = 7
_SECOND = dt.timedelta(seconds=1)


def _instant_load(grid: Grid, schedule: Schedule) -> FloatArray:
    growth = 1.0 + 0.2 * days_since(grid.timestamps, schedule) / 214.0
    return diurnal(grid.timestamps, 0.1) * weekend(grid.timestamps, 0.55) * growth


def _major_windows(schedule: Schedule) -> list[Window]:
    return [
        Window(o.start, o.end)
        for o in schedule.outages
        if o.service == "api-gateway" and o.severity == "P0"
    ]


def _pools(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    """Pool use follows traffic and grows with it; a P0 on the gateway exhausts the primary."""
    load = _instant_load(grid, schedule)
    gateway_trouble = during(
        grid, [Window(o.start, o.end) for o in schedule.outages if o.service == "api-gateway"]
    )
    exhausted = during(grid, _major_windows(schedule))
    primary = 6.0 + 48.0 * load + rng.normal(0.0, 2.5, len(grid)) + 15.0 * gateway_trouble
    primary = np.where(exhausted, rng.uniform(94.0, 100.0, len(grid)), primary)
    replica = 3.0 + 18.0 * load + rng.normal(0.0, 1.5, len(grid))
    in_use = {"primary": primary, "replica": replica}
    used = tuple(
        Series(
            "db_pool_connections_in_use",
            (("pool", pool),),
            grid.timestamps,
            np.clip(np.rint(in_use[pool]), 0, size),
        )
        for pool, size in POOLS.items()
    )
    sizes = tuple(
        Series(
            "db_pool_connections_max",
            (("pool", pool),),
            grid.timestamps,
            np.full(len(grid), size, dtype=np.int64),
        )
        for pool, size in POOLS.items()
    )
    return [
        Family("db_pool_connections_in_use", "gauge", used),
        Family("db_pool_connections_max", "gauge", sizes),
    ]


def _queries(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    """Per-query latency histograms, and the slow-query counter derived from them."""
    load = traffic(grid, schedule, rng)
    slowed = 1.0 + covered(grid, ((w.start, w.end, 2.0) for w in _major_windows(schedule)))
    first_slow = QUERY_BUCKETS.index(SLOW_SECONDS) + 1
    slow = np.zeros(len(grid), dtype=np.int64)
    series: list[Series] = []
    for query_id, (peak, median, shape) in QUERIES.items():
        medians = median * slowed
        if query_id == GROWING_QUERY:
            medians = medians * (1.0 + days_since(grid.timestamps, schedule) / 214.0)
        calls = rng.poisson(peak * grid.minutes * load)
        per_bucket = split_counts(rng, calls, bucket_probabilities(QUERY_BUCKETS, medians, shape))
        slow += per_bucket[:, first_slow:].sum(axis=1)
        series += histogram_series(
            "db_query_duration_seconds",
            (("query_id", query_id),),
            grid,
            QUERY_BUCKETS,
            per_bucket,
            rng,
        )
    slow_series = Series(
        "db_slow_queries_total", (), grid.timestamps, counter(slow, int(rng.integers(10**3, 10**5)))
    )
    return [
        Family("db_query_duration_seconds", "histogram", tuple(series)),
        Family("db_slow_queries", "counter", (slow_series,)),
    ]


def _database_size(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> IntArray:
    """About 0.4 % a day, mostly written in the daytime, less at weekends."""
    days = int(days_since(grid.timestamps[-1:], schedule)[0]) + 1
    day_starts = unix(schedule.start) + DAY_SECONDS * np.arange(days)
    rates = DATABASE_GROWTH_PER_DAY * rng.uniform(0.8, 1.2, days) * weekend(day_starts, 0.6)
    logs_at_midnight = np.log(DATABASE_START_BYTES) + np.concatenate([[0.0], np.cumsum(rates)])

    profile = diurnal(np.arange(0, DAY_SECONDS, COARSE_STEP), 0.1)
    written = np.cumsum(profile) / profile.sum()
    day = ((grid.timestamps - unix(schedule.start)) // DAY_SECONDS).astype(np.int64)
    slot = (grid.timestamps % DAY_SECONDS) // COARSE_STEP
    return np.rint(np.exp(logs_at_midnight[day] + rates[day] * written[slot])).astype(np.int64)


def _storage(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    """The database size, and the volumes: the database's holds it plus about 20 GiB more."""
    database = _database_size(grid, schedule, rng)
    wal = (0.8 + 0.5 * diurnal(grid.timestamps, 0.1)) * GIB
    days = days_since(grid.timestamps, schedule)
    since_rotation = ((grid.timestamps // DAY_SECONDS + 3) % 7 + 1) * 0.05 * GIB
    used = {
        "/": 12 * GIB + 0.01 * GIB * days + since_rotation,
        "/var/lib/postgresql": database + 20 * GIB + wal,
    }
    sizes: list[Series] = []
    available: list[Series] = []
    for mountpoint, (device, size) in VOLUMES.items():
        labels = (("device", device), ("fstype", "ext4"), ("mountpoint", mountpoint))
        free = (size - used[mountpoint]) // 4096 * 4096
        sizes.append(
            Series("node_filesystem_size_bytes", labels, grid.timestamps, np.full(len(grid), size))
        )
        available.append(
            Series("node_filesystem_avail_bytes", labels, grid.timestamps, free.astype(np.int64))
        )
    database_series = Series(
        "pg_database_size_bytes", (("datname", "waooaw"),), grid.timestamps, database
    )
    return [
        Family("pg_database_size_bytes", "gauge", (database_series,)),
        Family("node_filesystem_size_bytes", "gauge", tuple(sizes)),
        Family("node_filesystem_avail_bytes", "gauge", tuple(available)),
    ]


def _cache(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    """Lookups follow traffic; a gateway outage flushes the cache and the hit rate drops."""
    lookups = 5000.0 * grid.minutes * traffic(grid, schedule, rng)
    troubled = covered(
        grid, ((o.start, o.end, 1.0) for o in schedule.outages if o.service == "api-gateway")
    )
    hit_rate = 0.915 + rng.normal(0.0, 0.005, len(grid)) - 0.15 * troubled
    counts = {
        "redis_keyspace_hits": rng.poisson(lookups * hit_rate),
        "redis_keyspace_misses": rng.poisson(lookups * (1.0 - hit_rate)),
    }
    return [
        Family(
            name,
            "counter",
            (Series(f"{name}_total", (), grid.timestamps, counter(increments, 10**7)),),
        )
        for name, increments in counts.items()
    ]


def _heartbeat(grid: Grid, schedule: Schedule) -> Family:
    """The time of the last beat; beats every 30 s except during the gap."""
    beats = grid.timestamps - (grid.timestamps - HEARTBEAT_PHASE) % HEARTBEAT_SECONDS
    gap_start, gap_end = unix(schedule.heartbeat_gap.start), unix(schedule.heartbeat_gap.end)
    last_before_gap = gap_start - 1 - (gap_start - 1 - HEARTBEAT_PHASE) % HEARTBEAT_SECONDS
    beats = np.where((beats >= gap_start) & (beats < gap_end), last_before_gap, beats)
    series = Series("scheduler_heartbeat_timestamp_seconds", (), grid.timestamps, beats)
    return Family("scheduler_heartbeat_timestamp_seconds", "gauge", (series,))


def _alert_series(grid: Grid, labels: dict[str, str], windows: Iterable[Window]) -> Series:
    firing = during(grid, windows)
    times = grid.timestamps[firing]
    return Series("ALERTS", tuple(sorted(labels.items())), times, np.ones(len(times)))


def _alerts(grid: Grid, schedule: Schedule) -> Family:
    """Prometheus' own ALERTS series: 1 at each evaluation while an alert fires.

    OpenMetrics cannot carry the stale marker Prometheus writes when an alert resolves, so
    a backfilled alert stays visible for the 5-minute lookback after its last sample.
    """
    windows: dict[tuple[str, str, str], list[Window]] = {}
    for o in schedule.outages:
        severity = "critical" if o.severity in ("P0", "P1") else "warning"
        key = ("HighErrorRate", o.service, severity)
        windows.setdefault(key, []).append(Window(o.alert_start, o.end + 60 * _SECOND))
    gap = schedule.heartbeat_gap
    windows[("SchedulerHeartbeatMissing", "scheduler", "critical")] = [
        Window(gap.start + 180 * _SECOND, gap.end + 60 * _SECOND)
    ]
    series = tuple(
        _alert_series(
            grid,
            {
                "alertname": alertname,
                "alertstate": "firing",
                "service": service,
                "severity": severity,
            },
            chosen,
        )
        for (alertname, service, severity), chosen in sorted(windows.items())
    )
    return Family("ALERTS", "gauge", series)


def infra_families(grids: Grids, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    """The heartbeat and the alerts are sampled every minute throughout: with five-minute
    samples a healthy heartbeat would look up to five minutes old, and a short alert could
    fall between two samples."""
    return [
        *_pools(grids.samples, schedule, rng),
        *_queries(grids.samples, schedule, rng),
        *_storage(grids.slow, schedule, rng),
        *_cache(grids.samples, schedule, rng),
        _heartbeat(grids.minutely, schedule),
        _alerts(grids.minutely, schedule),
    ]
