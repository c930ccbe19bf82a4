"""The catalog's SQL metrics (trial conversion, customer satisfaction) on SQLite and PostgreSQL,
against counts worked out by hand from the rows written here."""

import datetime as dt

import pytest
import sqlalchemy as sa

from waooaw_reports.catalog import load_catalog
from waooaw_reports.periods import period_for
from waooaw_reports.report import metric_scorecard
from waooaw_reports.scorecard import measure_business_metrics
from waooaw_reports.sources import schema
from waooaw_reports.sources.database import DatabaseError, PlatformDatabase

WEEK = period_for("weekly", "2026-11-23")
AS_OF = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


def naive(day: int, hour: int = 12, month: int = 11) -> dt.datetime:
    """Stored times are naive and mean UTC (DESIGN §3.2)."""
    return dt.datetime(2026, month, day, hour)


def trial(id_: str, ends: dt.datetime, converted: dt.datetime | None) -> dict:
    started = ends - dt.timedelta(days=14)
    return {
        "id": id_,
        "customer_id": f"cus_{id_}",
        "started_at": started,
        "ends_at": ends,
        "converted_at": converted,
    }


TRIALS = [
    # The week: 5 trials end in it, 2 converted by the as-of instant -> 0.4.
    trial("w1", naive(23, 0), naive(20)),  # ends on the period's first instant: in
    trial("w2", naive(24), naive(24, 9)),
    trial("w3", naive(26), None),
    trial("w4", naive(28), None),
    trial("w5", naive(29, 23), naive(1, 10, month=12)),  # converted after the as-of: not yet
    trial("out", naive(30, 0), naive(29)),  # ends on the period's end: the next week's
    # The week before: 4 trials, 3 converted -> 0.75.
    trial("b1", naive(16), naive(10)),
    trial("b2", naive(17), naive(17)),
    trial("b3", naive(20), naive(21)),
    trial("b4", naive(22), None),
]
# The week: 5, 4, 4, 3, 5 (and a 0 and a 6 the platform should never have stored) -> 4.2.
ANSWERS = [(23, 5), (24, 4), (25, 4), (27, 3), (29, 5), (25, 0), (26, 6)]
ANSWERS += [(17, 5), (18, 5), (19, 4), (21, 5)]  # the week before -> 4.75


def write(url: str, trials=TRIALS, answers=ANSWERS) -> None:
    engine = sa.create_engine(url)
    schema.metadata.create_all(engine)
    with engine.begin() as connection:
        if trials:
            connection.execute(schema.trials.insert(), trials)
        rows = [
            {"id": f"a{i}", "submitted_at": naive(day, 15), "score": score}
            for i, (day, score) in enumerate(answers)
        ]
        if rows:
            connection.execute(schema.csat_responses.insert(), rows)
    engine.dispose()


def measure(url: str, period=WEEK) -> dict[str, dict]:
    database = PlatformDatabase(url)
    try:
        measured = measure_business_metrics(database, load_catalog(), period, AS_OF)
    finally:
        database.close()
    return {m["name"]: m for m in metric_scorecard(measured)}


def test_trial_conversion_and_satisfaction(database_url):
    write(database_url)
    card = measure(database_url)

    conversion = card["trial_conversion_rate"]
    assert conversion["value"] == pytest.approx(2 / 5)
    assert conversion["previous"] == pytest.approx(3 / 4)
    assert conversion["change"] == pytest.approx(2 / 5 - 3 / 4)
    assert conversion["status"] == "met"  # 0.4 >= 0.30
    assert conversion["tier"] == 4
    assert "FROM trials" in conversion["query"]["sql"]

    satisfaction = card["customer_satisfaction"]
    assert satisfaction["value"] == pytest.approx(21 / 5)
    assert satisfaction["previous"] == pytest.approx(19 / 4)
    assert satisfaction["status"] == "at_risk"  # 4.2 < 4.5, and it has no alert threshold


def test_no_trials_ending_and_no_answers_give_no_data(database_url):
    write(database_url, trials=[trial("later", naive(10, month=12), None)], answers=[])
    card = measure(database_url)
    for name in ("trial_conversion_rate", "customer_satisfaction"):
        assert card[name]["value"] is None
        assert card[name]["status"] == "no_data"
        assert card[name]["change"] is None


def test_satisfaction_is_for_the_weekly_review_only(database_url):
    write(database_url)
    card = measure(database_url, period_for("monthly", "2026-11-01"))
    assert set(card) == {"trial_conversion_rate"}
    # All ten trials end in November; w1, w2, out, b1, b2 and b3 converted by the as-of.
    assert card["trial_conversion_rate"]["value"] == pytest.approx(6 / 10)


def test_a_query_on_a_missing_table_names_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    (tmp_path / "empty.db").touch()
    database = PlatformDatabase(url)
    with pytest.raises(DatabaseError, match="no such table: trials"):
        database.metric_value("SELECT count(*) FROM trials", WEEK.start, WEEK.end, AS_OF)
    database.close()


def test_postgres_reads_in_utc_whatever_the_session_zone(postgres_url):
    # A timestamptz column compared with the bound UTC times, in a session set to Berlin:
    # read as Berlin time, the week would end at 23:00 UTC and leave this row out.
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text("create table stamps (at timestamptz)"))
        connection.execute(sa.text("insert into stamps values ('2026-11-29 23:30:00+00')"))
    engine.dispose()
    url = sa.engine.make_url(postgres_url)
    options = url.query["options"] + " -ctimezone=Europe/Berlin"
    berlin = url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    database = PlatformDatabase(berlin)
    query = "SELECT count(*) FROM stamps WHERE at >= :start AND at < :end"
    assert database.metric_value(query, WEEK.start, WEEK.end, AS_OF) == 1
    database.close()
