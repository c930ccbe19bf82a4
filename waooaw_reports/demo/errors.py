"""The one error the demo platform raises for a state it cannot fix on its own."""

from __future__ import annotations

SETUP_HINT = "run scripts/setup, which installs Debian's prometheus package"


class DemoError(RuntimeError):
    """The demo platform could not be generated, loaded, started or stopped."""
