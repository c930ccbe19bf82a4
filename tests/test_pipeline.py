"""The whole path, as a person runs it: the CLI materialises the Dagster assets of a period
against a real Prometheus and a real database, and writes report.json, .html and .pdf."""

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.history import DAY_OUTAGE, NIGHT_OUTAGE, WEEK
from tests.test_catalog import PLAYBOOK
from waooaw_reports.sources import schema

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-12-01T09:00:00+00:00"
MINUTE = dt.timedelta(minutes=1)
# DESIGN §6: the fields of each report.json capacity entry.
CAPACITY_FIELDS = (
    "resource",
    "current",
    "limit",
    "growth_per_day",
    "projected_30d",
    "projected_90d",
    "interval_90d",
    "days_until_target",
    "days_until_alert",
    "days_until_full",
    "verdict",
)


def _naive(instant: dt.datetime) -> dt.datetime:
    return instant.replace(tzinfo=None)


def write_incidents(url: str) -> None:
    """Incidents matching the outages of tests/history.py, plus a dirty row and a copy."""
    night, day = NIGHT_OUTAGE[0], DAY_OUTAGE[0]
    rows = [
        {  # the night outage: P1, acknowledged in 6 min, resolved after 2 h, post-mortem done
            "id": "INC-1",
            "title": "Gateway 5xx at night",
            "severity": "sev-1",
            "service": "api-gateway",
            "started_at": _naive(night),
            "detected_at": _naive(night + 4 * MINUTE),
            "acknowledged_at": _naive(night + 10 * MINUTE),
            "mitigated_at": _naive(night + 60 * MINUTE),
            "resolved_at": _naive(night + 120 * MINUTE),
            "postmortem_completed_at": _naive(night + dt.timedelta(days=2)),
            "postmortem_url": "https://wiki.example/pm/1",
        },
        {  # the day outage: P0, no post-mortem yet
            "id": "INC-2",
            "title": 'DB failover <script>alert(1)</script> & "quotes"',
            "severity": "critical",
            "service": "api-gateway",
            "started_at": _naive(day),
            "detected_at": _naive(day + 2 * MINUTE),
            "acknowledged_at": _naive(day + 5 * MINUTE),
            "mitigated_at": _naive(day + 10 * MINUTE),
            "resolved_at": _naive(day + 70 * MINUTE),
            "postmortem_completed_at": None,
            "postmortem_url": None,
        },
        {  # the same incident stored twice
            "id": "INC-2-copy",
            "title": ' db failover <script>alert(1)</script> & "QUOTES" ',
            "severity": "P0",
            "service": "api-gateway",
            "started_at": _naive(day),
            "detected_at": _naive(day + 2 * MINUTE),
            "acknowledged_at": _naive(day + 5 * MINUTE),
            "mitigated_at": None,
            "resolved_at": _naive(day + 60 * MINUTE),
            "postmortem_completed_at": None,
            "postmortem_url": None,
        },
        {  # acknowledged before it was detected: rejected
            "id": "INC-3",
            "title": "Clock skew",
            "severity": "P3",
            "service": "scheduler",
            "started_at": _naive(day + dt.timedelta(hours=5)),
            "detected_at": _naive(day + dt.timedelta(hours=5, minutes=1)),
            "acknowledged_at": _naive(day + dt.timedelta(hours=5)),
            "mitigated_at": None,
            "resolved_at": None,
            "postmortem_completed_at": None,
            "postmortem_url": None,
        },
        {  # next week's, but within 30 minutes of the alert that fired at 23:50 on the 29th
            "id": "INC-4",
            "title": "Gateway errors at midnight",
            "severity": "P3",
            "service": "api-gateway",
            "started_at": dt.datetime(2026, 11, 30, 0, 10),
            "detected_at": dt.datetime(2026, 11, 30, 0, 12),
            "acknowledged_at": None,
            "mitigated_at": None,
            "resolved_at": None,
            "postmortem_completed_at": None,
            "postmortem_url": None,
        },
    ]
    engine = sa.create_engine(url)
    schema.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(schema.incidents.insert(), rows)
        connection.execute(
            schema.action_items.insert(),
            [
                {
                    "id": "AI-1",
                    "incident_id": "INC-1",
                    "title": "Add gateway retry budget",
                    "owner": "sre",
                    "due_date": dt.date(2026, 11, 27),
                    "status": "open",
                    "created_at": _naive(night + dt.timedelta(days=1)),
                    "closed_at": None,
                },
                {
                    "id": "AI-2",
                    "incident_id": "INC-2",
                    "title": "Failover runbook",
                    "owner": "dba",
                    "due_date": dt.date(2026, 12, 10),
                    "status": "done",
                    "created_at": _naive(day),
                    "closed_at": _naive(day + dt.timedelta(days=1)),
                },
            ],
        )
    engine.dispose()


