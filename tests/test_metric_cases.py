"""The metric cases C01 to C10 of the failure catalogue, each with its value, on a real
Prometheus over a small history loaded here (one series family per case)."""

import datetime as dt
import logging
import socket
from collections.abc import Iterator

import httpx
import pytest

from waooaw_reports import scorecard
from waooaw_reports.catalog import MetricSpec
from waooaw_reports.demo.openmetrics import Family, Series, write_openmetrics
from waooaw_reports.demo.prometheus_server import PrometheusServer, load_openmetrics
from waooaw_reports.ranges import gauge_query, read_range
from waooaw_reports.rendering.formatting import whole
from waooaw_reports.scorecard import Window
from waooaw_reports.sources.prometheus import (
    PrometheusClient,
    PrometheusQueryError,
    PrometheusUnavailable,
    choose_step,
)

UTC = dt.UTC
T0 = 1_789_999_200  # 2026-09-21T12:00:00Z
C07_DAY = 86_400
C07_BUCKETS = ("0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf")
# Cumulative counts per bucket on each day (case C07).
C07_DAYS = (
    (985_000, 995_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000),
    (500, 500, 500, 500, 500, 980, 1_000, 1_000),
)


def at(offset_seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(T0 + offset_seconds, UTC)


def counter(name: str, points: list[tuple[int, float]], **labels: str) -> Family:
    shifted = [(T0 + offset, value) for offset, value in points]
    return Family(name, "counter", (Series.from_points(f"{name}_total", labels, shifted),))


def families() -> list[Family]:
    c02_times = range(30, 600, 60)
    c02_values = (100, 100, 100, 101, 101, 101, 102, 102, 102, 103)
    c07 = tuple(
        Series.from_points(
            "c07_latency_seconds_bucket",
            {"le": le},
            [
                (T0 + 2 * C07_DAY, 0),
                (T0 + 3 * C07_DAY, C07_DAYS[0][i]),
                (T0 + 4 * C07_DAY, C07_DAYS[0][i] + C07_DAYS[1][i]),
            ],
        )
        for i, le in enumerate(C07_BUCKETS)
    )
    gauge = [(T0 + 600 * i, float(i)) for i in range(13)]  # every 10 minutes for 2 hours
    return [
        # C02: 3 errors in 540 s of samples, 60 requests a minute.
        counter("c02_errors", list(zip(c02_times, c02_values, strict=True))),
        counter("c02_requests", [(t, 1000 + 60 * i) for i, t in enumerate(c02_times)]),
        # C03: a restart after the second sample.
        counter("c03_requests", [(0, 10), (60, 20), (120, 5), (180, 15)]),
        # C04: a service nobody called all along.
        counter("c04_requests", [(60 * i, 7) for i in range(11)]),
        counter("c04_succeeded", [(60 * i, 7) for i in range(11)]),
        # C05: a million requests in 10 minutes, no 5xx series at all.
        counter("c05_requests", [(60 * i, 100_000 * i) for i in range(11)]),
        # C06: good and total from separate series cross by a fraction.
        counter("c06_good", [(0, 0.0), (600, 1000.37)]),
        counter("c06_total", [(0, 0.0), (600, 1000.28)]),
        Family("c07_latency_seconds", "histogram", c07),
        Family("c08_gauge", "gauge", (Series.from_points("c08_gauge", {}, gauge),)),
        # C09: the counter at three chunk ends.
        counter("c09_requests", [(0, 100), (3600, 160), (7200, 230)]),
    ]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("cases")
    path = root / "cases.om"
    write_openmetrics(path, families())
    load_openmetrics([path], root / "tsdb")
    with PrometheusServer(root / "tsdb", root) as server:
        yield server.url


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[PrometheusClient]:
    with PrometheusClient(url) as client:
        yield client


def ask(url: str, query: str, instant: dt.datetime) -> float | None:
    body = httpx.get(f"{url}/api/v1/query", params={"query": query, "time": instant.timestamp()})
    result = body.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def ratio(name: str, **selectors: str) -> MetricSpec:
    share = selectors.pop("share", "good")
    return MetricSpec(
        name=name,
        tier=1,
        description="A case.",
        kind="ratio",
        unit="ratio",
        direction="lower" if share == "bad" else "higher",
        target=0.5,
        alert_threshold=None,
        share=share,  # type: ignore[arg-type]
        **selectors,
    )


def measure(client: PrometheusClient, spec: MetricSpec, start: float, end: float) -> dict:
    return scorecard.measure_window(client, spec, Window(at(start), at(end)))


def test_c01_a_step_within_the_point_limit(client, url):
    october = (dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2026, 11, 1, tzinfo=UTC))
    step, (series,) = read_range(client, "vector(1)", *october, 60)
    assert step == 244  # ceil(2,678,400 / 11,000); 243 would give 11,022 points
    assert len(series.points) == 2_678_400 // 244 + 1  # 10,977 steps, both ends included
    week = (dt.datetime(2026, 11, 23, tzinfo=UTC), dt.datetime(2026, 11, 30, tzinfo=UTC))
    assert choose_step(*week, 1) == 55
    # Prometheus itself refuses a week at 54 s: 11,200 points.
    params = {"query": "vector(1)", "start": week[0].timestamp(), "end": week[1].timestamp()}
    assert httpx.get(f"{url}/api/v1/query_range", params={**params, "step": 54}).status_code == 400
    assert httpx.get(f"{url}/api/v1/query_range", params={**params, "step": 55}).status_code == 200
    with pytest.raises(PrometheusQueryError, match="over 11000 points"):
        client.range("vector(1)", *week, 54)


