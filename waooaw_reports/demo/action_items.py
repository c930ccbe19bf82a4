"""A dozen action items: post-mortem follow-ups and review items, done, open and overdue."""

from __future__ import annotations

import datetime as dt
from itertools import cycle
from typing import Any

import numpy as np

from waooaw_reports.demo.incidents import naive_utc
from waooaw_reports.demo.schedule import PROBED_CLIENT, Schedule, stream_rng

Row = dict[str, Any]

OWNERS = ("priya.sharma", "marco.rossi", "lena.fischer", "sam.okafor", "ops-oncall")
FOLLOW_UPS = {
    "api-gateway": (
        "Alert on primary pool saturation above 85 %",
        "Warm the response cache after gateway deploys",
        "Raise gateway replicas for the 15:00 UTC peak",
    ),
    "agent-runtime": (
        "Restart stuck agent workers automatically",
        "Add retry with jitter to agent job submission",
    ),
    "auth-service": (
        "Rate-limit logins per client IP",
        "Add a second token-cache node",
    ),
}
REVIEW_ITEMS = (
    "Plan the database volume expansion (capacity review)",
    "Rotate LinkedIn app credentials before they expire",
    "Speed up select_pending_approvals (slow-query review)",
    f"Investigate 401 bursts from API key {PROBED_CLIENT}",
)
# The state each item ends up in at the end of the history, in order.
STATES = (
    "done", "overdue", "open", "done", "overdue", "open",
    "done", "open", "overdue", "done", "open", "open",
)  # fmt: skip


def _dates(
    state: str, created: dt.datetime, end: dt.datetime, rng: np.random.Generator
) -> tuple[str, dt.date, dt.datetime | None]:
    """Status, due date and closing time that put an item created at ``created`` in ``state``."""
    days_left = (end.date() - created.date()).days
    if state == "done":
        closed = created + (end - created) * float(rng.uniform(0.2, 0.8))
        return "done", created.date() + dt.timedelta(days=14), closed.replace(microsecond=0)
    if state == "overdue" and days_left >= 2:
        due = created.date() + dt.timedelta(days=int(rng.integers(1, min(days_left, 15))))
        return "open", due, None
    due = max(created.date() + dt.timedelta(days=14), end.date() + dt.timedelta(days=3))
    return "open", due + dt.timedelta(days=int(rng.integers(0, 18))), None


def action_item_rows(schedule: Schedule, incidents: list[Row]) -> list[Row]:
    """Two follow-ups for each of the four latest post-mortems, then four review items."""
    rng = stream_rng(schedule.end, "action-items")
    end = schedule.end
    reviewed = [row for row in incidents if row["postmortem_completed_at"] is not None][-4:]
    sources: list[tuple[str | None, str, dt.datetime]] = []
    for row in reviewed:
        created = row["postmortem_completed_at"].replace(tzinfo=dt.UTC)
        titles = cycle(FOLLOW_UPS[row["service"]])
        sources += [(row["id"], next(titles), created), (row["id"], next(titles), created)]
    # Review items come from the Monday reviews; the 401 burst's from the morning after it.
    review = schedule.last_week.end + dt.timedelta(hours=10)
    created_at = [review - dt.timedelta(days=days) for days in (28, 21, 14)]
    created_at.append(schedule.key_probe.end + dt.timedelta(hours=3))
    sources += [
        (None, title, created) for title, created in zip(REVIEW_ITEMS, created_at, strict=True)
    ]

    owners = cycle(OWNERS)
    rows = []
    for number, ((incident_id, title, created), state) in enumerate(
        zip(sources, STATES, strict=False), start=1
    ):
        status, due, closed = _dates(state, created, end, rng)
        rows.append(
            {
                "id": f"AI-{number:03d}",
                "incident_id": incident_id,
                "title": title,
                "owner": next(owners),
                "due_date": due,
                "status": status,
                "created_at": naive_utc(created),
                "closed_at": naive_utc(closed),
            }
        )
    return rows
