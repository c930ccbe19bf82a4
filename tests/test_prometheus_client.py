import datetime as dt
import socket

import pytest

from waooaw_reports.sources.prometheus import (
    PrometheusClient,
    PrometheusQueryError,
    PrometheusUnavailable,
    choose_step,
)

UTC = dt.UTC
OCTOBER = (dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2026, 11, 1, tzinfo=UTC))
WEEK = (dt.datetime(2026, 11, 23, tzinfo=UTC), dt.datetime(2026, 11, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("window", "minimum", "step"),
    [
        # Case C01: October is 2,678,400 s; ceil(2,678,400 / 11,000) = 244 (243 is refused).
        (OCTOBER, 60, 244),
        # A week is 604,800 s: ceil(604,800 / 11,000) = 55 (54 is refused).
        (WEEK, 1, 55),
        # A step larger than needed is kept.
        (WEEK, 300, 300),
    ],
)
def test_choose_step_stays_within_the_point_limit(window, minimum, step):
    assert choose_step(*window, minimum) == step


def test_range_refuses_too_many_points_before_asking():
    with (
        PrometheusClient("http://127.0.0.1:1") as client,
        pytest.raises(PrometheusQueryError, match="over 11000 points"),
    ):
        client.range("up", *OCTOBER, 243)


def test_naive_times_are_refused():
    # Case C10: a naive time would be read in the machine's zone.
    with (
        PrometheusClient("http://127.0.0.1:1") as client,
        pytest.raises(ValueError, match="must carry a zone"),
    ):
        client.instant("up", dt.datetime(2025, 9, 1))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_names_url_and_query_without_credentials():
    port = _closed_port()
    client = PrometheusClient(
        f"http://ops:s3cret@127.0.0.1:{port}", timeout_seconds=2, attempts=2, backoff_seconds=0.01
    )
    with pytest.raises(PrometheusUnavailable) as error:
        client.instant("sum(up)", WEEK[1])
    message = str(error.value)
    assert f"http://127.0.0.1:{port}" in message
    assert "'sum(up)'" in message
    assert "after 2 attempts" in message
    assert "s3cret" not in message
    assert client.queries_sent == 2
