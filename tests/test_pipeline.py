"""The whole path, as a person runs it: the CLI materialises the Dagster assets of a period
against a real Prometheus and a real database, and writes report.json, .html and .pdf."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.history import DAY_OUTAGE, NIGHT_OUTAGE, WEEK
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
    (slo,) = report["slos"]
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

    assert report["action_items"]["open"] == 1
    assert report["action_items"]["overdue"] == 1  # due 2026-11-27, as of 2026-12-01

    # The catalog tracks the database, every volume and every pool; this history has the
    # database and its volume's size but no free space and no pools, so those two are listed
    # without data. Every entry carries all of DESIGN §6's capacity fields.
    capacity = {c["resource"]: c for c in report["capacity"]}
    assert list(capacity) == ["database_size", "disk_usage", "connection_pool"]
    assert capacity["database_size"]["verdict"] == "ok"
    assert capacity["disk_usage"]["verdict"] == "insufficient_data"
    assert capacity["connection_pool"]["verdict"] == "insufficient_data"
    for entry in capacity.values():
        assert set(CAPACITY_FIELDS) <= set(entry)
    assert report["status"] == "breached"
    assert report["provenance"]["sources"]["prometheus"] == environment["WAOOAW_PROMETHEUS_URL"]

    html = (directory / "report.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert (directory / "report.pdf").read_bytes().startswith(b"%PDF")


def test_rerun_gives_the_same_report(environment, tmp_path):
    args = ("run", "weekly", "--period", WEEK, "--as-of", AS_OF)
    assert run_cli(*args, env=environment).returncode == 0
    directory = tmp_path / "reports" / "weekly" / WEEK
    first = (directory / "report.html").read_bytes()
    assert run_cli(*args, env=environment).returncode == 0
    assert (directory / "report.html").read_bytes() == first


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
