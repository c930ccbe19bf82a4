"""Where the report templates, stylesheet and fonts live.

In the repository they are in ``<repo>/report_templates``; an installed wheel carries them as
``waooaw_reports/report_templates`` (force-included by pyproject). Both are looked up beside
this package, so an editable install and a wheel render the same reports.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE_FOLDER_NAME = "report_templates"
MAIN_TEMPLATE = "report.html.j2"


def template_folder() -> Path:
    """The real path of the template folder, installed copy first."""
    package = Path(__file__).resolve().parent.parent
    candidates = (package / TEMPLATE_FOLDER_NAME, package.parent / TEMPLATE_FOLDER_NAME)
    for candidate in candidates:
        if (candidate / MAIN_TEMPLATE).is_file():
            return candidate.resolve()
    searched = ", ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(
        f"The report templates were not found; looked for {MAIN_TEMPLATE} in {searched}. "
        "Run from a checkout of the repository or install the built package."
    )
