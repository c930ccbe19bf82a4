"""``python -m waooaw_reports.cli``: the same as the ``waooaw-reports`` command."""

from waooaw_reports.cli import main

main()
