"""Report periods as Dagster partitions: Monday-start weeks and calendar months (DESIGN §4)."""

from dagster import MonthlyPartitionsDefinition, WeeklyPartitionsDefinition

from waooaw_reports.periods import FIRST_PERIOD


def weekly_partitions(timezone: str) -> WeeklyPartitionsDefinition:
    # day_offset=1: weeks start on Monday, not Dagster's default Sunday (case C11).
    return WeeklyPartitionsDefinition(
        start_date=FIRST_PERIOD.isoformat(), day_offset=1, timezone=timezone
    )


def monthly_partitions(timezone: str) -> MonthlyPartitionsDefinition:
    return MonthlyPartitionsDefinition(start_date=FIRST_PERIOD.isoformat(), timezone=timezone)
