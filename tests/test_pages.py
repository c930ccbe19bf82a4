import json
import subprocess
from pathlib import Path

import pytest

from waooaw_reports.rendering import render_html, render_pdf
from waooaw_reports.rendering.pages import PagesError, latest_reports, pdf_pages

FIXTURE = Path(__file__).parent / "fixtures" / "report_weekly.json"


def test_every_page_becomes_an_image(tmp_path):
    directory = tmp_path / "weekly" / "2026-11-23"
    directory.mkdir(parents=True)
    pdf = directory / "report.pdf"
    pdf.write_bytes(render_pdf(render_html(json.loads(FIXTURE.read_text()))))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )

    images = pdf_pages(pdf, directory / "pages", resolution=30)

    assert len(images) == pages
    assert all(image.read_bytes().startswith(b"\x89PNG") for image in images)
    assert latest_reports(tmp_path) == [directory]


def test_missing_reports_say_what_to_do(tmp_path):
    with pytest.raises(PagesError, match="run `waooaw-reports run weekly` first"):
        latest_reports(tmp_path)
    with pytest.raises(PagesError, match="does not exist"):
        pdf_pages(tmp_path / "report.pdf", tmp_path / "pages")
