import datetime as dt

import pytest

from waooaw_reports.periods import PeriodError, last_complete, period_for

UTC = dt.UTC


@pytest.mark.parametrize(
    ("kind", "key", "timezone", "hours"),
    [
        ("weekly", "2026-11-23", "UTC", 168),  # an ordinary week
        ("weekly", "2026-10-19", "Europe/Berlin", 169),  # clocks go back on 2026-10-25
        ("weekly", "2026-03-23", "Europe/Berlin", 167),  # clocks go forward on 2026-03-29
        ("monthly", "2026-11-01", "UTC", 720),  # 30 days
        ("monthly", "2026-10-01", "UTC", 744),  # 31 days
        ("monthly", "2026-10-01", "Europe/Berlin", 745),  # 31 days and one hour back
    ],
)
def test_period_length_is_real_length(kind, key, timezone, hours):
    period = period_for(kind, key, timezone)
    assert period.seconds == hours * 3600


def test_week_starts_monday_local_midnight():
    period = period_for("weekly", "2026-10-19", "Europe/Berlin")
    assert period.start == dt.datetime(2026, 10, 18, 22, tzinfo=UTC)
    assert period.end == dt.datetime(2026, 10, 25, 23, tzinfo=UTC)
    assert period.as_json() == {
        "key": "2026-10-19",
        "start": "2026-10-19T00:00:00+02:00",
        "end": "2026-10-26T00:00:00+01:00",
        "timezone": "Europe/Berlin",
    }


@pytest.mark.parametrize(
    ("kind", "key", "message"),
    [
        ("weekly", "2026-11-24", "is a Tuesday"),
        ("weekly", "23/11/2026", "not a date"),
        ("monthly", "2026-11-02", "not the first of a month"),
        ("monthly", "2023-12-01", "before the first period"),
        ("daily", "2026-11-23", "kind 'daily' is unknown"),
    ],
)
def test_bad_keys_are_refused_with_the_valid_form(kind, key, message):
    with pytest.raises(PeriodError, match=message):
        period_for(kind, key)


def test_previous_period():
    assert period_for("weekly", "2026-11-23").previous().key == "2026-11-16"
    assert period_for("monthly", "2026-03-01").previous().key == "2026-02-01"
    assert period_for("monthly", "2026-01-01").previous().key == "2025-12-01"


@pytest.mark.parametrize(
    ("now", "kind", "key"),
    [
        (dt.datetime(2026, 12, 3, 10, tzinfo=UTC), "weekly", "2026-11-23"),
        (dt.datetime(2026, 11, 30, 0, tzinfo=UTC), "weekly", "2026-11-23"),  # Monday midnight
        (dt.datetime(2026, 12, 3, 10, tzinfo=UTC), "monthly", "2026-11-01"),
        (dt.datetime(2025, 9, 15, 6, tzinfo=UTC), "weekly", "2025-09-08"),  # case C11's tick
    ],
)
def test_last_complete(now, kind, key):
    assert last_complete(kind, now).key == key


def test_last_complete_in_local_zone():
    # 23:30 UTC on Sunday 2026-11-29 is already Monday in Berlin: the week of the 23rd is done.
    now = dt.datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert last_complete("weekly", now, "Europe/Berlin").key == "2026-11-23"
    assert last_complete("weekly", now, "UTC").key == "2026-11-16"
