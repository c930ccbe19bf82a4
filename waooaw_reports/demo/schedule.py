"""The story the demo history tells: outages, a scheduler stall, a restart, attacks, dips.

Everything here is data computed from the history's end alone, so the metrics and the incident
records written from one schedule agree, and the same end always tells the same story. The last
complete week and month before the end get scripted events, so their reports have something to
say: a night outage, a day outage ended by a restart, a heartbeat gap, a burst of failed logins.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

from waooaw_reports.periods import Period, last_complete

HISTORY_DAYS = 214
FINE_DAYS = 35
DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)

SERVICES = ("api-gateway", "agent-runtime", "auth-service")
SERVICE_WEIGHTS = (0.5, 0.3, 0.2)
SEVERITIES = ("P0", "P1", "P2", "P3")
PROBED_CLIENT = "key_7d20e4"

# Severity -> (lowest, highest) 5xx share of the service's requests, and minutes of impact.
SHARE_RANGE = {"P0": (0.45, 0.60), "P1": (0.33, 0.50), "P2": (0.24, 0.40), "P3": (0.20, 0.27)}
MINUTES_RANGE = {"P0": (40, 90), "P1": (25, 75), "P2": (15, 50), "P3": (10, 25)}


def check_end(end: dt.datetime) -> None:
    """Refuse an end that is not an aware UTC midnight."""
    offset = end.utcoffset()
    if offset is None:
        raise ValueError(
            f"The demo history's end {end.isoformat()} has no time zone; pass a UTC midnight "
            "such as datetime(2026, 12, 3, tzinfo=UTC)."
        )
    if offset:
        raise ValueError(
            f"The demo history's end {end.isoformat()} is not in UTC; pass a UTC midnight."
        )
    if end.time() != dt.time(0):
        raise ValueError(
            f"The demo history's end {end.isoformat()} is not a midnight; the history ends at "
            f"00:00 UTC, e.g. {end.date().isoformat()}T00:00:00+00:00."
        )


def stream_rng(end: dt.datetime, stream: str) -> np.random.Generator:
    """A random generator fixed by the end date and a stream name, one stream per concern."""
    return np.random.default_rng([end.date().toordinal(), zlib.crc32(stream.encode())])


def is_night(instant: dt.datetime) -> bool:
    return instant.hour >= 22 or instant.hour < 6


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Outage:
    """A stretch in which one service answers a share of its requests with 5xx."""

    incident_id: str
    service: str
    severity: str
    start: dt.datetime
    duration: dt.timedelta
    error_share: float
    alert_delay: dt.timedelta
    detection_delay: dt.timedelta

    @property
    def end(self) -> dt.datetime:
        return self.start + self.duration

    @property
    def alert_start(self) -> dt.datetime:
        return self.start + self.alert_delay

    @property
    def night(self) -> bool:
        return is_night(self.start)

    @property
    def latency_factor(self) -> float:
        """How much slower the service answers during the outage."""
        return 1.0 + 12.0 * self.error_share


@dataclass(frozen=True)
class Restart:
    """A process restart: the service's counters start again from zero."""

    service: str
    at: dt.datetime


@dataclass(frozen=True)
class Degradation:
    """A third-party platform failing a share of the calls made to it."""

    platform: str
    window: Window
    failure_share: float


@dataclass(frozen=True)
class Schedule:
    start: dt.datetime
    end: dt.datetime
    outages: tuple[Outage, ...]
    heartbeat_gap: Window
    restart: Restart
    login_attack: Window
    key_probe: Window
    degradations: tuple[Degradation, ...]
    agent_dip: dt.date
    open_incident_id: str

    @property
    def fine_start(self) -> dt.datetime:
        """Samples are one minute apart from here on, five minutes before."""
        return self.end - FINE_DAYS * DAY

    @property
    def last_week(self) -> Period:
        return last_complete("weekly", self.end)

    @property
    def last_month(self) -> Period:
        return last_complete("monthly", self.end)


@dataclass
class _Slot:
    start: dt.datetime
    service: str
    severity: str | None = None
    minutes: int | None = None
    share: float | None = None
    late_detection: bool = False


def _at(day: dt.datetime, minutes: int) -> dt.datetime:
    return day + minutes * MINUTE


def _scripted_slots(rng: np.random.Generator, end: dt.datetime, week: Period) -> list[_Slot]:
    night_day = week.start + int(rng.integers(1, 4)) * DAY
    work_day = week.start + int(rng.integers(3, 5)) * DAY
    return [
        # At night: heavy by minutes of downtime, light by requests.
        _Slot(_at(night_day, 60 + int(rng.integers(0, 150))), "api-gateway", "P1", 72, 0.42, True),
        # By day, ended by restarting the service (the counter reset).
        _Slot(_at(work_day, 600 + int(rng.integers(0, 300))), "agent-runtime", "P2", 34, 0.31),
        # The day before the end: still an open incident.
        _Slot(_at(end - DAY, 540 + int(rng.integers(0, 240))), "auth-service", "P2", 26, 0.26),
    ]


def _free(slots: list[_Slot], start: dt.datetime) -> bool:
    return all(abs(slot.start - start) > dt.timedelta(hours=4) for slot in slots)


