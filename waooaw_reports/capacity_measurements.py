"""Capacity history: each catalog resource read from Prometheus as one value a day.

A resource's level at an instant is built from its selectors, each read as the last sample of
the past 15 minutes (``last_over_time(x[15m])``), so gauges scraped every 10 minutes have a
value at every point of a 5-minute grid and two gauges scraped at different moments still meet
in one ratio (case C08). A day's value is the level's last value (sizes) or its peak
(utilisation) on that grid over the day; Prometheus evaluates it at each day's end, one range
query with a one-day step over the whole look-back.

The day's grid is ``[86399s:5m]``: its 288 points are the five-minute ends in (day start,
day end], so the point at the start, which belongs to the day before, is left out whether the
store's ranges include their left end (Prometheus 2) or not (Prometheus 3). A sample from up to
15 minutes before midnight can still stand for the first minutes of the next day when no newer
one exists; for a daily peak that moves a value across midnight at most, never invents one.

The second opinion is Prometheus' own ``predict_linear`` over the same look-back: over every
point of the 5-minute grid for sizes (a different estimator from the daily fit, which only sees
each day's last value), and over the same daily peaks for utilisation (the daily peak is the
figure, and a line through all points would fit the average instead).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import asdict
from string import Template
from typing import Any

from waooaw_reports.analytics.capacity import HORIZONS
from waooaw_reports.catalog import Catalog, ResourceSpec
from waooaw_reports.periods import Period, zone
from waooaw_reports.sources.prometheus import PrometheusClient, Sample

log = logging.getLogger(__name__)

DAY = 86_400
# Longest scrape interval read without gaps: a sample stands for this long after it is taken.
FRESH = "15m"
GRID = "5m"
PREDICT_SECONDS = HORIZONS[-1] * DAY


def _by(spec: ResourceSpec) -> str:
    return f" by ({spec.per_label})" if spec.per_label else ""


def _fresh(spec: ResourceSpec, selector: str, volume: str) -> str:
    selector = Template(selector).safe_substitute(volume=volume)
    return f"sum{_by(spec)} (last_over_time({selector}[{FRESH}]))"


def level_query(spec: ResourceSpec, volume: str) -> str:
    """The resource's level at one instant (per label value with ``per_label``)."""
    if spec.utilisation is not None:
        used = _fresh(spec, spec.utilisation.used, volume)
        capacity = _fresh(spec, spec.utilisation.capacity, volume)
        # A pool of size 0 has no utilisation; without the filter it would divide by zero.
        return f"{used} / ({capacity} > 0)"
    assert spec.value is not None
    level = _fresh(spec, spec.value, volume)
    if spec.minus is not None:
        level = f"{level} - {_fresh(spec, spec.minus, volume)}"
    return level


def daily_query(spec: ResourceSpec, volume: str, offset_seconds: int = 0) -> str:
    """The day's value, evaluated at the day's end (``offset_seconds`` earlier if given)."""
    over_time = "last_over_time" if spec.daily == "last" else "max_over_time"
    offset = f" offset {offset_seconds}s" if offset_seconds else ""
    query = f"{over_time}(({level_query(spec, volume)})[{DAY - 1}s:{GRID}]{offset})"
    # Utilisation is bounded at 100 %: a pool's overflow connections can put in use above max.
    return f"clamp_max({query}, 1)" if spec.utilisation is not None else query


def limit_query(spec: ResourceSpec, volume: str) -> str | None:
    if spec.limit is None:
        return None
    selector = Template(spec.limit).safe_substitute(volume=volume)
    return f"sum{_by(spec)} (last_over_time({selector}[1d]))"


