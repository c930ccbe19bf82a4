"""The demo platform: seven months of metric history in a local Prometheus, and a SQLite
database of incidents and action items, told from one deterministic schedule."""

from waooaw_reports.demo.errors import DemoError
from waooaw_reports.demo.lifecycle import DemoStatus, demo_down, demo_up

__all__ = ["DemoError", "DemoStatus", "demo_down", "demo_up"]
