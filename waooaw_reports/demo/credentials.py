"""The demo's ``credentials`` table: one row per customer and connected platform.

Most credentials were rotated within the last three months and expire well ahead; a few are
overdue for rotation, a few expired or about to. The last complete week carries the story of
the review item "Rotate LinkedIn app credentials before they expire": a batch of LinkedIn
credentials expires within days of the week's end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from waooaw_reports.demo.incidents import naive_utc
from waooaw_reports.demo.schedule import Schedule, stream_rng

Row = dict[str, Any]

# platform -> share of customers who connect it
PLATFORMS = {"instagram": 0.8, "linkedin": 0.6, "delta_exchange": 0.35}
OVERDUE_SHARE = 0.025
NEVER_ROTATED_SHARE = 0.005
EXPIRED_SHARE = 0.012
EXPIRING_SHARE = 0.02
LINKEDIN_BATCH_SHARE = 0.14


def _days(rng: np.random.Generator, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(seconds=round(float(rng.uniform(low, high)) * 86_400))


def _expiry(rng: np.random.Generator, schedule: Schedule, platform: str) -> dt.datetime:
    end, week_end = schedule.end, schedule.last_week.end
    draw = rng.random()
    if platform == "linkedin" and draw < LINKEDIN_BATCH_SHARE:
        return week_end + _days(rng, 2, 6)
    draw = rng.random()
    if draw < EXPIRED_SHARE:
        return end - _days(rng, 1, 30)
    if draw < EXPIRED_SHARE + EXPIRING_SHARE:
        return end + _days(rng, 0.1, 7)
    return end + _days(rng, 8, 120)


def _rotation(rng: np.random.Generator, schedule: Schedule) -> dt.datetime | None:
    draw = rng.random()
    if draw < NEVER_ROTATED_SHARE:
        return None
    if draw < NEVER_ROTATED_SHARE + OVERDUE_SHARE:
        return schedule.end - _days(rng, 95, 220)
    return schedule.end - _days(rng, 0.5, 88)


def credential_rows(schedule: Schedule, subscriptions: list[Row]) -> list[Row]:
    """Credentials of the customers who hold a subscription at the end, times naive UTC."""
    rng = stream_rng(schedule.end, "credentials")
    customers = sorted({row["customer_id"] for row in subscriptions if row["cancelled_at"] is None})
    rows = []
    for customer in customers:
        connected = [p for p, share in PLATFORMS.items() if rng.random() < share]
        for platform in connected or ["instagram"]:
            rows.append(
                {
                    "customer_id": customer,
                    "platform": platform,
                    "expires_at": naive_utc(_expiry(rng, schedule, platform)),
                    "last_rotated_at": naive_utc(_rotation(rng, schedule)),
                }
            )
    return rows
