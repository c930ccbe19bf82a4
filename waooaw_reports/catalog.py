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
from string import Template
from typing import Any, Literal

import yaml

UNITS = ("ratio", "seconds", "per_minute", "count", "score", "bytes")
DIRECTIONS = ("higher", "lower")
METRIC_KINDS = ("ratio", "quantile", "value", "sql")
REPORT_KINDS = ("weekly", "monthly")
# How a metric may be judged instead of on its value over the period.
JUDGEMENTS = ("largest_daily_fall",)
# What ``$name`` may stand for in a PromQL query of the catalog (see catalog.yaml).
PROMQL_PLACEHOLDERS = ("range", "grid")
# The fields each kind of metric reads, besides the ones every metric has.
KIND_FIELDS = {
    "ratio": {"good", "bad", "total", "share"},
    "quantile": {"buckets", "quantile"},
    "value": {"query", "details"},
    "sql": {"query"},
}
_DETAIL_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SQL_START = re.compile(r"\s*(select|with)\b", re.IGNORECASE)
SLO_KINDS = ("ratio", "distribution")
# A series selector: a metric name, label matchers in braces, or both. Capacity resources are
# built from selectors, not free PromQL, so the report can read each one slow-scrape safe (C08).
SELECTOR = re.compile(r"(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{[^{}]*\})?")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class MetricSpec:
    """One playbook metric. ``target``, ``alert_threshold`` and ``direction`` apply to the
    value over the period, or, when ``judge`` is set, to the figure it names."""

    name: str
    tier: int
    description: str
    kind: Literal["ratio", "quantile", "value", "sql"]
    unit: str
    direction: str
    target: float | None
    alert_threshold: float | None
    good: str | None = None
    bad: str | None = None
    total: str | None = None
    share: Literal["good", "bad"] = "good"
    buckets: str | None = None
    quantile: float | None = None
    query: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    reports: tuple[str, ...] = REPORT_KINDS
    judge: str | None = None

    @property
    def source(self) -> Literal["prometheus", "sql"]:
        return "sql" if self.kind == "sql" else "prometheus"


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
    """The default catalog, extended (or overridden entry by entry) by ``extra``; an ``extra``
    file with ``replace_default: true`` replaces the default catalog whole."""
    texts = [("default catalog", default_catalog_text())]
    if extra is not None:
        try:
            texts.append((str(extra), extra.read_text(encoding="utf-8")))
        except OSError as exc:
            raise CatalogError(
                f"The catalog file {extra} named by WAOOAW_CATALOG cannot be read: {exc.strerror}."
            ) from exc
    documents = [(origin, _parse(origin, text)) for origin, text in texts]
    if documents[-1][1].get("replace_default") is True and len(documents) > 1:
        # The extra file stands alone: the default catalog's entries are left out.
        documents = documents[1:]
        texts = texts[1:]
    merged: dict[str, dict[str, dict[str, Any]]] = {"metrics": {}, "slos": {}, "resources": {}}
    for origin, document in documents:
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
    unknown = set(document) - {"version", "replace_default", "metrics", "slos", "resources"}
    if unknown:
        raise CatalogError(f"{origin} has unknown top-level keys: {', '.join(sorted(unknown))}.")
    if not isinstance(document.get("replace_default", False), bool):
        raise CatalogError(
            f"{origin}: 'replace_default' must be true or false, "
            f"got {document['replace_default']!r}."
        )
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
    common = {"tier", "description", "kind", "unit", "direction", "target", "alert_threshold"}
    common |= {"reports", "judge"}
    entry = _Entry("metrics", raw, common.union(*KIND_FIELDS.values()))
    tier = raw.get("tier")
    if tier not in (1, 2, 3, 4):
        raise entry.fail("tier", "1, 2, 3 or 4")
    kind = entry.choice("kind", METRIC_KINDS)
    for name in sorted(set(raw) & set().union(*KIND_FIELDS.values()) - KIND_FIELDS[kind]):
        raise CatalogError(
            f"{entry.where}, field {name!r}: not read by a metric of kind {kind!r}; "
            f"that kind reads {', '.join(sorted(KIND_FIELDS[kind]))}."
        )
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
        share=entry.choice("share", ("good", "bad")) if "share" in raw else "good",  # type: ignore[arg-type]
        buckets=entry.text("buckets", required=False),
        quantile=entry.number("quantile"),
        query=entry.text("query", required=False),
        details=_details(entry),
        reports=_reports(entry),
        judge=entry.choice("judge", JUDGEMENTS) if "judge" in raw else None,
    )
    _check_kind(entry, spec)
    _check_thresholds(entry, spec)
    return spec


