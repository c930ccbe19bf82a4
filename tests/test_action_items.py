"""Action items as of the as-of instant: open, overdue, done in the period, by owner."""

from __future__ import annotations

import datetime as dt

import pytest

from waooaw_reports.analytics.action_items import review_action_items
from waooaw_reports.periods import period_for

UTC = dt.UTC
WEEK = period_for("weekly", "2026-11-23")  # 2026-11-23 00:00 to 2026-11-30 00:00 UTC
AS_OF = dt.datetime(2026, 12, 1, 9, tzinfo=UTC)  # a Tuesday


def item(id, owner="sre", due=dt.date(2026, 12, 10), status="open", created=None, closed=None):
    return {
        "id": id,
        "incident_id": None,
        "title": f"Item {id}",
        "owner": owner,
        "due_date": due,
        "status": status,
        "created_at": created or dt.datetime(2026, 11, 1, tzinfo=UTC),
        "closed_at": closed,
    }


def review(rows, as_of=AS_OF, period=WEEK):
    return review_action_items(rows, period, as_of)


# row, (open, overdue, done in the period)
STATE_ROWS = [
    (item("a", due=dt.date(2026, 11, 30)), (1, 1, 0)),  # due the day before
    (item("a", due=dt.date(2026, 12, 1)), (1, 0, 0)),  # due on the as-of day
    (item("a", due=None), (1, 0, 0)),  # no due date: never overdue
    # Closed inside the period, at its start: done in the period.
    (item("a", status="done", closed=WEEK.start), (0, 0, 1)),
    # Closed exactly at the period's end: done, but in the next period.
    (item("a", status="done", closed=WEEK.end), (0, 0, 0)),
    # Closed after the as-of instant: still open then, and overdue.
    (
        item("a", status="done", due=dt.date(2026, 11, 27), closed=AS_OF + dt.timedelta(hours=1)),
        (1, 1, 0),
    ),
    # Marked open with a stale closing time: reopened, open.
    (item("a", status="open", closed=WEEK.start), (1, 0, 0)),
    # Done without a closing time: done, at an unknown time, so not in the period.
    (item("a", status=" Done ", closed=None), (0, 0, 0)),
]


@pytest.mark.parametrize(("row", "expected"), STATE_ROWS)
def test_state_as_of(row, expected):
    result = review([row])

    assert (result["open"], result["overdue"], result["done_in_period"]) == expected


def test_items_created_after_the_as_of_instant_do_not_exist_yet():
    result = review([item("late", created=AS_OF + dt.timedelta(seconds=1))])

    assert result["open"] == 0
    assert result["items"] == []


def test_overdue_is_judged_on_the_as_of_day_in_the_report_zone():
    # As of 2026-11-30 23:30 UTC it is already 1 December in Berlin: an item due on
    # 30 November is overdue there, not in UTC.
    row = item("a", due=dt.date(2026, 11, 30))
    as_of = dt.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    berlin = period_for("weekly", "2026-11-23", "Europe/Berlin")

    assert review([row], as_of=as_of)["overdue"] == 0
    assert review([row], as_of=as_of, period=berlin)["overdue"] == 1


def test_counts_and_owners():
    rows = [
        item("1", owner="dana", due=dt.date(2026, 11, 20)),  # open, overdue
        item("2", owner="dana"),  # open
        item("3", owner="priya", due=dt.date(2026, 11, 29)),  # open, overdue
        item("4", owner="priya", status="done", closed=dt.datetime(2026, 11, 25, tzinfo=UTC)),
        item("5", owner="sam", status="done", closed=dt.datetime(2026, 11, 2, tzinfo=UTC)),
        item("6", owner=None),  # open, nobody named
    ]
    result = review(rows)

    assert (result["open"], result["overdue"], result["done_in_period"]) == (4, 2, 1)
    assert result["open_by_owner"] == {"(no owner)": 1, "dana": 2, "priya": 1}
    # Most overdue first; sam did nothing in the period and has nothing open.
    assert result["by_owner"] == [
        {"owner": "dana", "open": 2, "overdue": 1, "done_in_period": 0},
        {"owner": "priya", "open": 1, "overdue": 1, "done_in_period": 1},
        {"owner": "(no owner)", "open": 1, "overdue": 0, "done_in_period": 0},
    ]
    # Listed: the open ones and the one done in the period; item 5 was done before it.
    assert sorted(i["id"] for i in result["items"]) == ["1", "2", "3", "4", "6"]
