"""PromQL text for the catalog's figures: counts, percentiles and placeholders.

Every figure over a window is one instant query at the window's end over its length in whole
seconds (DESIGN §5), so the queries of one figure see the same data (case C06).
"""

from __future__ import annotations

from string import Template


def count_query(selector: str, seconds: int) -> str:
    return f"sum(increase({selector}[{seconds}s]))"


def quantile_query(quantile: float, buckets: str, seconds: int) -> str:
    """A percentile from buckets summed over the whole window, never an average of shorter
    percentiles (case C07)."""
    return f"histogram_quantile({quantile!r}, sum by (le) (increase({buckets}[{seconds}s])))"


def grid(seconds: int) -> str:
    """A 1-minute subquery grid over a window: its points are the minute ends inside it.

    The range stops one second short of the window so that the point at its start, which
    belongs to the window before, is out whether ranges include their left end or not.
    """
    return f"{seconds - 1}s:1m"


def with_window(query: str, seconds: int) -> str:
    """``query`` with ``$range`` and ``$grid`` filled in for a window of ``seconds``."""
    return Template(query).substitute(range=f"{seconds}s", grid=grid(seconds))
