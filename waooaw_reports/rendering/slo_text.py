"""Words for the SLO section: runways, review flags and period labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .formatting import MISSING, NBSP

REVIEW_TEXT = {
    "met_with_budget_left": (
        "Met with over 90\u00a0% of the budget left three months running: "
        "consider a tighter objective."
    ),
    "missed_twice_in_three": (
        "Missed in two of the last three months: review the objective, or the work needed "
        "to meet it."
    ),
}


def runway_text(runway: dict[str, Any]) -> str:
    """ "12.6 days", "Budget spent", "Not at risk" or "n/a"."""
    state = runway["state"]
    if state == "spent":
        return "Budget spent"
    if state == "not_being_spent":
        return "Not at risk"
    if state == "running":
        return f"{runway['days']:,.1f}{NBSP}days"
    return MISSING


def runway_date(runway: dict[str, Any]) -> str:
    """The date the budget runs out, in the report's zone, or an empty string."""
    if runway["runs_out_at"] is None:
        return ""
    return dt.datetime.fromisoformat(runway["runs_out_at"]).strftime("%Y-%m-%d")


def review_text(review: dict[str, Any] | None) -> str:
    if review is None:
        return MISSING
    if review["reason"] is None:
        return "No change suggested."
    return REVIEW_TEXT[review["reason"]]


def period_label(key: str, kind: str) -> str:
    """``2026-10-26`` as "26 Oct" for a week, ``2026-09-01`` as "Sep 2026" for a month."""
    first = dt.date.fromisoformat(key)
    return f"{first:%b %Y}" if kind == "monthly" else f"{first.day}{NBSP}{first:%b}"


SLO_FILTERS: dict[str, Callable[..., str]] = {
    "runway_text": runway_text,
    "runway_date": runway_date,
    "review_text": review_text,
    "period_label": period_label,
}
