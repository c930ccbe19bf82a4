"""Customer figures asked of Prometheus for one period: the agents that were active."""

from __future__ import annotations

import math
from typing import Any

from waooaw_reports.periods import Period
from waooaw_reports.sources.prometheus import PrometheusClient


def active_agents_query(seconds: int) -> str:
    return f"sum(avg_over_time(active_agents[{seconds}s]))"


def _mean(client: PrometheusClient, period: Period) -> float | None:
    samples = client.instant(active_agents_query(period.seconds), period.end)
    return samples[0].value if samples and not math.isnan(samples[0].value) else None


def measure_active_agents(client: PrometheusClient, period: Period) -> dict[str, Any]:
    """The mean of the ``active_agents`` gauge over the period (DESIGN §5) and over the
    period before; None where the gauge has no sample."""
    return {
        "value": _mean(client, period),
        "previous": _mean(client, period.previous()),
        "query": {"value": active_agents_query(period.seconds)},
    }
