"""The demo's business records: trials and customer satisfaction answers.

Drawn from the same end date as the metric history, so the same end gives the same rows.
Trials start every day, more on weekdays, and last 14 days; about a third convert, some days
before the trial ends or just after, and the trials ending in the last complete month convert
worse, so the monthly audit has something to say. CSAT answers arrive every day, scored 1 to 5
around the playbook's 4.5; answers given in the two days after a P0 or P1 outage are worse.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import Engine

from waooaw_reports.demo.incidents import naive_utc
from waooaw_reports.demo.schedule import DAY, Schedule, stream_rng
from waooaw_reports.sources.schema import csat_responses, metadata, trials

Row = dict[str, Any]

TRIAL_DAYS = 14
TRIALS_PER_DAY = {"weekday": 3.2, "weekend": 1.4}
CONVERSION = {"usual": 0.34, "last_month": 0.22}
ANSWERS_PER_DAY = {"weekday": 9.0, "weekend": 3.5}
# Chance of each score, 1 to 5: a mean of 4.50 usually, 4.12 just after a major outage.
SCORES = {"usual": (0.01, 0.02, 0.07, 0.26, 0.64), "after_outage": (0.04, 0.06, 0.12, 0.30, 0.48)}
AFTER_OUTAGE = dt.timedelta(days=2)


def _days(schedule: Schedule) -> list[dt.datetime]:
    count = (schedule.end - schedule.start) // DAY
    return [schedule.start + number * DAY for number in range(count)]


def _per_day(day: dt.datetime, rates: dict[str, float]) -> float:
    return rates["weekend"] if day.weekday() >= 5 else rates["weekday"]


def _offset(rng: np.random.Generator, low_hours: float, high_hours: float) -> dt.timedelta:
    return dt.timedelta(seconds=int(rng.uniform(low_hours * 3600, high_hours * 3600)))


def trial_rows(schedule: Schedule) -> list[Row]:
    """Trials started over the history; a conversion after the history's end is not known."""
    rng = stream_rng(schedule.end, "trials")
    month = schedule.last_month
    rows: list[Row] = []
    for day in _days(schedule):
        for _ in range(int(rng.poisson(_per_day(day, TRIALS_PER_DAY)))):
            started = day + _offset(rng, 7, 22)
            ends = started + TRIAL_DAYS * DAY
            chance = CONVERSION["last_month" if month.start <= ends < month.end else "usual"]
            converted = None
            if rng.random() < chance:
                converted = started + _offset(rng, 2 * 24, (TRIAL_DAYS + 2) * 24)
                if converted >= schedule.end:
                    converted = None
            rows.append(
                {
                    "id": f"TRL-{len(rows) + 1:05d}",
                    "customer_id": f"cus_{int(rng.integers(16**6)):06x}",
                    "started_at": naive_utc(started),
                    "ends_at": naive_utc(ends),
                    "converted_at": naive_utc(converted),
                }
            )
    return rows


def csat_rows(schedule: Schedule) -> list[Row]:
    rng = stream_rng(schedule.end, "csat")
    majors = [o.start for o in schedule.outages if o.severity in ("P0", "P1")]
    rows: list[Row] = []
    for day in _days(schedule):
        for _ in range(int(rng.poisson(_per_day(day, ANSWERS_PER_DAY)))):
            submitted = day + _offset(rng, 0, 24)
            shaken = any(start <= submitted < start + AFTER_OUTAGE for start in majors)
            chances = SCORES["after_outage" if shaken else "usual"]
            rows.append(
                {
                    "id": f"CSAT-{len(rows) + 1:06d}",
                    "submitted_at": naive_utc(submitted),
                    "score": int(rng.choice(5, p=chances)) + 1,
                }
            )
    return rows


def write_business_records(engine: Engine, schedule: Schedule) -> tuple[int, int]:
    """Create and fill the trials and csat_responses tables; returns their row counts."""
    trial_records = trial_rows(schedule)
    answers = csat_rows(schedule)
    metadata.create_all(engine, tables=[trials, csat_responses])
    with engine.begin() as connection:
        connection.execute(trials.insert(), trial_records)
        connection.execute(csat_responses.insert(), answers)
    return len(trial_records), len(answers)
