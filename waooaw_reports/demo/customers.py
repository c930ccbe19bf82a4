"""The demo's customers: trials, subscriptions, support tickets and satisfaction answers.

Customers come from trials that convert and leave at a steady rate. Hired agents follow the
``active_agents`` gauge of the metric history, about 80 % of them active: when the agents in
use outgrow the hired ones, customers upgrade (a new subscription row with more agents), and
when far fewer are in use, some downgrade. So agent utilisation stays believable whatever
the gauge's random walk does; short dips in the gauge show as dips in utilisation.

The last complete month carries one clear anomaly: the LinkedIn degradation of the schedule
brings a burst of high-priority integration tickets, resolved slowly and rated low.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from waooaw_reports.demo.incidents import naive_utc
from waooaw_reports.demo.schedule import DAY, Schedule, Window, stream_rng

if TYPE_CHECKING:
    from waooaw_reports.demo.history import History

log = logging.getLogger(__name__)

Row = dict[str, Any]
HOUR = dt.timedelta(hours=1)

# plan -> (fewest, most) agents; new customers take them in these shares.
PLANS = {"starter": (1, 2), "growth": (3, 7), "scale": (8, 16)}
PLAN_SHARES = (0.5, 0.35, 0.15)
UTILISATION = 0.80
TRIAL_DAYS = 14
TRIALS_PER_DAY = 3.4
CONVERSION = 0.36
CHURN_PER_DAY = 0.0009

TICKETS_PER_CUSTOMER_DAY = 0.018
CATEGORIES = {"agents": 0.35, "billing": 0.2, "integrations": 0.2, "account": 0.15, "other": 0.1}
PRIORITIES = {"urgent": 0.05, "high": 0.2, "normal": 0.5, "low": 0.25}
# priority -> median hours to resolve
RESOLVE_HOURS = {"urgent": 3.0, "high": 10.0, "normal": 30.0, "low": 72.0}
BURST_TICKETS = 42
CSAT_ANSWER_SHARE = 0.55
# Scores 1..5: usually about 4.5; for the burst's tickets about 3.2.
USUAL_SCORES = (0.01, 0.03, 0.06, 0.22, 0.68)
BURST_SCORES = (0.12, 0.18, 0.25, 0.25, 0.20)


def _customer_id(number: int) -> str:
    """An opaque customer id, stable for a number."""
    return "cus_" + hashlib.sha256(f"customer-{number}".encode()).hexdigest()[:10]


def plan_for(agents: int) -> str:
    return next(plan for plan, (_, most) in PLANS.items() if agents <= most or plan == "scale")


def _agents(rng: np.random.Generator) -> int:
    fewest, most = PLANS[str(rng.choice(list(PLANS), p=PLAN_SHARES))]
    return int(rng.integers(fewest, most + 1))


def _weekday_factor(day: dt.datetime, weekend: float) -> float:
    return weekend if day.weekday() >= 5 else 1.0


def daily_means(times: npt.NDArray[np.int64], values: npt.NDArray[Any], schedule: Schedule) -> Any:
    """The mean of a gauge over each UTC day of the history."""
    days = ((times - int(schedule.start.timestamp())) // 86_400).astype(np.int64)
    count = (schedule.end - schedule.start).days
    sums = np.bincount(days, weights=values.astype(np.float64), minlength=count)[:count]
    counts = np.bincount(days, minlength=count)[:count]
    return sums / np.maximum(counts, 1)


def active_agent_levels(history: History) -> Any:
    """The daily means of the history's ``active_agents`` gauge."""
    family = next(f for f in history.families if f.name == "active_agents")
    (series,) = family.series
    return daily_means(series.timestamps, series.values, history.schedule)


def _trials(rng: np.random.Generator, schedule: Schedule) -> list[Row]:
    """Trials started from two weeks before the history on, so early weeks see trials end."""
    rows: list[Row] = []
    day = schedule.start - TRIAL_DAYS * DAY
    while day < schedule.end - DAY:
        growth = 1.0 + 0.002 * (day - schedule.start).days
        for _ in range(int(rng.poisson(TRIALS_PER_DAY * growth * _weekday_factor(day, 0.6)))):
            started = day + dt.timedelta(seconds=int(rng.integers(0, 86_400)))
            converted = None
            if rng.random() < CONVERSION:
                converted = started + dt.timedelta(hours=float(rng.uniform(3 * 24, 15 * 24)))
                converted = converted if converted < schedule.end else None
            rows.append(
                {
                    "id": f"TRL-{len(rows) + 1:05d}",
                    "customer_id": _customer_id(len(rows) + 1),
                    "started_at": started,
                    "ends_at": started + TRIAL_DAYS * DAY,
                    "converted_at": converted,
                }
            )
        day += DAY
    return rows


