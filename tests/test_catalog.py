import pytest

from waooaw_reports.catalog import CatalogError, load_catalog

# DESIGN §5's default catalog: name -> (tier, target, alert threshold, direction, unit).
PLAYBOOK = {
    "api_availability": (1, 0.999, 0.995, "higher", "ratio"),
    "goal_execution_success": (1, 0.98, 0.95, "higher", "ratio"),
    "authentication_success": (1, 0.99, 0.97, "higher", "ratio"),
    "deliverable_creation_success": (1, 0.97, 0.90, "higher", "ratio"),
    "api_latency_p95": (2, 0.2, 0.5, "lower", "seconds"),
    "goal_execution_latency_p95": (2, 120, 300, "lower", "seconds"),
    "integration_success:instagram": (2, 0.95, 0.90, "higher", "ratio"),
    "integration_success:linkedin": (2, 0.95, 0.90, "higher", "ratio"),
    "integration_success:delta_exchange": (2, 0.95, 0.90, "higher", "ratio"),
    "approval_wait_median": (2, 7200, None, "lower", "seconds"),
    "approval_wait_p95": (2, None, 86400, "lower", "seconds"),
    "connection_pool_utilization": (3, 0.80, 0.90, "lower", "ratio"),
    "scheduler_heartbeat_max_age": (3, 120, 180, "lower", "seconds"),
    "slow_queries_per_minute": (3, 5, 20, "lower", "per_minute"),
    "error_rate_5xx": (3, 0.001, 0.01, "lower", "ratio"),
    "cache_hit_rate": (3, 0.85, None, "higher", "ratio"),
    # Judged on the largest day-over-day fall: any fall misses, over 20 % alerts.
    "active_agents": (4, 0, 0.20, "lower", "count"),
    "trial_conversion_rate": (4, 0.30, 0.20, "higher", "ratio"),
    "credential_health": (4, 0.95, 0.85, "higher", "ratio"),
    "customer_satisfaction": (4, 4.5, None, "higher", "score"),
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


def test_default_catalog_holds_the_playbook():
    catalog = load_catalog()
    metrics = {m.name: m for m in catalog.metrics}
    assert set(metrics) == set(PLAYBOOK)
    for name, (tier, target, alert, direction, unit) in PLAYBOOK.items():
        metric = metrics[name]
        assert (metric.tier, metric.target, metric.alert_threshold) == (tier, target, alert), name
        assert (metric.direction, metric.unit) == (direction, unit), name
        assert metric.description.strip(), name
    assert metrics["active_agents"].judge == "largest_daily_fall"
    assert metrics["customer_satisfaction"].reports == ("weekly",)
    assert metrics["trial_conversion_rate"].reports == ("weekly", "monthly")
    assert {metrics[n].kind for n in ("trial_conversion_rate", "customer_satisfaction")} == {"sql"}
    assert metrics["api_latency_p95"].quantile == 0.95
    assert metrics["approval_wait_median"].quantile == 0.5
    assert {s.name: s.objective for s in catalog.slos} == SLO_OBJECTIVES
    assert catalog.slos[0].downtime_threshold == 0.995  # only availability is time based
    assert all(s.downtime_threshold is None for s in catalog.slos[1:])
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
  - name: search_latency_p99
    tier: 2
    description: 99th percentile of search latency.
    kind: quantile
    quantile: 0.99
    buckets: search_duration_seconds_bucket
    unit: seconds
    direction: lower
    alert_threshold: 2
"""
    )
    catalog = load_catalog(extra)
    metrics = {m.name: m for m in catalog.metrics}
    assert metrics["api_availability"].target == 0.9995
    assert metrics["search_latency_p99"].target is None
    assert len(catalog.metrics) == len(PLAYBOOK) + 1
    assert catalog.digest != load_catalog().digest
    assert catalog.sources == ("default catalog", str(extra))


def test_extra_catalog_may_replace_the_default(tmp_path):
    extra = tmp_path / "only.yaml"
    extra.write_text(
        """
replace_default: true
metrics:
  - {name: queue_depth, tier: 3, description: Jobs waiting., kind: value,
     query: 'max_over_time(sum(queue_jobs)[$grid])', unit: count, direction: lower, target: 100}
"""
    )
    catalog = load_catalog(extra)
    assert [m.name for m in catalog.metrics] == ["queue_depth"]
    assert (catalog.slos, catalog.resources) == ((), ())
    assert catalog.sources == (str(extra),)


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
        (
            "  - {name: x, tier: 2, description: d, kind: quantile, quantile: 95,"
            " buckets: b_bucket, unit: seconds, direction: lower, target: 1}",
            r"metrics entry 'x', field 'quantile': expected a fraction strictly between 0 and 1",
        ),
        (
            "  - {name: x, tier: 2, description: d, kind: quantile, quantile: 0.95,"
            " buckets: api_request_duration_seconds, unit: seconds, direction: lower, target: 1}",
            r"field 'buckets': expected a selector of a histogram's _bucket series",
        ),
        (
            "  - {name: x, tier: 3, description: d, kind: value, query: 'up[$rnage]',"
            " unit: count, direction: lower, target: 1}",
            r"field 'query': placeholders may only be \$range, \$grid",
        ),
        (
            "  - {name: x, tier: 3, description: d, kind: value, query: up, unit: count,"
            " direction: lower, target: 1, details: {Bad Name: up}}",
            r"field 'details': expected lower-case figure names",
        ),
        (
            "  - {name: x, tier: 4, description: d, kind: sql, query: 'DELETE FROM trials',"
            " unit: ratio, direction: higher, target: 0.3}",
            r"field 'query': expected a read-only statement starting with SELECT or WITH",
        ),
        (
            "  - {name: x, tier: 4, description: d, kind: sql, unit: ratio,"
            " direction: higher, target: 0.3}",
            r"field 'query': expected a SELECT statement",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, good: g, total: t,"
            " buckets: b_bucket, unit: ratio, direction: higher, target: 0.5}",
            r"field 'buckets': not read by a metric of kind 'ratio'",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, good: g, total: t,"
            " unit: ratio, direction: higher, target: 0.9, alert_threshold: 0.95}",
            r"field 'alert_threshold': expected a value at or below the target",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, good: g, total: t,"
            " unit: ratio, direction: higher, target: 99.9}",
            r"field 'target': expected a fraction from 0 to 1",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, good: g, total: t,"
            " unit: seconds, direction: higher, target: 0.9}",
            r"field 'unit': expected 'ratio' for a metric of kind 'ratio'",
        ),
        (
            "  - {name: x, tier: 4, description: d, kind: sql, query: 'SELECT 1',"
            " unit: score, direction: higher, target: 4.5, reports: [daily]}",
            r"field 'reports': expected a non-empty list of weekly, monthly",
        ),
        (
            "  - {name: x, tier: 4, description: d, kind: value, query: up, unit: count,"
            " direction: lower, target: 0, judge: smallest_rise}",
            r"field 'judge': expected one of largest_daily_fall",
        ),
        (
            "  - {name: x, tier: 1, description: d, kind: ratio, good: g, total: t,"
            " unit: ratio, direction: higher, target: 0.5, share: errors}",
            r"field 'share': expected one of good, bad",
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
    flag = tmp_path / "flag.yaml"
    flag.write_text("replace_default: yes please\n")
    with pytest.raises(CatalogError, match="'replace_default' must be true or false"):
        load_catalog(flag)


def test_latency_slo_is_a_distribution_over_the_200_ms_bucket():
    (latency,) = [s for s in load_catalog().slos if s.name == "api_latency"]
    assert latency.kind == "distribution"
    assert latency.good == 'api_request_duration_seconds_bucket{le="0.2"}'
    assert latency.total == "api_request_duration_seconds_count"


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
