"""SLO counts from Prometheus: the period, the windows an error budget needs, and the history.

Every count is one instant query at a span's end over the span's length (DESIGN §5):
``sum(increase(<selector>[<seconds>s]))``. Requests inside maintenance windows are left out:
each window, cut to the span, is counted by one more instant query at its own end over its own
length, and subtracted. The spans measured for one SLO:

- the period itself, with downtime minutes for time-based SLOs;
- the rolling 28 days and the last 7 days ending with the period (for the runway);
- the periods before it (four weeks for a weekly review, two months for a monthly audit);
- for a monthly audit, the elapsed part of the month at each day end (the burn-down): one
  instant query per day end over the month so far, never a sum of daily points.

Counts are memoised per (selector, end, length): the burn-down's last day is the month itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from waooaw_reports.catalog import Catalog, SloSpec
from waooaw_reports.maintenance import MaintenanceWindow, clip
from waooaw_reports.measurements import count_query, downtime_query
from waooaw_reports.periods import FIRST_PERIOD, Period, PeriodError, zone
from waooaw_reports.sources.prometheus import PrometheusClient, Sample

log = logging.getLogger(__name__)

ROLLING_DAYS = 28
RECENT_DAYS = 7
HISTORY_PERIODS = {"weekly": 4, "monthly": 2}


def single_value(samples: list[Sample]) -> float | None:
    """The value of a one-element aggregate; None when Prometheus returned nothing or NaN."""
    if not samples or math.isnan(samples[0].value):
        return None
    return samples[0].value


@dataclass
class SpanCounter:
    """Counts for one SLO, each asked of Prometheus once."""

    client: PrometheusClient
    spec: SloSpec
    _cache: dict[tuple[str, dt.datetime, int], float | None] = field(default_factory=dict)

    def count(self, selector: str, start: dt.datetime, end: dt.datetime) -> float | None:
        seconds = int((end - start).total_seconds())
        key = (selector, end, seconds)
        if key not in self._cache:
            self._cache[key] = single_value(
                self.client.instant(count_query(selector, seconds), end)
            )
        return self._cache[key]

    def events(self, start: dt.datetime, end: dt.datetime) -> tuple[float | None, float | None]:
        """(good, total) in [start, end). A missing failure series means no failures (C05);
        a missing success series leaves good unknown."""
        spec = self.spec
        total = self.count(spec.total, start, end)
        if spec.bad is None:
            assert spec.good is not None
            return self.count(spec.good, start, end), total
        bad = self.count(spec.bad, start, end)
        return (None if total is None else total - (bad or 0.0)), total

    def downtime(self, start: dt.datetime, end: dt.datetime) -> float | None:
        seconds = int((end - start).total_seconds())
        if seconds <= 1:
            return 0.0  # no room for a point of the 1-minute grid
        key = ("downtime", end, seconds)
        if key not in self._cache:
            query = downtime_query(self.spec, seconds)
            self._cache[key] = single_value(self.client.instant(query, end))
        return self._cache[key]

    def queries(self, seconds: int, downtime: bool) -> dict[str, str]:
        spec = self.spec
        total = count_query(spec.total, seconds)
        if spec.bad is not None:
            good = f"{total} - ({count_query(spec.bad, seconds)} or vector(0))"
        else:
            assert spec.good is not None
            good = count_query(spec.good, seconds)
        queries = {"good": good, "total": total}
        if downtime:
            queries["downtime"] = downtime_query(spec, seconds)
        return queries


def _less(name: str, what: str, value: float | None, excluded: float) -> float | None:
    """``value`` less what maintenance windows held, never below zero."""
    if value is None:
        return None
    left = value - excluded
    if left < 0:
        # increase() extrapolates at the edges, so a window can hold a hair more than its span.
        log.warning(
            "SLO %s: maintenance held %s %s of %s; clamped to 0", name, excluded, what, value
        )
        return 0.0
    return left


def measure_span(
    counter: SpanCounter,
    start: dt.datetime,
    end: dt.datetime,
    windows: tuple[MaintenanceWindow, ...],
    *,
    with_downtime: bool = False,
) -> dict[str, Any]:
    """Good and total events in [start, end) less maintenance, and what was left out."""
    spec = counter.spec
    good, total = counter.events(start, end)
    time_based = with_downtime and spec.downtime_threshold is not None
    downtime = counter.downtime(start, end) if time_based else None
    if time_based and downtime is None and total is not None:
        downtime = 0.0  # no series in a minute's window: no minute was down

    parts: list[dict[str, Any]] = []
    excluded_good = excluded_total = excluded_downtime = 0.0
    for part_start, part_end in clip(windows, start, end):
        part_good, part_total = counter.events(part_start, part_end)
        part_downtime = (counter.downtime(part_start, part_end) or 0.0) if time_based else None
        excluded_good += part_good or 0.0
        excluded_total += part_total or 0.0
        excluded_downtime += part_downtime or 0.0
        seconds = int((part_end - part_start).total_seconds())
        parts.append(
            {
                "start": part_start,
                "end": part_end,
                "good": part_good or 0.0,
                "total": part_total or 0.0,
                "downtime_minutes": part_downtime,
                "query": counter.queries(seconds, time_based),
            }
        )
    excluded = {
        "good": excluded_good,
        "total": excluded_total,
        "downtime_minutes": excluded_downtime if time_based else None,
    }
    seconds = int((end - start).total_seconds())
    return {
        "start": start,
        "end": end,
        "minutes": seconds / 60,
        "good": _less(spec.name, "good events", good, excluded_good),
        "total": _less(spec.name, "events", total, excluded_total),
        "downtime_minutes": _less(spec.name, "downtime minutes", downtime, excluded_downtime),
        "excluded": excluded,
        "excluded_parts": parts,
        "query": counter.queries(seconds, time_based),
    }


def days_before(end: dt.datetime, days: int, timezone: str) -> dt.datetime:
    """The local midnight ``days`` calendar days before ``end`` (itself a local midnight)."""
    tz = zone(timezone)
    first = end.astimezone(tz).date() - dt.timedelta(days=days)
    return dt.datetime.combine(first, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def day_ends(period: Period) -> list[dt.datetime]:
    """Each local midnight after the period's start, up to and including its end."""
    tz = zone(period.timezone)
    first = period.start.astimezone(tz).date()
    ends = []
    day = first + dt.timedelta(days=1)
    while (instant := dt.datetime.combine(day, dt.time(0), tzinfo=tz)) <= period.end:
        ends.append(instant.astimezone(dt.UTC))
        day += dt.timedelta(days=1)
    return ends


