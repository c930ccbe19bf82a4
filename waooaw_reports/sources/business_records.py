"""Business records from the platform database: credentials, trials, subscriptions, support
tickets and satisfaction answers, as plain rows with aware UTC times.

Each table is read whole and cut to the rows a period needs here, in Python, for the same
reason as incidents: SQLite keeps times as text, with or without an offset, and text does not
compare as time.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from waooaw_reports.sources import schema
from waooaw_reports.sources.database import PlatformDatabase, Rows

log = logging.getLogger(__name__)


def _between(rows: Rows, column: str, start: dt.datetime, end: dt.datetime) -> Rows:
    kept = [row for row in rows.rows if row[column] is not None and start <= row[column] < end]
    return Rows(kept, rows.unreadable)


def _overlapping(rows: Rows, start: dt.datetime, end: dt.datetime) -> Rows:
    """Subscriptions that began before ``end`` and were not cancelled before ``start``; rows
    without a start are kept, for the analysis to reject with its reason."""
    kept = [
        row
        for row in rows.rows
        if row["started_at"] is None
        or (
            row["started_at"] < end
            and (row["cancelled_at"] is None or row["cancelled_at"] >= start)
        )
    ]
    return Rows(kept, rows.unreadable)


def read_credentials(database: PlatformDatabase) -> Rows:
    """Every credential: the table holds each one's current expiry and last rotation."""
    return database.rows(schema.credentials)


def read_customer_records(
    database: PlatformDatabase, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """The rows customer health reads for the window [start, end).

    Trials whose trial ended in the window, subscriptions that overlap it, tickets created and
    satisfaction answers submitted in it.
    """
    records = {
        "trials": _between(database.rows(schema.trials), "ends_at", start, end),
        "subscriptions": _overlapping(database.rows(schema.subscriptions), start, end),
        "support_tickets": _between(
            database.rows(schema.support_tickets), "created_at", start, end
        ),
        "csat_responses": _between(
            database.rows(schema.csat_responses), "submitted_at", start, end
        ),
    }
    log.info(
        "Read %s for %s to %s",
        ", ".join(f"{len(rows.rows)} {name}" for name, rows in records.items()),
        start.isoformat(),
        end.isoformat(),
    )
    return {
        **{name: rows.rows for name, rows in records.items()},
        "unreadable": [
            {**row, "table": name} for name, rows in records.items() for row in rows.unreadable
        ],
    }
