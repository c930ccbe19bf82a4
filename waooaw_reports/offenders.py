"""Top offenders: the endpoints with the most 5xx and the slowest answers, and the slowest
normalised database queries (the monthly audit's slow-query review).

Every figure is an instant query at the period end over the period's length, grouped by the
labels that name an offender; all queries of one table are evaluated at the same instant.
Series come from DESIGN §3.1.
"""

from __future__ import annotations

import math
from typing import Any

from waooaw_reports.periods import Period
from waooaw_reports.sources.prometheus import PrometheusClient, Sample

TOP = 5
REQUESTS = "api_requests_total"
ERRORS = 'api_requests_total{status=~"5.."}'
API_LATENCY = "api_request_duration_seconds"
QUERY_DURATION = "db_query_duration_seconds"
ENDPOINT = ("service", "endpoint")


def _by(labels: tuple[str, ...], expression: str) -> str:
    return f"sum by ({', '.join(labels)}) ({expression})"


def _increase(selector: str, seconds: int, labels: tuple[str, ...]) -> str:
    return _by(labels, f"increase({selector}[{seconds}s])")


def _p95(histogram: str, seconds: int, labels: tuple[str, ...]) -> str:
    buckets = _increase(f"{histogram}_bucket", seconds, (*labels, "le"))
    return f"histogram_quantile(0.95, {buckets})"


def _keyed(samples: list[Sample], labels: tuple[str, ...]) -> dict[tuple[str, ...], float]:
    """Finite values by their label values; a label a series lacks reads as ""."""
    return {
        tuple(sample.labels.get(label, "") for label in labels): sample.value
        for sample in samples
        if math.isfinite(sample.value)
    }


def error_rates(client: PrometheusClient, period: Period) -> dict[str, Any]:
    """Endpoints by 5xx share of their requests, worst first; endpoints without 5xx left out.

    An endpoint with requests but no 5xx series has no errors (case C05); one without
    requests has no rate at all (case C04).
    """
    queries = {
        "errors": _increase(ERRORS, period.seconds, ENDPOINT),
        "requests": _increase(REQUESTS, period.seconds, ENDPOINT),
    }
    errors = _keyed(client.instant(queries["errors"], period.end), ENDPOINT)
    requests = _keyed(client.instant(queries["requests"], period.end), ENDPOINT)
    rows = []
    for key, total in requests.items():
        failed = errors.get(key, 0.0)
        if total > 0 and failed > 0:
            row: dict[str, Any] = dict(zip(ENDPOINT, key, strict=True))
            row.update(requests=total, errors=failed, error_rate=min(failed / total, 1.0))
            rows.append(row)
    rows.sort(key=lambda row: (-row["error_rate"], -row["errors"], row["service"], row["endpoint"]))
    return {"rows": rows[:TOP], "offending": len(rows), "query": queries}


def slowest_endpoints(client: PrometheusClient, period: Period) -> dict[str, Any]:
    """Endpoints by P95 latency from their summed buckets, slowest first.

    The latency histogram may carry only ``service``; the endpoint is then empty.
    """
    queries = {
        "p95": _p95(API_LATENCY, period.seconds, ENDPOINT),
        "requests": _increase(f"{API_LATENCY}_count", period.seconds, ENDPOINT),
    }
    p95 = _keyed(client.instant(queries["p95"], period.end), ENDPOINT)
    counts = _keyed(client.instant(queries["requests"], period.end), ENDPOINT)
    rows: list[dict[str, Any]] = [
        {**dict(zip(ENDPOINT, key, strict=True)), "p95_seconds": value, "requests": counts.get(key)}
        for key, value in p95.items()
    ]
    rows.sort(key=lambda row: (-row["p95_seconds"], row["service"], row["endpoint"]))
    return {"rows": rows[:TOP], "measured": len(rows), "query": queries}


def slowest_queries(client: PrometheusClient, period: Period) -> dict[str, Any]:
    """Normalised queries by P95 duration, slowest first, with calls and mean duration."""
    labels = ("query_id",)
    queries = {
        "p95": _p95(QUERY_DURATION, period.seconds, labels),
        "calls": _increase(f"{QUERY_DURATION}_count", period.seconds, labels),
        "seconds": _increase(f"{QUERY_DURATION}_sum", period.seconds, labels),
    }
    p95 = _keyed(client.instant(queries["p95"], period.end), labels)
    calls = _keyed(client.instant(queries["calls"], period.end), labels)
    spent = _keyed(client.instant(queries["seconds"], period.end), labels)
    rows: list[dict[str, Any]] = []
    for key, value in p95.items():
        count, seconds = calls.get(key), spent.get(key)
        mean = seconds / count if count and seconds is not None else None
        rows.append(
            {
                "query_id": key[0],
                "p95_seconds": value,
                "calls": count,
                "mean_seconds": mean,
                "total_seconds": seconds,
            }
        )
    rows.sort(key=lambda row: (-row["p95_seconds"], -(row["mean_seconds"] or 0), row["query_id"]))
    return {"rows": rows[:TOP], "measured": len(rows), "query": queries}


def top_offenders(client: PrometheusClient, period: Period) -> dict[str, Any]:
    """report.json's ``top_offenders``: the worst five of each table."""
    return {
        "limit": TOP,
        "error_rate": error_rates(client, period),
        "latency_p95": slowest_endpoints(client, period),
        "slow_queries": slowest_queries(client, period),
    }
