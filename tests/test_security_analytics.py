"""The security review's pure functions, on values worked out by hand."""

import datetime as dt

import pytest

from waooaw_reports.analytics import security
from waooaw_reports.periods import period_for

UTC = dt.UTC
WEEK = period_for("weekly", "2026-11-23")
HOUR = 3_600
WEEK_SECONDS = 7 * 24 * HOUR


def _hourly(values_by_weeks_before: dict[int, float], hour_end: dt.datetime) -> dict[float, float]:
    """One hour of the week and the same hour 1..4 weeks before."""
    return {
        hour_end.timestamp() - weeks * WEEK_SECONDS: value
        for weeks, value in values_by_weeks_before.items()
    }


@pytest.mark.parametrize(
    ("baseline", "value", "median", "mad", "spread", "anomaly"),
    [
        # MAD small: the spread is a quarter of the median, 10.5; 78 scores 3.43, not flagged.
        ([40, 44, 38, 50], 78, 42, 3, 10.5, False),
        # Just past it: 80 scores 38 / 10.5 = 3.62.
        ([40, 44, 38, 50], 80, 42, 3, 10.5, True),
        # A wide baseline: MAD 40, spread 1.4826 x 40 = 59.304; 330 scores 3.54, 325 3.46.
        ([100, 140, 60, 180], 330, 120, 40, 59.304, True),
        ([100, 140, 60, 180], 325, 120, 40, 59.304, False),
        # Nothing usually fails: the spread is its floor of 5; 17 scores 3.4, 18 scores 3.6.
        ([0, 0, 1, 0], 17, 0, 0, 5, False),
        ([0, 0, 1, 0], 18, 0, 0, 5, True),
        # Fewer failures than usual are never an anomaly.
        ([100, 100, 100, 100], 0, 100, 0, 25, False),
    ],
)
def test_one_hour_against_its_baseline(baseline, value, median, mad, spread, anomaly):
    hour_end = WEEK.start + dt.timedelta(hours=10)
    hourly = _hourly(
        {0: value, 1: baseline[0], 2: baseline[1], 3: baseline[2], 4: baseline[3]}, hour_end
    )
    review = security.failed_login_review(hourly, value, WEEK)
    hour = next(h for h in review["hourly"] if h["hour"] == "2026-11-23T09:00:00+00:00")
    assert (hour["baseline_median"], hour["baseline_mad"]) == (median, mad)
    assert security.spread(median, mad) == pytest.approx(spread)
    assert hour["score"] == pytest.approx((value - median) / spread)
    assert hour["anomaly"] is anomaly
    assert review["anomalous_hours"] == int(anomaly)


def test_hours_with_too_few_weeks_before_are_not_judged():
    hour_end = WEEK.start + dt.timedelta(hours=10)
    review = security.failed_login_review(_hourly({0: 500, 1: 10, 2: 10}, hour_end), 500, WEEK)
    hour = next(h for h in review["hourly"] if h["failures"] is not None)
    assert hour["anomaly"] is None and hour["score"] is None
    assert review["hours_without_baseline"] == 1
    assert review["anomalous_hours"] == 0
    assert review["hours_with_data"] == 1
    assert review["peak"] == {"hour": "2026-11-23T09:00:00+00:00", "failures": 500}


def test_no_login_data_at_all():
    review = security.failed_login_review({}, None, WEEK)
    assert review["status"] == "no_data"
    assert review["peak"] is None
    assert review["hours_with_data"] == 0
    assert len(review["hourly"]) == 168
    assert "median absolute deviation (MAD)" in review["method_text"]
    assert "3.5" in review["method_text"]


BERLIN_WEEKS = ((10, 19), (10, 12), (10, 5), (9, 28))


def test_the_same_local_hour_across_a_daylight_saving_change():
    # Europe/Berlin leaves summer time on 2026-10-25: the week of 2026-10-19 has 169 hours,
    # and Monday 2026-10-26 10:00 CET (09:00 UTC) is compared with 10:00 CEST a week
    # earlier (08:00 UTC), 169 hours before, not 168.
    week = period_for("weekly", "2026-10-26", "Europe/Berlin")
    hour_end = dt.datetime(2026, 10, 26, 10, tzinfo=UTC)  # 11:00 CET: the hour from 10:00
    # The same hour 1 to 4 weeks earlier ends at 11:00 CEST, 09:00 UTC.
    before = [dt.datetime(2026, month, day, 9, tzinfo=UTC) for month, day in BERLIN_WEEKS]
    hourly = {hour_end.timestamp(): 200.0} | {t.timestamp(): 20.0 for t in before}
    review = security.failed_login_review(hourly, 200.0, week)
    hour = next(h for h in review["hourly"] if h["failures"] is not None)
    assert hour["hour"] == "2026-10-26T10:00:00+01:00"
    assert hour["baseline_median"] == 20
    assert hour["anomaly"] is True
    # The week of the change itself has 169 hours to judge.
    longer = period_for("weekly", "2026-10-19", "Europe/Berlin")
    assert len(security.failed_login_review({}, None, longer)["hourly"]) == 169


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("key_7d20e4", "key_7d20e4"),
        ("ops@example.com", "redacted-"),  # an email never reaches a report
        ("sk_live_" + "x" * 40, "redacted-"),  # nor a long secret
        ("Acme Corp", "redacted-"),  # nor a name
    ],
)
def test_only_opaque_client_ids_are_shown(label, shown):
    assert security.opaque_client(label).startswith(shown)
    assert security.opaque_client(label) == security.opaque_client(label)


