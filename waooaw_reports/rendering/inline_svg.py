"""SVG made fit to sit inside an HTML page that WeasyPrint also renders.

Two things go wrong when matplotlib's SVG is pasted into HTML as it is:

- WeasyPrint reads every ``style`` attribute of the page as HTML CSS and warns about each SVG
  property it does not know (``stroke``, ``text-anchor``, ...), although its SVG renderer then
  draws them. The same properties written as SVG presentation attributes draw the same and raise
  nothing, so a warning still means something was lost (C18).
- matplotlib puts a ``<style>`` of ``*{stroke-linejoin: round; stroke-linecap: butt}`` in each
  SVG; inside HTML that rule reaches every element of the page. It becomes two inherited
  attributes of the chart's root instead.
- Each chart names its elements ``axes_1``, ``line2d_1``, ...; two charts on one page would share
  ids, and a reference could reach into the wrong chart. Every id gets a per-chart prefix.
"""

from __future__ import annotations

import html
import re

_STYLE = re.compile(r'\sstyle="([^"]*)"')
_PROPERTY = re.compile(r"^[a-z]+(-[a-z]+)*$")


def inline_svg(svg: str, prefix: str) -> str:
    """``svg`` with styles as presentation attributes and every id prefixed with ``prefix``."""
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    svg = svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    svg = _STYLE.sub(_as_attributes, svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)


def _as_attributes(match: re.Match[str]) -> str:
    attributes = []
    for declaration in html.unescape(match.group(1)).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if not _PROPERTY.match(name):
            raise ValueError(f"Unexpected SVG style property {name!r} in a chart.")
        attributes.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(attributes)
