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

# Security and customer health (the security review and the monthly audit's customer health).
# Subscriptions and credentials carry no id of their own: a customer holds one row per plan it
# held, and one credential per platform.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("customer_id", String, nullable=False),
    Column("plan", String, nullable=False),
    # Agents hired under the subscription: the denominator of agent utilisation.
    Column("agents", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("cancelled_at", DateTime),
)

support_tickets = Table(
    "support_tickets",
    metadata,
    Column("id", String, primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("priority", String, nullable=False),
    Column("category", String, nullable=False),
    Column("status", String, nullable=False),
    Column("resolved_at", DateTime),
)

credentials = Table(
    "credentials",
    metadata,
    Column("customer_id", String, nullable=False),
    Column("platform", String, nullable=False),
    Column("expires_at", DateTime),
    Column("last_rotated_at", DateTime),
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
