"""The metric catalog: one data file maps each playbook figure to its query and targets.

The catalog is validated whole before any query runs; an error names the entry and the field.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

UNITS = ("ratio", "seconds", "per_minute", "count", "score", "bytes")
DIRECTIONS = ("higher", "lower")
SLO_KINDS = ("ratio", "distribution")


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class MetricSpec:
    name: str
    tier: int
    description: str
    kind: Literal["ratio", "value"]
    unit: str
    direction: str
    target: float | None
    alert_threshold: float | None
    good: str | None = None
    bad: str | None = None
    total: str | None = None
    query: str | None = None


@dataclass(frozen=True)
class SloSpec:
    name: str
    description: str
    objective: float
    total: str
    good: str | None = None
    bad: str | None = None
    downtime_threshold: float | None = None
    # "distribution": good events are the histogram bucket under a threshold, total its count.
    kind: Literal["ratio", "distribution"] = "ratio"


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    description: str
    value: str
    limit: str | None
    unit: str
    daily: Literal["last", "max"]


@dataclass(frozen=True)
class Catalog:
    metrics: tuple[MetricSpec, ...]
    slos: tuple[SloSpec, ...]
    resources: tuple[ResourceSpec, ...]
    sources: tuple[str, ...] = field(default=())
    digest: str = ""


def default_catalog_text() -> str:
    return resources.files("waooaw_reports").joinpath("catalog.yaml").read_text(encoding="utf-8")


def load_catalog(extra: Path | None = None) -> Catalog:
    """The default catalog, extended (or overridden entry by entry) by ``extra``."""
    texts = [("default catalog", default_catalog_text())]
    if extra is not None:
        try:
            texts.append((str(extra), extra.read_text(encoding="utf-8")))
        except OSError as exc:
            raise CatalogError(
                f"The catalog file {extra} named by WAOOAW_CATALOG cannot be read: {exc.strerror}."
            ) from exc
    merged: dict[str, dict[str, dict[str, Any]]] = {"metrics": {}, "slos": {}, "resources": {}}
    for origin, text in texts:
        document = _parse(origin, text)
        for section, entries in merged.items():
            for index, entry in enumerate(document.get(section) or []):
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    raise CatalogError(
                        f"{origin}: {section}[{index}] needs a 'name' and must be a mapping."
                    )
                entries[entry["name"]] = {**entry, "_origin": origin}
    digest = hashlib.sha256("\n".join(text for _, text in texts).encode()).hexdigest()
    return Catalog(
        metrics=tuple(_metric(e) for e in merged["metrics"].values()),
        slos=tuple(_slo(e) for e in merged["slos"].values()),
        resources=tuple(_resource(e) for e in merged["resources"].values()),
        sources=tuple(origin for origin, _ in texts),
        digest=digest,
    )


def _parse(origin: str, text: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise CatalogError(f"{origin} must be a mapping with metrics, slos and resources.")
    unknown = set(document) - {"version", "metrics", "slos", "resources"}
    if unknown:
        raise CatalogError(f"{origin} has unknown top-level keys: {', '.join(sorted(unknown))}.")
    for section in ("metrics", "slos", "resources"):
        if not isinstance(document.get(section) or [], list):
            raise CatalogError(f"{origin}: '{section}' must be a list of entries.")
    return document


class _Entry:
    """Typed access to one catalog entry, with errors that name the entry and field."""

    def __init__(self, section: str, raw: dict[str, Any], allowed: set[str]) -> None:
        self.raw = raw
        self.where = f"{raw['_origin']}: {section} entry {raw['name']!r}"
        unknown = set(raw) - allowed - {"_origin", "name"}
        if unknown:
            raise CatalogError(f"{self.where} has unknown fields: {', '.join(sorted(unknown))}.")

    def fail(self, name: str, expected: str) -> CatalogError:
        return CatalogError(
            f"{self.where}, field {name!r}: expected {expected}, got {self.raw.get(name)!r}."
        )

    def text(self, name: str, required: bool = True) -> str | None:
        value = self.raw.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "a non-empty string")
        return value.strip()

    def number(self, name: str, required: bool = False) -> float | None:
        value = self.raw.get(name)
        if value is None and not required:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(name, "a finite number")
        return float(value)

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.raw.get(name)
        if value not in choices:
            raise self.fail(name, "one of " + ", ".join(choices))
        return str(value)


def _metric(raw: dict[str, Any]) -> MetricSpec:
    fields = {
        "tier",
        "description",
        "kind",
        "unit",
        "direction",
        "target",
        "alert_threshold",
        "good",
        "bad",
        "total",
        "query",
    }
    entry = _Entry("metrics", raw, fields)
    tier = raw.get("tier")
    if tier not in (1, 2, 3, 4):
        raise entry.fail("tier", "1, 2, 3 or 4")
    kind = entry.choice("kind", ("ratio", "value"))
    spec = MetricSpec(
        name=raw["name"],
        tier=tier,
        description=entry.text("description") or "",
        kind=kind,  # type: ignore[arg-type]
        unit=entry.choice("unit", UNITS),
        direction=entry.choice("direction", DIRECTIONS),
        target=entry.number("target"),
        alert_threshold=entry.number("alert_threshold"),
        good=entry.text("good", required=False),
        bad=entry.text("bad", required=False),
        total=entry.text("total", required=False),
        query=entry.text("query", required=False),
    )
    if kind == "ratio":
        if spec.total is None:
            raise entry.fail("total", "a series selector for the ratio's denominator")
        if (spec.good is None) == (spec.bad is None):
            raise entry.fail("good", "exactly one of 'good' or 'bad' for a ratio")
    elif spec.query is None:
        raise entry.fail("query", "a PromQL query for a metric of kind 'value'")
    if spec.target is None and spec.alert_threshold is None:
        raise entry.fail("target", "a target, an alert threshold, or both")
    return spec


def _slo(raw: dict[str, Any]) -> SloSpec:
    entry = _Entry(
        "slos",
        raw,
        {"description", "objective", "good", "bad", "total", "downtime_threshold", "kind"},
    )
    objective = entry.number("objective", required=True)
    assert objective is not None
    if not 0 < objective < 1:
        # An objective of 100 % has no error budget to spend (case C04).
        raise entry.fail("objective", "a fraction strictly between 0 and 1 (1.0 leaves no budget)")
    spec = SloSpec(
        name=raw["name"],
        description=entry.text("description") or "",
        objective=objective,
        total=entry.text("total") or "",
        good=entry.text("good", required=False),
        bad=entry.text("bad", required=False),
        downtime_threshold=entry.number("downtime_threshold"),
        kind=entry.choice("kind", SLO_KINDS) if "kind" in raw else "ratio",  # type: ignore[arg-type]
    )
    if (spec.good is None) == (spec.bad is None):
        raise entry.fail("good", "exactly one of 'good' or 'bad'")
    if spec.kind == "distribution" and not _is_bucket_under_threshold(spec.good):
        raise entry.fail("good", 'a histogram bucket under the threshold, e.g. x_bucket{le="0.2"}')
    return spec


def _is_bucket_under_threshold(selector: str | None) -> bool:
    """A distribution SLO counts good events from one bucket: ``<name>_bucket{..., le="X"}``."""
    if selector is None:
        return False
    name, _, matchers = selector.partition("{")
    return (
        name.strip().endswith("_bucket") and re.search(r'\ble\s*=\s*"[^"]+"', matchers) is not None
    )


def _resource(raw: dict[str, Any]) -> ResourceSpec:
    entry = _Entry("resources", raw, {"description", "value", "limit", "unit", "daily"})
    return ResourceSpec(
        name=raw["name"],
        description=entry.text("description") or "",
        value=entry.text("value") or "",
        limit=entry.text("limit", required=False),
        unit=entry.choice("unit", UNITS),
        daily=entry.choice("daily", ("last", "max")),  # type: ignore[arg-type]
    )
