"""OpenMetrics text for ``promtool tsdb create-blocks-from openmetrics``.

A file holds metric families one after the other, each series of a family in time order, and
ends with ``# EOF``. Timestamps are whole Unix seconds. Formatting goes through one ``%``
operation per series, which keeps millions of samples cheap to write.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

FamilyType = Literal["counter", "gauge", "histogram", "unknown"]

# "%d" for counts and bytes, "%.3f" for sums of seconds, "%r" for exact floats (tests).
ValueFormat = Literal["%d", "%.3f", "%r"]


@dataclass(frozen=True)
class Series:
    """One labelled series: sample times in Unix seconds and the values at those times."""

    name: str
    labels: tuple[tuple[str, str], ...]
    timestamps: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64] | npt.NDArray[np.int64]
    value_format: ValueFormat = "%d"

    @classmethod
    def from_points(
        cls, name: str, labels: Mapping[str, str], points: Sequence[tuple[float, float]]
    ) -> Series:
        """A series from ``(unix_seconds, value)`` pairs, the form tests write by hand."""
        times = [time for time, _ in points]
        if any(time != int(time) for time in times):
            raise ValueError(
                f"Series {name} has a timestamp that is not a whole second ({times}); "
                "OpenMetrics input here uses whole Unix seconds."
            )
        return cls(
            name,
            tuple(labels.items()),
            np.asarray(times, dtype=np.int64),
            np.asarray([value for _, value in points], dtype=np.float64),
            "%r",
        )

    def between(self, start: int, end: int) -> Series:
        """The samples with ``start <= timestamp < end``."""
        first, last = np.searchsorted(self.timestamps, (start, end))
        return replace(self, timestamps=self.timestamps[first:last], values=self.values[first:last])

    def __len__(self) -> int:
        return len(self.timestamps)


@dataclass(frozen=True)
class Family:
    """A metric family: its name as written in ``# TYPE``, its type and its series."""

    name: str
    type: FamilyType
    series: tuple[Series, ...]

    def between(self, start: int, end: int) -> Family:
        return replace(self, series=tuple(s.between(start, end) for s in self.series))

    @property
    def samples(self) -> int:
        return sum(len(s) for s in self.series)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _series_text(series: Series) -> str:
    labels = ",".join(f'{key}="{_escape(value)}"' for key, value in series.labels)
    head = f"{series.name}{{{labels}}} " if labels else f"{series.name} "
    pairs = np.empty(2 * len(series), dtype=object)
    pairs[0::2] = series.values.tolist()
    pairs[1::2] = series.timestamps.tolist()
    return (head + series.value_format + " %d\n") * len(series) % tuple(pairs)


def _chunks(families: Iterable[Family]) -> Iterator[str]:
    for family in families:
        if family.samples == 0:
            continue
        yield f"# TYPE {family.name} {family.type}\n"
        yield from (_series_text(series) for series in family.series if len(series))
    yield "# EOF\n"


def openmetrics_text(families: Iterable[Family]) -> str:
    """The text of one OpenMetrics file; empty series and families are left out."""
    return "".join(_chunks(families))


def write_openmetrics(path: Path, families: Iterable[Family]) -> int:
    """Write one OpenMetrics file, series by series; returns the number of samples written."""
    families = list(families)
    with path.open("w", encoding="utf-8") as output:
        output.writelines(_chunks(families))
    return sum(family.samples for family in families)
