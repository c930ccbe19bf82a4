"""Action items from reviews and incidents: open, overdue, done in the period, by owner."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from waooaw_reports.periods import Period, format_time

UNASSIGNED = "(no owner)"


def _closed_by(row: dict[str, Any], as_of: dt.datetime) -> tuple[bool, dt.datetime | None]:
    """Whether the item was done at ``as_of``, and when it was closed if that is known.

    The status is the current one: an item marked done whose closing time is after the as-of
    instant was still open then; an item marked open is open, whatever stale closing time it
    still carries (it was reopened). A done item without a closing time is done, at an
    unknown time, so it is never counted as done in a period.
    """
    status = str(row.get("status") or "").strip().lower()
    closed = row.get("closed_at")
    if status != "done":
        return False, None
    if closed is None:
        return True, None
    return (True, closed) if closed <= as_of else (False, None)


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
        done, closed = _closed_by(row, as_of)
        due = row["due_date"]
        items.append(
            {
                "id": str(row["id"]),
                "incident_id": row["incident_id"],
                "title": row["title"],
                "owner": str(row["owner"]).strip() if row["owner"] else UNASSIGNED,
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
        "by_owner": _by_owner(items),
        "items": [item for item in items if item["status"] == "open" or item["done_in_period"]],
    }


def _by_owner(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open, overdue and done-in-the-period counts per owner; owners with none left out."""
    owners: dict[str, dict[str, Any]] = {}
    for item in items:
        counts = owners.setdefault(
            item["owner"],
            {"owner": item["owner"], "open": 0, "overdue": 0, "done_in_period": 0},
        )
        counts["open"] += item["status"] == "open"
        counts["overdue"] += item["overdue"]
        counts["done_in_period"] += item["done_in_period"]
    chosen = [c for c in owners.values() if c["open"] or c["done_in_period"]]
    return sorted(chosen, key=lambda c: (-c["overdue"], -c["open"], c["owner"]))