def test_movers_rank_by_the_size_of_the_change():
    movers = security.api_client_movers(
        {"key_a": 1_000, "key_b": 500, "key_c": 90},
        {"key_a": 1_100, "key_b": 100, "key_d": 40},
        {"key_b": 300},
        {},
        top=3,
    )
    assert [m["client"] for m in movers["movers"]] == ["key_b", "key_a", "key_c"]
    key_b, key_a, key_c = movers["movers"]
    assert (key_b["change"], key_b["change_ratio"]) == (400, 4.0)
    assert (key_b["unauthorised"], key_b["unauthorised_previous"]) == (300, 0)
    assert (key_a["change"], key_a["change_ratio"]) == (-100, pytest.approx(-1 / 11))
    assert key_c["new"] and key_c["change_ratio"] is None
    assert (movers["clients"], movers["requests"], movers["requests_previous"]) == (3, 1_590, 1_240)


def test_no_client_traffic():
    movers = security.api_client_movers({}, {}, {}, {})
    assert movers["movers"] == [] and movers["requests"] is None


AT = dt.datetime(2026, 12, 1, tzinfo=UTC)


def _credential(platform, expires, rotated):
    return {
        "customer_id": "cus_1",
        "platform": platform,
        "expires_at": expires,
        "last_rotated_at": rotated,
    }


def test_credential_records_at_the_period_end():
    day = dt.timedelta(days=1)
    rows = [
        _credential("instagram", AT + 31 * day, AT - 30 * day),  # valid, rotated 30 days ago
        _credential("instagram", AT + 4 * day, AT - 122 * day),  # expiring; rotation overdue
        _credential("linkedin", AT - 11 * day, None),  # expired, never rotated
        _credential("linkedin", None, AT - 90 * day),  # never expires; exactly 90 days: in time
        _credential("delta_exchange", AT + 7 * day, AT - day),  # expiring: at 7 days exactly
        _credential("delta_exchange", AT + 60 * day, AT + day),  # rotated after the end
    ]
    review = security.credential_records_review(rows, AT, max_age_days=90)
    assert review["changed_after"] == 1
    assert (review["total"], review["valid"], review["expiring"], review["invalid"]) == (5, 2, 2, 1)
    assert (review["valid_share"], review["expiring_share"], review["invalid_share"]) == (
        0.4,
        0.4,
        0.2,
    )
    assert (review["rotation_compliant"], review["rotation_overdue"], review["never_rotated"]) == (
        3,
        1,
        1,
    )
    assert review["rotation_compliance"] == 0.6
    assert review["oldest_rotation_days"] == 122
    assert review["health_status"] == "breached"  # 40 % valid, under the 85 % alert
    assert review["rotation_status"] == "breached"  # 60 % in time, under 85 %
    by_platform = {row["platform"]: row for row in review["by_platform"]}
    assert list(by_platform) == ["delta_exchange", "instagram", "linkedin"]
    assert (by_platform["delta_exchange"]["total"], by_platform["delta_exchange"]["expiring"]) == (
        1,
        1,
    )
    assert (
        by_platform["instagram"]["rotation_overdue"],
        by_platform["linkedin"]["never_rotated"],
    ) == (1, 1)

    # A shorter maximum age makes the 30-day-old rotation late too.
    strict = security.credential_records_review(rows, AT, max_age_days=29)
    assert strict["rotation_overdue"] == 3 and strict["rotation_compliance"] == 0.2


def test_no_credential_records():
    review = security.credential_records_review([], AT, 90)
    assert review["total"] == 0
    assert review["valid_share"] is None and review["rotation_compliance"] is None
    assert review["status"] == "no_data"


def test_security_status_area_and_attention():
    hour_end = WEEK.start + dt.timedelta(hours=22)
    hourly = _hourly({0: 3_000, 1: 0, 2: 0, 3: 1, 4: 0}, hour_end)
    logins = security.failed_login_review(hourly, 3_000, WEEK)
    gauge = security.credential_gauge({"valid": 96, "expiring": 3, "invalid": 1})
    records = security.credential_records_review(
        [_credential("linkedin", AT + 3 * dt.timedelta(days=1), AT - dt.timedelta(days=10))],
        AT,
        90,
    )
    review = security.security_review(
        logins, security.api_client_movers({}, {}, {}, {}), gauge, records
    )
    assert gauge["status"] == "met" and records["health_status"] == "breached"
    assert review["status"] == "breached"
    area = security.security_area(review)
    assert area["status"] == "breached"
    assert area["summary"] == (
        "1 unusual hour(s) of failed logins, credentials valid 96.0% by the platform's check, "
        "0.0% by the records, 100.0% rotated within 90 days"
    )
    assert security.security_attention(review) == [
        (
            3,
            "Failed logins: 1 hour(s) above the usual, worst 3,000 from 2026-11-23 21:00 "
            "(usually 0)",
        ),
        (3, "Only 0.0% of credential records valid; expiring within 7 days: linkedin 1"),
    ]
