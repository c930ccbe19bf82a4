"""The HTML report: one self-contained page, with its stylesheet inline and nothing to fetch."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .capacity_charts import capacity_chart_uri
from .formatting import FILTERS
from .templates import MAIN_TEMPLATE, template_folder

# Tables longer than this are cut in the HTML and the PDF; the full lists stay in report.json
# and incidents.csv (C19: thousands of rows make WeasyPrint slow and the PDF unreadable).
MAX_TABLE_ROWS = 200


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    # Autoescape is on for every template whatever its name: select_autoescape() would leave
    # *.html.j2 unescaped, and incident titles are data, never markup (C16).
    environment = Environment(
        loader=FileSystemLoader(template_folder()),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(FILTERS)
    environment.filters["capacity_chart_uri"] = capacity_chart_uri
    return environment


def render_html(report: dict[str, Any], *, max_rows: int = MAX_TABLE_ROWS) -> str:
    """The report as HTML; the same report gives the same text."""
    template = template_environment().get_template(MAIN_TEMPLATE)
    return template.render(report=report, max_rows=max_rows)
