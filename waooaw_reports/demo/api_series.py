"""API traffic: requests by status, latency histograms, per-client requests and logins."""

from __future__ import annotations

import numpy as np

from waooaw_reports.demo.histograms import bucket_probabilities, histogram_series, split_counts
from waooaw_reports.demo.openmetrics import Family, Series
from waooaw_reports.demo.schedule import PROBED_CLIENT, Schedule
from waooaw_reports.demo.timeline import (
    FloatArray,
    Grid,
    IntArray,
    counter,
    covered,
    error_share,
    restart,
    slowdown,
    traffic,
)

# (service, endpoint, requests per minute at a weekday peak)
ENDPOINTS = (
    ("api-gateway", "/v1/goals", 1200.0),
    ("api-gateway", "/v1/deliverables", 800.0),
    ("agent-runtime", "/v1/agents/run", 600.0),
    ("auth-service", "/v1/login", 300.0),
)
SERVICES = ("api-gateway", "agent-runtime", "auth-service")
LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0)
# service -> (median seconds, log-logistic shape): P95 between 0.09 and 0.18 s normally.
LATENCY = {"api-gateway": (0.05, 3.4), "agent-runtime": (0.07, 3.2), "auth-service": (0.04, 3.6)}

CLIENTS = (
    ("key_3f9a1c", 0.35),
    ("key_8b20d7", 0.25),
    ("key_c41e95", 0.15),
    (PROBED_CLIENT, 0.12),
    ("key_e5a03b", 0.08),
    ("key_19fc62", 0.05),
)
CLIENT_PEAK_PER_MINUTE = 300.0
PROBE_PER_MINUTE = 400.0
LOGIN_PEAK_PER_MINUTE = 260.0
ATTACK_PER_MINUTE = 250.0


def _status_shares(extra_5xx: FloatArray) -> dict[str, FloatArray]:
    """Share of each status code: a trickle of 5xx, plus what an outage adds."""
    share_500 = 0.0002 + 0.4 * extra_5xx
    share_503 = 0.0001 + 0.6 * extra_5xx
    share_400 = 0.015 * (1.0 - extra_5xx)
    return {
        "200": 1.0 - share_400 - share_500 - share_503,
        "400": share_400,
        "500": share_500,
        "503": share_503,
    }


def _restart_index(grid: Grid, schedule: Schedule, service: str) -> int | None:
    return grid.index_after(schedule.restart.at) if schedule.restart.service == service else None


def _requests(
    grid: Grid, schedule: Schedule, rng: np.random.Generator
) -> tuple[Family, dict[str, IntArray]]:
    load = traffic(grid, schedule, rng)
    served: dict[str, IntArray] = {service: np.zeros(len(grid), np.int64) for service in SERVICES}
    series: list[Series] = []
    for service, endpoint, peak in ENDPOINTS:
        expected = peak * grid.minutes * load
        shares = _status_shares(error_share(grid, schedule.outages, service))
        restart_at = _restart_index(grid, schedule, service)
        for status, share in shares.items():
            increments = rng.poisson(expected * share)
            served[service] += increments
            values = counter(increments, int(rng.integers(10**5, 10**7)))
            if restart_at is not None:
                restart(values, restart_at)
            labels = (("service", service), ("endpoint", endpoint), ("status", status))
            series.append(Series("api_requests_total", labels, grid.timestamps, values))
    return Family("api_requests", "counter", tuple(series)), served


def _latency(
    grid: Grid, schedule: Schedule, rng: np.random.Generator, served: dict[str, IntArray]
) -> Family:
    series: list[Series] = []
    for service in SERVICES:
        median, shape = LATENCY[service]
        medians = median * slowdown(grid, schedule.outages, service)
        probabilities = bucket_probabilities(LATENCY_BUCKETS, medians, shape)
        per_bucket = split_counts(rng, served[service], probabilities)
        series += histogram_series(
            "api_request_duration_seconds",
            (("service", service),),
            grid,
            LATENCY_BUCKETS,
            per_bucket,
            rng,
            _restart_index(grid, schedule, service),
        )
    return Family("api_request_duration_seconds", "histogram", tuple(series))


def _clients(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> Family:
    load = traffic(grid, schedule, rng)
    gateway_errors = error_share(grid, schedule.outages, "api-gateway")
    probe = covered(grid, [(schedule.key_probe.start, schedule.key_probe.end, 1.0)])
    series: list[Series] = []
    for client, share in CLIENTS:
        expected = CLIENT_PEAK_PER_MINUTE * share * grid.minutes * load
        throttled = 0.01 * (load > 0.8) if share >= 0.3 else np.full(len(grid), 0.001)
        rates = {
            "200": expected * (1.0 - 0.003 - throttled - 0.0003 - gateway_errors),
            "401": expected * 0.003,
            "429": expected * throttled,
            "500": expected * (0.0003 + gateway_errors),
        }
        if client == PROBED_CLIENT:
            rates["401"] = rates["401"] + PROBE_PER_MINUTE * grid.minutes * probe
        for status, rate in rates.items():
            values = counter(rng.poisson(np.clip(rate, 0.0, None)), int(rng.integers(10**4, 10**6)))
            labels = (("client", client), ("status", status))
            series.append(Series("api_client_requests_total", labels, grid.timestamps, values))
    return Family("api_client_requests", "counter", tuple(series))


def _logins(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> Family:
    expected = LOGIN_PEAK_PER_MINUTE * grid.minutes * traffic(grid, schedule, rng)
    failing = np.clip(0.006 + 0.9 * error_share(grid, schedule.outages, "auth-service"), 0.0, 1.0)
    attack = covered(grid, [(schedule.login_attack.start, schedule.login_attack.end, 1.0)])
    rates = {
        "success": expected * (1.0 - failing),
        "failure": expected * failing + ATTACK_PER_MINUTE * grid.minutes * attack,
    }
    series = [
        Series(
            "auth_attempts_total",
            (("result", result),),
            grid.timestamps,
            counter(rng.poisson(rate), int(rng.integers(10**5, 10**6))),
        )
        for result, rate in rates.items()
    ]
    return Family("auth_attempts", "counter", tuple(series))


def api_families(grid: Grid, schedule: Schedule, rng: np.random.Generator) -> list[Family]:
    requests, served = _requests(grid, schedule, rng)
    return [
        requests,
        _latency(grid, schedule, rng, served),
        _clients(grid, schedule, rng),
        _logins(grid, schedule, rng),
    ]