def _check_kind(entry: _Entry, spec: MetricSpec) -> None:
    if spec.kind == "ratio":
        if spec.total is None:
            raise entry.fail("total", "a series selector for the ratio's denominator")
        if (spec.good is None) == (spec.bad is None):
            raise entry.fail("good", "exactly one of 'good' or 'bad' for a ratio")
        if spec.unit != "ratio":
            raise entry.fail("unit", "'ratio' for a metric of kind 'ratio'")
    elif spec.kind == "quantile":
        if spec.quantile is None or not 0 < spec.quantile < 1:
            raise entry.fail("quantile", "a fraction strictly between 0 and 1, e.g. 0.95")
        if spec.buckets is None or "_bucket" not in spec.buckets:
            raise entry.fail("buckets", "a selector of a histogram's _bucket series")
    elif spec.query is None:
        what = "a SELECT statement" if spec.kind == "sql" else "a PromQL query"
        raise entry.fail("query", f"{what} for a metric of kind {spec.kind!r}")
    elif spec.kind == "sql":
        if not _SQL_START.match(spec.query):
            raise entry.fail("query", "a read-only statement starting with SELECT or WITH")
    else:
        _check_placeholders(entry, "query", spec.query)
        for name, query in spec.details.items():
            _check_placeholders(entry, f"details.{name}", query)


def _check_placeholders(entry: _Entry, name: str, query: str) -> None:
    template = Template(query)
    unknown = sorted(set(template.get_identifiers()) - set(PROMQL_PLACEHOLDERS))
    if not template.is_valid() or unknown:
        raise CatalogError(
            f"{entry.where}, field {name!r}: placeholders may only be "
            f"{', '.join('$' + p for p in PROMQL_PLACEHOLDERS)}; got {query!r}."
        )


def _check_thresholds(entry: _Entry, spec: MetricSpec) -> None:
    if spec.target is None and spec.alert_threshold is None:
        raise entry.fail("target", "a target, an alert threshold, or both")
    judged_unit = "ratio" if spec.judge == "largest_daily_fall" else spec.unit
    for name in ("target", "alert_threshold"):
        value = getattr(spec, name)
        if judged_unit == "ratio" and value is not None and not 0 <= value <= 1:
            raise entry.fail(name, "a fraction from 0 to 1 for a ratio")
    if spec.target is not None and spec.alert_threshold is not None:
        sign = 1 if spec.direction == "higher" else -1
        if sign * spec.alert_threshold > sign * spec.target:
            side = "at or below" if spec.direction == "higher" else "at or above"
            raise entry.fail(
                "alert_threshold", f"a value {side} the target when {spec.direction} is better"
            )


def _details(entry: _Entry) -> dict[str, str]:
    raw = entry.raw.get("details")
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not raw:
        raise entry.fail("details", "a mapping of figure names to PromQL queries")
    details = {}
    for name, query in raw.items():
        if not isinstance(name, str) or not _DETAIL_NAME.fullmatch(name):
            raise entry.fail("details", f"lower-case figure names; {name!r} is not one")
        if not isinstance(query, str) or not query.strip():
            raise entry.fail("details", f"a PromQL query for {name!r}")
        details[name] = query.strip()
    return details


def _reports(entry: _Entry) -> tuple[str, ...]:
    raw = entry.raw.get("reports")
    if raw is None:
        return REPORT_KINDS
    if not isinstance(raw, list) or not raw or any(kind not in REPORT_KINDS for kind in raw):
        raise entry.fail("reports", "a non-empty list of weekly, monthly")
    return tuple(kind for kind in REPORT_KINDS if kind in raw)


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
