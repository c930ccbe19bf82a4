"""Sample grids and the shapes every demo series is built from: traffic, growth, impact.

A sample at time ``t`` with step ``s`` reports what happened in ``(t - s, t]``: counters add the
events of that interval, gauges show the state at ``t``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from waooaw_reports.demo.schedule import Outage, Schedule, Window

DAY_SECONDS = 86_400
FINE_STEP = 60
COARSE_STEP = 300
PEAK_HOUR = 15.0

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def unix(instant: dt.datetime) -> int:
    return int(instant.timestamp())


@dataclass(frozen=True)
class Grid:
    timestamps: IntArray
    steps: IntArray

    def __len__(self) -> int:
        return len(self.timestamps)

    @property
    def midpoints(self) -> FloatArray:
        return self.timestamps - self.steps / 2.0

    @property
    def minutes(self) -> FloatArray:
        return self.steps / 60.0

    def index_after(self, instant: dt.datetime) -> int:
        """The first sample taken after ``instant``."""
        return int(np.searchsorted(self.timestamps, unix(instant), side="right"))


def sample_grid(schedule: Schedule) -> Grid:
    """Five-minute samples, then one-minute samples for the last weeks.

    Before the one-minute weeks a 5-minute window holds one or two samples, so figures read
    through 5-minute windows there (downtime minutes) are coarser than in recent periods.
    """
    start, fine, end = unix(schedule.start), unix(schedule.fine_start), unix(schedule.end)
    coarse_times = np.arange(start, fine, COARSE_STEP, dtype=np.int64)
    fine_times = np.arange(fine, end, FINE_STEP, dtype=np.int64)
    return Grid(
        np.concatenate([coarse_times, fine_times]),
        np.concatenate(
            [
                np.full(len(coarse_times), COARSE_STEP, dtype=np.int64),
                np.full(len(fine_times), FINE_STEP, dtype=np.int64),
            ]
        ),
    )


def even_grid(schedule: Schedule, step: int) -> Grid:
    """Samples ``step`` seconds apart throughout the history."""
    times = np.arange(unix(schedule.start), unix(schedule.end), step, dtype=np.int64)
    return Grid(times, np.full(len(times), step, dtype=np.int64))


@dataclass(frozen=True)
class Grids:
    """``samples``: five minutes, then one minute for the last weeks; ``slow``: five minutes
    throughout (slowly scraped exporters); ``minutely``: one minute throughout."""

    samples: Grid
    slow: Grid
    minutely: Grid


def grids(schedule: Schedule) -> Grids:
    return Grids(
        sample_grid(schedule), even_grid(schedule, COARSE_STEP), even_grid(schedule, FINE_STEP)
    )


def days_since(times: FloatArray | IntArray, schedule: Schedule) -> FloatArray:
    return (np.asarray(times, dtype=np.float64) - unix(schedule.start)) / DAY_SECONDS


def diurnal(
    times: FloatArray | IntArray, trough: float, peak_hour: float = PEAK_HOUR
) -> FloatArray:
    """1 at the daily peak, ``trough`` twelve hours away, smooth in between."""
    hours = (np.asarray(times, dtype=np.float64) % DAY_SECONDS) / 3600.0
    bump = ((1.0 + np.cos(2.0 * np.pi * (hours - peak_hour) / 24.0)) / 2.0) ** 1.5
    return trough + (1.0 - trough) * bump


def weekend(times: FloatArray | IntArray, factor: float) -> FloatArray:
    """``factor`` on Saturdays and Sundays (UTC), 1 on weekdays."""
    weekday = (np.asarray(times, dtype=np.int64) // DAY_SECONDS + 3) % 7
    return np.where(weekday >= 5, factor, 1.0)


def daily_noise(
    times: FloatArray | IntArray, schedule: Schedule, rng: np.random.Generator, sigma: float
) -> FloatArray:
    """One random factor per day, so some days are busier than others."""
    factors = rng.lognormal(0.0, sigma, size=int((schedule.end - schedule.start).days) + 1)
    return factors[np.clip(days_since(times, schedule).astype(np.int64), 0, len(factors) - 1)]


def traffic(
    grid: Grid,
    schedule: Schedule,
    rng: np.random.Generator,
    trough: float = 0.1,
    weekend_factor: float = 0.55,
    growth_per_day: float = 0.0015,
) -> FloatArray:
    """Relative load in each interval: about 1 at a weekday peak, ``trough`` at night."""
    middle = grid.midpoints
    growth = 1.0 + growth_per_day * days_since(middle, schedule)
    shape = diurnal(middle, trough) * weekend(middle, weekend_factor) * growth
    return shape * daily_noise(middle, schedule, rng, 0.04)


def covered(grid: Grid, windows: Iterable[tuple[dt.datetime, dt.datetime, float]]) -> FloatArray:
    """Per interval, the sum of each window's weight times the share of the interval it covers."""
    low = (grid.timestamps - grid.steps).astype(np.float64)
    high = grid.timestamps.astype(np.float64)
    total = np.zeros(len(grid))
    for start, end, weight in windows:
        overlap = np.minimum(high, unix(end)) - np.maximum(low, unix(start))
        total += weight * np.clip(overlap, 0.0, None) / grid.steps
    return total


def during(grid: Grid, windows: Iterable[Window]) -> npt.NDArray[np.bool_]:
    """Whether each sample instant falls inside one of ``windows``."""
    inside = np.zeros(len(grid), dtype=bool)
    for window in windows:
        inside |= (grid.timestamps >= unix(window.start)) & (grid.timestamps < unix(window.end))
    return inside


def error_share(grid: Grid, outages: Iterable[Outage], service: str) -> FloatArray:
    """The extra 5xx share of ``service`` in each interval."""
    return covered(grid, ((o.start, o.end, o.error_share) for o in outages if o.service == service))


def slowdown(grid: Grid, outages: Iterable[Outage], service: str) -> FloatArray:
    """How many times slower ``service`` answers in each interval (1 outside outages)."""
    chosen = ((o.start, o.end, o.latency_factor - 1.0) for o in outages if o.service == service)
    return 1.0 + covered(grid, chosen)


def counter(increments: npt.NDArray[np.int64], offset: int | IntArray = 0) -> IntArray:
    """Cumulative values along the first axis, starting above ``offset``."""
    return np.cumsum(increments, axis=0, dtype=np.int64) + offset


def restart(values: npt.NDArray[np.int64] | FloatArray, index: int) -> None:
    """In place: a process restart just before sample ``index``; the count starts again at zero.

    Works on one series or on a (time x bucket) array, row by row.
    """
    if 0 < index < len(values):
        values[index:] -= values[index - 1].copy()
