"""Capacity read from a real Prometheus over the hand-made history of capacity_history.py.

Resources are found from their labels, pool peaks survive slow scrapes (C08), and Prometheus'
own predict_linear is compared with the fit, each against values worked out by hand or asked of
Prometheus directly.
"""

from __future__ import annotations

import datetime as dt

import httpx
import numpy as np
import pytest

from tests import capacity_history as h
from waooaw_reports import measurements
from waooaw_reports.capacity_measurements import day_of_point, measure_resource
from waooaw_reports.catalog import ResourceSpec, load_catalog
from waooaw_reports.periods import period_for
from waooaw_reports.report import capacity_projection
from waooaw_reports.sources.prometheus import PrometheusClient

GB = h.GB
PERIOD = period_for("weekly", h.WEEK)
VOLUME = "/var/lib/postgresql"


@pytest.fixture(scope="module")
def capacity_url(tmp_path_factory):
    from waooaw_reports.demo.prometheus_server import PrometheusServer, load_openmetrics

    root = tmp_path_factory.mktemp("capacity")
    load_openmetrics(h.write_history(root / "input"), root / "tsdb")
    with PrometheusServer(root / "tsdb", root) as server:
        yield server.url


@pytest.fixture(scope="module")
def client(capacity_url):
    with PrometheusClient(capacity_url) as client:
        yield client


@pytest.fixture(scope="module")
def weekly(client):
    """The weekly report's capacity, by resource: what was read and what was projected."""
    history = measurements.measure_capacity(client, load_catalog(), PERIOD, 30, VOLUME)
    projected = capacity_projection(history, PERIOD)
    return {m["resource"]: (m, p) for m, p in zip(history, projected, strict=True)}


def ask(url: str, query: str, at: dt.datetime) -> dict[str, float]:
    """Prometheus' own answer to ``query``, with a plain HTTP client, by label set."""
    body = httpx.get(f"{url}/api/v1/query", params={"query": query, "time": at.timestamp()})
    return {
        ",".join(f"{k}={v}" for k, v in sorted(item["metric"].items())): float(item["value"][1])
        for item in body.json()["data"]["result"]
    }


def test_resources_are_found_from_their_labels(weekly):
    # One resource per volume and per pool found in the data; /run is a tmpfs, not a disk.
    assert list(weekly) == [
        "database_size",
        "disk_usage:/",
        "disk_usage:/var/lib/postgresql",
        "connection_pool:batch",
        "connection_pool:primary",
        "connection_pool:replica",
    ]
    measured, _ = weekly["disk_usage:/"]
    assert measured["query"]["series"] == 'mountpoint="/"'


# resource, first and last daily value, limit, growth a day, days to target / alert / full
DISKS = [
    # "/": 10 GB + 0.1 GB a day, read at each day's end: 2026-10-31 ends at day 12, 11.2 GB;
    # 2026-11-29 at day 41, 14.1 GB. Target 40 GB: (40 − 14.1) / 0.1 = 259 days; alert 45 GB:
    # 309; full 50 GB: 359.
    ("disk_usage:/", 11.2, 14.1, 50, 0.1, 259, 309, 359),
    # /var/lib/postgresql: 120 GB + 2 GB a day: 144 GB and 202 GB. Target 400 GB:
    # (400 − 202) / 2 = 99 days; alert 450 GB: 124; full 500 GB: 149.
    ("disk_usage:/var/lib/postgresql", 144, 202, 500, 2, 99, 124, 149),
    # The database: 20 GB + 1 GB a day at midnight (the bloat is cleared by then): 32 GB and
    # 61 GB, against the 500 GB volume that holds it: (400 − 61) / 1 = 339 days to target.
    ("database_size", 32, 61, 500, 1, 339, 389, 439),
]


@pytest.mark.parametrize(
    ("name", "first", "last", "limit", "growth", "target", "alert", "full"), DISKS
)
def test_disk_usage_is_size_less_available(
    weekly, name, first, last, limit, growth, target, alert, full
):
    measured, projected = weekly[name]

    assert len(measured["daily"]) == 30
    assert measured["daily"][0] == (dt.date(2026, 10, 31), pytest.approx(first * GB))
    assert measured["daily"][-1] == (dt.date(2026, 11, 29), pytest.approx(last * GB))
    assert projected["limit"] == limit * GB
    assert projected["growth_per_day"] == pytest.approx(growth * GB, rel=1e-9)
    assert projected["days_until_target"] == pytest.approx(target, rel=1e-9)
    assert projected["days_until_alert"] == pytest.approx(alert, rel=1e-9)
    assert projected["days_until_full"] == pytest.approx(full, rel=1e-9)
    assert projected["verdict"] == "ok"


