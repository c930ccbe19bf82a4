"""Day-over-day change of a daily series: the playbook judges active agents on their largest
fall from one day to the next (DESIGN §5)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def largest_daily_fall(daily: list[tuple[dt.date, float | None]]) -> dict[str, Any]:
    """The largest relative fall between consecutive days, as a fraction of the day before.

    A rise counts as a negative fall, so a series that only grew has a negative largest fall.
    Pairs with a missing day, or a day before at zero, cannot be judged and are skipped; with
    no pair left the fall is None (no data). ``day`` is the day the fall landed on.
    """
    worst: tuple[float, dt.date] | None = None
    for (_, before), (day, value) in zip(daily, daily[1:], strict=False):
        if before is None or value is None or before <= 0:
            continue
        fall = (before - value) / before
        if worst is None or fall > worst[0]:
            worst = (fall, day)
    return {
        "value": None if worst is None else worst[0],
        "day": None if worst is None else worst[1].isoformat(),
        "daily": [[day.isoformat(), value] for day, value in daily],
    }
