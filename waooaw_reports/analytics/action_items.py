"""Action items from reviews and incidents: open, overdue, done in the period, by owner."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from waooaw_reports.periods import Period, format_time


def review_action_items(
    rows: list[dict[str, Any]], period: Period, as_of: dt.datetime
) -> dict[str, Any]:
    """State of the action items as of ``as_of``; a closure after ``as_of`` has not happened.

    Overdue means open with a due date before the as-of day in the report's zone.
    """
    local_today = dt.datetime.fromisoformat(format_time(as_of, period.timezone)).date()
    items = []
    for row in rows:
        if row["created_at"] is not None and row["created_at"] > as_of:
            continue
        closed = row["closed_at"] if row["closed_at"] and row["closed_at"] <= as_of else None
        done = closed is not None or (row["status"] == "done" and row["closed_at"] is None)
        due = row["due_date"]
        items.append(
            {
                "id": str(row["id"]),
                "incident_id": row["incident_id"],
                "title": row["title"],
                "owner": row["owner"],
                "due_date": due.isoformat() if due else None,
                "status": "done" if done else "open",
                "overdue": not done and due is not None and due < local_today,
                "closed_at": format_time(closed, period.timezone) if closed else None,
                "done_in_period": closed is not None and period.start <= closed < period.end,
            }
        )
    items.sort(key=lambda item: (item["status"], item["due_date"] or "9999", item["id"]))
    open_items = [item for item in items if item["status"] == "open"]
    return {
        "open": len(open_items),
        "overdue": sum(item["overdue"] for item in items),
        "done_in_period": sum(item["done_in_period"] for item in items),
        "open_by_owner": dict(sorted(Counter(item["owner"] for item in open_items).items())),
        "items": [item for item in items if item["status"] == "open" or item["done_in_period"]],
    }
