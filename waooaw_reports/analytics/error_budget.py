"""Error budget over time: the month's burn-down, the runway and the SLO review (DESIGN §5).

Pure functions over counts; the instants they describe are passed in.

- **Burn-down.** The month's budget is (1 − objective) × the month's events, known at the audit.
  At each day end the budget remaining is 1 − bad events so far / that budget, so the line
  starts at 1, only falls, and ends at the month's ``error_budget_remaining``. The ideal line
  spends the budget evenly over the month's real length: 1 − elapsed / length.
- **Runway** (SRE workbook, "Alerting on SLOs": a burn rate of 1 spends a window's budget in
  exactly that window): days = budget remaining over the rolling 28 days × 28 days / burn rate
  of the last 7 days. Null when the budget is not being spent, 0 when it is already spent.
- **Review.** An SLO met with over 90 % of its budget left three months running is looser than
  the service; one missed in two of three months is tighter than the service delivers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, Literal

log = logging.getLogger(__name__)

DAY_SECONDS = 86_400
LOOSE_BUDGET_LEFT = 0.9
REVIEW_MONTHS = 3

RunwayState = Literal["running", "spent", "not_being_spent", "no_data"]
ReviewReason = Literal["met_with_budget_left", "missed_twice_in_three"]


def burn_down(
    name: str,
    objective: float,
    period_total: float | None,
    period_start: dt.datetime,
    period_end: dt.datetime,
    points: Sequence[tuple[dt.datetime, float | None, float | None]],
) -> list[dict[str, Any]] | None:
    """Budget remaining at the period start and at each (day end, good so far, total so far).

    None when the period has no events: there is no budget to burn down (case C04).
    """
    if not period_total:
        return None
    budget = (1 - objective) * period_total
    length = (period_end - period_start).total_seconds()
    line = [_point(period_start, 0.0, 0.0, 0.0, budget, 1.0)]
    for at, good, total in points:
        ideal = 1 - (at - period_start).total_seconds() / length
        if total is None or total == 0:
            line.append(_point(at, good, total, 0.0, budget, ideal))  # nothing happened yet
        elif good is None:
            line.append(_point(at, None, total, None, budget, ideal))  # good series missing
        else:
            if good > total:
                log.warning(
                    "SLO %s: good %s above total %s at %s; no bad events", name, good, total, at
                )
            line.append(_point(at, good, total, max(total - good, 0.0), budget, ideal))
    return line


def _point(
    at: dt.datetime,
    good: float | None,
    total: float | None,
    bad: float | None,
    budget: float,
    ideal: float,
) -> dict[str, Any]:
    sli = None if not total or good is None else min(good / total, 1.0)
    return {
        "at": at,
        "good": good,
        "total": total,
        "sli_to_date": sli,
        "error_budget_remaining": None if bad is None else 1 - bad / budget,
        "ideal": ideal,
    }


def runway(
    remaining_rolling: float | None,
    rolling_days: float,
    burn_rate_recent: float | None,
    period_end: dt.datetime,
) -> dict[str, Any]:
    """Days until the rolling window's budget is spent at the recent burn rate, and when."""
    if remaining_rolling is None or burn_rate_recent is None:
        return {"days": None, "runs_out_at": None, "state": "no_data"}
    if remaining_rolling <= 0:
        return {"days": 0.0, "runs_out_at": None, "state": "spent"}
    if burn_rate_recent <= 0:
        return {"days": None, "runs_out_at": None, "state": "not_being_spent"}
    days = remaining_rolling * rolling_days / burn_rate_recent
    return {
        "days": days,
        "runs_out_at": period_end + dt.timedelta(days=days),
        "state": "running",
    }


def review(months: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The review flag over the last three months (oldest first, the audited month last).

    Each month holds ``status`` and ``error_budget_remaining``. Months without data count
    neither as met nor as missed; three months running need all three measured.
    """
    recent = list(months)[-REVIEW_MONTHS:]
    missed = sum(month["status"] == "breached" for month in recent)
    loose = len(recent) == REVIEW_MONTHS and all(
        month["status"] == "met"
        and month["error_budget_remaining"] is not None
        and month["error_budget_remaining"] > LOOSE_BUDGET_LEFT
        for month in recent
    )
    reason: ReviewReason | None = None
    if missed >= 2:
        reason = "missed_twice_in_three"
    elif loose:
        reason = "met_with_budget_left"
    return {"flagged": reason is not None, "reason": reason, "months_missed": missed}
