"""Prometheus HTTP API client: instant and range queries, each with a timeout.

Every instant query is pinned to an explicit evaluation time, so all the queries of one figure
see the same data (cases C06, C10). Connection failures, timeouts and 5xx answers are retried
with backoff; a query Prometheus rejects (4xx) is not, since asking again cannot fix it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from waooaw_reports.settings import redact_url

log = logging.getLogger(__name__)

# Prometheus refuses a range query whose (end - start) / step, in whole steps, exceeds this.
MAX_RANGE_POINTS = 11_000


class PrometheusError(RuntimeError):
    """Prometheus could not answer a query."""


class PrometheusQueryError(PrometheusError):
    """Prometheus rejected a query (bad PromQL, bad parameters)."""


class PrometheusUnavailable(PrometheusError):
    """Prometheus could not be reached or kept failing after the retries."""


class _Retryable(Exception):
    pass


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class RangeSeries:
    labels: dict[str, str]
    points: list[tuple[float, float]]


def choose_step(start: dt.datetime, end: dt.datetime, minimum_seconds: int) -> int:
    """The smallest step of at least ``minimum_seconds`` that Prometheus accepts (case C01)."""
    length = int((end - start).total_seconds())
    return max(minimum_seconds, math.ceil(length / MAX_RANGE_POINTS), 1)


def _unix(instant: dt.datetime) -> float:
    if instant.tzinfo is None:
        raise ValueError(f"Query times must carry a zone (case C10); got naive {instant}.")
    return instant.timestamp()


class PrometheusClient:
    """One Prometheus server. Use as a context manager, or call ``close()``."""

    def __init__(
        self,
        url: str,
        timeout_seconds: float = 30.0,
        attempts: int = 3,
        backoff_seconds: float = 1.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.queries_sent = 0
        self._http = httpx.Client(
            base_url=self.url, timeout=httpx.Timeout(timeout_seconds), transport=transport
        )

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def instant(self, query: str, at: dt.datetime) -> list[Sample]:
        """The vector ``query`` evaluates to at ``at``."""
        data = self._call("/api/v1/query", {"query": query, "time": _unix(at)}, query)
        if data["resultType"] == "scalar":
            return [Sample({}, _number(data["result"][1]))]
        if data["resultType"] != "vector":
            raise PrometheusQueryError(
                f"Query {query!r} returned a {data['resultType']}; an instant vector was expected."
            )
        return [Sample(item["metric"], _number(item["value"][1])) for item in data["result"]]

    def range(
        self, query: str, start: dt.datetime, end: dt.datetime, step_seconds: int
    ) -> list[RangeSeries]:
        """``query`` evaluated from ``start`` to ``end`` inclusive, every ``step_seconds``."""
        if int((end - start).total_seconds()) // step_seconds > MAX_RANGE_POINTS:
            raise PrometheusQueryError(
                f"A step of {step_seconds} s from {start} to {end} gives over "
                f"{MAX_RANGE_POINTS} points, which Prometheus refuses; use choose_step()."
            )
        params = {"query": query, "start": _unix(start), "end": _unix(end), "step": step_seconds}
        data = self._call("/api/v1/query_range", params, query)
        return [
            RangeSeries(item["metric"], [(float(t), _number(v)) for t, v in item["values"]])
            for item in data["result"]
        ]

    def _call(self, path: str, params: dict[str, Any], query: str) -> dict[str, Any]:
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff_seconds, max=30),
            retry=retry_if_exception_type(_Retryable),
            reraise=False,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._post(path, params, query)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise PrometheusUnavailable(
                f"Prometheus at {redact_url(self.url)} did not answer query {query!r} after "
                f"{self.attempts} attempts: {cause}. Check that the server runs and that "
                "WAOOAW_PROMETHEUS_URL points at it."
            ) from cause
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _post(self, path: str, params: dict[str, Any], query: str) -> dict[str, Any]:
        self.queries_sent += 1
        try:
            response = self._http.post(path, data=params)
        except httpx.TimeoutException as exc:
            log.warning("Prometheus query timed out, will retry: %s", query)
            raise _Retryable(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            log.warning("Prometheus unreachable (%s), will retry", type(exc).__name__)
            raise _Retryable(f"connection failed ({exc})") from exc
        if response.status_code >= 500:
            log.warning("Prometheus answered HTTP %d, will retry", response.status_code)
            raise _Retryable(f"HTTP {response.status_code}: {_error_text(response)}")
        if response.status_code >= 400:
            raise PrometheusQueryError(
                f"Prometheus at {redact_url(self.url)} rejected query {query!r} "
                f"with HTTP {response.status_code}: {_error_text(response)}."
            )
        body = response.json()
        if body.get("status") != "success":
            raise PrometheusQueryError(
                f"Prometheus at {redact_url(self.url)} failed query {query!r}: "
                f"{body.get('error', body)}."
            )
        return dict(body["data"])


def _number(text: str) -> float:
    return float(text)


def _error_text(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", response.text[:200]))
    except ValueError:
        return response.text[:200]
