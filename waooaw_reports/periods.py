"""Report periods: ISO weeks and calendar months in the configured time zone.

A period's key is the Dagster partition key: the Monday of a week (``2026-11-23``) or the first
day of a month (``2026-11-01``). Ends are exclusive and a period is measured by its real length,
so a week across a daylight-saving change lasts 167 or 169 hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Kind = Literal["weekly", "monthly"]
KINDS: tuple[Kind, ...] = ("weekly", "monthly")
FIRST_PERIOD = dt.date(2024, 1, 1)


class PeriodError(ValueError):
    """A period key or kind that does not name a report period."""


@dataclass(frozen=True)
class Period:
    kind: Kind
    key: str
    start: dt.datetime
    end: dt.datetime
    timezone: str

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    def previous(self) -> Period:
        first = dt.date.fromisoformat(self.key)
        if self.kind == "weekly":
            return period_for(self.kind, (first - dt.timedelta(days=7)).isoformat(), self.timezone)
        last_month = (first - dt.timedelta(days=1)).replace(day=1)
        return period_for(self.kind, last_month.isoformat(), self.timezone)

    def as_json(self) -> dict[str, str]:
        return {
            "key": self.key,
            "start": format_time(self.start, self.timezone),
            "end": format_time(self.end, self.timezone),
            "timezone": self.timezone,
        }


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PeriodError(
            f"Time zone {name!r} is not an IANA zone name; use one such as 'UTC' or "
            "'Europe/Berlin'."
        ) from exc


def format_time(instant: dt.datetime, timezone: str) -> str:
    """``YYYY-MM-DDTHH:MM:SS±HH:MM`` in the report's zone (DESIGN §6)."""
    return instant.astimezone(zone(timezone)).isoformat(timespec="seconds")


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def period_for(kind: str, key: str, timezone: str = "UTC") -> Period:
    """The period of ``kind`` keyed ``key``; refuses keys that are not partition keys."""
    if kind not in KINDS:
        raise PeriodError(f"Report kind {kind!r} is unknown; expected 'weekly' or 'monthly'.")
    tz = zone(timezone)
    form = "a Monday such as 2026-11-23" if kind == "weekly" else "a first day such as 2026-11-01"
    try:
        first = dt.date.fromisoformat(key)
    except (TypeError, ValueError) as exc:
        raise PeriodError(
            f"Period key {key!r} is not a date; a {kind} key is {form} (YYYY-MM-DD)."
        ) from exc
    if kind == "weekly" and first.weekday() != 0:
        raise PeriodError(f"Period key {key!r} is a {first:%A}; a weekly key is {form}.")
    if kind == "monthly" and first.day != 1:
        raise PeriodError(
            f"Period key {key!r} is not the first of a month; a monthly key is {form}."
        )
    if first < FIRST_PERIOD:
        raise PeriodError(f"Period key {key!r} is before the first period, {FIRST_PERIOD}.")
    if kind == "weekly":
        last = first + dt.timedelta(days=7)
    else:
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start = _local_midnight(first, tz).astimezone(dt.UTC)
    end = _local_midnight(last, tz).astimezone(dt.UTC)
    return Period(kind, first.isoformat(), start, end, timezone)


def last_complete(kind: str, now: dt.datetime, timezone: str = "UTC") -> Period:
    """The newest period of ``kind`` that has ended by ``now``."""
    if now.tzinfo is None:
        raise PeriodError("The current time must carry a zone; got a naive datetime.")
    today = now.astimezone(zone(timezone)).date()
    if kind == "weekly":
        this_monday = today - dt.timedelta(days=today.weekday())
        return period_for(kind, (this_monday - dt.timedelta(days=7)).isoformat(), timezone)
    this_first = today.replace(day=1)
    return period_for(
        kind, (this_first - dt.timedelta(days=1)).replace(day=1).isoformat(), timezone
    )
