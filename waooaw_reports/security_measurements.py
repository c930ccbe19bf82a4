"""Security figures asked of Prometheus for one period.

Period totals are one instant query at the period end over the period's length (DESIGN §5);
the hourly failed logins come from one range query with a one-hour step, each point the
increase over the hour that ends there. Results carry their queries.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from waooaw_reports.measurements import count_query
from waooaw_reports.periods import Period
from waooaw_reports.sources.prometheus import PrometheusClient, Sample

log = logging.getLogger(__name__)

HOUR_SECONDS = 3_600
WEEK_SECONDS = 7 * 86_400
FAILED_LOGINS = 'auth_attempts_total{result="failure"}'
LOGINS = "auth_attempts_total"
CLIENT_REQUESTS = "api_client_requests_total"
UNAUTHORISED_REQUESTS = 'api_client_requests_total{status=~"401|403"}'
# The last sample of a quarter hour, so a slowly scraped gauge is not missed (case C08).
CREDENTIALS_QUERY = "sum by (state) (last_over_time(platform_credentials[15m]))"


def failures_query(seconds: int) -> str:
    """Failed logins over the window; 0 where logins were counted but none failed, nothing
    where no login was counted at all (no data). Only the failure term falls back (case C05)."""
    return f"({count_query(FAILED_LOGINS, seconds)}) or (0 * {count_query(LOGINS, seconds)})"


def _value(samples: list[Sample]) -> float | None:
    if not samples or math.isnan(samples[0].value):
        return None
    return samples[0].value


def measure_failed_logins(
    client: PrometheusClient, period: Period, baseline_weeks: int = 4
) -> dict[str, Any]:
    """Hourly failed logins over the period and the ``baseline_weeks`` weeks before it, and
    the period's total.

    The hourly points run on the period's hour grid from ``baseline_weeks`` weeks before its
    start (one hour earlier still, for a baseline hour moved by a daylight-saving change) to
    its end: at most 24 x (7 x 4 + 31) + 2 points, far under the range limit (case C01).
    """
    hourly_query = failures_query(HOUR_SECONDS)
    first = period.start - dt.timedelta(seconds=baseline_weeks * WEEK_SECONDS)
    series = client.range(hourly_query, first, period.end, HOUR_SECONDS)
    points = [[t, v] for t, v in (series[0].points if series else []) if not math.isnan(v)]

    total_query = failures_query(period.seconds)
    total = _value(client.instant(total_query, period.end))
    log.info("Read %d hourly failed-login points for %s", len(points), period.key)
    return {
        "hourly": points,
        "total": total,
        "query": {"hourly": hourly_query, "total": total_query},
    }


def _by_client(samples: list[Sample]) -> dict[str, float]:
    return {
        s.labels.get("client", ""): s.value
        for s in samples
        if "client" in s.labels and not math.isnan(s.value)
    }


def measure_client_requests(client: PrometheusClient, period: Period) -> dict[str, Any]:
    """Requests and 401/403 answers per client key id, this period and the one before."""
    previous = period.previous()
    figures: dict[str, Any] = {"query": {}}
    for name, selector in (("requests", CLIENT_REQUESTS), ("unauthorised", UNAUTHORISED_REQUESTS)):
        for suffix, window in (("", period), ("_previous", previous)):
            query = f"sum by (client) (increase({selector}[{window.seconds}s]))"
            figures[name + suffix] = _by_client(client.instant(query, window.end))
            figures["query"][name + suffix] = query
    return figures


def measure_credential_states(client: PrometheusClient, period: Period) -> dict[str, Any]:
    """The ``platform_credentials`` gauge by state at the period end."""
    samples = client.instant(CREDENTIALS_QUERY, period.end)
    states = {
        s.labels["state"]: s.value
        for s in samples
        if "state" in s.labels and not math.isnan(s.value)
    }
    return {"states": states, "query": {"states": CREDENTIALS_QUERY}}
