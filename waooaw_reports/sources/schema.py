"""The platform tables the reports read (DESIGN §3.2).

The platform owns these tables; the definitions here let the source select them portably and let
the demo and the tests create them. Timestamps are stored without a zone and mean UTC.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

incidents = Table(
    "incidents",
    metadata,
    Column("id", String, primary_key=True),
    Column("title", Text, nullable=False),
    Column("severity", String, nullable=False),
    Column("service", String, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("detected_at", DateTime, nullable=False),
    Column("acknowledged_at", DateTime),
    Column("mitigated_at", DateTime),
    Column("resolved_at", DateTime),
    Column("postmortem_completed_at", DateTime),
    Column("postmortem_url", Text),
)

action_items = Table(
    "action_items",
    metadata,
    Column("id", String, primary_key=True),
    Column("incident_id", String),
    Column("title", Text, nullable=False),
    Column("owner", String, nullable=False),
    Column("due_date", Date),
    Column("status", String, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
)

# Business data the catalog's SQL metrics read: trial conversion and customer satisfaction.
trials = Table(
    "trials",
    metadata,
    Column("id", String, primary_key=True),
    Column("customer_id", String, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
    Column("converted_at", DateTime),
)

csat_responses = Table(
    "csat_responses",
    metadata,
    Column("id", String, primary_key=True),
    Column("submitted_at", DateTime, nullable=False),
    Column("score", Integer, nullable=False),  # 1 to 5
)
