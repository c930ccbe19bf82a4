"""What the agents do: goal runs, deliverables, approvals, third-party calls, credentials."""

from __future__ import annotations

import numpy as np

from waooaw_reports.demo.histograms import bucket_probabilities, histogram_series, split_counts
from waooaw_reports.demo.openmetrics import Family, Series
from waooaw_reports.demo.schedule import Schedule
from waooaw_reports.demo.timeline import (
    DAY_SECONDS,
    FloatArray,
    Grid,
    IntArray,
    counter,
    covered,
    days_since,
    diurnal,
    error_share,
    slowdown,
    traffic,
    unix,
    weekend,
)

GOALS_PEAK_PER_MINUTE = 40.0
GOAL_LATENCY_BUCKETS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
APPROVAL_BUCKETS = (300.0, 1800.0, 3600.0, 7200.0, 14400.0, 43200.0, 86400.0, 172800.0)
# platform -> (calls per minute at peak, night trough, usual failure share)
PLATFORMS = {
    "instagram": (120.0, 0.1, 0.008),
    "linkedin": (60.0, 0.1, 0.015),
    "delta_exchange": (200.0, 0.6, 0.025),
}


def _goals(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    """Goal runs, the deliverables they create and the time they take."""
    load = traffic(grid, schedule, rng, trough=0.35, weekend_factor=0.8)
    expected = GOALS_PEAK_PER_MINUTE * grid.minutes * load
    runtime_errors = error_share(grid, schedule.outages, "agent-runtime")
    recent = grid.timestamps >= unix(schedule.end) - 42 * DAY_SECONDS
    failing = np.clip(0.009 + 0.006 * recent + 0.9 * runtime_errors, 0.0, 1.0)

    succeeded = rng.poisson(expected * (1.0 - failing))
    failed = rng.poisson(expected * failing)
    created = rng.binomial(succeeded, 0.993)
    undelivered = failed + succeeded - created

    def series(name: str, label: str, increments: IntArray) -> Series:
        values = counter(increments, int(rng.integers(10**4, 10**6)))
        return Series(name, (("status", label),), grid.timestamps, values)

    goals = Family(
        "goal_executions",
        "counter",
        (
            series("goal_executions_total", "succeeded", succeeded),
            series("goal_executions_total", "failed", failed),
        ),
    )
    deliverables = Family(
        "deliverables",
        "counter",
        (
            series("deliverables_total", "created", created),
            series("deliverables_total", "failed", undelivered),
        ),
    )

    # Scheduled time to deliverable: drifting slower over the months, much slower in outages.
    medians = (36.0 + 8.0 * days_since(grid.timestamps, schedule) / 214.0) * slowdown(
        grid, schedule.outages, "agent-runtime"
    )
    per_bucket = split_counts(
        rng, succeeded, bucket_probabilities(GOAL_LATENCY_BUCKETS, medians, 3.0)
    )
    latency = Family(
        "goal_execution_latency_seconds",
        "histogram",
        tuple(
            histogram_series(
                "goal_execution_latency_seconds", (), grid, GOAL_LATENCY_BUCKETS, per_bucket, rng
            )
        ),
    )
    return [goals, latency, deliverables]


def _approvals(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> Family:
    """Approvals happen in office hours; weekend deliverables wait longer."""
    middle = grid.midpoints
    load = diurnal(middle, 0.05, peak_hour=13.0) * weekend(middle, 0.3)
    expected = 0.5 * GOALS_PEAK_PER_MINUTE * grid.minutes * load
    medians = 5400.0 * np.where(weekend(middle, 2.0) > 1.0, 2.0, 1.0)
    per_bucket = split_counts(
        rng, rng.poisson(expected), bucket_probabilities(APPROVAL_BUCKETS, medians, 1.6)
    )
    series = histogram_series("approval_wait_seconds", (), grid, APPROVAL_BUCKETS, per_bucket, rng)
    return Family("approval_wait_seconds", "histogram", tuple(series))


def _integrations(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> Family:
    series: list[Series] = []
    for platform, (peak, trough, failure) in PLATFORMS.items():
        expected = peak * grid.minutes * traffic(grid, schedule, rng, trough=trough)
        degraded = covered(
            grid,
            (
                (d.window.start, d.window.end, d.failure_share)
                for d in schedule.degradations
                if d.platform == platform
            ),
        )
        failing = np.clip(failure + degraded, 0.0, 1.0)
        for status, share in (("success", 1.0 - failing), ("failure", failing)):
            values = counter(rng.poisson(expected * share), int(rng.integers(10**4, 10**6)))
            labels = (("platform", platform), ("status", status))
            series.append(Series("integration_requests_total", labels, grid.timestamps, values))
    return Family("integration_requests", "counter", tuple(series))


def _daily_walk(
    schedule: Schedule, rng: np.random.Generator, start: float, growth: float, sigma: float
) -> FloatArray:
    """One level per day (and one more for the end), a noisy geometric walk."""
    days = (schedule.end - schedule.start).days + 1
    steps = rng.normal(growth, sigma, size=days)
    steps[0] = 0.0
    return start * np.exp(np.cumsum(steps))


def _at_days(grid: Grid, schedule: Schedule, levels: FloatArray) -> FloatArray:
    """Daily levels, interpolated linearly to the sample instants."""
    days = days_since(grid.timestamps, schedule)
    return np.interp(days, np.arange(len(levels), dtype=np.float64), levels)


def _agents(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    levels = _daily_walk(schedule, rng, 820.0, 0.0025, 0.012)
    day_numbers = np.arange(len(levels))
    levels *= np.where((day_numbers + schedule.start.weekday()) % 7 >= 5, 0.95, 1.0)
    dip = (schedule.agent_dip - schedule.start.date()).days
    levels[dip : dip + 3] *= (0.88, 0.93, 0.97)[: len(levels[dip : dip + 3])]
    agents = np.rint(_at_days(grid, schedule, levels) + rng.normal(0, 2.0, len(grid)))
    active = Family(
        "active_agents", "gauge", (Series("active_agents", (), grid.timestamps, agents),)
    )

    total = _at_days(grid, schedule, levels * 1.15)
    expiring_share = _at_days(grid, schedule, np.clip(rng.normal(0.025, 0.006, len(levels)), 0, 1))
    invalid_share = _at_days(grid, schedule, np.clip(rng.normal(0.012, 0.003, len(levels)), 0, 1))
    expiring = np.rint(total * expiring_share)
    invalid = np.rint(total * invalid_share)
    states = {
        "valid": np.rint(total) - expiring - invalid,
        "expiring": expiring,
        "invalid": invalid,
    }
    credentials = Family(
        "platform_credentials",
        "gauge",
        tuple(
            Series("platform_credentials", (("state", state),), grid.timestamps, values)
            for state, values in states.items()
        ),
    )
    return [active, credentials]


def workload_families(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    return [
        *_goals(grid, schedule, rng),
        _approvals(grid, schedule, rng),
        _integrations(grid, schedule, rng),
        *_agents(grid, schedule, rng),
    ]
