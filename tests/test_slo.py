"""Error budgets and statuses (DESIGN §5), each expected value worked out by hand."""

from __future__ import annotations

import json
import logging
import math

import pytest

from waooaw_reports.analytics.slo import metric_status, slo_figures, worst_status

# name, good, total, objective, sli, consumed, remaining, status
BUDGET_ROWS = [
    # Uneven traffic: 500 bad of 1,000,000. SLI 999,500 / 1,000,000 = 0.9995;
    # consumed (1 − 0.9995) / (1 − 0.999) = 0.0005 / 0.001 = 0.5; remaining 1 − 0.5 = 0.5.
    ("uneven_traffic", 999_500, 1_000_000, 0.999, 0.9995, 0.5, 0.5, "met"),
    # Blown budget: 3,000 bad of 1,000,000. SLI 0.997; consumed 0.003 / 0.001 = 3;
    # remaining 1 − 3 = −2, negative because the budget is spent three times over.
    ("blown_budget", 997_000, 1_000_000, 0.999, 0.997, 3.0, -2.0, "breached"),
    # Exactly on the objective: SLI 0.999 ≥ 0.999 is met; consumed 0.001 / 0.001 = 1; left 0.
    ("on_objective", 999_000, 1_000_000, 0.999, 0.999, 1.0, 0.0, "met"),
    # Small traffic: 1 bad of 50 against 0.98. SLI 49 / 50 = 0.98; consumed 0.02 / 0.02 = 1.
    ("small_traffic", 49, 50, 0.98, 0.98, 1.0, 0.0, "met"),
    # Goal runs: 940 of 1,000 against 0.98. SLI 0.94; consumed 0.06 / 0.02 = 3; left −2.
    ("goal_runs", 940, 1_000, 0.98, 0.94, 3.0, -2.0, "breached"),
    # Perfect week: 0 bad. SLI 1; consumed 0; remaining 1.
    ("no_errors", 10_000, 10_000, 0.999, 1.0, 0.0, 1.0, "met"),
]


@pytest.mark.parametrize(
    ("name", "good", "total", "objective", "sli", "consumed", "remaining", "status"), BUDGET_ROWS
)
def test_error_budget(name, good, total, objective, sli, consumed, remaining, status):
    figures = slo_figures(name, objective, good, total, None, 10_080, time_based=False)

    assert figures["sli"] == pytest.approx(sli, rel=1e-12)
    assert figures["error_budget_consumed"] == pytest.approx(consumed, rel=1e-9, abs=1e-12)
    assert figures["error_budget_remaining"] == pytest.approx(remaining, rel=1e-9, abs=1e-12)
    # Over a whole period the burn rate is the budget consumed.
    assert figures["burn_rate"] == figures["error_budget_consumed"]
    assert figures["status"] == status
    assert figures["downtime_minutes"] is None
    assert figures["allowed_downtime_minutes"] is None


def test_figures_keep_the_contract_names():
    figures = slo_figures("api_availability", 0.999, 999_500, 1_000_000, 3.0, 10_080, True)

    assert list(figures) == [
        "name",
        "objective",
        "good",
        "total",
        "sli",
        "error_budget_consumed",
        "error_budget_remaining",
        "burn_rate",
        "downtime_minutes",
        "allowed_downtime_minutes",
        "status",
    ]
    json.dumps(figures, allow_nan=False)


# period minutes, allowed downtime at 99.9 %
DOWNTIME_ROWS = [
    # A 30-day month: 30 × 1,440 = 43,200 min; 0.001 × 43,200 = 43.2.
    (43_200, 43.2),
    # A 31-day month in UTC: 31 × 1,440 = 44,640 min; 0.001 × 44,640 = 44.64.
    (44_640, 44.64),
    # October in Europe/Berlin: 745 h (the extra hour of the autumn change) = 44,700 min → 44.7.
    (44_700, 44.7),
    # A week: 7 × 1,440 = 10,080 min → 10.08.
    (10_080, 10.08),
]


@pytest.mark.parametrize(("period_minutes", "allowed"), DOWNTIME_ROWS)
def test_allowed_downtime_follows_the_real_period_length(period_minutes, allowed):
    figures = slo_figures("api_availability", 0.999, 999, 1_000, 12.0, period_minutes, True)

    assert figures["allowed_downtime_minutes"] == pytest.approx(allowed, rel=1e-9)
    assert figures["downtime_minutes"] == 12.0


