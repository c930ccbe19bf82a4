"""Maintenance windows from configuration: parsing, refusals and cutting to a period."""

from __future__ import annotations

import datetime as dt

import pytest

from assets.resources import ReportSettingsResource
from tests.slo_history import MAINTENANCE, MAINTENANCE_YAML
from waooaw_reports.maintenance import (
    MaintenanceError,
    MaintenanceWindow,
    clip,
    load_maintenance_windows,
)
from waooaw_reports.periods import period_for
from waooaw_reports.settings import Settings, SettingsError
from waooaw_reports.slo_report import maintenance_in_period

UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_windows_from_a_file_with_offsets(tmp_path):
    path = tmp_path / "maintenance.yaml"
    path.write_text(MAINTENANCE_YAML)
    # 02:00+01:00 is 01:00 UTC: the same instants whichever zone wrote them.
    assert load_maintenance_windows(str(path)) == (MAINTENANCE,)


def test_windows_inline_and_sorted():
    inline = (
        "[{start: '2026-11-12T03:00:00+00:00', end: '2026-11-12T04:00:00+00:00', reason: B},"
        " {start: 2026-11-10T01:00:00Z, end: 2026-11-10T01:30:00Z, reason: A}]"
    )
    windows = load_maintenance_windows(inline)
    assert [w.reason for w in windows] == ["A", "B"]
    assert windows[0].start == at(10, 1) and windows[0].seconds == 1_800


def test_no_setting_means_no_windows():
    assert load_maintenance_windows(None) == ()
    assert load_maintenance_windows("  ") == ()
    assert Settings.from_env({}).maintenance_windows == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/nonexistent/maintenance.yaml", "cannot be read"),
        ("[{start: '2026-11-10T01:00:00', end: '2026-11-10T02:00:00Z', reason: x}]", "no offset"),
        ("[{start: 2026-11-10T02:00:00Z, end: 2026-11-10T01:00:00Z, reason: x}]", "not after"),
        ("[{start: 2026-11-10T01:00:00Z, end: 2026-11-10T02:00:00Z}]", "field 'reason'"),
        ("[{start: soon, end: 2026-11-10T02:00:00Z, reason: x}]", "not an ISO 8601 time"),
        (
            "[{start: 2026-11-10T01:00:00Z, end: 2026-11-10T02:00:00Z, reason: x, slo: api}]",
            "window 1 has unknown fields: slo",
        ),
        ("{start: 2026-11-10T01:00:00Z}", "must hold a list"),
    ],
)
def test_malformed_windows_are_refused_naming_the_window(value, message):
    with pytest.raises(MaintenanceError, match=message):
        load_maintenance_windows(value)
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"WAOOAW_MAINTENANCE_WINDOWS": value})


def test_clip_cuts_to_the_span_and_merges_overlaps():
    windows = (
        MaintenanceWindow(at(9, 23), at(10, 1), "starts before the span"),
        MaintenanceWindow(at(10, 12), at(10, 13), "a"),
        MaintenanceWindow(at(10, 12, 30), at(10, 14), "overlaps a"),
        MaintenanceWindow(at(10, 14), at(10, 15), "touches the one before"),
        MaintenanceWindow(at(11, 23), at(12, 1), "ends after the span"),
        MaintenanceWindow(at(20, 0), at(20, 1), "outside"),
    )
    assert clip(windows, at(10, 0), at(12, 0)) == [
        (at(10, 0), at(10, 1)),
        (at(10, 12), at(10, 15)),
        (at(11, 23), at(12, 0)),
    ]


def test_windows_of_a_period_with_their_minutes_inside_it():
    windows = (MaintenanceWindow(at(30, 23), dt.datetime(2026, 12, 1, 1, tzinfo=UTC), "x"),)
    november = period_for("monthly", "2026-11-01", "Europe/Berlin")
    # November in Berlin ends at 2026-11-30 23:00 UTC, where the window starts: none of it is
    # inside. November in UTC ends an hour later and holds the window's first hour.
    assert maintenance_in_period(windows, november) == []
    utc_november = period_for("monthly", "2026-11-01")
    (inside,) = maintenance_in_period(windows, utc_november)
    assert inside["minutes_in_period"] == 60
    assert inside["start"] == "2026-11-30T23:00:00+00:00"


def test_windows_reach_the_code_location_unchanged():
    settings = Settings.from_env({"WAOOAW_MAINTENANCE_WINDOWS": MAINTENANCE_YAML})
    resource = ReportSettingsResource(
        maintenance=[w.as_json() for w in settings.maintenance_windows]
    )
    assert resource.maintenance_windows() == (MAINTENANCE,)
    assert settings.public()["maintenance_windows"] == [
        {
            "start": "2026-11-10T01:00:00+00:00",
            "end": "2026-11-10T01:30:00+00:00",
            "reason": "Database upgrade",
        }
    ]
