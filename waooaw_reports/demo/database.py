"""The demo's platform database: a SQLite file with the incidents and action items tables,
and the business tables the catalog's SQL metrics read."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import create_engine

from waooaw_reports.demo.action_items import action_item_rows
from waooaw_reports.demo.business import write_business_records
from waooaw_reports.demo.incidents import incident_rows
from waooaw_reports.demo.schedule import Schedule
from waooaw_reports.sources.schema import action_items, incidents, metadata

log = logging.getLogger(__name__)


def database_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file, by absolute path."""
    return f"sqlite:///{path.resolve()}"


def write_database(path: Path, schedule: Schedule) -> tuple[int, int]:
    """Create the file afresh; returns the numbers of incident and action item rows."""
    path.unlink(missing_ok=True)
    incident_records = incident_rows(schedule)
    item_records = action_item_rows(schedule, incident_records)

    engine = create_engine(database_url(path))
    try:
        metadata.create_all(engine, tables=[incidents, action_items])
        with engine.begin() as connection:
            connection.execute(incidents.insert(), incident_records)
            connection.execute(action_items.insert(), item_records)
        trials, answers = write_business_records(engine, schedule)
        log.info("Wrote %d trials and %d CSAT answers to %s", trials, answers, path)
    finally:
        engine.dispose()
    return len(incident_records), len(item_records)
