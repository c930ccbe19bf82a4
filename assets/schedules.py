"""The two schedules of DESIGN §7, in the configured time zone.

The monthly audit runs on the first Monday of the month. A cron with both a day of month and a
day of week fires on either, so it is a Monday schedule that skips after the 7th.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dagster import (
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from assets.report_assets import AS_OF_TAG


def weekly_review_schedule(job: Any, timezone: str) -> ScheduleDefinition:
    @schedule(
        name="weekly_review_schedule",
        cron_schedule="0 6 * * 1",
        job=job,
        execution_timezone=timezone,
        description="Every Monday at 06:00: the weekly health review of the week before.",
    )
    def _weekly(context: ScheduleEvaluationContext) -> RunRequest:
        tick = _tick(context)
        key = (tick.date() - dt.timedelta(days=7)).isoformat()
        return RunRequest(
            run_key=f"weekly-{key}",
            partition_key=key,
            tags={AS_OF_TAG: tick.isoformat()},
        )

    return _weekly


def monthly_audit_schedule(job: Any, timezone: str) -> ScheduleDefinition:
    @schedule(
        name="monthly_audit_schedule",
        cron_schedule="0 7 * * 1",
        job=job,
        execution_timezone=timezone,
        description="First Monday of the month at 07:00: the monthly audit of the month before.",
    )
    def _monthly(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        tick = _tick(context)
        if tick.day > 7:
            return SkipReason(f"{tick.date()} is not the first Monday of its month.")
        key = (tick.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat()
        return RunRequest(
            run_key=f"monthly-{key}",
            partition_key=key,
            tags={AS_OF_TAG: tick.isoformat()},
        )

    return _monthly


def _tick(context: ScheduleEvaluationContext) -> dt.datetime:
    if context.scheduled_execution_time is None:
        raise ValueError("The schedule was evaluated without a scheduled execution time.")
    return context.scheduled_execution_time