def predict_linear_query(
    spec: ResourceSpec, volume: str, end: dt.datetime, lookback_days: int
) -> tuple[str, dt.datetime]:
    """Prometheus' projection 90 days past ``end`` over the look-back, and when to ask it.

    A subquery's steps fall on multiples of its step since the epoch, so a one-day step lands
    on UTC midnights. For a period that ends at another hour (a zone other than UTC), the query
    is asked at the next UTC midnight and each day's value is read ``offset`` that much earlier:
    the points are then the same day ends as the fit's, all shifted by the same offset, which
    leaves the line's value 90 days after the last of them unchanged.
    """
    window = lookback_days * DAY - 1
    if spec.daily == "last":
        series = f"({level_query(spec, volume)})[{window}s:{GRID}]"
        return f"predict_linear({series}, {PREDICT_SECONDS})", end
    offset = -int(end.timestamp()) % DAY
    series = f"({daily_query(spec, volume, offset)})[{window}s:1d]"
    return f"predict_linear({series}, {PREDICT_SECONDS})", end + dt.timedelta(seconds=offset)


def day_of_point(timestamp: float, end: dt.datetime, timezone: str) -> dt.date:
    """The local date a daily point stands for: the k-th point before the period end holds
    the k-th day before the period's last day.

    Points are one day (86,400 s) apart back from the period end, so across a daylight-saving
    change the earlier windows sit an hour off the local midnights; each still covers 23 of
    its day's hours. Dating by position keeps one point per date, where the local date of the
    point's instant would give the spring-forward week's days one day early.
    """
    last_day = end.astimezone(zone(timezone)).date() - dt.timedelta(days=1)
    return last_day - dt.timedelta(days=round((end.timestamp() - timestamp) / DAY))


def _by_label(spec: ResourceSpec, samples: list[Sample]) -> dict[str, float]:
    key = spec.per_label or ""
    return {
        sample.labels.get(key, ""): sample.value
        for sample in samples
        if not math.isnan(sample.value)
    }


def measure_resource(
    client: PrometheusClient,
    spec: ResourceSpec,
    end: dt.datetime,
    lookback_days: int,
    volume: str,
    timezone: str = "UTC",
) -> list[dict[str, Any]]:
    """Daily values over the look-back ending at ``end``, the limit at ``end`` and Prometheus'
    own projection, for the resource or, with ``per_label``, each label value found."""
    query = daily_query(spec, volume)
    start = end - dt.timedelta(days=lookback_days - 1)
    series = client.range(query, start, end, DAY)
    limit_text = limit_query(spec, volume)
    limits = {} if limit_text is None else _by_label(spec, client.instant(limit_text, end))
    predict_text, predict_at = predict_linear_query(spec, volume, end, lookback_days)
    predicted = _by_label(spec, client.instant(predict_text, predict_at))
    queries = {
        "daily": query,
        "limit": limit_text,
        "predict_linear": predict_text,
        "predict_linear_at": predict_at.isoformat(),
    }

    found: dict[str, list[tuple[dt.date, float]]] = {}
    for item in series:
        label = item.labels.get(spec.per_label or "", "")
        if spec.per_label and not label:
            log.warning("Skipped a series of %s without the label %s", spec.name, spec.per_label)
            continue
        found[label] = [
            (day_of_point(timestamp, end, timezone), value)
            for timestamp, value in item.points
            if not math.isnan(value)
        ]
    if not found:
        # Nothing to discover is itself a finding: the report shows the resource without data.
        log.warning("No data for capacity resource %s over %d days", spec.name, lookback_days)
        found[""] = []

    measured: list[dict[str, Any]] = []
    for label, daily in sorted(found.items()):
        measured.append(
            {
                "spec": asdict(spec),
                "resource": f"{spec.name}:{label}" if label else spec.name,
                "daily": daily,
                "limit": 1.0 if spec.utilisation is not None else limits.get(label),
                "predict_linear_90d": predicted.get(label),
                "lookback_days": lookback_days,
                "query": {**queries, "series": f'{spec.per_label}="{label}"'} if label else queries,
            }
        )
    log.info(
        "Read %d daily points of %s over %d days",
        sum(len(m["daily"]) for m in measured),
        ", ".join(m["resource"] for m in measured),
        lookback_days,
    )
    return measured


def measure_capacity(
    client: PrometheusClient, catalog: Catalog, period: Period, lookback_days: int, volume: str
) -> list[dict[str, Any]]:
    """Every catalog resource, expanded by label where it says so, in catalog order."""
    return [
        resource
        for spec in catalog.resources
        for resource in measure_resource(
            client, spec, period.end, lookback_days, volume, period.timezone
        )
    ]
