"""The HTML report: one self-contained page, with its stylesheet inline and nothing to fetch."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .burn_down import burn_down_svg
from .capacity_charts import capacity_chart_uri
from .formatting import FILTERS
from .incident_charts import incident_trend_svg
from .security_chart import failed_logins_chart
from .slo_text import SLO_FILTERS
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
    environment.filters["failed_logins_chart"] = failed_logins_chart
    environment.globals["incident_trend_svg"] = incident_trend_svg
    environment.filters.update(SLO_FILTERS)
    environment.globals["burn_down_chart"] = _burn_down_chart
    environment.filters["capacity_chart_uri"] = capacity_chart_uri
    return environment


def _burn_down_chart(slo: dict[str, Any], title: str) -> Markup:
    # matplotlib escapes the title and labels it writes; the SVG itself is ours, not data.
    return Markup(burn_down_svg(slo, title))


def render_html(report: dict[str, Any], *, max_rows: int = MAX_TABLE_ROWS) -> str:
    """The report as HTML; the same report gives the same text."""
    template = template_environment().get_template(MAIN_TEMPLATE)
    return template.render(report=report, max_rows=max_rows)
