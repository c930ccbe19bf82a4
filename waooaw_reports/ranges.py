"""Range reads for charts and trends: a step Prometheus accepts, and gauges without gaps.

Totals never come from here: a period's count is one instant query (DESIGN §5); adding up the
points of a range gives nonsense for counters (case C09). Range points are for drawing.
"""

from __future__ import annotations

import datetime as dt
import math

from waooaw_reports.sources.prometheus import PrometheusClient, RangeSeries, choose_step


def gauge_query(selector: str, scrape_interval_seconds: int) -> str:
    """A gauge readable at any step: its last sample within one and a half scrape intervals.

    A plain selector looks back only 5 minutes, so a gauge scraped every 10 minutes and read
    every minute is missing at about half the steps (case C08).
    """
    lookback = max(math.ceil(1.5 * scrape_interval_seconds), 1)
    return f"last_over_time({selector}[{lookback}s])"


def read_range(
    client: PrometheusClient,
    query: str,
    start: dt.datetime,
    end: dt.datetime,
    minimum_step_seconds: int,
) -> tuple[int, list[RangeSeries]]:
    """``query`` from ``start`` to ``end`` at the finest step Prometheus accepts that is not
    below ``minimum_step_seconds`` (case C01), with missing (NaN) points dropped.

    Returns the step used and the series; each has at most floor(range / step) + 1 points.
    """
    step = choose_step(start, end, minimum_step_seconds)
    series = client.range(query, start, end, step)
    return step, [
        RangeSeries(s.labels, [(t, v) for t, v in s.points if math.isfinite(v)]) for s in series
    ]
