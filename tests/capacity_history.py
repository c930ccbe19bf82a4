"""A small capacity history, built by hand so every figure can be worked out on paper.

It covers 2026-10-20 00:00 to 2026-11-30 00:00 UTC; day ``d`` is the d-th day after 2026-10-20.
Every gauge is scraped every 10 minutes (case C08). The weekly report keyed 2026-11-23 looks
back 30 days: 2026-10-31 (d = 11) to 2026-11-29 (d = 40).

Volumes (node_exporter, samples at :00, :10, …), used = size − available:
- ``/``: 50 GB, 10 GB used + 0.1 GB a day;
- ``/var/lib/postgresql``: 500 GB, 120 GB used + 2 GB a day;
- ``/run``: a 1 GB tmpfs, which is not a disk and is left out by the catalog.

Database: 20 GB + 1 GB a day at each midnight, plus a bloat that builds up from 0 at 00:00 to
48 GB at 22:00 and is cleared at 22:00: midnight values never see it, samples in the day do.

Pools: connections in use are scraped at :03, :13, …, pool sizes at :07, :17, … (two exporters
that never sample at the same moment). Each day's peak is the sample at 14:03; otherwise few
connections are in use:
- ``primary``: 200 connections, peak 40 + d + noise(d), noise from a fixed seed in −5 … 5;
- ``replica``: 50 connections, peak 25 every day (0.5, flat);
- ``batch``: 10 connections, peak 5 + d // 5: from day 25 overflow puts more in use than the
  pool's size, and utilisation is capped at 1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from waooaw_reports.demo.openmetrics import Family, Series, write_openmetrics

UTC = dt.UTC
START = dt.datetime(2026, 10, 20, tzinfo=UTC)
END = dt.datetime(2026, 11, 30, tzinfo=UTC)
WEEK = "2026-11-23"
GB = 1_000_000_000
DAY = 86_400
PEAK_SECOND = 14 * 3600 + 3 * 60  # 14:03
BLOAT = 48 * GB
BLOAT_HOURS = 22
VOLUMES = {
    # mountpoint: (fstype, size, used at day 0, growth a day)
    "/": ("ext4", 50 * GB, 10 * GB, GB // 10),
    "/var/lib/postgresql": ("ext4", 500 * GB, 120 * GB, 2 * GB),
    "/run": ("tmpfs", GB, GB // 10, 0),
}
POOL_SIZES = {"primary": 200, "replica": 50, "batch": 10}
DAYS = (END - START).days + 1  # day 41 holds only the sample at 2026-11-30 00:00


def noise() -> np.ndarray:
    return np.random.default_rng(20261123).integers(-5, 6, DAYS)


def primary_peak(day: int) -> int:
    return 40 + day + int(noise()[day])


def pool_peaks(pool: str, day: int) -> int:
    if pool == "primary":
        return primary_peak(day)
    return 25 if pool == "replica" else 5 + day // 5


def day_of(date: dt.date) -> int:
    return (date - START.date()).days


def volume_used(mountpoint: str, instant: dt.datetime) -> float:
    _, _, used, growth = VOLUMES[mountpoint]
    return used + growth * (instant - START).total_seconds() / DAY


def database_size(instant: dt.datetime) -> float:
    """The size at ``instant``: the midnight line plus the day's bloat."""
    seconds = (instant - START).total_seconds()
    day, into = divmod(seconds, DAY)
    bloat = BLOAT * into / (BLOAT_HOURS * 3600) if into < BLOAT_HOURS * 3600 else 0
    return 20 * GB + GB * day + bloat


def _times(offset_minutes: int) -> np.ndarray:
    start = int(START.timestamp()) + 60 * offset_minutes
    return np.arange(start, int(END.timestamp()) + 1, 600, dtype=np.int64)


def families() -> list[Family]:
    on_the_ten = _times(0)
    instants = [dt.datetime.fromtimestamp(t, UTC) for t in on_the_ten]
    sizes, available = [], []
    for mountpoint, (fstype, size, _, _) in VOLUMES.items():
        labels = (("device", f"/dev/{mountpoint.strip('/') or 'root'}"), ("fstype", fstype))
        labels += (("mountpoint", mountpoint),)
        used = np.array([volume_used(mountpoint, i) for i in instants])
        sizes.append(
            Series("node_filesystem_size_bytes", labels, on_the_ten, np.full(len(used), size))
        )
        available.append(
            Series(
                "node_filesystem_avail_bytes", labels, on_the_ten, np.rint(size - used).astype(int)
            )
        )
    database = Series(
        "pg_database_size_bytes",
        (("datname", "waooaw"),),
        on_the_ten,
        np.rint([database_size(i) for i in instants]).astype(np.int64),
    )

    in_use_times, size_times = _times(3), _times(7)
    days = (in_use_times - int(START.timestamp())) // DAY
    at_peak = (in_use_times - int(START.timestamp())) % DAY == PEAK_SECOND
    base = {"primary": 20, "replica": 10, "batch": 2}
    in_use, pool_sizes = [], []
    for pool, size in POOL_SIZES.items():
        peaks = np.array([pool_peaks(pool, int(d)) for d in days])
        values = np.where(at_peak, peaks, base[pool])
        in_use.append(Series("db_pool_connections_in_use", (("pool", pool),), in_use_times, values))
        pool_sizes.append(
            Series(
                "db_pool_connections_max",
                (("pool", pool),),
                size_times,
                np.full(len(size_times), size),
            )
        )
    return [
        Family("node_filesystem_size_bytes", "gauge", tuple(sizes)),
        Family("node_filesystem_avail_bytes", "gauge", tuple(available)),
        Family("pg_database_size_bytes", "gauge", (database,)),
        Family("db_pool_connections_in_use", "gauge", tuple(in_use)),
        Family("db_pool_connections_max", "gauge", tuple(pool_sizes)),
    ]


def write_history(directory: Path) -> list[Path]:
    """One OpenMetrics file per day, as promtool likes them."""
    directory.mkdir(parents=True, exist_ok=True)
    everything = families()
    paths = []
    day = START
    while day <= END:
        start = int(day.timestamp())
        path = directory / f"{day:%Y-%m-%d}.om"
        if write_openmetrics(path, [f.between(start, start + DAY) for f in everything]):
            paths.append(path)
        day += dt.timedelta(days=1)
    return paths