def test_pool_peaks_survive_slow_scrapes(weekly):
    # In use is sampled at :03, :13, …, the pool size at :07, :17, …; each day's peak is the
    # 14:03 sample. Primary: (40 + d + noise) / 200, e.g. 2026-10-31 (d = 11) 51 / 200.
    measured, _ = weekly["connection_pool:primary"]
    dates = [dt.date(2026, 10, 20) + dt.timedelta(days=d) for d in range(11, 41)]
    assert [day for day, _ in measured["daily"]] == dates
    assert [value for _, value in measured["daily"]] == pytest.approx(
        [h.primary_peak(d) / 200 for d in range(11, 41)], rel=1e-12
    )
    assert measured["daily"][0] == (dt.date(2026, 10, 31), 0.255)
    assert measured["daily"][-1] == (dt.date(2026, 11, 29), 0.4)
    assert measured["limit"] == 1.0

    # Replica: 25 of 50 every day, flat.
    replica, projected = weekly["connection_pool:replica"]
    assert [value for _, value in replica["daily"]] == [0.5] * 30
    assert projected["verdict"] == "not_growing"


def test_pool_utilisation_is_capped_at_one(weekly):
    # Batch: 5 + d // 5 of 10 in use at the peak; from day 25 (2026-11-14) that is 10, and
    # from day 30 overflow puts 11, then 12, in use, read as 100 %.
    measured, projected = weekly["connection_pool:batch"]
    values = dict(measured["daily"])
    assert values[dt.date(2026, 10, 31)] == 0.7
    assert values[dt.date(2026, 11, 13)] == 0.9
    assert all(values[dt.date(2026, 11, 14) + dt.timedelta(days=i)] == 1.0 for i in range(16))
    assert projected["verdict"] == "already_above"
    assert projected["projected_90d"] == 1.0
    assert max(p["high"] for p in projected["fitted_band"]) == 1.0


def test_a_plain_ratio_of_slow_gauges_finds_no_peak(capacity_url):
    # C08: read raw, the in-use sample is older than the 5-minute lookback at every grid point
    # where the pool size is fresh, and the other way round: the ratio has no point at all.
    naive = (
        "max_over_time((sum by (pool) (db_pool_connections_in_use)"
        " / sum by (pool) (db_pool_connections_max))[1d:5m])"
    )
    assert ask(capacity_url, naive, PERIOD.end) == {}


def test_prometheus_agrees_with_the_fit_on_daily_peaks(capacity_url, weekly):
    # predict_linear over the same 30 daily peaks is the same least-squares line, computed by
    # Prometheus: its value 90 days after the period end is the fit's projection.
    measured, projected = weekly["connection_pool:primary"]
    days = np.arange(11, 41)
    slope, intercept = np.polyfit(days, [h.primary_peak(d) / 200 for d in days], 1)
    by_hand = intercept + slope * (40 + 90)

    assert projected["projected_90d"] == pytest.approx(by_hand, rel=1e-9)
    assert projected["predict_linear_90d"] == pytest.approx(by_hand, rel=1e-9)
    assert projected["predict_linear_differs"] is False
    query = measured["query"]
    at = dt.datetime.fromisoformat(query["predict_linear_at"])
    answer = ask(capacity_url, query["predict_linear"], at)
    assert answer["pool=primary"] == projected["predict_linear_90d"]


def test_prometheus_agrees_in_another_zone(client):
    # A Europe/Berlin week ends at 23:00 UTC; Prometheus' one-day steps fall on UTC midnights,
    # so it is asked an hour later with each day read an hour earlier: the same points.
    berlin = period_for("weekly", h.WEEK, "Europe/Berlin")
    (pools,) = [r for r in load_catalog().resources if r.name == "connection_pool"]
    measured = measure_resource(client, pools, berlin.end, 30, VOLUME, berlin.timezone)
    projected = capacity_projection(measured, berlin)

    primary = next(p for p in projected if p["resource"] == "connection_pool:primary")
    assert "offset 3600s" in primary["query"]["predict_linear"]
    assert primary["predict_linear_90d"] == pytest.approx(primary["projected_90d"], rel=1e-9)