def write_business_records(url: str) -> None:
    """Trials and CSAT answers: 1 of the 2 trials ending in the week converted; answers 4 and 5."""
    monday = dt.datetime(2026, 11, 23, 12)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            schema.trials.insert(),
            [
                {
                    "id": f"T-{day}",
                    "customer_id": f"cus_{day}",
                    "started_at": monday + dt.timedelta(days=day - 14),
                    "ends_at": monday + dt.timedelta(days=day),
                    "converted_at": monday + dt.timedelta(days=day) if day == 1 else None,
                }
                for day in (1, 3)
            ],
        )
        connection.execute(
            schema.csat_responses.insert(),
            [
                {"id": "C-1", "submitted_at": monday, "score": 4},
                {"id": "C-2", "submitted_at": monday + dt.timedelta(days=2), "score": 5},
            ],
        )
    engine.dispose()


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "waooaw_reports.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def environment(tmp_path, prometheus_url, database_url):
    write_incidents(database_url)
    write_business_records(database_url)
    return {
        "WAOOAW_PROMETHEUS_URL": prometheus_url,
        "WAOOAW_DATABASE_URL": database_url,
        "WAOOAW_REPORTS_DIR": str(tmp_path / "reports"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }


def test_weekly_report_end_to_end(environment, tmp_path):
    result = run_cli("run", "weekly", "--period", WEEK, "--as-of", AS_OF, env=environment)
    assert result.returncode == 0, result.stderr
    directory = tmp_path / "reports" / "weekly" / WEEK
    assert result.stdout.strip() == str(directory)
    report = json.loads((directory / "report.json").read_text())

    assert report["schema_version"] == 1
    assert report["kind"] == "weekly"
    assert report["period"] == {
        "key": WEEK,
        "start": "2026-11-23T00:00:00+00:00",
        "end": "2026-11-30T00:00:00+00:00",
        "timezone": "UTC",
    }
    assert report["as_of"] == AS_OF
    slos = {slo["name"]: slo for slo in report["slos"]}
    slo = slos["api_availability"]
    assert (slo["good"], slo["total"]) == (553_600, 554_400)
    assert slo["downtime_minutes"] == 78
    assert slo["status"] == "breached"

    incidents = report["incidents"]
    assert incidents["total"] == 2  # INC-1 and INC-2; the copy folds in, INC-3 is rejected
    assert incidents["by_severity"]["P0"]["count"] == 1
    assert incidents["by_severity"]["P1"]["count"] == 1
    assert incidents["by_severity"]["P2"]["mttr_minutes"] is None
    # MTTD = (4 + 2) / 2 = 3 min; MTTA = (6 + 3) / 2 = 4.5 min; MTTR = (120 + 70) / 2 = 95 min.
    assert incidents["mttd_minutes"] == 3
    assert incidents["mtta_minutes"] == 4.5
    assert incidents["mttr_minutes"] == 95
    assert incidents["postmortems"] == {"required": 2, "completed": 1, "missing": ["INC-2"]}
    assert [r["id"] for r in incidents["rejected"]] == ["INC-3"]
    assert [d["id"] for d in incidents["duplicates"]] == ["INC-2-copy"]
    # Mitigated 60 and 10 min after the start: mean 35 min. Acknowledged 6 and 3 min after
    # detection: the P1 broke the 5-minute rule, the P0 kept it.
    assert incidents["mttm_minutes"] == 35
    assert incidents["acknowledged_within_5_minutes"] == 0.5
    assert incidents["by_severity"]["P0"]["acknowledged_within_5_minutes"] == 1.0
    assert incidents["by_severity"]["P1"]["acknowledged_within_5_minutes"] == 0.0
    # Error budget 0.001 x 554,400 = 554.4 requests; INC-1 was open over the night outage's
    # 300 bad requests, INC-2 over the day outage's 500.
    items = {item["id"]: item for item in incidents["items"]}
    assert items["INC-1"]["error_budget_bad_requests"] == 300
    assert items["INC-1"]["error_budget_share"] == pytest.approx(300 / 554.4)
    assert items["INC-2"]["error_budget_share"] == pytest.approx(500 / 554.4)
    assert incidents["error_budget"]["outside_incidents_requests"] == 0
    # HighErrorRate fired at 02:02 and 10:01, 2 and 1 minutes before detection.
    assert items["INC-1"]["alerted_at"] == "2026-11-25T02:02:00+00:00"
    assert items["INC-1"]["alert_detection_gap_minutes"] == 2
    assert items["INC-2"]["alert_detection_gap_minutes"] == 1
    # Six alert episodes began in the week; the three HighLatency ones had no incident.
    noise = incidents["alert_noise"]
    assert (noise["fired"], noise["not_followed"], noise["noise_share"]) == (6, 3, 0.5)
    assert [a["alertname"] for a in noise["noisiest"]] == ["HighLatency"]
    # The trend: eight weeks, the last one this report's.
    trend = incidents["trend"]
    assert [week["key"] for week in trend][-2:] == ["2026-11-16", WEEK]
    assert len(trend) == 8
    assert (trend[-1]["count"], trend[-1]["mttr_minutes"]) == (2, 95)
    assert [week["count"] for week in trend[:-1]] == [0] * 7
    assert all(week["mttr_minutes"] is None for week in trend[:-1])

    assert report["action_items"]["open"] == 1
    assert report["action_items"]["overdue"] == 1  # due 2026-11-27, as of 2026-12-01

    # The catalog tracks the database, every volume and every pool; this history has the
    # database and its volume's size but no free space, so the disks are listed without data.
    # Every entry carries all of DESIGN §6's capacity fields.
    capacity = {c["resource"]: c for c in report["capacity"]}
    assert list(capacity) == [
        "database_size",
        "disk_usage",
        "connection_pool:primary",
        "connection_pool:replica",
    ]
    assert capacity["database_size"]["verdict"] == "ok"
    assert capacity["disk_usage"]["verdict"] == "insufficient_data"
    # Pools (scorecard_history.py): minute samples from 2026-11-15 00:00, so 16 daily peaks
    # (11-14, which holds only its closing sample, to 11-29), 0.4 a day but for one spike.
    # Primary: 0.95 on 11-27 (day 13 of 0..15, mean 7.5, Sxx = 16 x 255 / 12 = 340):
    # slope = 5.5 x 0.55 / 340 = 0.0089 a day; SSE = 0.2836 - 0.0269 = 0.2567 over 14
    # degrees of freedom gives t = 1.21: not distinguishable from zero at 95 %.
    # Replica: 0.84 on 11-18 (day 4): slope = (4 - 7.5) x 0.44 / 340 < 0: not growing.
    primary, replica = capacity["connection_pool:primary"], capacity["connection_pool:replica"]
    assert (primary["current"], primary["limit"], primary["points"]) == (0.4, 1, 16)
    assert primary["growth_per_day"] == pytest.approx(5.5 * 0.55 / 340)
    assert primary["verdict"] == "no_significant_trend"
    assert (replica["current"], replica["verdict"]) == (0.4, "not_growing")
    for entry in capacity.values():
        assert set(CAPACITY_FIELDS) <= set(entry)
    assert report["status"] == "breached"
    assert report["provenance"]["sources"]["prometheus"] == environment["WAOOAW_PROMETHEUS_URL"]

    # No login or client series and no credential or ticket rows: each says so.
    security = report["security"]
    assert security["failed_logins"]["total"] is None
    assert security["api_clients"]["movers"] == []
    assert security["credentials"]["records"]["total"] == 0
    # The credentials gauge of scorecard_history.py: 930 valid, 50 expiring, 20 invalid.
    gauge = security["credentials"]["gauge"]
    assert (gauge["total"], gauge["valid_share"], gauge["status"]) == (1000, 0.93, "at_risk")
    health = report["customer_health"]
    # 1 of the 2 trials ending in the week converted; CSAT answers 4 and 5.
    assert health["trial_conversion"]["rate"] == 0.5
    assert health["satisfaction"]["average"] == 4.5
    assert health["support_tickets"]["total"] == 0
    metrics = {m["name"]: m for m in report["metrics"]}
    assert set(metrics) == set(PLAYBOOK)
    assert [m["tier"] for m in report["metrics"]] == sorted(m["tier"] for m in report["metrics"])
    for name, (tier, target, alert, direction, unit) in PLAYBOOK.items():
        metric = metrics[name]
        assert (metric["tier"], metric["target"], metric["alert_threshold"]) == (
            tier,
            target,
            alert,
        )
        assert (metric["direction"], metric["unit"]) == (direction, unit)
        assert set(metric) >= {"value", "status", "previous", "change", "query"}
    assert metrics["trial_conversion_rate"]["value"] == 0.5
    assert metrics["customer_satisfaction"]["value"] == 4.5
    assert metrics["customer_satisfaction"]["status"] == "met"
    assert metrics["api_latency_p95"]["value"] == pytest.approx(0.35)
    assert metrics["active_agents"]["judged_on"]["value"] == pytest.approx(0.25)
    assert metrics["authentication_success"]["status"] == "no_data"
    offenders = report["top_offenders"]
    assert offenders["error_rate"]["rows"][0]["endpoint"] == "/v1/goals"
    assert offenders["slow_queries"]["rows"][0]["query_id"] == "select_pending_approvals"

    html = (directory / "report.html").read_text()
    assert "No login data" in html  # a trial did end: its rate shows instead
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    for heading in ("Tier 1", "Tier 2", "Tier 3", "Tier 4", "Top offenders"):
        assert heading in html
    assert "Minutes older than 3 min: 7" in html
    assert (directory / "report.pdf").read_bytes().startswith(b"%PDF")


def test_monthly_audit_end_to_end(environment, tmp_path):
    result = run_cli("run", "monthly", "--period", "2026-11-01", "--as-of", AS_OF, env=environment)
    assert result.returncode == 0, result.stderr
    report = json.loads((Path(result.stdout.strip()) / "report.json").read_text())
    metrics = {m["name"]: m for m in report["metrics"]}
    # Customer satisfaction belongs to the weekly review only.
    assert set(metrics) == set(PLAYBOOK) - {"customer_satisfaction"}
    assert {m["tier"] for m in metrics.values()} == {1, 2, 3, 4}
    # The whole month holds both weeks' spikes; the month before has no minute series at all.
    assert metrics["slow_queries_per_minute"]["value"] == pytest.approx(30)
    assert metrics["slow_queries_per_minute"]["previous"] is None
    # The history ends on 2026-11-30 00:00: its last sample (23:59:20, beat 23:59:00) keeps
    # ageing for the hour the query looks back, up to 3,600 s at 00:59, and is over 3 minutes
    # old from 00:03 to 00:59, 57 minutes more than the 7 of the stall.
    heartbeat = metrics["scheduler_heartbeat_max_age"]
    assert heartbeat["value"] == 3600
    assert heartbeat["details"] == {"minutes_older_than_3_min": 7 + 57}
    assert report["top_offenders"]["slow_queries"]["rows"]


def test_rerun_gives_the_same_report(environment, tmp_path):
    args = ("run", "weekly", "--period", WEEK, "--as-of", AS_OF)
    assert run_cli(*args, env=environment).returncode == 0
    directory = tmp_path / "reports" / "weekly" / WEEK
    first = (directory / "report.html").read_bytes()
    assert run_cli(*args, env=environment).returncode == 0
    assert (directory / "report.html").read_bytes() == first


class _Recorder(BaseHTTPRequestHandler):
    """A stand-in Prometheus that records every request and answers none of them usefully."""

    paths: list[str] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_error(503)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recording_prometheus() -> Iterator[tuple[str, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.paths
    server.shutdown()
    server.server_close()


def test_an_invalid_catalog_stops_the_run_before_any_query(tmp_path, recording_prometheus):
    url, requests = recording_prometheus
    catalog = tmp_path / "team.yaml"
    catalog.write_text(
        "metrics:\n"
        "  - {name: checkout_latency_p95, tier: 2, description: d, kind: quantile,"
        " quantile: 95, buckets: checkout_seconds_bucket, unit: seconds, direction: lower,"
        " target: 1}\n"
    )
    env = {
        "WAOOAW_PROMETHEUS_URL": url,
        "WAOOAW_DATABASE_URL": f"sqlite:///{tmp_path / 'missing.db'}",
        "WAOOAW_CATALOG": str(catalog),
        "WAOOAW_REPORTS_DIR": str(tmp_path / "reports"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    result = run_cli("run", "weekly", "--period", WEEK, "--as-of", AS_OF, env=env)
    assert result.returncode == 2
    assert "metrics entry 'checkout_latency_p95', field 'quantile'" in result.stderr
    assert requests == []
    assert not (tmp_path / "reports").exists()


def test_unreachable_prometheus_fails_naming_the_url(environment):
    environment["WAOOAW_PROMETHEUS_URL"] = "http://127.0.0.1:1"
    environment["WAOOAW_PROMETHEUS_TIMEOUT"] = "2"
    result = run_cli("run", "weekly", "--period", WEEK, "--as-of", AS_OF, env=environment)
    assert result.returncode == 1
    assert "Prometheus at http://127.0.0.1:1 did not answer" in result.stderr
    assert "WAOOAW_PROMETHEUS_URL" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "weekly", "--period", "2026-11-24"), "a weekly key is a Monday such as"),
        (("run", "monthly", "--period", "2026-11"), "not a date"),
        (("run", "weekly", "--period", "2030-01-07"), "only complete periods"),
        (("run", "weekly", "--as-of", "2026-12-01"), "has no zone"),
    ],
)
def test_bad_periods_are_refused_with_the_valid_form(args, message, tmp_path):
    result = run_cli(*args, env={"DAGSTER_HOME": str(tmp_path)})
    assert result.returncode == 2
    assert message in result.stderr