def _random_slots(
    rng: np.random.Generator, start: dt.datetime, end: dt.datetime, week: Period, taken: list[_Slot]
) -> list[_Slot]:
    slots: list[_Slot] = []
    monday = start - start.weekday() * DAY
    while monday < end:
        lo = max(monday, start + dt.timedelta(hours=6))
        hi = min(monday + 7 * DAY, end - 2 * DAY) - dt.timedelta(hours=2)
        if monday != week.start and hi - lo >= DAY:
            span = int((hi - lo) / MINUTE)
            for _ in range(1 + int(rng.random() < 0.4)):
                for _attempt in range(20):
                    candidate = _at(lo, int(rng.integers(0, span)))
                    if _free(taken + slots, candidate):
                        service = str(rng.choice(SERVICES, p=SERVICE_WEIGHTS))
                        slots.append(_Slot(candidate, service, late_detection=rng.random() < 0.25))
                        break
        monday += 7 * DAY
    return slots


def _assign_severities(rng: np.random.Generator, slots: list[_Slot]) -> None:
    by_month: dict[tuple[int, int], list[_Slot]] = {}
    for slot in slots:
        by_month.setdefault((slot.start.year, slot.start.month), []).append(slot)
    for month_slots in by_month.values():
        if len(month_slots) >= 2:
            major = month_slots[int(rng.integers(0, len(month_slots)))]
            major.severity, major.service = "P0", "api-gateway"
    for slot in slots:
        if slot.severity is None:
            slot.severity = str(rng.choice(SEVERITIES[1:], p=(0.2, 0.45, 0.35)))
        lowest, highest = SHARE_RANGE[slot.severity]
        shortest, longest = MINUTES_RANGE[slot.severity]
        slot.share = round(float(rng.uniform(lowest, highest)), 3)
        slot.minutes = int(rng.integers(shortest, longest + 1))


def _outage(rng: np.random.Generator, number: int, slot: _Slot) -> Outage:
    assert slot.severity is not None and slot.minutes is not None and slot.share is not None
    alert_delay = int(rng.integers(2, 5)) * MINUTE
    # A late detection (a muted page, a customer's ticket) still falls inside the impact.
    late = int(rng.integers(6, 21)) * MINUTE if slot.late_detection else dt.timedelta(0)
    late = max(min(late, (slot.minutes - 2) * MINUTE - alert_delay), dt.timedelta(0))
    return Outage(
        incident_id=f"INC-{number:04d}",
        service=slot.service,
        severity=slot.severity,
        start=slot.start,
        duration=slot.minutes * MINUTE,
        error_share=slot.share,
        alert_delay=alert_delay,
        detection_delay=alert_delay + late,
    )


def build_schedule(end: dt.datetime) -> Schedule:
    """The schedule of the history that ends (exclusive) at the UTC midnight ``end``."""
    check_end(end)
    end = end.astimezone(dt.UTC)
    start = end - HISTORY_DAYS * DAY
    rng = stream_rng(end, "schedule")
    week, month = last_complete("weekly", end), last_complete("monthly", end)

    scripted = _scripted_slots(rng, end, week)
    random_slots = _random_slots(rng, start, end, week, scripted)
    _assign_severities(rng, random_slots)
    slots = sorted(scripted + random_slots, key=lambda slot: slot.start)
    outages = tuple(_outage(rng, 4100 + number, slot) for number, slot in enumerate(slots))

    restarted = next(o for o in outages if o.start == scripted[1].start)
    gap_start = week.start + int(rng.integers(0, 7)) * DAY + int(rng.integers(360, 1200)) * MINUTE
    gap_start += dt.timedelta(seconds=int(rng.integers(0, 60)))
    attack_start = _at(week.start + 4 * DAY, 21 * 60 + int(rng.integers(0, 60)))
    probe_start = _at(week.start + 6 * DAY, 3 * 60 + int(rng.integers(0, 60)))
    linkedin_start = _at(month.start + int(rng.integers(2, 20)) * DAY, 13 * 60)
    delta_start = _at(week.start + 6 * DAY, 6 * 60)
    month_majors = [o for o in outages if o.severity == "P0" and month.start <= o.start < month.end]
    dip = (month_majors[0].start + DAY).date() if month_majors else (month.start + 10 * DAY).date()

    return Schedule(
        start=start,
        end=end,
        outages=outages,
        heartbeat_gap=Window(gap_start, gap_start + dt.timedelta(minutes=12, seconds=20)),
        restart=Restart(restarted.service, restarted.end),
        login_attack=Window(attack_start, attack_start + dt.timedelta(minutes=60)),
        key_probe=Window(probe_start, probe_start + dt.timedelta(minutes=120)),
        degradations=(
            Degradation("linkedin", Window(linkedin_start, linkedin_start + 6 * 60 * MINUTE), 0.14),
            Degradation("delta_exchange", Window(delta_start, delta_start + 120 * MINUTE), 0.6),
        ),
        agent_dip=dip,
        open_incident_id=next(o.incident_id for o in outages if o.start == scripted[2].start),
    )
