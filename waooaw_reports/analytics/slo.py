"""Error budgets and the met / at risk / breached / no data verdicts (DESIGN §5).

Budget maths follows the SRE workbook, "Implementing SLOs": the error budget is 1 − objective,
the share of it consumed is (1 − SLI) / (1 − objective), and over one whole period the burn rate
equals the share consumed. No traffic is no data, never 0 % or 100 % (case C04).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import Any, Literal

log = logging.getLogger(__name__)

Status = Literal["met", "at_risk", "breached", "no_data"]
Direction = Literal["higher", "lower"]

# Worst first. No data ranks above met: a figure nobody could measure has not met its target.
_SEVERITY_ORDER: tuple[Status, ...] = ("breached", "at_risk", "no_data", "met")


def _check_objective(name: str, objective: float) -> None:
    if not (0 < objective < 1):
        raise ValueError(
            f"SLO {name!r} has objective {objective!r}; an objective must lie strictly between "
            "0 and 1. An objective of 1 (100 %) leaves no error budget, so budget figures would "
            "be infinite: set it below 1 in the catalog, e.g. 0.999."
        )


def _check_count(name: str, label: str, value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    if value < 0:
        raise ValueError(
            f"SLO {name!r} received a negative {label} count ({value!r}); counts of events "
            "cannot be negative, so the query or its data is wrong."
        )
    return value


def _sli_and_bad_share(
    name: str, good: float | None, total: float | None
) -> tuple[float | None, float | None]:
    """SLI and the share of bad events; both None without traffic (case C04)."""
    if good is None or total is None or total == 0:
        return None, None
    if good > total:
        # Good and total read at different instants can cross by a fraction (case C06).
        log.warning("SLO %s: good %s is above total %s; SLI clamped to 1", name, good, total)
        return 1.0, 0.0
    # The bad share comes straight from the counts: 1 − SLI would lose digits near 1.
    return good / total, (total - good) / total


def slo_figures(
    name: str,
    objective: float,
    good: float | None,
    total: float | None,
    downtime_minutes: float | None,
    period_minutes: float,
    time_based: bool,
) -> dict[str, Any]:
    """The DESIGN §6 ``slos`` entry for one SLO over one whole period, without its query.

    ``time_based`` marks availability SLOs, which also carry downtime and the allowed downtime
    (1 − objective) × the period's real length in minutes; other SLOs have both null.
    """
    _check_objective(name, objective)
    good = _check_count(name, "good", good)
    total = _check_count(name, "total", total)
    sli, bad_share = _sli_and_bad_share(name, good, total)

    consumed = None if bad_share is None else bad_share / (1 - objective)
    status: Status = "no_data" if sli is None else "met" if sli >= objective else "breached"
    allowed = (1 - objective) * period_minutes if time_based else None
    return {
        "name": name,
        "objective": objective,
        "good": good,
        "total": total,
        "sli": sli,
        "error_budget_consumed": consumed,
        "error_budget_remaining": None if consumed is None else 1 - consumed,
        "burn_rate": consumed,
        "downtime_minutes": downtime_minutes if time_based else None,
        "allowed_downtime_minutes": allowed,
        "status": status,
    }


def metric_status(
    value: float | None,
    target: float | None,
    alert_threshold: float | None,
    direction: str,
) -> Status:
    """Judge a catalog metric: the playbook's ">" is read as ≥, "breached" is strictly past
    the alert threshold, and a metric without an alert threshold is never breached.

    With neither target nor alert threshold there is nothing to miss, so a value is met.
    """
    if direction not in ("higher", "lower"):
        raise ValueError(
            f"Metric direction {direction!r} is unknown; expected 'higher' or 'lower'."
        )
    if value is None or math.isnan(value):
        return "no_data"

    sign = 1 if direction == "higher" else -1
    # A misconfigured pair (value both meets the target and is past the alert) reads breached.
    if alert_threshold is not None and sign * value < sign * alert_threshold:
        return "breached"
    if target is None or sign * value >= sign * target:
        return "met"
    return "at_risk"


def worst_status(statuses: Iterable[str]) -> Status:
    """The worst of ``statuses``: breached > at_risk > no_data > met.

    An empty collection has nothing measured, so it is ``no_data``.
    """
    seen = set(statuses)
    unknown = seen.difference(_SEVERITY_ORDER)
    if unknown:
        raise ValueError(
            f"Unknown status {sorted(unknown)!r}; expected met, at_risk, breached or no_data."
        )
    if not seen:
        return "no_data"
    return next(status for status in _SEVERITY_ORDER if status in seen)
