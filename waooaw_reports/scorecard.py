"""The playbook scorecard: each catalog metric over a period, and over the period before.

Prometheus metrics (kinds ratio, quantile and value) are instant queries at a window's end over
its length, every query of one figure at the same instant (case C06); sql metrics are one SELECT
on the platform database. No traffic and no series give no data, never 0 or 100 % (case C04),
and a ratio is never above 1. Results are plain dicts that carry their queries.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from waooaw_reports.analytics.day_over_day import largest_daily_fall
from waooaw_reports.catalog import Catalog, MetricSpec
from waooaw_reports.periods import Period, zone
from waooaw_reports.promql import count_query, quantile_query, with_window
from waooaw_reports.sources.prometheus import PrometheusClient, Sample

log = logging.getLogger(__name__)


class MetricQueryError(RuntimeError):
    """A catalog query answered with something other than one number."""


class MetricDatabase(Protocol):
    def metric_value(
        self, query: str, start: dt.datetime, end: dt.datetime, as_of: dt.datetime
    ) -> float | None: ...


@dataclass(frozen=True)
class Window:
    """A stretch of time a figure covers, ``[start, end)``."""

    start: dt.datetime
    end: dt.datetime

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


Evaluate = Callable[[Window], dict[str, Any]]


def period_window(period: Period) -> Window:
    return Window(period.start, period.end)


def single_number(samples: list[Sample], spec: MetricSpec, query: str) -> float | None:
    """The one number a figure's query returned; None for nothing, NaN or infinity."""
    if not samples:
        return None
    if len(samples) > 1:
        raise MetricQueryError(
            f"Metric {spec.name!r}: query {query!r} returned {len(samples)} series; a catalog "
            "query must return one number. Aggregate it in the catalog, e.g. with sum() or max()."
        )
    value = samples[0].value
    return value if math.isfinite(value) else None


def bounded_ratio(spec: MetricSpec, value: float | None) -> float | None:
    """A ratio kept within [0, 1]: counts read from separate series can cross by a fraction
    (case C06); the crossing is logged, never reported."""
    if value is None or spec.unit != "ratio":
        return value
    if not 0 <= value <= 1:
        log.warning("Metric %s: ratio %.6f is outside [0, 1]; clamped", spec.name, value)
        return min(max(value, 0.0), 1.0)
    return value


def _ratio(client: PrometheusClient, spec: MetricSpec, window: Window) -> dict[str, Any]:
    """good / total (or bad / total with ``share: bad``) from counts at the window's end.

    No data when the total is zero or absent, or when the good series does not exist at all;
    a missing failure series means no failures, its fallback applying to that term only,
    never to the whole ratio (case C05).
    """
    assert spec.total is not None
    total_query = count_query(spec.total, window.seconds)
    total = single_number(client.instant(total_query, window.end), spec, total_query)
    good: float | None
    bad: float | None
    if spec.bad is not None:
        bad_query = count_query(spec.bad, window.seconds)
        bad = single_number(client.instant(bad_query, window.end), spec, bad_query) or 0.0
        good = None if total is None else total - bad
        queries = {
            "good": f"{total_query} - ({bad_query} or vector(0))",
            "bad": f"{bad_query} or vector(0)",
            "total": total_query,
        }
        queries.pop("good" if spec.share == "bad" else "bad")
    else:
        assert spec.good is not None
        good_query = count_query(spec.good, window.seconds)
        good = single_number(client.instant(good_query, window.end), spec, good_query)
        bad = None if good is None or total is None else total - good
        queries = {"good": good_query, "total": total_query}

    value = None
    if total and good is not None and bad is not None:
        value = bounded_ratio(spec, (good if spec.share == "good" else bad) / total)
    return {"value": value, "good": good, "bad": bad, "total": total, "query": queries}


def _quantile(client: PrometheusClient, spec: MetricSpec, window: Window) -> dict[str, Any]:
    assert spec.quantile is not None and spec.buckets is not None
    query = quantile_query(spec.quantile, spec.buckets, window.seconds)
    # Without observations every bucket's increase is 0 and histogram_quantile gives NaN.
    value = single_number(client.instant(query, window.end), spec, query)
    return {"value": value, "query": {"value": query}}