def test_c02_extrapolated_counts_are_shown_whole_and_ratios_share_the_shape(client, url):
    assert ask(url, "increase(c02_errors_total[10m])", at(600)) == pytest.approx(3 * 600 / 540)
    spec = ratio("c02", bad="c02_errors_total", total="c02_requests_total", share="bad")
    figures = measure(client, spec, 0, 600)
    assert figures["bad"] == pytest.approx(3.333, abs=5e-4)
    assert whole(figures["bad"]) == "3"  # counts are printed as whole numbers
    # Both counts went through the same extrapolation, so the ratio is the raw one: 3 / 540.
    assert figures["value"] == pytest.approx(3 / 540, rel=1e-12)


def test_c03_a_counter_reset_still_counts_every_request(client):
    spec = ratio("c03", bad="c03_requests_total", total="c03_requests_total")
    figures = measure(client, spec, 0, 180)
    # 10 + 5 + 10; last minus first would say 5.
    assert figures["total"] == 25


def test_c04_no_traffic_is_no_data(client):
    spec = ratio("c04", good="c04_succeeded_total", total="c04_requests_total")
    figures = measure(client, spec, 0, 600)
    assert figures["total"] == 0
    assert figures["value"] is None
    errors = ratio("c04e", bad="c04_errors_total", total="c04_requests_total", share="bad")
    assert measure(client, errors, 0, 600)["value"] is None


def test_c05_the_fallback_binds_to_the_error_term_only(client, url):
    naive = (
        "1 - sum(increase(c05_errors_total[10m])) / sum(increase(c05_requests_total[10m]))"
        " or vector(0)"
    )
    assert ask(url, naive, at(600)) == 0  # `or` applied to the whole expression
    availability = ratio("c05", bad='c05_errors_total{status=~"5.."}', total="c05_requests_total")
    figures = measure(client, availability, 0, 600)
    assert figures["total"] == 1_000_000
    assert figures["value"] == 1.0
    assert "(sum(increase(c05_errors_total" in figures["query"]["good"]
    errors = ratio("c05e", bad="c05_errors_total", total="c05_requests_total", share="bad")
    assert measure(client, errors, 0, 600)["value"] == 0.0


