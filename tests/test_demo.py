"""The demo platform: its schedule, its history, its database and its Prometheus.

One module fixture runs the real ``demo_up`` (seven months, about 30 s) into a temporary
directory; the Prometheus helpers are checked on a small history worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from waooaw_reports.demo import DemoError, DemoStatus, demo_down, demo_up
from waooaw_reports.demo.history import History, generate_history
from waooaw_reports.demo.incidents import HTML_TITLE, UNKNOWN_SEVERITY
from waooaw_reports.demo.openmetrics import Family, Series, write_openmetrics
from waooaw_reports.demo.prometheus_server import (
    LOOPBACK,
    PrometheusServer,
    free_port,
    is_ready,
    load_openmetrics,
)
from waooaw_reports.demo.schedule import DAY, build_schedule

END = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def query(url: str, expression: str, at: dt.datetime) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{url}/api/v1/query", params={"query": expression, "time": at.timestamp()}, timeout=30
    )
    answer.raise_for_status()
    result: list[dict[str, Any]] = answer.json()["data"]["result"]
    return result


def scalar(url: str, expression: str, at: dt.datetime) -> float:
    result = query(url, expression, at)
    assert len(result) == 1, f"{expression} at {at} gave {result}"
    return float(result[0]["value"][1])


def naive(instant: dt.datetime) -> str:
    """How SQLAlchemy stores a naive UTC datetime in SQLite."""
    return (
        instant.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoStatus, Path, int]]:
    state = tmp_path_factory.mktemp("demo")
    port = free_port()
    status = demo_up(state, END, port)
    yield status, state, port
    assert demo_down(state), "demo_down found no demo Prometheus to stop"
    assert not is_ready(status.prometheus_url)


@pytest.fixture(scope="module")
def history() -> History:
    return generate_history(END)


def incident_rows(status: DemoStatus) -> list[sqlite3.Row]:
    path = status.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        return list(connection.execute("select * from incidents"))


# The schedule


@pytest.mark.parametrize(
    "end",
    [
        dt.datetime(2026, 12, 3),  # naive
        dt.datetime(2026, 12, 3, tzinfo=dt.timezone(dt.timedelta(hours=1))),  # not UTC
        dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC),  # not a midnight
    ],
)
def test_demo_up_refuses_an_end_that_is_not_a_utc_midnight(tmp_path: Path, end: dt.datetime):
    with pytest.raises(ValueError, match="demo history's end"):
        demo_up(tmp_path, end, free_port())
    assert not (tmp_path / "openmetrics").exists()


def test_the_same_end_gives_the_same_schedule():
    assert build_schedule(END) == build_schedule(END)
    assert build_schedule(END).outages != build_schedule(END + DAY).outages


def test_the_schedule_tells_the_whole_story():
    schedule = build_schedule(END)
    week, month = schedule.last_week, schedule.last_month
    outages = schedule.outages

    monday = schedule.start + (7 - schedule.start.weekday()) * DAY
    while monday + 7 * DAY <= END:
        assert any(monday <= o.start < monday + 7 * DAY for o in outages), monday
        monday += 7 * DAY
    assert [o for o in outages if week.start <= o.start < week.end and o.night]
    assert [o for o in outages if month.start <= o.start < month.end]
    assert sum(o.severity == "P0" for o in outages) >= 6
    assert all(10 <= o.duration.total_seconds() / 60 <= 90 for o in outages)
    assert all(0.2 <= o.error_share <= 0.6 for o in outages)
    assert all(o.end <= END for o in outages)

    gap = schedule.heartbeat_gap
    assert week.start <= gap.start and gap.end <= week.end
    assert 11 * 60 <= (gap.end - gap.start).total_seconds() <= 13 * 60
    assert any(o.end == schedule.restart.at for o in outages)


# The metric history


def test_a_day_file_is_the_same_in_two_generations(
    demo: tuple[DemoStatus, Path, int], history: History
):
    _, state, _ = demo
    day = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    again = generate_history(END).day_text(day)
    assert again == history.day_text(day)
    assert again.endswith("# EOF\n")
    # Once loaded, the 1.3 GB of input text is removed; the TSDB blocks stay.
    assert not (state / "openmetrics").exists()
    assert any((state / "tsdb").iterdir())


def test_every_series_of_the_contract_is_generated(history: History):
    names = {series.name for family in history.families for series in family.series}
    for name in [
        "api_requests_total",
        "api_request_duration_seconds_bucket",
        "goal_executions_total",
        "goal_execution_latency_seconds_count",
        "deliverables_total",
        "auth_attempts_total",
        "integration_requests_total",
        "approval_wait_seconds_sum",
        "db_pool_connections_in_use",
        "db_pool_connections_max",
        "db_slow_queries_total",
        "db_query_duration_seconds_bucket",
        "scheduler_heartbeat_timestamp_seconds",
        "active_agents",
        "platform_credentials",
        "api_client_requests_total",
        "pg_database_size_bytes",
        "node_filesystem_size_bytes",
        "node_filesystem_avail_bytes",
        "redis_keyspace_hits_total",
        "redis_keyspace_misses_total",
        "ALERTS",
    ]:
        assert name in names
    assert history.samples > 15_000_000


def test_histograms_are_consistent(history: History):
    for family in (f for f in history.families if f.type == "histogram"):
        by_labels: dict[tuple[tuple[str, str], ...], list[Series]] = {}
        for series in family.series:
            key = tuple(pair for pair in series.labels if pair[0] != "le")
            by_labels.setdefault(key, []).append(series)
        for key, members in by_labels.items():
            buckets = [s for s in members if s.name.endswith("_bucket")]
            count = next(s for s in members if s.name.endswith("_count"))
            assert dict(buckets[-1].labels)["le"] == "+Inf"
            assert np.array_equal(buckets[-1].values, count.values), (family.name, key)
            stacked = np.stack([s.values for s in buckets])
            assert (np.diff(stacked, axis=0) >= 0).all(), (family.name, key)


def test_counters_fall_only_at_the_one_restart(history: History):
    restarted = history.schedule.restart
    falls = set()
    for family in (f for f in history.families if f.type in ("counter", "histogram")):
        for series in family.series:
            drops = np.flatnonzero(np.diff(series.values) < 0)
            if len(drops):
                falls.add(dict(series.labels).get("service"))
                times = series.timestamps[drops + 1]
                assert (times > restarted.at.timestamp()).all()
                assert (times - restarted.at.timestamp() <= 60).all()
    assert falls == {restarted.service}


# The database


def test_every_outage_has_its_incident(demo: tuple[DemoStatus, Path, int]):
    status, _, _ = demo
    rows = {row["id"]: row for row in incident_rows(status)}
    for outage in build_schedule(END).outages:
        row = rows[outage.incident_id]
        assert row["service"] == outage.service
        assert row["started_at"] == naive(outage.start)
        assert row["mitigated_at"] == naive(outage.end)
        assert row["detected_at"] >= naive(outage.alert_start)


def test_the_incident_table_is_as_dirty_as_real_ones(demo: tuple[DemoStatus, Path, int]):
    status, _, _ = demo
    rows = incident_rows(status)
    schedule = build_schedule(END)
    assert len(rows) == len(schedule.outages) + 1

    copies: dict[tuple[str, str, str], int] = {}
    for row in rows:
        key = (row["service"], row["started_at"], row["title"].strip().casefold())
        copies[key] = copies.get(key, 0) + 1
    assert sorted(copies.values())[-2:] == [1, 2]

    severities = {row["severity"] for row in rows}
    assert {"P1", "sev-2", "high", " p3 ", "critical", UNKNOWN_SEVERITY} <= severities
    assert [row for row in rows if row["acknowledged_at"] < row["detected_at"]]
    assert [row for row in rows if row["title"] == HTML_TITLE]
    open_rows = [row for row in rows if row["resolved_at"] is None]
    assert [row["id"] for row in open_rows] == [schedule.open_incident_id]
    folded = {row["id"]: row["severity"].lower().replace(" ", "").replace("-", "") for row in rows}
    major = {"p0", "sev0", "critical", "p1", "sev1", "high"}
    majors = [row for row in rows if folded[row["id"]] in major]
    assert [row for row in majors if row["postmortem_completed_at"] is None]
    assert [row for row in majors if row["postmortem_completed_at"] is not None]


def test_action_items_are_open_overdue_and_done(demo: tuple[DemoStatus, Path, int]):
    status, _, _ = demo
    with sqlite3.connect(status.database_url.removeprefix("sqlite:///")) as connection:
        items = connection.execute("select status, due_date, owner from action_items").fetchall()
    assert len(items) == 12
    today = END.date().isoformat()
    assert [item for item in items if item[0] == "done"]
    assert [item for item in items if item[0] == "open" and item[1] < today]
    assert [item for item in items if item[0] == "open" and item[1] >= today]
    assert len({item[2] for item in items}) >= 4


def test_trials_and_csat_answers_are_believable(demo: tuple[DemoStatus, Path, int]):
    status, _, _ = demo
    end = naive(END)
    with sqlite3.connect(status.database_url.removeprefix("sqlite:///")) as connection:
        trials = connection.execute(
            "select started_at, ends_at, converted_at from trials order by id"
        ).fetchall()
        scores = connection.execute("select score, submitted_at from csat_responses").fetchall()
    # A few trials a day over seven months, each 14 days long; about a third convert.
    assert 400 < len(trials) < 800
    for started, ends, converted in trials:
        start = dt.datetime.fromisoformat(started)
        assert dt.datetime.fromisoformat(ends) - start == dt.timedelta(days=14)
        assert converted is None or started < converted < end
    converted_share = sum(row[2] is not None for row in trials) / len(trials)
    assert 0.2 < converted_share < 0.4
    # A few answers a day, scored 1 to 5 around the playbook's 4.5.
    assert 400 < len(scores) < 2500
    # A few answers are out of the 1-5 range on purpose, for the report to leave out and list.
    valid = [score for score, _ in scores if 1 <= score <= 5]
    assert {score for score, _ in scores} - set(valid) <= {0, 6}
    assert 0 < len(scores) - len(valid) < 10
    assert set(valid) == {1, 2, 3, 4, 5}
    assert 4.3 < sum(valid) / len(valid) < 4.6
    assert max(submitted for _, submitted in scores) < end


# The running demo


def test_demo_prometheus_answers_over_the_last_week(demo: tuple[DemoStatus, Path, int]):
    status, _, port = demo
    assert status.generated and status.started
    assert status.prometheus_url == f"http://{LOOPBACK}:{port}"
    assert status.end == END
    assert scalar(status.prometheus_url, "sum(increase(api_requests_total[7d]))", END) > 1e6
    # It scrapes nothing, so the history holds only what was generated.
    assert query(status.prometheus_url, "up", END) == []


def test_alerts_fire_during_the_outages(demo: tuple[DemoStatus, Path, int]):
    status, _, _ = demo
    for outage in build_schedule(END).outages[-8:]:  # one-minute and five-minute samples
        selector = f'ALERTS{{service="{outage.service}",alertstate="firing"}}'
        firing = int((outage.end - outage.alert_start).total_seconds())
        fired = f"max_over_time({selector}[{firing}s])"
        assert scalar(status.prometheus_url, fired, outage.end) == 1
        before = outage.alert_start - dt.timedelta(seconds=1)
        assert query(status.prometheus_url, f"max_over_time({selector}[20m])", before) == []


def test_the_night_outage_weighs_less_by_requests_than_by_minutes(
    demo: tuple[DemoStatus, Path, int],
):
    status, _, _ = demo
    schedule = build_schedule(END)
    week = schedule.last_week
    night = next(o for o in schedule.outages if week.start <= o.start < week.end and o.night)
    minutes = int(night.duration.total_seconds() // 60)
    bad = scalar(
        status.prometheus_url,
        f'sum(increase(api_requests_total{{service="{night.service}",status=~"5.."}}[{minutes}m]))',
        night.end,
    )
    total = scalar(status.prometheus_url, "sum(increase(api_requests_total[7d]))", week.end)
    by_minutes = night.error_share * minutes / (7 * 24 * 60)
    assert bad / total < by_minutes / 2


def test_the_heartbeat_gap_shows_as_a_stale_heartbeat(demo: tuple[DemoStatus, Path, int]):
    status, _, _ = demo
    gap = build_schedule(END).heartbeat_gap
    age = "time() - scheduler_heartbeat_timestamp_seconds"
    assert scalar(status.prometheus_url, age, gap.end - dt.timedelta(seconds=30)) > 11 * 60
    assert scalar(status.prometheus_url, age, gap.start - dt.timedelta(minutes=5)) < 90


def test_a_second_demo_up_reuses_everything(demo: tuple[DemoStatus, Path, int]):
    status, state, port = demo
    started = time.monotonic()
    again = demo_up(state, END, port)
    assert time.monotonic() - started < 2.0
    assert (again.generated, again.started) == (False, False)
    assert again.prometheus_url == status.prometheus_url
    assert again.database_url == status.database_url


def test_demo_up_names_a_port_another_program_holds(tmp_path: Path):
    with socket.socket() as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(DemoError, match=rf"Port {port} .*--port.*WAOOAW_DEMO_PROMETHEUS_PORT"):
            demo_up(tmp_path, END, port)
    assert not (tmp_path / "openmetrics").exists()


# The Prometheus helpers, on a history small enough to work out by hand

T0 = 1_790_000_040  # 2026-09-21T12:54:00Z, a whole minute


def counter_points() -> list[tuple[float, float]]:
    """60 samples a minute apart: 100, 110, ..., 490, then a restart: 7, 14, ..., 140."""
    rising = [(T0 + 60 * i, 100 + 10 * i) for i in range(40)]
    restarted = [(T0 + 60 * i, 7 * (i - 39)) for i in range(40, 60)]
    return rising + restarted


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[PrometheusServer]:
    series = Series.from_points("demo_requests_total", {"job": "demo"}, counter_points())
    path = tmp_path / "input.om"
    assert write_openmetrics(path, [Family("demo_requests", "counter", (series,))]) == 60
    load_openmetrics([path], tmp_path / "tsdb")
    with PrometheusServer(tmp_path / "tsdb", tmp_path) as server:
        yield server


def test_prometheus_server_answers_increase_worked_out_by_hand(small_server: PrometheusServer):
    url = small_server.url
    at = dt.datetime.fromtimestamp(T0 + 1200, dt.UTC)
    # Samples 10 to 20 cover the 10 minutes exactly: 10 steps of 10.
    assert scalar(url, "increase(demo_requests_total[10m])", at) == pytest.approx(100)

    last = dt.datetime.fromtimestamp(T0 + 59 * 60, dt.UTC)
    # 39 steps of 10, 7 after the restart, 19 steps of 7: 390 + 7 + 133 = 530 over the 3,540 s
    # the samples span, extrapolated to the hour (the first sample is 60 s from its start).
    expected = 530 * 3600 / 3540
    assert scalar(url, "increase(demo_requests_total[1h])", last) == pytest.approx(expected)
    assert scalar(url, "resets(demo_requests_total[1h])", last) == 1


def test_demo_down_leaves_a_stranger_alone(tmp_path: Path):
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        (tmp_path / "prometheus.pid").write_text(f"{stranger.pid}\n", encoding="utf-8")
        assert demo_down(tmp_path) is False
        assert stranger.poll() is None
        assert not (tmp_path / "prometheus.pid").exists()
    finally:
        stranger.kill()
        stranger.wait()


def test_demo_down_leaves_another_prometheus_alone(small_server: PrometheusServer, tmp_path: Path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "prometheus.pid").write_text(f"{small_server.pid}\n", encoding="utf-8")
    assert demo_down(state) is False
    assert is_ready(small_server.url)
