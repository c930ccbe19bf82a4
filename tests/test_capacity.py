"""Capacity projection (DESIGN §5, case C15), each expected value worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from scipy.stats import t as scipy_t

from waooaw_reports.analytics.capacity import project_capacity, second_opinion

# The week keyed 2026-11-23 in UTC ends Monday 2026-11-30 00:00; its last day is Sunday the 29th.
PERIOD_END = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
LAST_DAY = dt.date(2026, 11, 29)


def history(values, last_day=LAST_DAY):
    """Daily values ending on ``last_day``, one per date."""
    first = last_day - dt.timedelta(days=len(values) - 1)
    return [(first + dt.timedelta(days=i), value) for i, value in enumerate(values)]


# values, limit, verdict, days until target / alert / full
C15_ROWS = [
    # 100, 102, …, 112 against 200: slope 2/day, line at the period end 112.
    # target 160: (160 − 112) / 2 = 24; alert 180: 34; full 200: (200 − 112) / 2 = 44.
    # 24 < 30, so act now.
    ([100, 102, 104, 106, 108, 110, 112], 200, "act_now", 24, 34, 44),
    # 196, …, 208: the last value 208 is past 160, 180 and 200 already.
    ([196, 198, 200, 202, 204, 206, 208], 200, "already_above", 0, 0, 0),
    # 120, 118, …, 108: falling, never full.
    ([120, 118, 116, 114, 112, 110, 108], 200, "not_growing", None, None, None),
    # 150 seven times: the fitted slope is rounding noise (about 1e-14), i.e. flat.
    ([150] * 7, 200, "not_growing", None, None, None),
    # 37, 38, 36, 37, 38, 37, 39 (% against 90 %): slope 6 / 28 = 0.214/day with standard error
    # sqrt((4.4286 / 5) / 28) = 0.178, t = 1.20 on 5 degrees of freedom, p = 0.28 > 0.05.
    ([37, 38, 36, 37, 38, 37, 39], 90, "no_significant_trend", None, None, None),
    # One point: fewer than seven.
    ([100], 200, "insufficient_data", None, None, None),
]


@pytest.mark.parametrize(("values", "limit", "verdict", "target", "alert", "full"), C15_ROWS)
def test_c15_days_until_full(values, limit, verdict, target, alert, full):
    result = project_capacity("database_size", history(values), limit, PERIOD_END, False)

    assert result["verdict"] == verdict
    assert result["current"] == values[-1]
    assert result["days_until_target"] == pytest.approx(target, abs=1e-9)
    assert result["days_until_alert"] == pytest.approx(alert, abs=1e-9)
    assert result["days_until_full"] == pytest.approx(full, abs=1e-9)
    json.dumps(result, allow_nan=False)


def test_c15_growing_line_projects_along_the_fit():
    result = project_capacity(
        "database_size", history([100, 102, 104, 106, 108, 110, 112]), 200, PERIOD_END, False
    )

    # 112 + 30 × 2 = 172; 112 + 90 × 2 = 292; a perfect fit has a zero-width band.
    assert result["growth_per_day"] == pytest.approx(2.0)
    assert result["projected_30d"] == pytest.approx(172.0)
    assert result["projected_90d"] == pytest.approx(292.0)
    assert result["interval_90d"] == pytest.approx([292.0, 292.0])
    assert result["days_until_full_interval"] == pytest.approx([44.0, 44.0])


def test_c15_flat_series_has_zero_growth():
    result = project_capacity("database_size", history([150] * 7), 200, PERIOD_END, False)

    assert result["growth_per_day"] == 0.0
    assert result["projected_90d"] == pytest.approx(150.0)
    assert result["slope_p_value"] is None


def test_c15_insufficient_data_has_no_projection():
    result = project_capacity("database_size", history([100]), 200, PERIOD_END, False)

    assert result["points"] == 1
    for field in ("growth_per_day", "projected_30d", "projected_90d", "interval_90d"):
        assert result[field] is None
    assert result["fitted_band"] == []


def test_missing_points_are_dropped_before_the_fit():
    # C08: two missing of nine; the seven left, 100 … 116 by 2/day on their dates, fit exactly.
    # The last value 116 sits at the period end: full in (200 − 116) / 2 = 42 days.
    values = [100, None, 104, math.nan, 108, 110, 112, 114, 116]
    result = project_capacity("database_size", history(values), 200, PERIOD_END, False)

    assert result["points"] == 7
    assert result["dropped_points"] == 2
    assert result["growth_per_day"] == pytest.approx(2.0)
    assert result["days_until_full"] == pytest.approx(42.0)


def test_six_points_left_after_dropping_are_insufficient():
    values = [100, 102, None, 106, 108, 110, 112]
    result = project_capacity("database_size", history(values), 200, PERIOD_END, False)

    assert result["verdict"] == "insufficient_data"
    assert result["current"] == 112


def test_days_count_from_the_period_end():
    # The same line but its last value is three days before the period's last day: the line at
    # the period end is 112 + 3 × 2 = 118, so full in (200 − 118) / 2 = 41 days.
    values = [100, 102, 104, 106, 108, 110, 112]
    result = project_capacity(
        "database_size", history(values, LAST_DAY - dt.timedelta(days=3)), 200, PERIOD_END, False
    )

    assert result["days_until_full"] == pytest.approx(41.0)
    assert result["projected_30d"] == pytest.approx(118.0 + 60.0)


@pytest.mark.parametrize(
    ("timezone", "end"),
    [
        # A Europe/Berlin week ends at local midnight, 23:00 UTC the day before.
        ("Europe/Berlin", dt.datetime(2026, 11, 29, 23, tzinfo=dt.UTC)),
        # Kiritimati is 14 hours ahead: its midnight is 10:00 UTC the day before, which
        # rounding the gap from a UTC midnight would have taken for a day earlier.
        ("Pacific/Kiritimati", dt.datetime(2026, 11, 29, 10, tzinfo=dt.UTC)),
        # Honolulu is 10 hours behind: its midnight is 10:00 UTC the same day.
        ("Pacific/Honolulu", dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)),
    ],
)
def test_period_end_in_another_zone_is_the_same_day(timezone, end):
    # The days are local dates ending 2026-11-29, and the period ends at the next local
    # midnight: still (200 − 112) / 2 = 44 days.
    values = [100, 102, 104, 106, 108, 110, 112]
    result = project_capacity("database_size", history(values), 200, end, False, timezone=timezone)

    assert result["days_until_full"] == pytest.approx(44.0)


def test_period_end_must_be_a_midnight_of_the_zone():
    with pytest.raises(ValueError, match="not a midnight in UTC"):
        project_capacity(
            "database_size",
            history([100, 102, 104, 106, 108, 110, 112]),
            200,
            dt.datetime(2026, 11, 29, 23, tzinfo=dt.UTC),
            False,
        )


def test_exact_linear_history_gives_exact_growth():
    # 30 days of 50 GB + 1 GB/day against a 200 GB volume. Day 29 holds 50 + 29 = 79 GB.
    # target 160 GB: (160 − 79) / 1 = 81 days (watch); alert 180: 101; full 200: 121.
    # projected: 79 + 30 = 109 GB and 79 + 90 = 169 GB.
    gb = 1e9
    values = [50 * gb + i * gb for i in range(30)]
    result = project_capacity("database_size", history(values), 200 * gb, PERIOD_END, False)

    assert result["growth_per_day"] == pytest.approx(1 * gb, rel=1e-9)
    assert result["days_until_target"] == pytest.approx(81.0, rel=1e-9)
    assert result["days_until_alert"] == pytest.approx(101.0, rel=1e-9)
    assert result["days_until_full"] == pytest.approx(121.0, rel=1e-9)
    assert result["projected_30d"] == pytest.approx(109 * gb, rel=1e-9)
    assert result["projected_90d"] == pytest.approx(169 * gb, rel=1e-9)
    assert result["verdict"] == "watch"


# limit, days until target, verdict; line 100 … 112 by 2/day, so at the period end 112.
VERDICT_ROWS = [
    # target 0.8 × 217.5 = 174: (174 − 112) / 2 = 31 days → watch.
    (217.5, 31.0, "watch"),
    # target 0.8 × 362.5 = 290: (290 − 112) / 2 = 89 days → watch.
    (362.5, 89.0, "watch"),
    # target 0.8 × 367.5 = 294: (294 − 112) / 2 = 91 days → ok.
    (367.5, 91.0, "ok"),
    # target 0.8 × 212.5 = 170: (170 − 112) / 2 = 29 days → act now.
    (212.5, 29.0, "act_now"),
]


@pytest.mark.parametrize(("limit", "days", "verdict"), VERDICT_ROWS)
def test_verdict_thresholds(limit, days, verdict):
    values = [100, 102, 104, 106, 108, 110, 112]
    result = project_capacity("database_size", history(values), limit, PERIOD_END, False)

    assert result["days_until_target"] == pytest.approx(days)
    assert result["verdict"] == verdict


def test_noisy_history_interval_contains_the_true_value():
    # 30 days of 1,000 + 5/day with Gaussian noise of σ 20 (fixed seed). The true value 90 days
    # after the period end is 1,000 + 5 × (29 + 90) = 1,595.
    rng = np.random.default_rng(20261130)
    values = [1_000 + 5 * i + rng.normal(0, 20) for i in range(30)]
    result = project_capacity("database_size", history(values), 10_000, PERIOD_END, False)

    low, high = result["interval_90d"]
    assert low < 1_595 < high
    slope_low, slope_high = result["growth_per_day_interval"]
    assert slope_low < 5 < slope_high
    assert result["verdict"] == "ok"
    days_low, days_high = result["days_until_target_interval"]
    assert days_low < result["days_until_target"] < days_high


def test_utilisation_projections_are_capped_at_one():
    # Pool daily maxima 0.70, 0.72, …, 0.82: slope 0.02/day. The last value 0.82 is past the
    # target 0.8 (already above); alert 0.9 in (0.9 − 0.82) / 0.02 = 4 days, full in 9 days.
    # Uncapped projections: 0.82 + 0.6 = 1.42 and 0.82 + 1.8 = 2.62, capped at 1.
    values = [0.70 + 0.02 * i for i in range(7)]
    result = project_capacity("connection_pool:main", history(values), 1.0, PERIOD_END, True)

    assert result["verdict"] == "already_above"
    assert result["days_until_target"] == 0.0
    assert result["days_until_alert"] == pytest.approx(4.0)
    assert result["days_until_full"] == pytest.approx(9.0)
    assert result["projected_30d"] == 1.0
    assert result["projected_90d"] == 1.0
    assert result["interval_90d"] == [1.0, 1.0]
    assert all(0.0 <= p["low"] <= p["fitted"] <= p["high"] <= 1.0 for p in result["fitted_band"])


def test_fitted_band_covers_history_and_the_horizon():
    values = [100, 102, 104, 106, 108, 110, 112]
    result = project_capacity("database_size", history(values), 200, PERIOD_END, False)

    band = result["fitted_band"]
    # 7 history dates, then 10, 20, …, 90 days after the period end.
    assert [p["date"] for p in band[:2]] == ["2026-11-23", "2026-11-24"]
    assert band[6]["date"] == "2026-11-29"
    assert [band[6][k] for k in ("low", "fitted", "high")] == pytest.approx([112.0] * 3)
    # 2026-11-29 + 90 days = 2027-02-27, where the line is 112 + 180 = 292.
    assert band[-1]["date"] == "2027-02-27"
    assert band[-1]["fitted"] == pytest.approx(292.0)
    assert len(band) == 7 + 9


def test_no_limit_gives_no_days():
    values = [100, 102, 104, 106, 108, 110, 112]
    result = project_capacity("database_size", history(values), None, PERIOD_END, False)

    assert result["days_until_target"] is None
    assert result["days_until_full"] is None
    assert result["verdict"] == "ok"


def test_falling_projection_is_floored_at_zero():
    # 120, 118, …, 108: 108 − 2 × 90 = −72 bytes is impossible; shown as 0.
    values = [120, 118, 116, 114, 112, 110, 108]
    result = project_capacity("database_size", history(values), 200, PERIOD_END, False)

    assert result["projected_30d"] == pytest.approx(48.0)
    assert result["projected_90d"] == 0.0


@pytest.mark.parametrize("limit", [0, -1.0])
def test_limit_must_be_positive(limit):
    with pytest.raises(ValueError, match="positive"):
        project_capacity("database_size", history([1] * 7), limit, PERIOD_END, False)


def test_naive_period_end_is_refused():
    with pytest.raises(ValueError, match="naive"):
        project_capacity("database_size", history([1] * 7), 10, dt.datetime(2026, 11, 30), False)


# The naive answers of C15, "days until full" read straight off a least-squares line:
# (capacity − line at the last day) / slope. An independent fit (numpy) gives them, so the
# cases above guard against exactly these numbers.
C15_NAIVE = [
    ([100, 102, 104, 106, 108, 110, 112], 200, 44.0),
    ([196, 198, 200, 202, 204, 206, 208], 200, -4.0),
    ([120, 118, 116, 114, 112, 110, 108], 200, -46.0),
    ([37, 38, 36, 37, 38, 37, 39], 90, 242.3),
]


@pytest.mark.parametrize(("values", "limit", "naive"), C15_NAIVE)
def test_c15_naive_answers_are_what_a_bare_line_says(values, limit, naive):
    slope, intercept = np.polyfit(np.arange(7), values, 1)
    assert (limit - (intercept + 6 * slope)) / slope == pytest.approx(naive, abs=0.05)


def test_days_interval_is_where_the_prediction_band_reaches_the_threshold():
    # The noisy history of the test above. The band's edges, worked out with the textbook
    # formula (independent of statsmodels): fit ± t(0.975, n − 2) · s · sqrt(1 + 1/n + (x − x̄)²
    # / Sxx). At the earliest day the upper edge is at the target, at the latest the lower one.
    rng = np.random.default_rng(20261130)
    values = [1_000 + 5 * i + rng.normal(0, 20) for i in range(30)]
    result = project_capacity("database_size", history(values), 10_000, PERIOD_END, False)

    x = np.arange(30.0)
    slope, intercept = np.polyfit(x, values, 1)
    residuals = np.asarray(values) - (intercept + slope * x)
    s = math.sqrt(residuals @ residuals / 28)
    t = scipy_t.ppf(0.975, 28)

    def edge(days: float, sign: int) -> float:
        at = 29 + days
        spread = t * s * math.sqrt(1 + 1 / 30 + (at - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
        return intercept + slope * at + sign * spread

    earliest, latest = result["days_until_target_interval"]
    assert edge(earliest, +1) == pytest.approx(8_000, abs=1e-6)
    assert edge(latest, -1) == pytest.approx(8_000, abs=1e-6)
    # The line itself: (8,000 − line at day 29) / slope.
    assert result["days_until_target"] == pytest.approx((8_000 - intercept - 29 * slope) / slope)
    assert earliest < result["days_until_target"] < latest


def test_no_interval_without_a_significant_trend():
    result = project_capacity(
        "database_size", history([37, 38, 36, 37, 38, 37, 39]), 90, PERIOD_END, False
    )

    for name in ("target", "alert", "full"):
        assert result[f"days_until_{name}_interval"] is None
    # The projections and their band still follow the (insignificant) line.
    low, high = result["interval_90d"]
    assert low < result["projected_90d"] < high


def test_thirty_day_projection_has_its_interval():
    # 100 … 112 fits exactly: in 30 days 112 + 60 = 172, with a zero-width band.
    values = [100, 102, 104, 106, 108, 110, 112]
    result = project_capacity("database_size", history(values), 200, PERIOD_END, False)

    assert result["interval_30d"] == pytest.approx([172.0, 172.0])


def test_history_lists_the_points_kept():
    values = [100, None, 104, 106, 108, 110, 112, 114]
    result = project_capacity("database_size", history(values), 200, PERIOD_END, False)

    assert result["history"][0] == {"date": "2026-11-22", "value": 100}
    assert [p["date"] for p in result["history"]][1] == "2026-11-24"
    assert len(result["history"]) == 7


# fit's projection, Prometheus' answer, utilisation, relative difference, differs
SECOND_OPINIONS = [
    # 9 % apart: beside each other, but not flagged.
    (100.0, 109.0, False, 0.09, False),
    # 11 % above and 11 % below: flagged.
    (100.0, 111.0, False, 0.11, True),
    (100.0, 89.0, False, -0.11, True),
    # Exactly 10 % is not more than 10 %.
    (100.0, 110.0, False, 0.10, False),
    # A pool both see past full: Prometheus' 2.1 is capped like the fit's, so they agree.
    (1.0, 2.1, True, 0.0, False),
    # A falling size both see at nothing: Prometheus' −5 is floored like the fit's.
    (0.0, -5.0, False, None, False),
    # The fit says nothing is left, Prometheus says 3: no ratio, but they differ.
    (0.0, 3.0, False, None, True),
]


@pytest.mark.parametrize(
    ("fit", "prometheus", "utilisation", "difference", "differs"), SECOND_OPINIONS
)
def test_second_opinion_is_flagged_beyond_ten_percent(
    fit, prometheus, utilisation, difference, differs
):
    opinion = second_opinion(fit, prometheus, utilisation)

    assert opinion["predict_linear_90d"] == prometheus
    assert opinion["predict_linear_difference"] == pytest.approx(difference)
    assert opinion["predict_linear_differs"] is differs


def test_second_opinion_without_a_projection_says_nothing():
    result = project_capacity(
        "database_size", history([100]), 200, PERIOD_END, False, predict_linear_90d=250.0
    )

    assert result["predict_linear_90d"] == 250.0
    assert result["predict_linear_differs"] is None
