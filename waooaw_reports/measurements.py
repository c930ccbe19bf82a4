"""Measurements: the catalog's figures asked of Prometheus for one period.

Every count is one instant query at the period end over the period's length (DESIGN §5), and
all the queries of one figure are pinned to the same evaluation time. Results are plain dicts
that carry their queries, so the report can show where each number came from.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from waooaw_reports import scorecard

# Capacity has its own module; the assets ask for it here with the other measurements.
from waooaw_reports.capacity_measurements import measure_capacity as measure_capacity
from waooaw_reports.catalog import Catalog, SloSpec
from waooaw_reports.periods import Period
from waooaw_reports.promql import count_query
from waooaw_reports.sources.prometheus import PrometheusClient, Sample

log = logging.getLogger(__name__)


def _single(samples: list[Sample]) -> float | None:
    """The value of a one-element aggregate, None when Prometheus returned nothing or NaN."""
    if not samples:
        return None
    value = samples[0].value
    return None if math.isnan(value) else value


def measure_ratio(
    client: PrometheusClient,
    *,
    total: str,
    good: str | None,
    bad: str | None,
    end: dt.datetime,
    seconds: int,
) -> dict[str, Any]:
    """good / total over the window ending at ``end``; bad series count failures.

    No data when the total is zero or absent, or when the good series does not exist at all.
    A missing failure series means no failures (its fallback to zero applies to that term only,
    never to the whole ratio: case C05).
    """
    total_query = count_query(total, seconds)
    total_count = _single(client.instant(total_query, end))
    if bad is not None:
        bad_query = count_query(bad, seconds)
        bad_count = _single(client.instant(bad_query, end))
        bad_count = 0.0 if bad_count is None else bad_count
        good_count = None if total_count is None else total_count - bad_count
        queries = {"good": f"{total_query} - ({bad_query} or vector(0))", "total": total_query}
    else:
        assert good is not None
        good_query = count_query(good, seconds)
        good_count = _single(client.instant(good_query, end))
        queries = {"good": good_query, "total": total_query}
    value = None
    if total_count and good_count is not None:
        value = good_count / total_count
        if value > 1:
            # Separate series can disagree slightly (case C06); an SLI is never above 1.
            log.warning("Clamped ratio %.6f of %s to 1", value, queries["good"])
            value = 1.0
    return {"good": good_count, "total": total_count, "value": value, "query": queries}


def downtime_query(spec: SloSpec, seconds: int) -> str:
    """Minutes of the window whose 5-minute availability fell below the threshold.

    A 1-minute grid over the window; a minute without traffic divides 0 by 0 or finds no
    series, and counts as up. Only the failure term falls back to zero (case C05).
    """
    assert spec.downtime_threshold is not None
    total = f"sum(rate({spec.total}[5m]))"
    if spec.bad is not None:
        availability = f"(1 - (sum(rate({spec.bad}[5m])) or vector(0)) / {total})"
    else:
        availability = f"(sum(rate({spec.good}[5m])) / {total})"
    # The grid's points are the minute ends in (start, end]: the range stops one second short
    # of the start so that the point at the start, which belongs to the period before, is out
    # whether the store's ranges include their left end (Prometheus 2) or not (Prometheus 3).
    grid = f"[{seconds - 1}s:1m]"
    return f"sum_over_time(({availability} < bool {spec.downtime_threshold}){grid})"


def measure_coverage(
    client: PrometheusClient, selector: str, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """Share of the 5-minute grid points of the window at which ``selector`` had a sample."""
    seconds = int((end - start).total_seconds())
    query = f"count_over_time((count({selector}) > 0)[{seconds - 1}s:5m])"
    points = _single(client.instant(query, end)) or 0.0
    expected = seconds // 300
    born_query = (
        f"count(last_over_time({selector}[{seconds}s]) "
        f"unless last_over_time({selector}[{seconds}s] offset {seconds}s))"
    )
    born = _single(client.instant(born_query, end)) or 0.0
    return {
        "series": selector,
        "coverage": points / expected if expected else None,
        "missing_minutes": (expected - points) * 5,
        "series_born_in_period": int(born),
        "query": {"coverage": query, "born": born_query},
    }


def measure_metrics(
    client: PrometheusClient, catalog: Catalog, period: Period
) -> list[dict[str, Any]]:
    """Each Prometheus metric for the period and, for the trend, for the period before."""
    return scorecard.measure_metrics(client, catalog, period)


def measure_data_coverage(
    client: PrometheusClient, catalog: Catalog, period: Period
) -> list[dict[str, Any]]:
    """Coverage of every series selector the catalog's counts read."""
    selectors: list[str] = []
    pairs: list[tuple[str | None, ...]] = [(s.good, s.bad, s.total) for s in catalog.slos]
    pairs += [(m.good, m.bad, m.total, m.buckets) for m in catalog.metrics]
    for triple in pairs:
        for selector in triple:
            if selector and selector not in selectors:
                selectors.append(selector)
    return [measure_coverage(client, selector, period.start, period.end) for selector in selectors]
