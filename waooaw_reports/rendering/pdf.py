"""The PDF report: WeasyPrint with a URL fetcher that only reads the template folder.

Rendering fetches nothing from the network or from outside ``report_templates/`` (DESIGN §8,
C17). The fetcher follows WeasyPrint 70's interface: a ``URLFetcher`` subclass whose ``fetch``
returns a ``URLFetcherResponse``; an exception it raises makes WeasyPrint skip that resource
and log it, so a refused URL drops an image or a stylesheet but still yields a report.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from .templates import template_folder

logger = logging.getLogger(__name__)

FONTS_STYLESHEET = "fonts.css"
CONTENT_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


class URLRefused(ValueError):
    """A resource the report may not load: not data:, or not inside the template folder."""


class TemplateFolderFetcher(URLFetcher):
    """Serves ``data:`` URLs and regular files inside one folder; refuses everything else."""

    def __init__(self, folder: Path) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.folder = folder.resolve(strict=True)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            # urllib's data: handler decodes in memory; nothing leaves the process.
            return super().fetch(url, headers)
        if scheme == "file":
            return self._fetch_file(url)
        self._refuse(url, f"the {scheme or 'missing'} scheme is not allowed")

    def _fetch_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, f"the file is on another host, {parts.netloc!r}")
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            self._refuse(url, "the file does not exist")
        if not path.is_relative_to(self.folder) or not path.is_file():
            self._refuse(url, f"the file is not inside {self.folder}")
        content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def _refuse(self, url: str, reason: str) -> Any:
        shown = url if len(url) <= 200 else url[:200] + "..."
        self.refused.append(url)
        logger.warning("Refused to load %s while rendering a PDF: %s", shown, reason)
        raise URLRefused(
            f"Refused to load {shown}: {reason}; a report may only load data: URLs "
            f"and files inside {self.folder}."
        )


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered report, with the shipped fonts embedded and no attachments."""
    folder = template_folder()
    fetcher = TemplateFolderFetcher(folder)
    font_config = FontConfiguration()
    fonts = CSS(filename=folder / FONTS_STYLESHEET, url_fetcher=fetcher, font_config=font_config)
    document = HTML(string=html, base_url=str(folder), url_fetcher=fetcher).render(
        stylesheets=[fonts], font_config=font_config
    )
    _drop_attachments(document)
    pdf: bytes = document.write_pdf()

    logger.info("Rendered a PDF of %d pages, %d bytes", len(document.pages), len(pdf))
    return pdf


def _drop_attachments(document: Any) -> None:
    # <link rel=attachment> and <a rel=attachment> would embed files in the PDF; a report has
    # none of its own, so any such link came from data and is ignored.
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