def previous_periods(period: Period, count: int) -> list[Period]:
    """Up to ``count`` periods before ``period``, oldest first; none before the first period."""
    periods = []
    current = period
    for _ in range(count):
        try:
            current = current.previous()
        except PeriodError:
            break
        if dt.date.fromisoformat(current.key) < FIRST_PERIOD:
            break
        periods.append(current)
    return periods[::-1]


def measure_slo(
    client: PrometheusClient,
    spec: SloSpec,
    period: Period,
    windows: tuple[MaintenanceWindow, ...] = (),
) -> dict[str, Any]:
    """Everything the report says about one SLO for ``period``, as counts with their queries."""
    counter = SpanCounter(client, spec)
    end = period.end
    main = measure_span(counter, period.start, end, windows, with_downtime=True)
    rolling_start = days_before(end, ROLLING_DAYS, period.timezone)
    rolling = measure_span(counter, rolling_start, end, windows, with_downtime=True)
    recent_start = days_before(end, RECENT_DAYS, period.timezone)
    recent = measure_span(counter, recent_start, end, windows)
    history = [
        {"key": before.key, **measure_span(counter, before.start, before.end, windows)}
        for before in previous_periods(period, HISTORY_PERIODS[period.kind])
    ]
    burn_down = None
    if period.kind == "monthly":
        burn_down = [
            measure_span(counter, period.start, day_end, windows) for day_end in day_ends(period)
        ]
    return {
        "name": spec.name,
        "objective": spec.objective,
        "description": spec.description,
        "kind": spec.kind,
        "time_based": spec.downtime_threshold is not None,
        "downtime_threshold": spec.downtime_threshold,
        "period": main,
        "rolling_28d": rolling,
        "last_7d": recent,
        "history": history,
        "burn_down": burn_down,
    }


def measure_slos(
    client: PrometheusClient,
    catalog: Catalog,
    period: Period,
    windows: tuple[MaintenanceWindow, ...] = (),
) -> list[dict[str, Any]]:
    measured = []
    for spec in catalog.slos:
        sent = client.queries_sent
        measured.append(measure_slo(client, spec, period, windows))
        log.info(
            "Measured SLO %s for %s with %d queries",
            spec.name,
            period.key,
            client.queries_sent - sent,
        )
    return measured
