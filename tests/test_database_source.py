import datetime as dt
import sqlite3

import pytest
import sqlalchemy as sa

from waooaw_reports.sources import schema
from waooaw_reports.sources.database import DatabaseError, PlatformDatabase

UTC = dt.UTC
START = dt.datetime(2026, 11, 23, tzinfo=UTC)
END = dt.datetime(2026, 11, 30, tzinfo=UTC)


def _incident(id_, started, **times):
    return {
        "id": id_,
        "title": f"incident {id_}",
        "severity": "P1",
        "service": "api-gateway",
        "started_at": started,
        "detected_at": started + dt.timedelta(minutes=4),
        "acknowledged_at": None,
        "mitigated_at": None,
        "resolved_at": None,
        "postmortem_completed_at": None,
        "postmortem_url": None,
        **times,
    }


def _create(url, rows):
    engine = sa.create_engine(url)
    schema.metadata.create_all(engine)
    if rows:
        with engine.begin() as connection:
            connection.execute(schema.incidents.insert(), rows)
    engine.dispose()


def test_period_edges_and_utc_times(database_url):
    naive = dt.datetime(2026, 11, 23, 0, 0)  # naive: means UTC
    _create(
        database_url,
        [
            _incident("at-start", naive),  # included: start is inclusive
            _incident("before", naive - dt.timedelta(seconds=1)),
            _incident("at-end", dt.datetime(2026, 11, 30)),  # excluded: end is exclusive
            _incident("inside", dt.datetime(2026, 11, 25, 13, 5, 30)),
        ],
    )
    database = PlatformDatabase(database_url)
    rows = database.incidents(START, END)
    database.close()
    assert sorted(row["id"] for row in rows.rows) == ["at-start", "inside"]
    inside = next(row for row in rows.rows if row["id"] == "inside")
    assert inside["started_at"] == dt.datetime(2026, 11, 25, 13, 5, 30, tzinfo=UTC)
    assert inside["detected_at"] == dt.datetime(2026, 11, 25, 13, 9, 30, tzinfo=UTC)
    assert inside["resolved_at"] is None


def test_sqlite_text_with_offsets_reads_as_utc(tmp_path):
    # Another writer stored ISO text with an offset: 14:00+01:00 is 13:00 UTC.
    path = tmp_path / "platform.db"
    _create(f"sqlite:///{path}", [])
    with sqlite3.connect(path) as connection:
        connection.execute(
            "insert into incidents (id, title, severity, service, started_at, detected_at)"
            " values ('x', 't', 'P2', 's', '2026-11-24T14:00:00+01:00', '2026-11-24 13:02:00')"
        )
        connection.execute(
            "insert into incidents (id, title, severity, service, started_at, detected_at)"
            " values ('bad', 't', 'P2', 's', '2026-11-24 10:00:00', 'yesterday')"
        )
    rows = PlatformDatabase(f"sqlite:///{path}").incidents(START, END)
    assert [row["started_at"] for row in rows.rows] == [dt.datetime(2026, 11, 24, 13, tzinfo=UTC)]
    assert rows.unreadable == [
        {"id": "bad", "reason": "detected_at 'yesterday' is not a timestamp"}
    ]


def test_aware_timestamps_on_postgresql(postgres_url):
    # The same instant stored in a timestamptz column reads back the same as naive UTC.
    engine = sa.create_engine(postgres_url)
    schema.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "alter table incidents alter column started_at type timestamptz "
                "using started_at at time zone 'UTC'"
            )
        )
        connection.execute(sa.text("set time zone 'Asia/Kolkata'"))
        connection.execute(
            sa.text(
                "insert into incidents (id, title, severity, service, started_at, detected_at) "
                "values ('x', 't', 'P2', 's', '2026-11-24 18:30:00+05:30', '2026-11-24 13:05:00')"
            )
        )
    engine.dispose()
    rows = PlatformDatabase(postgres_url).incidents(START, END)
    assert rows.rows[0]["started_at"] == dt.datetime(2026, 11, 24, 13, tzinfo=UTC)


def test_missing_sqlite_file_is_not_created(tmp_path):
    path = tmp_path / "nope.db"
    with pytest.raises(DatabaseError, match="does not exist"):
        PlatformDatabase(f"sqlite:///{path}")
    assert not path.exists()


def test_missing_table_names_table_and_url(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    database = PlatformDatabase(f"sqlite:///{path}")
    with pytest.raises(DatabaseError, match="table 'incidents'.*no such table"):
        database.incidents(START, END)


def test_unreachable_server_names_url_without_password():
    database = PlatformDatabase("postgresql://ops:hunter2@127.0.0.1:1/platform")
    with pytest.raises(DatabaseError) as error:
        database.incidents(START, END)
    assert "postgresql://127.0.0.1:1/platform" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_not_a_url():
    with pytest.raises(DatabaseError, match="not a SQLAlchemy URL"):
        PlatformDatabase("platform.db")
