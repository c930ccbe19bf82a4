"""The security review and customer health end to end: the CLI runs the weekly report's Dagster
assets against a real Prometheus (tests/security_history.py) and a SQLite platform database
with the business tables, and report.json and report.html carry the figures worked out here."""

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from tests.security_history import WEEK
from tests.test_pipeline import run_cli
from waooaw_reports.sources import schema

AS_OF = "2026-12-01T09:00:00+00:00"


def t(month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)  # stored without a zone: UTC


def credential(customer, platform, expires, rotated):
    return {
        "customer_id": customer,
        "platform": platform,
        "expires_at": expires,
        "last_rotated_at": rotated,
    }


def write_business_tables(url: str) -> None:
    engine = sa.create_engine(url)
    schema.metadata.create_all(engine)
    rows = {
        schema.credentials: [
            credential("cus_1", "linkedin", t(12, 3), t(11, 1)),  # expiring; rotated in time
            credential("cus_1", "instagram", dt.datetime(2027, 2, 1), t(7, 1)),  # 152 days
            credential("cus_2", "instagram", t(11, 29), None),  # expired, never rotated
            credential("cus_3", "delta_exchange", dt.datetime(2027, 1, 15), t(12, 1)),  # later
        ],
        schema.trials: [
            {"id": "t1", "customer_id": "cus_4", "started_at": t(11, 10),
             "ends_at": t(11, 24), "converted_at": t(11, 20, 13, 5)},
            {"id": "t2", "customer_id": "cus_5", "started_at": t(11, 12),
             "ends_at": t(11, 26), "converted_at": None},
            {"id": "t3", "customer_id": "cus_6", "started_at": t(11, 15),
             "ends_at": t(11, 29), "converted_at": t(11, 30, 12)},
        ],
        schema.subscriptions: [
            {"customer_id": "cus_1", "plan": "growth", "agents": 6,
             "started_at": t(1, 1), "cancelled_at": None},
            {"customer_id": "cus_2", "plan": "growth", "agents": 7,
             "started_at": t(3, 1), "cancelled_at": t(11, 25)},
            {"customer_id": "cus_3", "plan": "scale", "agents": 40,
             "started_at": t(6, 1), "cancelled_at": None},
            {"customer_id": "cus_4", "plan": "growth", "agents": 7,
             "started_at": t(11, 20, 13, 5), "cancelled_at": None},
        ],
        schema.support_tickets: [
            {"id": "k1", "created_at": t(11, 24, 10), "priority": "high",
             "category": "integrations", "status": "closed", "resolved_at": t(11, 24, 16)},
            {"id": "k2", "created_at": t(11, 27, 9), "priority": "normal",
             "category": "billing", "status": "open", "resolved_at": None},
            {"id": "k3", "created_at": t(11, 18), "priority": "low",
             "category": "other", "status": "closed", "resolved_at": t(11, 19)},
        ],
        schema.csat_responses: [
            {"id": "a1", "submitted_at": t(11, 24, 20), "score": 5},
            {"id": "a2", "submitted_at": t(11, 25), "score": 4},
            {"id": "a3", "submitted_at": t(11, 26), "score": 2},
            {"id": "a4", "submitted_at": t(11, 27), "score": 7},
        ],
    }  # fmt: skip
    with engine.begin() as connection:
        for table, values in rows.items():
            connection.execute(table.insert(), values)
    engine.dispose()


@pytest.fixture
def report(tmp_path, security_prometheus_url):
    url = f"sqlite:///{tmp_path / 'platform.db'}"
    write_business_tables(url)
    environment = {
        "WAOOAW_PROMETHEUS_URL": security_prometheus_url,
        "WAOOAW_DATABASE_URL": url,
        "WAOOAW_REPORTS_DIR": str(tmp_path / "reports"),
        "WAOOAW_CREDENTIAL_MAX_AGE_DAYS": "90",
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    result = run_cli("run", "weekly", "--period", WEEK, "--as-of", AS_OF, env=environment)
    assert result.returncode == 0, result.stderr
    directory = tmp_path / "reports" / "weekly" / WEEK
    return json.loads((directory / "report.json").read_text()), (
        directory / "report.html"
    ).read_text()


def test_weekly_security_and_customer_health(report):
    data, html = report
    security = data["security"]
    logins = security["failed_logins"]
    assert logins["total"] == 8_220
    assert [h["hour"] for h in logins["anomalies"]] == [
        "2026-11-24T12:00:00+00:00",
        "2026-11-25T10:00:00+00:00",
        "2026-11-27T21:00:00+00:00",
    ]
    assert "sum(increase(auth_attempts_total" in logins["query"]["hourly"]

    movers = security["api_clients"]["movers"]
    assert [m["client"] for m in movers][:4] == ["key_a", "key_gone", "key_b", "key_new"]
    assert movers[2]["unauthorised"] == 12_000
    assert "ops@example.com" not in json.dumps(data) and "ops@example.com" not in html

    gauge = security["credentials"]["gauge"]
    assert (gauge["valid_share"], gauge["status"]) == (0.9, "at_risk")
    records = security["credentials"]["records"]
    # Judged at 2026-11-30 00:00: cus_3's credential was rotated after it.
    assert records["changed_after"] == 1
    assert (records["valid"], records["expiring"], records["invalid"]) == (1, 1, 1)
    assert (records["rotation_compliant"], records["rotation_overdue"]) == (1, 1)
    assert records["never_rotated"] == 1
    assert records["rotation_compliance"] == pytest.approx(1 / 3)
    assert records["max_age_days"] == 90
    assert security["status"] == "breached"

    health = data["customer_health"]
    trials = health["trial_conversion"]
    assert (trials["ended"], trials["converted"]) == (3, 2)  # t3 converted before the as-of
    churn = health["churn"]
    assert (churn["customers_at_start"], churn["churned"], churn["rate"]) == (4, 1, 0.25)
    tickets = health["support_tickets"]
    assert (tickets["total"], tickets["open"], tickets["previous"]) == (2, 1, 1)
    assert tickets["per_100_customers"] == 50  # 2 tickets, 4 customers served
    assert tickets["by_priority"][0] == {
        "priority": "high",
        "count": 1,
        "resolved": 1,
        "open": 0,
        "median_hours_to_resolve": 6.0,
    }
    csat = health["satisfaction"]
    assert csat["average"] == pytest.approx(11 / 3)
    assert csat["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert [r["id"] for r in health["rejected"]] == ["a4"]
    agents = health["agent_utilisation"]
    # Hired: 6 + 7 x 2/7 + 40 + 7 = 55 on average; the gauge says 50 active.
    assert agents["hired_agents_mean"] == pytest.approx(55)
    assert agents["utilisation"] == pytest.approx(50 / 55)
    assert health["status"] == "at_risk"  # CSAT 3.67 below 4.5

    areas = {area["name"]: area["status"] for area in data["areas"]}
    assert (areas["Security"], areas["Customer health"]) == ("breached", "at_risk")
    assert any(item.startswith("Failed logins: 3 hour(s)") for item in data["attention"])
    assert "Security signals" in html and "Customer health" in html
    assert "data:image/svg+xml;base64," in html
    # Every figure is traceable: the appendix lists the security queries.
    assert "last_over_time(platform_credentials[15m])" in html
    assert "avg_over_time(active_agents[604800s])" in html
