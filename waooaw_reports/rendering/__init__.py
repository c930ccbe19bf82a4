"""Rendering: one report model in, HTML and PDF out. It computes nothing new."""

from .files import write_report_files
from .html import MAX_TABLE_ROWS, render_html
from .pdf import URLRefused, render_pdf

__all__ = ["MAX_TABLE_ROWS", "URLRefused", "render_html", "render_pdf", "write_report_files"]