def _value(client: PrometheusClient, spec: MetricSpec, window: Window) -> dict[str, Any]:
    assert spec.query is not None
    query = with_window(spec.query, window.seconds)
    value = bounded_ratio(spec, single_number(client.instant(query, window.end), spec, query))
    return {"value": value, "query": {"value": query}}


PROMETHEUS_KINDS = {"ratio": _ratio, "quantile": _quantile, "value": _value}


def measure_window(client: PrometheusClient, spec: MetricSpec, window: Window) -> dict[str, Any]:
    """One Prometheus metric over one window."""
    return PROMETHEUS_KINDS[spec.kind](client, spec, window)


def measure_details(
    client: PrometheusClient, spec: MetricSpec, window: Window
) -> tuple[dict[str, float | None], dict[str, str]]:
    """The further figures a metric shows beside its value, and their queries."""
    values: dict[str, float | None] = {}
    queries: dict[str, str] = {}
    for name, template in spec.details.items():
        query = with_window(template, window.seconds)
        values[name] = single_number(client.instant(query, window.end), spec, query)
        queries[name] = query
    return values, queries


def measure_sql_window(
    database: MetricDatabase, spec: MetricSpec, window: Window, as_of: dt.datetime
) -> dict[str, Any]:
    assert spec.query is not None
    value = database.metric_value(spec.query, window.start, window.end, as_of)
    return {"value": bounded_ratio(spec, value), "query": {"sql": spec.query}}


def local_days(period: Period) -> list[tuple[dt.date, Window]]:
    """The days of ``period`` in its zone, each as long as it really is, and the day before."""
    tz = zone(period.timezone)
    first = period.start.astimezone(tz).date() - dt.timedelta(days=1)
    last = period.end.astimezone(tz).date()
    days = []
    day = first
    while day < last:
        start = dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        days.append((day, Window(start, end.astimezone(dt.UTC))))
        day += dt.timedelta(days=1)
    return days


def daily_fall(evaluate: Evaluate, period: Period) -> dict[str, Any]:
    """The metric for each day of the period (and the day before), and its largest fall."""
    daily = [(day, evaluate(window)["value"]) for day, window in local_days(period)]
    return largest_daily_fall(daily)


def period_figures(spec: MetricSpec, period: Period, evaluate: Evaluate) -> dict[str, Any]:
    """The metric for ``period`` and the period before; its judged figure when it has one."""
    previous = period.previous()
    now = evaluate(period_window(period))
    before = evaluate(period_window(previous))
    figures = {"spec": asdict(spec), **now, "previous": before["value"]}
    if spec.judge == "largest_daily_fall":
        fall = daily_fall(evaluate, period)
        figures["judged_on"] = {
            "figure": spec.judge,
            "unit": "ratio",
            **fall,
            "previous": daily_fall(evaluate, previous)["value"],
        }
    return figures


def in_report(spec: MetricSpec, period: Period) -> bool:
    return period.kind in spec.reports


def measure_metrics(
    client: PrometheusClient, catalog: Catalog, period: Period
) -> list[dict[str, Any]]:
    """Every Prometheus metric of the period's report, for the period and the one before."""
    measured = []
    for spec in catalog.metrics:
        if spec.source != "prometheus" or not in_report(spec, period):
            continue

        def evaluate(window: Window, spec: MetricSpec = spec) -> dict[str, Any]:
            return measure_window(client, spec, window)

        figures = period_figures(spec, period, evaluate)
        if spec.details:
            figures["details"], detail_queries = measure_details(
                client, spec, period_window(period)
            )
            figures["query"] = {**figures["query"], **detail_queries}
        measured.append(figures)
    return measured


def measure_business_metrics(
    database: MetricDatabase, catalog: Catalog, period: Period, as_of: dt.datetime
) -> list[dict[str, Any]]:
    """Every sql metric of the period's report, for the period and the one before."""
    measured = []
    for spec in catalog.metrics:
        if spec.source != "sql" or not in_report(spec, period):
            continue

        def evaluate(window: Window, spec: MetricSpec = spec) -> dict[str, Any]:
            return measure_sql_window(database, spec, window, as_of)

        measured.append(period_figures(spec, period, evaluate))
    return measured
