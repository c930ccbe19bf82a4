import pytest

from waooaw_reports.catalog import CatalogError, load_catalog

TIER_ONE = {
    # name: (target, alert_threshold, direction), from DESIGN §5
    "api_availability": (0.999, 0.995, "higher"),
    "goal_execution_success": (0.98, 0.95, "higher"),
    "authentication_success": (0.99, 0.97, "higher"),
    "deliverable_creation_success": (0.97, 0.90, "higher"),
}
# The SLOs of DESIGN §5 and their objectives, from the playbook.
SLO_OBJECTIVES = {
    "api_availability": 0.999,
    "goal_execution_success": 0.98,
    "authentication_success": 0.99,
    "deliverable_creation_success": 0.97,
    "integration_success:instagram": 0.95,
    "integration_success:linkedin": 0.95,
    "integration_success:delta_exchange": 0.95,
    "api_latency": 0.95,
}


def test_default_catalog_holds_tier_one_with_playbook_targets():
    catalog = load_catalog()
    metrics = {m.name: m for m in catalog.metrics}
    for name, (target, alert, direction) in TIER_ONE.items():
        assert (metrics[name].target, metrics[name].alert_threshold) == (target, alert)
        assert metrics[name].direction == direction
        assert metrics[name].tier == 1
    assert {s.name: s.objective for s in catalog.slos} == SLO_OBJECTIVES
    assert catalog.slos[0].downtime_threshold == 0.995  # only availability is time based
    assert all(s.downtime_threshold is None for s in catalog.slos[1:])
    assert [r.name for r in catalog.resources] == ["database_size"]


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


def test_latency_slo_is_a_distribution_over_the_200_ms_bucket():
    (latency,) = [s for s in load_catalog().slos if s.name == "api_latency"]
    assert latency.kind == "distribution"
    assert latency.good == 'api_request_duration_seconds_bucket{le="0.2"}'
    assert latency.total == "api_request_duration_seconds_count"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        # A distribution SLO counts one bucket; a plain counter is not one.
        (
            "{name: slow, description: d, kind: distribution, objective: 0.9, good: x_total,"
            " total: x_count}",
            r"slos entry 'slow', field 'good': expected a histogram bucket",
        ),
        (
            "{name: slow, description: d, kind: distribution, objective: 0.9,"
            " good: 'x_bucket{le=~\"0.2\"}',"
            " total: x_count}",
            r"field 'good': expected a histogram bucket",
        ),
        (
            "{name: s, description: d, kind: summary, objective: 0.9, good: g, total: t}",
            r"field 'kind'",
        ),
        ("{name: s, objective: 0, good: g, total: t}", r"field 'objective'"),
    ],
)
def test_invalid_slos_name_entry_and_field(tmp_path, entry, message):
    extra = tmp_path / "bad.yaml"
    extra.write_text("slos:\n  - " + entry + "\n")
    with pytest.raises(CatalogError, match=message):
        load_catalog(extra)
