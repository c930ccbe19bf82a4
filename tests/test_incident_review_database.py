"""The incidents section from real databases: SQLite and PostgreSQL, timestamps stored without a
zone (meaning UTC) and with offsets, a report zone that is not UTC, and a week across the end of
summer time. Every figure is worked out by hand below.

The week keyed 2026-10-19 in Europe/Berlin runs from Monday 00:00 CEST (2026-10-18 22:00 UTC)
to Monday 00:00 CET (2026-10-25 23:00 UTC): 169 hours, the clocks going back from 03:00 to 02:00
on Sunday 25 October, so 02:30 happens twice that night.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from waooaw_reports.analytics.incident_review import review_incidents
from waooaw_reports.analytics.incident_trend import trend_periods
from waooaw_reports.analytics.incidents import summarise_incidents
from waooaw_reports.catalog import load_catalog
from waooaw_reports.incident_measurements import measure_incident_telemetry
from waooaw_reports.periods import period_for
from waooaw_reports.sources import schema
from waooaw_reports.sources.database import PlatformDatabase
from waooaw_reports.sources.prometheus import PrometheusClient

UTC = dt.UTC
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30, where the "aware" rows are written
PERIOD = period_for("weekly", "2026-10-19", "Europe/Berlin")
AS_OF = dt.datetime(2026, 11, 2, 9, tzinfo=UTC)
TIMES = (
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "postmortem_completed_at",
)


def u(month, day, hour=0, minute=0, second=0):
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def row(id, severity, service, started, detected=None, **times):
    values = {
        "id": id,
        "title": f"Incident {id}",
        "severity": severity,
        "service": service,
        "started_at": started,
        "detected_at": detected or started,
        "postmortem_url": None,
    }
    return values | {column: times.get(column.removesuffix("_at")) for column in TIMES[2:]}


ROWS = [
    row("before-start", "P1", "api-gateway", u(10, 18, 21, 59, 59)),  # Sunday 23:59:59 CEST
    # Monday 00:00 CEST, the first instant of the week. Detected 4 min later, acknowledged
    # 3 min after that, mitigated at 30 min, resolved at 120 min; post-mortem written.
    row(
        "at-start",
        "sev-1",
        "api-gateway",
        u(10, 18, 22),
        u(10, 18, 22, 4),
        acknowledged=u(10, 18, 22, 7),
        mitigated=u(10, 18, 22, 30),
        resolved=u(10, 19, 0),
        postmortem_completed=u(10, 20, 10),
    ),
    # The same incident stored again, resolved earlier: folded into at-start.
    row("at-start-copy", "P1", "api-gateway", u(10, 18, 22), resolved=u(10, 18, 23))
    | {"title": " INCIDENT AT-START "},
    # 02:30 CEST, the first 02:30 of the night; resolved at 02:30 CET, the second: 60 min.
    row(
        "dst-first",
        "critical",
        "api-gateway",
        u(10, 25, 0, 30),
        u(10, 25, 0, 35),
        acknowledged=u(10, 25, 0, 45),
        mitigated=u(10, 25, 1, 10),
        resolved=u(10, 25, 1, 30),
    ),
    # 02:30 CET, the second 02:30. A P2 on a Sunday: its business hour starts Monday 09:00
    # CET; acknowledged 09:25 CET, 25 business minutes. Resolved Monday 13:40 CET.
    row(
        "dst-second",
        "sev-2",
        "agent-runtime",
        u(10, 25, 1, 30),
        u(10, 25, 1, 40),
        acknowledged=u(10, 26, 8, 25),
        resolved=u(10, 26, 12, 40),
    ),
    # Friday 17:20 CEST, detected 17:30 CEST: 30 business minutes on Friday, the hour ends
    # Monday 09:30 CET; acknowledged 09:31 CET, a minute late. Still open.
    row(
        "p2-friday",
        "medium",
        "auth-service",
        u(10, 23, 15, 20),
        u(10, 23, 15, 30),
        acknowledged=u(10, 26, 8, 31),
    ),
    # Saturday noon CEST, a P3 never acknowledged: due Monday 18:00 CET. Resolved in an hour.
    row("p3-sat", "low", "agent-runtime", u(10, 24, 10), resolved=u(10, 24, 11)),
    # Sunday 23:59:59 CET, the last second of the week; acknowledged in 3 minutes.
    row(
        "before-end",
        "P3",
        "api-gateway",
        u(10, 25, 22, 59, 59),
        acknowledged=u(10, 25, 23, 2, 59),
        resolved=u(10, 26, 0, 59, 59),
    ),
    row("at-end", "P1", "api-gateway", u(10, 25, 23)),  # Monday 00:00 CET: the next week's
    # Acknowledged before it was detected; a severity nobody defined.
    row("dirty", "P1", "web", u(10, 21, 10), u(10, 21, 10, 5), acknowledged=u(10, 21, 10, 4)),
    row("unknown", "urgent", "web", u(10, 22, 10)),
    # Two weeks earlier, for the trend: 30 minutes.
    row("earlier", "P3", "web", u(10, 6, 10), resolved=u(10, 6, 10, 30)),
]


def store(url: str, aware: bool) -> None:
    """The rows, with times stored naive (UTC) or with the +05:30 offset of Kolkata."""
    engine = sa.create_engine(url)
    schema.metadata.create_all(engine)
    columns = [column.name for column in schema.incidents.columns]
    insert = sa.text(
        f"insert into incidents ({', '.join(columns)}) "
        f"values ({', '.join(':' + name for name in columns)})"
    )
    with engine.begin() as connection:
        if not aware:
            naive = [r | {c: r[c] and r[c].replace(tzinfo=None) for c in TIMES} for r in ROWS]
            connection.execute(schema.incidents.insert(), naive)
        elif engine.dialect.name == "sqlite":
            # SQLite keeps text: ISO 8601 with the offset, as another writer might store it.
            text = [
                r | {c: r[c] and r[c].astimezone(KOLKATA).isoformat() for c in TIMES} for r in ROWS
            ]
            connection.execute(insert, text)
        else:
            # PostgreSQL: timestamptz columns, a session in New York, values given in Kolkata.
            for column in TIMES:
                connection.execute(
                    sa.text(
                        f"alter table incidents alter column {column} type timestamptz "
                        f"using {column} at time zone 'UTC'"
                    )
                )
            connection.execute(sa.text("set time zone 'America/New_York'"))
            local = [r | {c: r[c] and r[c].astimezone(KOLKATA) for c in TIMES} for r in ROWS]
            connection.execute(insert, local)
    engine.dispose()


def read(url: str) -> list[dict]:
    database = PlatformDatabase(url)
    try:
        rows = database.incidents(trend_periods(PERIOD)[0].start, PERIOD.end).rows
    finally:
        database.close()
    return rows


@pytest.fixture(scope="module")
def client(prometheus_url):
    with PrometheusClient(prometheus_url) as client:
        yield client


@pytest.mark.parametrize("aware", [False, True], ids=["naive", "aware"])
def test_incident_review_from_the_database(database_url, aware, client):
    store(database_url, aware)
    rows = read(database_url)
    items = summarise_incidents(rows, PERIOD, AS_OF).items
    telemetry = measure_incident_telemetry(client, load_catalog(), items, PERIOD, AS_OF, 60, 1800)
    review = review_incidents(rows, PERIOD, AS_OF, telemetry=telemetry)

    # The same rows straight from Python give the same section, whatever the storage.
    assert review == review_incidents(ROWS, PERIOD, AS_OF, telemetry=telemetry)

    # Counted: at-start, dst-first, dst-second, p2-friday, p3-sat, before-end.
    assert [item["id"] for item in review["items"]] == [
        "at-start",
        "p2-friday",
        "p3-sat",
        "dst-first",
        "dst-second",
        "before-end",
    ]
    assert (review["total"], review["open"]) == (6, 1)
    counts = {sev: figures["count"] for sev, figures in review["by_severity"].items()}
    assert counts == {"P0": 1, "P1": 1, "P2": 2, "P3": 2}
    assert review["by_service"] == {"agent-runtime": 2, "api-gateway": 3, "auth-service": 1}

    # Detect: 4, 10, 0, 5, 10, 0 → 29 / 6. Acknowledge: 3, 3,901 (Fri 15:30 to Mon 08:31 UTC),
    # 10, 1,845 (Sun 01:40 to Mon 08:25 UTC), 3; p3-sat none → 5,762 / 5 = 1,152.4.
    # Resolve: 120, 60, 60 (02:30 CEST to 02:30 CET), 2,110 (Sun 01:30 to Mon 12:40 UTC), 120;
    # p2-friday open → 2,470 / 5 = 494. Mitigate: 30 and 40 → 35.
    assert review["mttd_minutes"] == pytest.approx(29 / 6)
    assert review["mtta_minutes"] == pytest.approx(1152.4)
    assert review["mttr_minutes"] == pytest.approx(494.0)
    assert review["mttm_minutes"] == pytest.approx(35.0)
    assert review["time_to_resolve"] == {
        "n": 5,
        "mean_minutes": 494.0,
        "median_minutes": 120.0,
        # Sorted 60, 60, 120, 120, 2,110: rank 3.6 → 120 + 0.6 × 1,990 = 1,314.
        "p90_minutes": pytest.approx(1314.0),
        "max_minutes": 2110.0,
    }
    by_severity = review["by_severity"]
    assert by_severity["P2"]["mttr_minutes"] == 2110.0
    assert by_severity["P2"]["mtta_minutes"] == pytest.approx((1845 + 3901) / 2)
    assert by_severity["P3"]["mttr_minutes"] == 90.0

    # Response: met by at-start (3 ≤ 30), dst-first (10 ≤ 15), dst-second (25 business
    # minutes), before-end (next business day); missed by p2-friday (61) and p3-sat.
    assert review["response_target_met"] == pytest.approx(4 / 6)
    responses = {sev: v["response_target_met"] for sev, v in by_severity.items()}
    assert responses == {"P0": 1.0, "P1": 1.0, "P2": 0.5, "P3": 0.5}
    # Resolution: only p2-friday missed (open past Monday 15:30 UTC, 3 days on).
    assert review["resolution_target_met"] == pytest.approx(5 / 6)
    # Acknowledged within 5 minutes: at-start and before-end.
    assert review["acknowledged_within_5_minutes"] == pytest.approx(2 / 6)
    rule = {sev: v["acknowledged_within_5_minutes"] for sev, v in by_severity.items()}
    assert rule == {"P0": 0.0, "P1": 1.0, "P2": 0.0, "P3": 0.5}
    assert review["postmortems"] == {"required": 2, "completed": 1, "missing": ["dst-first"]}

    items = {item["id"]: item for item in review["items"]}
    assert items["dst-first"]["started_at"] == "2026-10-25T02:30:00+02:00"
    assert items["dst-first"]["resolved_at"] == "2026-10-25T02:30:00+01:00"
    assert items["at-start"]["started_at"] == "2026-10-19T00:00:00+02:00"
    assert items["before-end"]["started_at"] == "2026-10-25T23:59:59+01:00"
    assert items["p2-friday"]["response_deadline"] == "2026-10-26T09:30:00+01:00"
    assert items["p3-sat"]["response_deadline"] == "2026-10-26T18:00:00+01:00"
    # Open from Friday 15:20 UTC to the as-of Monday 2 November 09:00 UTC.
    assert items["p2-friday"]["age_minutes"] == 14_020.0

    assert [r["id"] for r in review["rejected"]] == ["dirty", "unknown"]
    assert review["duplicates"] == [{"id": "at-start-copy", "kept_id": "at-start"}]

    # Two weeks earlier "earlier" took 30 minutes; before-start, still open, is the week
    # before's; this week as above.
    trend = {week["key"]: (week["count"], week["mttr_minutes"]) for week in review["trend"]}
    assert trend["2026-10-05"] == (1, 30.0)
    assert trend["2026-10-12"] == (1, None)
    assert trend["2026-10-19"] == (6, pytest.approx(494.0))
    assert sum(count for count, _ in trend.values()) == 8

    # The test Prometheus holds no traffic and no alerts in October: no budget, no shares
    # (C04), nothing detected earlier, no alerts fired.
    assert review["error_budget"]["budget_requests"] is None
    assert all(item["error_budget_share"] is None for item in review["items"])
    assert review["alert_detection"]["detected_earlier_by_alerts"] == 0
    assert (review["alert_noise"]["fired"], review["alert_noise"]["noise_share"]) == (0, None)
