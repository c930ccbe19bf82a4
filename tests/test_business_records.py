"""The business tables read from SQLite and PostgreSQL: windows, UTC times, unreadable rows."""

import datetime as dt
import sqlite3

import sqlalchemy as sa

from waooaw_reports.sources import schema
from waooaw_reports.sources.business_records import read_credentials, read_customer_records
from waooaw_reports.sources.database import PlatformDatabase

UTC = dt.UTC
START = dt.datetime(2026, 11, 23, tzinfo=UTC)
END = dt.datetime(2026, 11, 30, tzinfo=UTC)


def naive(*args: int) -> dt.datetime:
    return dt.datetime(*args)  # stored without a zone: means UTC


def _write(url: str) -> None:
    engine = sa.create_engine(url)
    schema.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            schema.trials.insert(),
            [
                {"id": "t-in", "customer_id": "cus_1", "started_at": naive(2026, 11, 9),
                 "ends_at": naive(2026, 11, 23), "converted_at": naive(2026, 11, 20, 13, 5)},
                {"id": "t-end", "customer_id": "cus_2", "started_at": naive(2026, 11, 16),
                 "ends_at": naive(2026, 11, 30), "converted_at": None},
            ],
        )  # fmt: skip
        connection.execute(
            schema.subscriptions.insert(),
            [
                {"customer_id": "cus_1", "plan": "growth", "agents": 4,
                 "started_at": naive(2026, 11, 20, 13, 5), "cancelled_at": None},
                {"customer_id": "cus_3", "plan": "starter", "agents": 1,
                 "started_at": naive(2026, 1, 1), "cancelled_at": naive(2026, 11, 23)},
                {"customer_id": "cus_4", "plan": "starter", "agents": 1,
                 "started_at": naive(2026, 1, 1), "cancelled_at": naive(2026, 11, 22, 23, 59)},
                {"customer_id": "cus_5", "plan": "scale", "agents": 9,
                 "started_at": naive(2026, 11, 30), "cancelled_at": None},
            ],
        )  # fmt: skip
        connection.execute(
            schema.support_tickets.insert(),
            [
                {"id": "k-in", "created_at": naive(2026, 11, 29, 23, 59, 59), "priority": "high",
                 "category": "billing", "status": "resolved",
                 "resolved_at": naive(2026, 12, 1, 8)},
                {"id": "k-out", "created_at": naive(2026, 11, 22, 23, 59, 59), "priority": "low",
                 "category": "other", "status": "open", "resolved_at": None},
            ],
        )  # fmt: skip
        connection.execute(
            schema.csat_responses.insert(),
            [
                {"id": "a-in", "submitted_at": naive(2026, 11, 23), "score": 4},
                {"id": "a-out", "submitted_at": naive(2026, 11, 30), "score": 1},
            ],
        )
        connection.execute(
            schema.credentials.insert(),
            [
                {"customer_id": "cus_1", "platform": "linkedin",
                 "expires_at": naive(2026, 12, 4, 6), "last_rotated_at": naive(2026, 9, 1)},
                {"customer_id": "cus_1", "platform": "instagram", "expires_at": None,
                 "last_rotated_at": None},
            ],
        )  # fmt: skip
    engine.dispose()


def test_customer_records_of_a_week(database_url):
    _write(database_url)
    database = PlatformDatabase(database_url)
    try:
        records = read_customer_records(database, START, END)
    finally:
        database.close()
    assert [row["id"] for row in records["trials"]] == ["t-in"]
    (trial,) = records["trials"]
    assert trial["converted_at"] == dt.datetime(2026, 11, 20, 13, 5, tzinfo=UTC)
    # cus_3 was cancelled at the start (still overlapping it), cus_4 a minute before.
    assert sorted(row["customer_id"] for row in records["subscriptions"]) == ["cus_1", "cus_3"]
    assert {row["agents"] for row in records["subscriptions"]} == {4, 1}
    assert [row["id"] for row in records["support_tickets"]] == ["k-in"]
    assert records["support_tickets"][0]["resolved_at"] == dt.datetime(2026, 12, 1, 8, tzinfo=UTC)
    assert [(row["id"], row["score"]) for row in records["csat_responses"]] == [("a-in", 4)]
    assert records["unreadable"] == []


def test_credentials(database_url):
    _write(database_url)
    database = PlatformDatabase(database_url)
    try:
        rows = read_credentials(database)
    finally:
        database.close()
    by_platform = {row["platform"]: row for row in rows.rows}
    assert by_platform["linkedin"]["expires_at"] == dt.datetime(2026, 12, 4, 6, tzinfo=UTC)
    assert by_platform["linkedin"]["last_rotated_at"] == dt.datetime(2026, 9, 1, tzinfo=UTC)
    assert by_platform["instagram"]["expires_at"] is None
    assert rows.unreadable == []


def test_unreadable_times_name_the_customer_or_the_row(tmp_path):
    # Another writer stored text that is not a time; a table without ids names the customer.
    path = tmp_path / "platform.db"
    _write(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "insert into credentials (customer_id, platform, expires_at) "
            "values ('cus_9', 'linkedin', 'next week')"
        )
        connection.execute(
            "insert into trials (id, customer_id, started_at, ends_at) "
            "values ('t-bad', 'cus_8', '2026-11-20', 'soon')"
        )
    database = PlatformDatabase(f"sqlite:///{path}")
    assert read_credentials(database).unreadable == [
        {"id": "customer cus_9", "reason": "expires_at 'next week' is not a timestamp"}
    ]
    records = read_customer_records(database, START, END)
    assert records["unreadable"] == [
        {"id": "t-bad", "reason": "ends_at 'soon' is not a timestamp", "table": "trials"}
    ]