@dataclass
class _Holding:
    customer_id: str
    agents: int
    row: Row


class _Book:
    """The subscriptions held now, and every row written so far."""

    def __init__(self) -> None:
        self.held: dict[str, _Holding] = {}
        self.rows: list[Row] = []

    @property
    def hired(self) -> int:
        return sum(holding.agents for holding in self.held.values())

    def start(self, customer_id: str, agents: int, at: dt.datetime) -> None:
        row = {
            "customer_id": customer_id,
            "plan": plan_for(agents),
            "agents": agents,
            "started_at": at,
            "cancelled_at": None,
        }
        self.rows.append(row)
        self.held[customer_id] = _Holding(customer_id, agents, row)

    def cancel(self, customer_id: str, at: dt.datetime) -> None:
        self.held.pop(customer_id).row["cancelled_at"] = at

    def change(self, customer_id: str, agents: int, at: dt.datetime) -> None:
        """A plan change: the old row ends when the new one starts."""
        self.cancel(customer_id, at)
        self.start(customer_id, agents, at)


def _follow_target(rng: np.random.Generator, book: _Book, target: float, day: dt.datetime) -> None:
    """Upgrades while far fewer agents are hired than the gauge needs; downgrades while far
    more; at most ten changes a day, as customers take their time."""
    for _ in range(10):
        hired = book.hired
        if 0.97 * target <= hired <= 1.04 * target:
            return
        growing = hired < target
        candidates = sorted(c for c, h in book.held.items() if growing or h.agents >= 2)
        if not candidates:
            return
        customer = str(rng.choice(candidates))
        step = int(rng.integers(1, 4)) if growing else -1
        at = day + dt.timedelta(hours=float(rng.uniform(8, 18)))
        book.change(customer, book.held[customer].agents + step, at)


def _subscriptions(
    rng: np.random.Generator, schedule: Schedule, trials: list[Row], active_agents: Any
) -> list[Row]:
    levels = np.convolve(np.pad(active_agents, (6, 0), mode="edge"), np.ones(7) / 7, "valid")
    targets = levels / UTILISATION
    book = _Book()
    converted = sorted(
        (t for t in trials if t["converted_at"] is not None), key=lambda t: t["converted_at"]
    )
    # Customers from before the history, then those converted in the two weeks before it.
    number = 100_000
    while book.hired < targets[0] * 0.9:
        number += 1
        since = schedule.start - dt.timedelta(days=float(rng.uniform(5, 500)))
        book.start(_customer_id(number), _agents(rng), since.replace(microsecond=0))
    queue = [t for t in converted if t["converted_at"] >= schedule.start]
    for trial in (t for t in converted if t["converted_at"] < schedule.start):
        book.start(trial["customer_id"], _agents(rng), trial["converted_at"])

    for index, target in enumerate(targets):
        day = schedule.start + index * DAY
        for customer in sorted(book.held):
            if rng.random() < CHURN_PER_DAY:
                book.cancel(customer, day + dt.timedelta(seconds=int(rng.integers(0, 86_400))))
        while queue and queue[0]["converted_at"] < day + DAY:
            trial = queue.pop(0)
            book.start(trial["customer_id"], _agents(rng), trial["converted_at"])
        _follow_target(rng, book, float(target), day)
    return book.rows


def _served(subscriptions: list[Row], day: dt.datetime) -> int:
    return len(
        {
            row["customer_id"]
            for row in subscriptions
            if row["started_at"] < day + DAY
            and (row["cancelled_at"] is None or row["cancelled_at"] > day)
        }
    )


def _ticket(
    rng: np.random.Generator,
    created: dt.datetime,
    end: dt.datetime,
    category: str,
    priority: str,
    slow: float = 1.0,
) -> Row:
    hours = RESOLVE_HOURS[priority] * slow * float(rng.lognormal(0.0, 0.8))
    resolved: dt.datetime | None = created + dt.timedelta(hours=hours)
    if resolved is not None and resolved >= end:
        resolved = None
    if resolved is None:
        status = "pending" if rng.random() < 0.3 else "open"
    else:
        status = "closed" if end - resolved > 3 * DAY else "resolved"
    return {
        "created_at": created.replace(microsecond=0),
        "priority": priority,
        "category": category,
        "status": status,
        "resolved_at": None if resolved is None else resolved.replace(microsecond=0),
    }


