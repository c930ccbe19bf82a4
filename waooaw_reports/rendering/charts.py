"""Charts as SVG with real text, drawn with matplotlib, the one plotting library of the reports.

Every chart goes through ``figure()`` and ``to_svg()``: a fixed size and style, text kept as
text (``svg.fonttype: none``) so it stays selectable and scales, no timestamp or random ids in
the output so the same data give the same bytes, and line styles and markers that stay apart
in greyscale, not only colours.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Dark, mid and light tones with distinct dash patterns: readable printed in black and white.
INK = "#1f2933"
SERIES = ("#1f4e79", "#c0392b", "#7f8c8d", "#27ae60")
DASHES = ("-", "--", ":", "-.")
STYLE: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "waooaw-reports",
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 8,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d5d8dc",
    "grid.linewidth": 0.5,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 7,
}


@contextmanager
def figure(width: float = 6.4, height: float = 2.4) -> Iterator[tuple[Figure, Axes]]:
    """A figure and its axes in the reports' style; closed when the block ends."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(figsize=(width, height), layout="constrained")
        try:
            yield fig, axes
        finally:
            plt.close(fig)


def to_svg(fig: Figure) -> str:
    """The figure as an SVG document without metadata (no date, no generator line)."""
    buffer = io.StringIO()
    with plt.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # The RDF metadata block only names namespaces; drop it so the page holds no URLs.
    start, end = text.find("<metadata>"), text.find("</metadata>")
    if start != -1 and end != -1:
        text = text[:start] + text[end + len("</metadata>") :]
    return text


def to_png(fig: Figure, dpi: int = 120) -> bytes:
    """The figure as PNG, for email bodies (mail clients drop SVG)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
