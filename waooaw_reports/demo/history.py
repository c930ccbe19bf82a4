"""The demo's metric history: every series of DESIGN §3.1, written as one file per day.

The whole history is computed at once with numpy (counters must carry over from day to day),
then cut into days. The same end gives the same numbers, byte for byte, with one numpy version.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from waooaw_reports.demo.api_series import api_families
from waooaw_reports.demo.infra_series import infra_families
from waooaw_reports.demo.openmetrics import Family, openmetrics_text, write_openmetrics
from waooaw_reports.demo.schedule import DAY, Schedule, build_schedule, stream_rng
from waooaw_reports.demo.timeline import grids, unix
from waooaw_reports.demo.workload_series import workload_families

log = logging.getLogger(__name__)

# Bump when the generated history changes, so an existing demo state is regenerated.
GENERATOR_VERSION = "4"


@dataclass(frozen=True)
class History:
    schedule: Schedule
    families: tuple[Family, ...]

    @property
    def samples(self) -> int:
        return sum(family.samples for family in self.families)

    def days(self) -> Iterator[dt.datetime]:
        day = self.schedule.start
        while day < self.schedule.end:
            yield day
            day += DAY

    def day(self, start: dt.datetime) -> list[Family]:
        """The families cut to the UTC day that begins at ``start``."""
        return [family.between(unix(start), unix(start + DAY)) for family in self.families]

    def day_text(self, start: dt.datetime) -> str:
        return openmetrics_text(self.day(start))


def generate_history(end: dt.datetime) -> History:
    """All demo series for the history ending (exclusive) at the UTC midnight ``end``."""
    schedule = build_schedule(end)
    grid = grids(schedule)
    families = [
        *api_families(grid.samples, schedule, stream_rng(end, "api")),
        *workload_families(grid.samples, schedule, stream_rng(end, "workload")),
        *infra_families(grid, schedule, stream_rng(end, "infra")),
    ]
    return History(schedule, tuple(families))


def write_day_files(
    history: History, directory: Path, on_written: Callable[[Path], None] | None = None
) -> list[Path]:
    """Write ``YYYY-MM-DD.om`` per day; ``on_written`` sees each file as soon as it exists."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for day in history.days():
        path = directory / f"{day:%Y-%m-%d}.om"
        write_openmetrics(path, history.day(day))
        if on_written is not None:
            on_written(path)
        paths.append(path)
    return paths
