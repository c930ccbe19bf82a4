"""PNG images of a report's PDF pages (poppler's pdftoppm), to look at as a reader would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class PagesError(RuntimeError):
    """The page images could not be written."""


def latest_reports(reports_dir: Path) -> list[Path]:
    """The newest weekly and the newest monthly report directory under ``reports_dir``."""
    found = []
    for kind in ("weekly", "monthly"):
        keys = sorted(p.parent for p in (reports_dir / kind).glob("*/report.pdf"))
        if keys:
            found.append(keys[-1])
    if not found:
        raise PagesError(
            f"No report.pdf under {reports_dir}/weekly or {reports_dir}/monthly; "
            "run `waooaw-reports run weekly` first or name report directories."
        )
    return found


def pdf_pages(pdf: Path, out_dir: Path, resolution: int = 80) -> list[Path]:
    """Write ``page-N.png`` for every page of ``pdf`` into ``out_dir``; their paths."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise PagesError("pdftoppm is missing: run scripts/setup (Debian's poppler-utils).")
    if not pdf.is_file():
        raise PagesError(f"{pdf} does not exist.")
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("page-*.png"):
        old.unlink()
    result = subprocess.run(
        [tool, "-png", "-r", str(resolution), str(pdf), str(out_dir / "page")],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PagesError(f"pdftoppm could not read {pdf}: {result.stderr.strip()}")
    return sorted(out_dir.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
