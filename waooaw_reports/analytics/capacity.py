"""Capacity projection: a least-squares line through daily values (DESIGN §5).

Each daily value describes its whole day and sits at the day's end, so the last day of the
period sits at the period end and "days until" counts from there (case C15: 100, 102, …, 112
against 200 is full in 44 days). The line, its 95 % prediction band and the slope's test all
come from statsmodels' OLS.

"Days until" a threshold is where the fitted line reaches it. Its interval is where the 95 %
prediction band, the band drawn on the chart, reaches it: the upper edge gives the earliest
day, the lower edge the latest (null when the lower edge never gets there). The crossings are
found with scipy's root finder on statsmodels' band.

Verdicts are decided in this order, the first that applies wins:

1. ``insufficient_data``: fewer than seven daily values once missing ones are dropped (C08);
2. ``already_above``: the last value is at or above the target (80 % of the limit), whatever
   the trend, because that needs attention now;
3. ``not_growing``: the slope is zero (within rounding of the level) or negative;
4. ``no_significant_trend``: the slope is not distinguishable from zero at 95 %;
5. ``ok`` / ``watch`` / ``act_now``: the fitted line reaches the target more than 90, 30 to 90,
   or under 30 days after the period end. Without a limit there is no target to reach: ``ok``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm
from scipy.optimize import brentq

from waooaw_reports.periods import zone

MIN_POINTS = 7
ALPHA = 0.05
TARGET_SHARE = 0.8
ALERT_SHARE = 0.9
HORIZONS = (30, 90)
# Days after the period end at which the chart band is drawn; includes both horizons.
BAND_DAYS = tuple(range(10, 91, 10))
# A slope this small against the level is floating-point noise: 150 seven times fits a slope
# near 1e-14, which would otherwise put the limit 10^15 days away (C15).
FLAT_SLOPE = 1e-9
UTILISATION_CAP = 1.0
# The band's crossings are sought up to 2^17 days (about 359 years) after the period end;
# a threshold not reached by then is reported as never (null).
SEARCH_DOUBLINGS = 17
# Prometheus' predict_linear is shown beside the fit when the two differ by more than this.
SECOND_OPINION_TOLERANCE = 0.10


def _clean(daily: Sequence[tuple[dt.date, float | None]]) -> list[tuple[dt.date, float]]:
    kept = [(day, float(v)) for day, v in daily if v is not None and math.isfinite(float(v))]
    return sorted(kept)


def _end_offset(last_day: dt.date, period_end: dt.datetime, timezone: str) -> int:
    """Whole days from the end of ``last_day`` to the period end, in the report's zone.

    Period ends are local midnights; the day list carries local dates.
    """
    if period_end.tzinfo is None:
        raise ValueError(f"The period end must carry a zone; got the naive {period_end!r}.")
    local_end = period_end.astimezone(zone(timezone))
    if local_end.time() != dt.time(0):
        raise ValueError(
            f"The period end {period_end.isoformat()} is not a midnight in {timezone}; "
            "pass the zone the report's days are dated in."
        )
    return (local_end.date() - (last_day + dt.timedelta(days=1))).days


class _Fit:
    """An OLS line y = a + b·x, x in days since the first daily value."""

    def __init__(self, points: list[tuple[dt.date, float]], x_end: float) -> None:
        self.first = points[0][0]
        self.x = np.array([(day - self.first).days for day, _ in points], dtype=float)
        self.y = np.array([value for _, value in points], dtype=float)
        self.x_end = x_end
        self.results = sm.OLS(self.y, sm.add_constant(self.x)).fit()
        self.fitted_end = float(self.frame([x_end])["mean"].iloc[0])

    @property
    def slope(self) -> float:
        return float(self.results.params[1])

    def is_flat(self) -> bool:
        level = float(np.mean(np.abs(self.y)))
        return abs(self.slope) <= FLAT_SLOPE * level

    def slope_p_value(self) -> float:
        # A perfect fit has a zero standard error; its slope is exact, so certainly non-zero
        # here (flat lines are caught first), and statsmodels' t-test would divide by zero.
        if float(self.results.bse[1]) == 0.0:
            return 0.0
        return float(self.results.pvalues[1])

    def slope_interval(self) -> tuple[float, float]:
        low, high = self.results.conf_int(alpha=ALPHA)[1]
        return float(low), float(high)

    def frame(self, xs: npt.ArrayLike) -> Any:
        exog = sm.add_constant(np.asarray(xs, dtype=float), has_constant="add")
        return self.results.get_prediction(exog).summary_frame(alpha=ALPHA)


def _cap(value: float, utilisation: bool) -> float:
    """Bound a projected value: nothing measured here goes below zero, and utilisation
    cannot pass 100 % (C15)."""
    floored = max(value, 0.0)
    return min(floored, UTILISATION_CAP) if utilisation else floored


def _projection(fit: _Fit, utilisation: bool) -> dict[str, Any]:
    frame = fit.frame([fit.x_end + days for days in HORIZONS])
    mean = [_cap(float(v), utilisation) for v in frame["mean"]]
    intervals = [
        [_cap(float(low), utilisation), _cap(float(high), utilisation)]
        for low, high in zip(frame["obs_ci_lower"], frame["obs_ci_upper"], strict=True)
    ]
    return {
        "projected_30d": mean[0],
        "projected_90d": mean[1],
        "interval_90d": intervals[1],
        "interval_30d": intervals[0],
    }


def _band(fit: _Fit, utilisation: bool) -> list[dict[str, Any]]:
    xs = [*fit.x.tolist(), *(fit.x_end + days for days in BAND_DAYS)]
    frame = fit.frame(xs)
    return [
        {
            "date": (fit.first + dt.timedelta(days=round(x))).isoformat(),
            "fitted": _cap(float(row["mean"]), utilisation),
            "low": _cap(float(row["obs_ci_lower"]), utilisation),
            "high": _cap(float(row["obs_ci_upper"]), utilisation),
        }
        for x, (_, row) in zip(xs, frame.iterrows(), strict=True)
    ]


def _crossing(fit: _Fit, edge: str, threshold: float) -> float | None:
    """Days after the period end at which the band's ``edge`` first reaches ``threshold``.

    Past the last daily value both edges only rise when the trend is significant, so there is
    one crossing at most; None when it lies beyond 2^``SEARCH_DOUBLINGS`` days.
    """

    def gap(days: float) -> float:
        return float(fit.frame([fit.x_end + days])[edge].iloc[0]) - threshold

    if gap(0.0) >= 0:
        return 0.0
    reach = 2.0 ** np.arange(0, SEARCH_DOUBLINGS + 1)
    gaps = fit.frame(fit.x_end + reach)[edge].to_numpy() - threshold
    reached = np.flatnonzero(gaps >= 0)
    if not len(reached):
        return None
    first = int(reached[0])
    low = 0.0 if first == 0 else float(reach[first - 1])
    return float(brentq(gap, low, float(reach[first]), xtol=1e-9))


def _days_until(
    threshold: float, current: float, fit: _Fit, trend: bool
) -> tuple[float | None, list[float | None] | None]:
    """Days from the period end until the fitted line reaches ``threshold``, and the days at
    which the prediction band's upper and lower edges reach it.

    Zero when the last value or the line is already there; None without a usable trend.
    """
    if max(current, fit.fitted_end) >= threshold:
        return 0.0, [0.0, 0.0]
    if not trend:
        return None, None

    gap = threshold - fit.fitted_end
    earliest = _crossing(fit, "obs_ci_upper", threshold)
    latest = _crossing(fit, "obs_ci_lower", threshold)
    return gap / fit.slope, [earliest, latest]


def _verdict(current: float, target: float | None, fit: _Fit, days_to_target: float | None) -> str:
    if target is not None and current >= target:
        return "already_above"
    if fit.is_flat() or fit.slope < 0:
        return "not_growing"
    if fit.slope_p_value() >= ALPHA:
        return "no_significant_trend"
    if days_to_target is None or days_to_target > 90:
        return "ok"
    return "watch" if days_to_target >= 30 else "act_now"


def second_opinion(
    projected_90d: float | None, predict_linear_90d: float | None, utilisation: bool
) -> dict[str, Any]:
    """Prometheus' own projection beside the fit's, and whether they differ by over 10 %.

    Prometheus' answer is kept as it came; it is compared after the same bounds as the fit
    (nothing below 0, utilisation not above 1), since both then say the same thing. The
    difference is relative to the fit's projection; with a projection of 0 there is none, and
    the two differ unless Prometheus says 0 too.
    """
    difference = differs = None
    if projected_90d is not None and predict_linear_90d is not None:
        bounded = _cap(predict_linear_90d, utilisation)
        if projected_90d != 0:
            difference = (bounded - projected_90d) / projected_90d
            differs = abs(difference) > SECOND_OPINION_TOLERANCE
        else:
            differs = bounded != 0
    return {
        "predict_linear_90d": predict_linear_90d,
        "predict_linear_difference": difference,
        "predict_linear_differs": differs,
    }


def _empty(
    resource: str, current: float | None, limit: float | None, n: int, dropped: int
) -> dict[str, Any]:
    return {
        "resource": resource,
        "current": current,
        "limit": limit,
        "growth_per_day": None,
        "projected_30d": None,
        "projected_90d": None,
        "interval_90d": None,
        "days_until_target": None,
        "days_until_alert": None,
        "days_until_full": None,
        "verdict": "insufficient_data",
        "points": n,
        "dropped_points": dropped,
        "interval_30d": None,
        "growth_per_day_interval": None,
        "slope_p_value": None,
        "days_until_target_interval": None,
        "days_until_alert_interval": None,
        "days_until_full_interval": None,
        "fitted_band": [],
    }


def project_capacity(
    resource: str,
    daily: Sequence[tuple[dt.date, float | None]],
    limit: float | None,
    period_end: dt.datetime,
    utilisation: bool,
    *,
    timezone: str = "UTC",
    predict_linear_90d: float | None = None,
) -> dict[str, Any]:
    """The DESIGN §6 ``capacity`` entry for one resource, plus intervals, the daily history,
    a chart band and Prometheus' second opinion.

    ``daily`` holds one value per date in ``timezone`` (the daily maximum for utilisation),
    missing values as None or NaN; ``period_end`` is a midnight in that zone. ``utilisation``
    marks fractions bounded by 1, whose projections and band are capped at 1. Projections of
    every resource are floored at 0. ``predict_linear_90d`` is Prometheus' own projection over
    the same look-back, when asked.
    """
    if limit is not None and not limit > 0:
        raise ValueError(
            f"Capacity limit of {resource!r} is {limit!r}; expected a positive number."
        )
    points = _clean(daily)
    current = points[-1][1] if points else None
    history = {"history": [{"date": day.isoformat(), "value": value} for day, value in points]}
    if current is None or len(points) < MIN_POINTS:
        empty = _empty(resource, current, limit, len(points), len(daily) - len(points))
        return {**empty, **second_opinion(None, predict_linear_90d, utilisation), **history}

    x_end = (points[-1][0] - points[0][0]).days + _end_offset(points[-1][0], period_end, timezone)
    fit = _Fit(points, x_end)
    growing = not fit.is_flat() and fit.slope > 0
    trend = growing and fit.slope_p_value() < ALPHA
    thresholds = {
        name: None if limit is None else share * limit
        for name, share in (("target", TARGET_SHARE), ("alert", ALERT_SHARE), ("full", 1.0))
    }
    days = {
        name: (None, None) if value is None else _days_until(value, current, fit, trend)
        for name, value in thresholds.items()
    }
    projection = _projection(fit, utilisation)

    return {
        "resource": resource,
        "current": current,
        "limit": limit,
        "growth_per_day": 0.0 if fit.is_flat() else fit.slope,
        **projection,
        "days_until_target": days["target"][0],
        "days_until_alert": days["alert"][0],
        "days_until_full": days["full"][0],
        "verdict": _verdict(current, thresholds["target"], fit, days["target"][0]),
        "points": len(points),
        "dropped_points": len(daily) - len(points),
        "growth_per_day_interval": list(fit.slope_interval()),
        "slope_p_value": fit.slope_p_value() if not fit.is_flat() else None,
        "days_until_target_interval": days["target"][1],
        "days_until_alert_interval": days["alert"][1],
        "days_until_full_interval": days["full"][1],
        "fitted_band": _band(fit, utilisation),
        **second_opinion(projection["projected_90d"], predict_linear_90d, utilisation),
        **history,
    }