def test_prometheus_sees_the_bloat_the_daily_values_miss(capacity_url, weekly):
    # The database's midnight values follow 20 GB + 1 GB a day: in 90 days 61 + 90 = 151 GB.
    # predict_linear over every point of the 5-minute grid also sees the bloat of up to 48 GB
    # that builds over each day, 48 × (22 / 24) / 2 = 22 GB on average, and as the bloat rises
    # with the hour its line tilts up a little too: more than 10 % above the fit (166.1 GB),
    # so the report shows it.
    measured, projected = weekly["database_size"]
    assert projected["projected_90d"] == pytest.approx(151 * GB, rel=1e-9)

    # The same least squares by hand over the grid points Prometheus uses: each five-minute end
    # in the 30 days, holding the last 10-minute sample at or before it.
    end = int(PERIOD.end.timestamp())
    grid = np.arange(end - 30 * 86_400 + 300, end + 1, 300)
    sampled = [h.database_size(dt.datetime.fromtimestamp(t - t % 600, dt.UTC)) for t in grid]
    slope, intercept = np.polyfit(grid - end, sampled, 1)
    by_hand = intercept + slope * 90 * 86_400

    assert 151 * GB + 22 * GB < by_hand < 151 * GB + 48 * GB
    assert projected["predict_linear_90d"] == pytest.approx(by_hand, rel=1e-6)
    assert projected["predict_linear_difference"] > 0.10
    assert projected["predict_linear_differs"] is True
    answer = ask(capacity_url, measured["query"]["predict_linear"], PERIOD.end)
    assert answer == {"": projected["predict_linear_90d"]}


def test_disk_opinions_agree_on_a_straight_line(weekly):
    # /var/lib/postgresql grows exactly 2 GB a day: both say 202 + 2 × 90 = 382 GB. Prometheus
    # reads the grid points between samples from the sample before, which lowers its line by
    # at most 10 minutes of growth (14 MB).
    _, projected = weekly["disk_usage:/var/lib/postgresql"]

    assert projected["projected_90d"] == pytest.approx(382 * GB, rel=1e-9)
    assert projected["predict_linear_90d"] == pytest.approx(382 * GB, abs=14e6)
    assert projected["predict_linear_differs"] is False


def test_a_resource_with_no_series_is_shown_without_data(client):
    spec = ResourceSpec(
        name="queue_depth",
        description="A queue nobody exports.",
        value="queue_messages",
        limit=None,
        unit="count",
        daily="max",
        per_label="queue",
    )
    measured = measure_resource(client, spec, PERIOD.end, 30, VOLUME)
    (projected,) = capacity_projection(measured, PERIOD)

    assert projected["resource"] == "queue_depth"
    assert projected["verdict"] == "insufficient_data"
    assert projected["points"] == 0


BERLIN = "Europe/Berlin"
# period end, zone, seconds before the end, date the point stands for
POINT_DATES = [
    # UTC: the point at the end is the last day; a day earlier, the day before.
    (dt.datetime(2026, 11, 30, tzinfo=dt.UTC), "UTC", 0, dt.date(2026, 11, 29)),
    (dt.datetime(2026, 11, 30, tzinfo=dt.UTC), "UTC", 86_400, dt.date(2026, 11, 28)),
    # Spring forward: the week of 2026-03-23 in Berlin ends 2026-03-30 00:00 CEST, 22:00 UTC.
    # Its last point stands for the 29th (dated by the day before its instant, 2026-03-28
    # 23:00 CET, it would be the 28th); 86,400 s earlier stands for the 28th.
    (dt.datetime(2026, 3, 29, 22, tzinfo=dt.UTC), BERLIN, 0, dt.date(2026, 3, 29)),
    (dt.datetime(2026, 3, 29, 22, tzinfo=dt.UTC), BERLIN, 86_400, dt.date(2026, 3, 28)),
    # Fall back: the week of 2026-10-19 ends 2026-10-26 00:00 CET, 23:00 UTC; 86,400 s earlier
    # is 2026-10-25 01:00 CEST, which stands for the 24th.
    (dt.datetime(2026, 10, 25, 23, tzinfo=dt.UTC), BERLIN, 0, dt.date(2026, 10, 25)),
    (dt.datetime(2026, 10, 25, 23, tzinfo=dt.UTC), BERLIN, 86_400, dt.date(2026, 10, 24)),
    (dt.datetime(2026, 10, 25, 23, tzinfo=dt.UTC), BERLIN, 29 * 86_400, dt.date(2026, 9, 26)),
]


@pytest.mark.parametrize(("end", "timezone", "before", "date"), POINT_DATES)
def test_daily_points_are_dated_one_per_local_day(end, timezone, before, date):
    assert day_of_point(end.timestamp() - before, end, timezone) == date
