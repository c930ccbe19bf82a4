"""The demo's platform database: a SQLite file with the incidents and action items tables,
and the customers' tables of customer health and the security review."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from waooaw_reports.demo.action_items import action_item_rows
from waooaw_reports.demo.credentials import credential_rows
from waooaw_reports.demo.customers import customer_rows
from waooaw_reports.demo.incidents import incident_rows
from waooaw_reports.demo.schedule import Schedule
from waooaw_reports.sources.schema import action_items, incidents, metadata

log = logging.getLogger(__name__)


def database_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file, by absolute path."""
    return f"sqlite:///{path.resolve()}"


def write_database(path: Path, schedule: Schedule, active_agents: Any) -> tuple[int, int]:
    """Create the file afresh; returns the numbers of incident and action item rows.

    ``active_agents`` holds the daily means of the ``active_agents`` gauge, which the hired
    agents of the subscriptions follow.
    """
    path.unlink(missing_ok=True)
    incident_records = incident_rows(schedule)
    item_records = action_item_rows(schedule, incident_records)
    business = customer_rows(schedule, active_agents)
    business["credentials"] = credential_rows(schedule, business["subscriptions"])

    engine = create_engine(database_url(path))
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(incidents.insert(), incident_records)
            connection.execute(action_items.insert(), item_records)
            for name, rows in business.items():
                connection.execute(metadata.tables[name].insert(), rows)
    finally:
        engine.dispose()
    log.info(
        "Wrote %s to %s",
        ", ".join(f"{len(rows)} {name}" for name, rows in business.items()),
        path,
    )
    return len(incident_records), len(item_records)
