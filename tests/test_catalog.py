import pytest

from waooaw_reports.catalog import CatalogError, load_catalog

TIER_ONE = {
    # name: (target, alert_threshold, direction), from DESIGN §5
    "api_availability": (0.999, 0.995, "higher"),
    "goal_execution_success": (0.98, 0.95, "higher"),
    "authentication_success": (0.99, 0.97, "higher"),
    "deliverable_creation_success": (0.97, 0.90, "higher"),
}


def test_default_catalog_holds_tier_one_with_playbook_targets():
    catalog = load_catalog()
    metrics = {m.name: m for m in catalog.metrics}
    for name, (target, alert, direction) in TIER_ONE.items():
        assert (metrics[name].target, metrics[name].alert_threshold) == (target, alert)
        assert metrics[name].direction == direction
        assert metrics[name].tier == 1
    assert [s.name for s in catalog.slos] == ["api_availability"]
    assert catalog.slos[0].objective == 0.999
    assert [r.name for r in catalog.resources] == [
        "database_size",
        "disk_usage",
        "connection_pool",
    ]


def test_extra_catalog_overrides_and_adds(tmp_path):
    extra = tmp_path / "team.yaml"
    extra.write_text(
        """
metrics:
  - name: api_availability
    tier: 1
    description: Stricter target for this team.
    kind: ratio
    bad: 'api_requests_total{status=~"5.."}'
    total: api_requests_total
    unit: ratio
    direction: higher
    target: 0.9995
    alert_threshold: 0.995
  - name: cache_hit_rate
    tier: 3
    description: Cache hits over lookups.
    kind: ratio
    good: redis_keyspace_hits_total
    total: '{__name__=~"redis_keyspace_(hits|misses)_total"}'
    unit: ratio
    direction: higher
    target: 0.85
"""
    )
    catalog = load_catalog(extra)
    metrics = {m.name: m for m in catalog.metrics}
    assert metrics["api_availability"].target == 0.9995
    assert metrics["cache_hit_rate"].alert_threshold is None
    assert len(catalog.metrics) == 5
    assert catalog.digest != load_catalog().digest


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {name: x, tier: 5}", r"metrics entry 'x', field 'tier'"),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, total: t, unit: ratio,"
            " direction: up, target: 1}",
            r"metrics entry 'x', field 'direction'",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, total: t, unit: ratio,"
            " direction: higher, target: 0.5}",
            r"field 'good': expected exactly one of 'good' or 'bad'",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, good: g, total: t,"
            " unit: percent, direction: higher, target: 0.5}",
            r"field 'unit'",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, good: g, total: t,"
            " unit: ratio, direction: higher, target: high}",
            r"field 'target': expected a finite number",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: value, unit: ratio,"
            " direction: higher, target: 1, colour: red}",
            r"unknown fields: colour",
        ),
    ],
)
def test_invalid_entries_name_entry_and_field(tmp_path, entry, message):
    extra = tmp_path / "bad.yaml"
    extra.write_text("metrics:\n" + entry + "\n")
    with pytest.raises(CatalogError, match=message):
        load_catalog(extra)


def test_objective_of_one_has_no_budget(tmp_path):
    # Case C04: a 100 % objective leaves no error budget; refuse it in configuration.
    extra = tmp_path / "slo.yaml"
    extra.write_text("slos:\n  - {name: api_availability, objective: 1.0, total: t, bad: b}\n")
    with pytest.raises(CatalogError, match="1.0 leaves no budget"):
        load_catalog(extra)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(CatalogError, match="cannot be read"):
        load_catalog(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("metrics: [\n")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(broken)


def test_default_resources_expand_by_label():
    resources = {r.name: r for r in load_catalog().resources}
    assert resources["database_size"].per_label is None
    assert resources["disk_usage"].per_label == "mountpoint"
    assert resources["disk_usage"].minus is not None
    pool = resources["connection_pool"]
    assert (pool.per_label, pool.unit, pool.daily, pool.limit) == ("pool", "ratio", "max", None)
    assert pool.utilisation is not None
    assert pool.utilisation.used == "db_pool_connections_in_use"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "  - {name: x, description: d, value: 'rate(x[5m])', unit: bytes, daily: last}",
            r"resources entry 'x', field 'value': expected a series selector",
        ),
        (
            "  - {name: x, description: d, value: v, minus: 'a + b', unit: bytes, daily: last}",
            r"resources entry 'x', field 'minus': expected a series selector",
        ),
        (
            "  - {name: x, description: d, value: v, unit: bytes, daily: last,"
            " per_label: 'mount point'}",
            r"resources entry 'x', field 'per_label': expected a Prometheus label name",
        ),
        (
            "  - {name: x, description: d, utilisation: {used: u}}",
            r"resources entry 'x', field 'utilisation': expected a mapping with 'used' and"
            r" 'capacity'",
        ),
        (
            "  - {name: x, description: d, utilisation: {used: u, capacity: 'sum(c)'}}",
            r"field 'utilisation': .*'capacity' is not a selector",
        ),
        (
            "  - {name: x, description: d, utilisation: {used: u, capacity: c}, limit: l}",
            r"resources entry 'x', field 'limit': expected nothing for a utilisation",
        ),
        (
            "  - {name: x, description: d, utilisation: {used: u, capacity: c}, unit: bytes}",
            r"resources entry 'x', field 'unit': expected 'ratio'",
        ),
        (
            "  - {name: x, description: d, utilisation: {used: u, capacity: c}, daily: last}",
            r"resources entry 'x', field 'daily': expected 'max'",
        ),
        (
            "  - {name: x, description: d, unit: bytes, daily: last}",
            r"resources entry 'x', field 'value': expected a non-empty string",
        ),
    ],
)
def test_invalid_resources_name_entry_and_field(tmp_path, entry, message):
    extra = tmp_path / "bad.yaml"
    extra.write_text("resources:\n" + entry + "\n")
    with pytest.raises(CatalogError, match=message):
        load_catalog(extra)


def test_extra_catalog_adds_a_utilisation(tmp_path):
    extra = tmp_path / "team.yaml"
    extra.write_text(
        """
resources:
  - name: worker_slots
    description: Daily peak share of worker slots busy.
    per_label: queue
    utilisation: {used: 'worker_busy{env="prod"}', capacity: worker_slots}
"""
    )
    resources = {r.name: r for r in load_catalog(extra).resources}
    assert resources["worker_slots"].unit == "ratio"
    assert resources["worker_slots"].utilisation.used == 'worker_busy{env="prod"}'
