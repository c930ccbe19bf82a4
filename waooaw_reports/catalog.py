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
# A series selector: a metric name, label matchers in braces, or both. Capacity resources are
# built from selectors, not free PromQL, so the report can read each one slow-scrape safe (C08).
SELECTOR = re.compile(r"(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{[^{}]*\})?")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


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


@dataclass(frozen=True)
class Utilisation:
    """A share of a capacity in use: ``used`` over ``capacity``, a fraction with limit 1."""

    used: str
    capacity: str


@dataclass(frozen=True)
class ResourceSpec:
    """A capacity resource. Its level is ``value`` (less ``minus``), or ``utilisation``.

    With ``per_label``, one resource per value of that label is found in the data and named
    ``<name>:<label value>``; every selector is then summed by that label.
    """

    name: str
    description: str
    value: str | None
    limit: str | None
    unit: str
    daily: Literal["last", "max"]
    minus: str | None = None
    per_label: str | None = None
    utilisation: Utilisation | None = None


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
        "slos", raw, {"description", "objective", "good", "bad", "total", "downtime_threshold"}
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
    )
    if (spec.good is None) == (spec.bad is None):
        raise entry.fail("good", "exactly one of 'good' or 'bad'")
    return spec


def _selector(entry: _Entry, name: str, required: bool = False) -> str | None:
    text = entry.text(name, required=required)
    if text is not None and not SELECTOR.fullmatch(text):
        raise entry.fail(name, 'a series selector such as name{label="value"}')
    return text


def _utilisation(entry: _Entry) -> Utilisation:
    raw = entry.raw["utilisation"]
    expected = "a mapping with 'used' and 'capacity' series selectors"
    if not isinstance(raw, dict) or set(raw) != {"used", "capacity"}:
        raise entry.fail("utilisation", expected)
    for part in ("used", "capacity"):
        text = raw[part].strip() if isinstance(raw[part], str) else ""
        if not text or not SELECTOR.fullmatch(text):
            raise entry.fail("utilisation", f"{expected}; '{part}' is not a selector")
    return Utilisation(used=raw["used"].strip(), capacity=raw["capacity"].strip())


def _resource(raw: dict[str, Any]) -> ResourceSpec:
    fields = {"description", "value", "minus", "limit", "unit", "daily", "per_label", "utilisation"}
    entry = _Entry("resources", raw, fields)
    per_label = entry.text("per_label", required=False)
    if per_label is not None and not LABEL_NAME.fullmatch(per_label):
        raise entry.fail("per_label", "a Prometheus label name such as mountpoint")
    if raw.get("utilisation") is None:
        return ResourceSpec(
            name=raw["name"],
            description=entry.text("description") or "",
            value=_selector(entry, "value", required=True),
            limit=_selector(entry, "limit"),
            unit=entry.choice("unit", UNITS),
            daily=entry.choice("daily", ("last", "max")),  # type: ignore[arg-type]
            minus=_selector(entry, "minus"),
            per_label=per_label,
        )

    # A utilisation is a fraction of its capacity: its limit is 1, its unit a ratio, and its
    # daily value the day's peak (DESIGN §5).
    for name in ("value", "minus", "limit"):
        if raw.get(name) is not None:
            raise entry.fail(name, "nothing for a utilisation, whose level is used / capacity")
    if raw.get("unit", "ratio") != "ratio":
        raise entry.fail("unit", "'ratio' (or nothing) for a utilisation")
    if raw.get("daily", "max") != "max":
        raise entry.fail("daily", "'max' (or nothing): a utilisation is read as its daily peak")
    return ResourceSpec(
        name=raw["name"],
        description=entry.text("description") or "",
        value=None,
        limit=None,
        unit="ratio",
        daily="max",
        per_label=per_label,
        utilisation=_utilisation(entry),
    )