def _burst_window(schedule: Schedule) -> Window:
    """The LinkedIn degradation and the day and a half after it, when customers write in."""
    linkedin = next(d for d in schedule.degradations if d.platform == "linkedin")
    return Window(linkedin.window.start, linkedin.window.end + dt.timedelta(hours=36))


def _tickets(
    rng: np.random.Generator, schedule: Schedule, subscriptions: list[Row]
) -> tuple[list[Row], set[int]]:
    """Everyday tickets, then the burst; returns the rows and the burst's row numbers."""
    rows: list[Row] = []
    day = schedule.start
    while day < schedule.end:
        expected = _served(subscriptions, day) * TICKETS_PER_CUSTOMER_DAY
        for _ in range(int(rng.poisson(expected * _weekday_factor(day, 0.4)))):
            hour = float(np.clip(rng.normal(13.0, 3.5), 0.0, 23.99))
            category = str(rng.choice(list(CATEGORIES), p=list(CATEGORIES.values())))
            priority = str(rng.choice(list(PRIORITIES), p=list(PRIORITIES.values())))
            rows.append(_ticket(rng, day + hour * HOUR, schedule.end, category, priority))
        day += DAY

    burst = _burst_window(schedule)
    span = (burst.end - burst.start).total_seconds()
    first = len(rows)
    for _ in range(BURST_TICKETS):
        # Most customers write in while LinkedIn posts fail, fewer the day after.
        created = burst.start + dt.timedelta(seconds=span * float(rng.beta(1.2, 3.0)))
        priority = "urgent" if rng.random() < 0.3 else "high"
        rows.append(_ticket(rng, created, schedule.end, "integrations", priority, slow=2.0))
    burst_rows = set(range(first, len(rows)))

    order = sorted(range(len(rows)), key=lambda i: rows[i]["created_at"])
    numbered = []
    for number, index in enumerate(order, start=1):
        numbered.append({"id": f"TCK-{number:05d}", **rows[index]})
    return numbered, {order.index(i) for i in burst_rows}


def _answers(
    rng: np.random.Generator, schedule: Schedule, tickets: list[Row], burst: set[int]
) -> list[Row]:
    """About half the resolved tickets get an answer within a day or so of resolution."""
    answers: list[tuple[dt.datetime, int]] = []
    for index, ticket in enumerate(tickets):
        if ticket["resolved_at"] is None or rng.random() >= CSAT_ANSWER_SHARE:
            continue
        submitted = ticket["resolved_at"] + dt.timedelta(hours=float(rng.uniform(1, 30)))
        if submitted < schedule.end:
            weights = BURST_SCORES if index in burst else USUAL_SCORES
            answers.append((submitted, int(rng.choice((1, 2, 3, 4, 5), p=weights))))
    answers.sort()
    # The survey tool once stored an unanswered survey as 0: left out of every figure.
    month = schedule.last_month
    broken = next((i for i, (at, _) in enumerate(answers) if at >= month.start), None)
    if broken is not None:
        answers[broken] = (answers[broken][0], 0)
    return [
        {"id": f"CSAT-{number:05d}", "submitted_at": at.replace(microsecond=0), "score": score}
        for number, (at, score) in enumerate(answers, start=1)
    ]


def customer_rows(schedule: Schedule, active_agents: Any) -> dict[str, list[Row]]:
    """Rows of trials, subscriptions, support_tickets and csat_responses, times naive UTC.

    ``active_agents`` holds the mean of the gauge over each day of the history.
    """
    rng = stream_rng(schedule.end, "customers")
    trials = _trials(rng, schedule)
    subscriptions = _subscriptions(rng, schedule, trials, active_agents)
    tickets, burst = _tickets(rng, schedule, subscriptions)
    answers = _answers(rng, schedule, tickets, burst)
    tables = {
        "trials": trials,
        "subscriptions": subscriptions,
        "support_tickets": tickets,
        "csat_responses": answers,
    }
    return {name: [_naive(row) for row in rows] for name, rows in tables.items()}


def _naive(row: Row) -> Row:
    return {k: naive_utc(v) if isinstance(v, dt.datetime) else v for k, v in row.items()}