@pytest.mark.parametrize("total", [0, 0.0, None])
def test_no_traffic_is_no_data(total):
    # C04: 0 / 0 is no data, not NaN, not 0 %, not 100 %.
    figures = slo_figures("api_availability", 0.999, 0, total, None, 10_080, True)

    assert figures["sli"] is None
    assert figures["status"] == "no_data"
    assert figures["error_budget_consumed"] is None
    assert figures["error_budget_remaining"] is None
    assert figures["burn_rate"] is None
    assert figures["allowed_downtime_minutes"] == pytest.approx(10.08)
    json.dumps(figures, allow_nan=False)


def test_missing_good_series_is_no_data():
    figures = slo_figures("goal_execution_success", 0.98, None, 120, None, 10_080, False)

    assert figures["sli"] is None
    assert figures["status"] == "no_data"


@pytest.mark.parametrize("objective", [1.0, 0.0, 1.5, -0.1, math.nan])
def test_objective_without_a_budget_is_a_configuration_error(objective):
    # C04: an objective of 100 % has a zero budget; reject it, never divide by zero.
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        slo_figures("api_availability", objective, 10, 10, None, 10_080, True)


def test_good_above_total_is_clamped_with_a_warning(caplog):
    # C06: good 1000.37 against total 1000.28 read at different instants. SLI clamped to 1,
    # so consumed 0 and remaining 1.
    with caplog.at_level(logging.WARNING, logger="waooaw_reports.analytics.slo"):
        figures = slo_figures("api_availability", 0.999, 1000.37, 1000.28, None, 10_080, False)

    assert figures["sli"] == 1.0
    assert figures["error_budget_consumed"] == 0.0
    assert figures["error_budget_remaining"] == 1.0
    assert figures["status"] == "met"
    assert "api_availability" in caplog.text
    assert "clamped" in caplog.text


def test_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative total"):
        slo_figures("api_availability", 0.999, 0, -5, None, 10_080, False)


# value, target, alert, direction, expected
STATUS_ROWS = [
    # api_availability: target ≥ 0.999, alert < 0.995.
    (0.9995, 0.999, 0.995, "higher", "met"),
    (0.999, 0.999, 0.995, "higher", "met"),  # ">" read as ≥
    (0.997, 0.999, 0.995, "higher", "at_risk"),
    (0.995, 0.999, 0.995, "higher", "at_risk"),  # on the alert is not strictly past it
    (0.9949, 0.999, 0.995, "higher", "breached"),
    (None, 0.999, 0.995, "higher", "no_data"),
    (math.nan, 0.999, 0.995, "higher", "no_data"),
    # api_latency_p95: target ≤ 0.2 s, alert > 0.5 s.
    (0.15, 0.2, 0.5, "lower", "met"),
    (0.2, 0.2, 0.5, "lower", "met"),
    (0.3, 0.2, 0.5, "lower", "at_risk"),
    (0.5, 0.2, 0.5, "lower", "at_risk"),
    (0.51, 0.2, 0.5, "lower", "breached"),
    # approval_wait_median: target ≤ 7,200 s and no alert, so never breached.
    (90_000, 7_200, None, "lower", "at_risk"),
    (3_600, 7_200, None, "lower", "met"),
    # approval_wait_p95: alert > 86,400 s and no target, so met unless breached.
    (90_000, None, 86_400, "lower", "breached"),
    (86_400, None, 86_400, "lower", "met"),
    (1_000, None, 86_400, "lower", "met"),
    # cache_hit_rate: target ≥ 0.85, no alert.
    (0.5, 0.85, None, "higher", "at_risk"),
    # active_agents: largest day-over-day fall, target ≤ 0, alert > 0.20.
    (0.0, 0.0, 0.20, "lower", "met"),
    (0.05, 0.0, 0.20, "lower", "at_risk"),
    (0.25, 0.0, 0.20, "lower", "breached"),
    # Neither target nor alert: nothing to miss.
    (42.0, None, None, "higher", "met"),
]


@pytest.mark.parametrize(("value", "target", "alert", "direction", "expected"), STATUS_ROWS)
def test_metric_status(value, target, alert, direction, expected):
    assert metric_status(value, target, alert, direction) == expected


def test_metric_status_refuses_an_unknown_direction():
    with pytest.raises(ValueError, match="'up'"):
        metric_status(1.0, 1.0, None, "up")


# statuses, worst
WORST_ROWS = [
    (["met", "met"], "met"),
    (["met", "no_data"], "no_data"),  # no data never counts as met
    (["no_data", "at_risk", "met"], "at_risk"),
    (["at_risk", "breached", "met", "no_data"], "breached"),
    ([], "no_data"),  # nothing measured
]


@pytest.mark.parametrize(("statuses", "worst"), WORST_ROWS)
def test_worst_status(statuses, worst):
    assert worst_status(statuses) == worst


def test_worst_status_refuses_unknown_statuses():
    with pytest.raises(ValueError, match="'green'"):
        worst_status(["met", "green"])