def test_c06_a_ratio_is_never_above_one(client, caplog):
    spec = ratio("c06", good="c06_good_total", total="c06_total_total")
    with caplog.at_level(logging.WARNING, logger="waooaw_reports.scorecard"):
        figures = measure(client, spec, 0, 600)
    assert (figures["good"], figures["total"]) == pytest.approx((1000.37, 1000.28))
    assert figures["value"] == 1.0
    assert "c06: ratio 1.000090 is outside [0, 1]; clamped" in caplog.text


def test_c07_percentiles_come_from_summed_buckets(client):
    spec = MetricSpec(
        name="c07",
        tier=2,
        description="A case.",
        kind="quantile",
        unit="seconds",
        direction="lower",
        target=0.2,
        alert_threshold=None,
        quantile=0.99,
        buckets="c07_latency_seconds_bucket",
    )
    day_one = measure(client, spec, 2 * C07_DAY, 3 * C07_DAY)["value"]
    day_two = measure(client, spec, 3 * C07_DAY, 4 * C07_DAY)["value"]
    both = measure(client, spec, 2 * C07_DAY, 4 * C07_DAY)
    assert day_one == pytest.approx(0.175)
    assert day_two == pytest.approx(7.5)
    assert (day_one + day_two) / 2 == pytest.approx(3.8375)  # the wrong answer
    # Rank 0.99 x 1,001,000 = 990,990 between 985,500 and 995,500: 0.1 + 0.15 x 5,490 / 10,000.
    assert both["value"] == pytest.approx(0.18235)
    assert round(both["value"], 3) == 0.182
    assert both["query"]["value"].startswith("histogram_quantile(0.99, sum by (le) (increase(")


def test_c08_a_slow_gauge_read_every_minute_without_gaps(client):
    start, end = at(0), at(7200)
    _, (plain,) = read_range(client, "c08_gauge", start, end, 60)
    _, (filled,) = read_range(client, gauge_query("c08_gauge", 600), start, end, 60)
    # 121 minute steps; the 5-minute lookback sees a sample at 6 of every 10.
    assert len(plain.points) == 12 * 6 + 1
    assert len(filled.points) == 121
    assert [value for _, value in filled.points[:11]] == [0.0] * 10 + [1.0]


def test_c09_totals_come_from_one_instant_query_not_added_range_points(client, url):
    _, (raw,) = read_range(client, "c09_requests_total", at(0), at(7200), 3600)
    assert [value for _, value in raw.points] == [100, 160, 230]
    assert sum(value for _, value in raw.points) == 490  # the wrong answer
    spec = ratio("c09", bad="c09_requests_total", total="c09_requests_total")
    assert measure(client, spec, 0, 7200)["total"] == 130
    # Expressions with functions go to the range endpoint as they are, with an explicit step.
    _, (hourly,) = read_range(client, "increase(c09_requests_total[1h])", at(3600), at(7200), 3600)
    assert [value for _, value in hourly.points] == [60, 70]


def test_c10_aware_times_and_a_timeout_on_every_call(client):
    # A naive 2025-09-01 00:00 read on a Berlin machine would be 1,756,677,600.
    aware = dt.datetime(2025, 9, 1, tzinfo=UTC)
    (sample,) = client.instant("time()", aware)
    assert sample.value == 1_756_684_800
    with pytest.raises(ValueError, match="must carry a zone"):
        client.instant("time()", dt.datetime(2025, 9, 1))

    # A server that accepts and never answers: the call fails within its timeout.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    port = silent.getsockname()[1]
    try:
        with (
            PrometheusClient(f"http://127.0.0.1:{port}", timeout_seconds=0.5, attempts=1) as slow,
            pytest.raises(PrometheusUnavailable, match="timed out"),
        ):
            slow.instant("up", aware)
    finally:
        silent.close()
