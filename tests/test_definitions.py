import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import RunRequest, SkipReason, build_schedule_context

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.definitions import build_definitions  # noqa: E402
from waooaw_reports.settings import Settings  # noqa: E402


@pytest.fixture(scope="module")
def defs():
    return build_definitions(Settings(timezone="Europe/Berlin"))


def test_both_schedules_and_jobs_load(defs):
    assert defs.resolve_schedule_def("weekly_review_schedule").cron_schedule == "0 6 * * 1"
    assert defs.resolve_schedule_def("monthly_audit_schedule").cron_schedule == "0 7 * * 1"
    weekly = defs.resolve_job_def("weekly_review_job").partitions_def
    monthly = defs.resolve_job_def("monthly_audit_job").partitions_def
    assert weekly.get_first_partition_key() == "2024-01-01"  # a Monday
    assert monthly.get_first_partition_key() == "2024-01-01"
    # Case C11: every weekly partition is a Monday-to-Monday week of 7 local days.
    window = weekly.time_window_for_partition_key("2026-10-19")
    assert window.start.isoformat() == "2026-10-19T00:00:00+02:00"
    assert window.end.isoformat() == "2026-10-26T00:00:00+01:00"


def test_every_asset_is_partitioned_by_its_kind(defs):
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert "weekly/report_files" in keys
    assert "monthly/report_files" in keys
    for key in graph.get_all_asset_keys():
        partitions = graph.get(key).partitions_def
        expected = "WeeklyPartitionsDefinition" if key.path[0] == "weekly" else "Monthly"
        assert type(partitions).__name__.startswith(expected.removesuffix("PartitionsDefinition"))


def _evaluate(defs, name: str, tick: dt.datetime):
    schedule = defs.resolve_schedule_def(name)
    with build_schedule_context(
        scheduled_execution_time=tick, repository_def=defs.get_repository_def()
    ) as context:
        result = schedule.evaluate_tick(context)
    return result


def _mondays(year: int, hour: int, tz: str):
    day = dt.date(year, 1, 1)
    while day.year == year:
        if day.weekday() == 0:
            yield dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(tz))
        day += dt.timedelta(days=1)


def test_weekly_ticks_of_a_year_ask_for_the_week_before(defs):
    for tick in _mondays(2026, 6, "Europe/Berlin"):
        result = _evaluate(defs, "weekly_review_schedule", tick)
        (request,) = result.run_requests
        assert request.partition_key == (tick.date() - dt.timedelta(days=7)).isoformat()
        assert request.run_key == f"weekly-{request.partition_key}"
    # Case C11: the Monday tick of 2025-09-15 requests the week keyed 2025-09-08.
    tick = dt.datetime(2025, 9, 15, 6, tzinfo=ZoneInfo("Europe/Berlin"))
    (request,) = _evaluate(defs, "weekly_review_schedule", tick).run_requests
    assert request.partition_key == "2025-09-08"


def test_monthly_ticks_run_on_first_mondays_only(defs):
    requested = []
    for tick in _mondays(2026, 7, "Europe/Berlin"):
        result = _evaluate(defs, "monthly_audit_schedule", tick)
        if tick.day <= 7:
            (request,) = result.run_requests
            requested.append((tick.date().isoformat(), request.partition_key))
        else:
            assert not result.run_requests
            assert result.skip_message
    assert requested == [
        ("2026-01-05", "2025-12-01"),
        ("2026-02-02", "2026-01-01"),
        ("2026-03-02", "2026-02-01"),
        ("2026-04-06", "2026-03-01"),
        ("2026-05-04", "2026-04-01"),
        ("2026-06-01", "2026-05-01"),
        ("2026-07-06", "2026-06-01"),
        ("2026-08-03", "2026-07-01"),
        ("2026-09-07", "2026-08-01"),
        ("2026-10-05", "2026-09-01"),
        ("2026-11-02", "2026-10-01"),
        ("2026-12-07", "2026-11-01"),
    ]


def test_schedule_results_are_typed(defs):
    tick = dt.datetime(2026, 11, 9, 7, tzinfo=ZoneInfo("Europe/Berlin"))
    schedule = defs.resolve_schedule_def("monthly_audit_schedule")
    with build_schedule_context(scheduled_execution_time=tick) as context:
        assert isinstance(schedule(context), SkipReason)
    tick = dt.datetime(2026, 11, 2, 7, tzinfo=ZoneInfo("Europe/Berlin"))
    with build_schedule_context(scheduled_execution_time=tick) as context:
        assert isinstance(schedule(context), RunRequest)


def test_library_does_not_import_dagster():
    # DESIGN §2: only the CLI, the outermost face, may import dagster or assets.
    offenders = []
    for path in (ROOT / "waooaw_reports").rglob("*.py"):
        if path.parent.name == "cli":
            continue
        text = path.read_text()
        if "import dagster" in text or "from dagster" in text or "from assets" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
