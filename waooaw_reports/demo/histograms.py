"""Prometheus histograms from per-interval observation counts.

Observations follow a log-logistic distribution (a common latency model with a closed-form
CDF). Each interval's count is split over the buckets, so ``_count`` always equals the ``+Inf``
bucket and buckets never decrease with ``le``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from waooaw_reports.demo.openmetrics import Series
from waooaw_reports.demo.timeline import FloatArray, Grid, IntArray, counter, restart

Labels = tuple[tuple[str, str], ...]


def le_label(bound: float) -> str:
    """``le`` as the Go client writes it: 0.05, 1, 2.5, 300."""
    return f"{bound:g}"


def bucket_probabilities(bounds: Sequence[float], median: FloatArray, shape: float) -> FloatArray:
    """Per interval (row), the chance an observation lands in each bucket, ``+Inf`` last."""
    ratio = np.asarray(bounds, dtype=np.float64)[None, :] / median[:, None]
    below = 1.0 / (1.0 + ratio ** (-shape))
    rows = len(median)
    edges = np.concatenate([np.zeros((rows, 1)), below, np.ones((rows, 1))], axis=1)
    return np.diff(edges, axis=1)


def split_counts(rng: np.random.Generator, totals: IntArray, probabilities: FloatArray) -> IntArray:
    """Split each interval's total over the buckets (a multinomial draw, bucket by bucket)."""
    counts = np.empty(probabilities.shape, dtype=np.int64)
    remaining = totals.astype(np.int64).copy()
    left = np.ones(len(totals))
    for bucket in range(probabilities.shape[1] - 1):
        chance = np.clip(probabilities[:, bucket] / np.maximum(left, 1e-12), 0.0, 1.0)
        counts[:, bucket] = rng.binomial(remaining, chance)
        remaining -= counts[:, bucket]
        left -= probabilities[:, bucket]
    counts[:, -1] = remaining
    return counts


def typical_values(bounds: Sequence[float]) -> FloatArray:
    """A representative observation per bucket, used to build ``_sum``."""
    edges = [0.0, *bounds]
    middles = [(low + high) / 2.0 for low, high in zip(edges[:-1], edges[1:], strict=True)]
    return np.asarray([*middles, bounds[-1] * 1.6])


def histogram_series(
    name: str,
    labels: Labels,
    grid: Grid,
    bounds: Sequence[float],
    per_bucket: IntArray,
    rng: np.random.Generator,
    restart_index: int | None = None,
) -> list[Series]:
    """``_bucket``, ``_count`` and ``_sum`` series of one labelled histogram.

    The history does not start with the process: the counts begin at a few days' worth.
    """
    cumulative = np.cumsum(per_bucket, axis=1)
    sums = per_bucket @ typical_values(bounds)
    first_day = int(np.searchsorted(grid.timestamps, grid.timestamps[0] + 86_400))
    scale = float(rng.uniform(0.5, 4.0))
    offsets = np.floor(scale * cumulative[:first_day].sum(axis=0)).astype(np.int64)

    buckets = counter(cumulative, offsets)
    totals = np.cumsum(sums) + scale * sums[:first_day].sum()
    if restart_index is not None:
        restart(buckets, restart_index)
        restart(totals, restart_index)

    les = [*(le_label(bound) for bound in bounds), "+Inf"]
    times = grid.timestamps
    series = [
        Series(f"{name}_bucket", (*labels, ("le", le)), times, np.ascontiguousarray(buckets[:, i]))
        for i, le in enumerate(les)
    ]
    series.append(Series(f"{name}_count", labels, times, np.ascontiguousarray(buckets[:, -1])))
    series.append(Series(f"{name}_sum", labels, times, totals, "%.3f"))
    return series
