"""Customer health's pure functions, on rows worked out by hand (November 2026, 30 days)."""

import datetime as dt

import pytest

from waooaw_reports.analytics import customer_health as health
from waooaw_reports.periods import period_for

UTC = dt.UTC
NOVEMBER = period_for("monthly", "2026-11-01")
AS_OF = dt.datetime(2026, 12, 7, 9, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def trial(id_, started, ends, converted=None):
    return {
        "id": id_,
        "customer_id": f"cus_{id_}",
        "started_at": started,
        "ends_at": ends,
        "converted_at": converted,
    }


TRIALS = [
    trial("t1", at(10, 22), at(11, 5), converted=at(11, 3)),  # converted in the trial
    trial("t2", at(11, 6), at(11, 20)),  # not converted
    trial("t3", at(11, 16, 23), at(11, 30, 23), converted=at(12, 2)),  # after the end, by as-of
    trial("t4", at(11, 14), at(11, 28), converted=at(12, 10)),  # after the as-of: not yet
    trial("t5", at(10, 17), at(10, 31)),  # ended in October
    trial("t6", at(11, 17), at(12, 1)),  # ends at the period's end, which is exclusive
    trial("t7", at(11, 20), at(11, 10)),  # ends before it started: rejected
]


def test_trial_conversion():
    trials = health.trial_conversion(TRIALS, NOVEMBER, AS_OF)
    # Ended in November: t1, t2, t3, t4; converted by the as-of: t1, t3.
    assert (trials["ended"], trials["converted"], trials["rate"]) == (4, 2, 0.5)
    assert trials["status"] == "met"  # 50 % against a 30 % target
    assert trials["rejected"] == [
        {"table": "trials", "id": "t7", "reason": "ends_at is before started_at"}
    ]


@pytest.mark.parametrize(
    ("converted", "rate", "status"),
    [
        (1, 0.25, "at_risk"),  # below 30 %, above the 20 % alert
        (0, 0.0, "breached"),
    ],
)
def test_trial_conversion_status(converted, rate, status):
    rows = [
        trial(f"t{n}", at(11, 1), at(11, 15), converted=at(11, 10) if n < converted else None)
        for n in range(4)
    ]
    trials = health.trial_conversion(rows, NOVEMBER, AS_OF)
    assert (trials["rate"], trials["status"]) == (rate, status)


def test_no_trial_ended():
    trials = health.trial_conversion([], NOVEMBER, AS_OF)
    assert (trials["ended"], trials["rate"], trials["status"]) == (0, None, "no_data")


def sub(customer, plan, agents, started, cancelled=None):
    return {
        "customer_id": customer,
        "plan": plan,
        "agents": agents,
        "started_at": started,
        "cancelled_at": cancelled,
    }


SUBSCRIPTIONS = [
    sub("c1", "scale", 10, at(1, 1)),  # all month
    sub("c2", "growth", 4, at(3, 1), at(11, 10)),  # leaves on the 10th: 9 days
    sub("c3", "starter", 2, at(2, 1), at(11, 10)),  # changes plan on the 10th: not churn
    sub("c3", "growth", 5, at(11, 10)),
    sub("c4", "growth", 3, at(11, 15)),  # joins on the 15th: 16 days
    sub("c5", "starter", 1, at(6, 1), at(10, 15)),  # left in October
    sub("c6", "starter", 1, at(11, 1)),  # starts at the period start: there at the start
    sub("c7", "growth", 6, at(4, 1), at(12, 1)),  # cancelled at the end: still held at the end
    sub("c8", "starter", 2, at(5, 1), at(11, 1)),  # cancelled at the start: not there
    sub("c9", "starter", 1, at(11, 5), at(11, 2)),  # cancelled before it started: rejected
]


def test_churn_counts_customers_not_plan_changes():
    churn = health.churn(SUBSCRIPTIONS, NOVEMBER)
    # At the start: c1, c2, c3, c6, c7. At the end: c1, c3, c4, c6, c7. Left: c2.
    assert churn["customers_at_start"] == 5
    assert churn["customers_at_end"] == 5
    assert (churn["churned"], churn["gained"]) == (1, 1)
    assert churn["rate"] == 0.2
    assert churn["churned_by_plan"] == {"growth": 1}
    assert [r["id"] for r in churn["rejected"]] == ["c9"]


def test_no_customers_no_churn_rate():
    churn = health.churn([], NOVEMBER)
    assert churn["rate"] is None and churn["customers_at_start"] == 0


def test_agent_utilisation_weighs_time_held():
    # Hired, in agent-months of November: c1 10, c2 4 x 9/30 = 1.2, c3 2 x 9/30 + 5 x 21/30
    # = 4.1, c4 3 x 16/30 = 1.6, c6 1, c7 6: 23.9 on average. 19.12 active: 80 %.
    figures = health.agent_utilisation(19.12, SUBSCRIPTIONS, NOVEMBER)
    assert figures["hired_agents_mean"] == pytest.approx(23.9, rel=1e-12)
    assert figures["utilisation"] == pytest.approx(0.8, rel=1e-12)
    assert figures["hired_agents_at_end"] == 10 + 5 + 3 + 1 + 6
    assert health.agent_utilisation(None, SUBSCRIPTIONS, NOVEMBER)["utilisation"] is None
    assert health.agent_utilisation(19.12, [], NOVEMBER)["utilisation"] is None


def ticket(id_, created, priority, category, resolved=None, status="open"):
    return {
        "id": id_,
        "created_at": created,
        "priority": priority,
        "category": category,
        "status": status,
        "resolved_at": resolved,
    }


TICKETS = [
    ticket("k1", at(11, 2, 10), "High", "integrations", at(11, 2, 14)),  # 4 h
    ticket("k2", at(11, 3, 10), " high ", "Billing", at(11, 4, 0)),  # 14 h
    ticket("k3", at(11, 5, 9), "urgent", "integrations"),  # still open
    ticket("k4", at(11, 29, 9), "low", "agents", at(12, 8)),  # resolved after the as-of
    ticket("k5", at(11, 6), "low", "agents", at(11, 5)),  # resolved before created: rejected
    ticket("k6", at(10, 30), "normal", "agents", at(10, 31)),  # October
]


def test_support_tickets_by_priority_and_category():
    tickets = health.support_tickets(TICKETS, SUBSCRIPTIONS, NOVEMBER, AS_OF)
    assert tickets["total"] == 4
    assert tickets["open"] == 2
    assert tickets["by_priority"] == [
        {
            "priority": "urgent",
            "count": 1,
            "resolved": 0,
            "open": 1,
            "median_hours_to_resolve": None,
        },
        {"priority": "high", "count": 2, "resolved": 2, "open": 0, "median_hours_to_resolve": 9.0},
        {"priority": "low", "count": 1, "resolved": 0, "open": 1, "median_hours_to_resolve": None},
    ]
    assert tickets["by_category"] == [
        {"category": "integrations", "count": 2},
        {"category": "agents", "count": 1},
        {"category": "billing", "count": 1},
    ]
    # Served in November: c1, c2, c3, c4, c6, c7 (c8 left at the start; c9 is rejected).
    assert tickets["customers_served"] == 6
    assert tickets["per_100_customers"] == pytest.approx(400 / 6)
    assert [r["id"] for r in tickets["rejected"]] == ["k5"]


def test_a_customer_with_no_tickets():
    one = [sub("c1", "starter", 1, at(1, 1))]
    tickets = health.support_tickets([], one, NOVEMBER, AS_OF)
    assert tickets["total"] == 0 and tickets["open"] == 0
    assert tickets["by_priority"] == [] and tickets["by_category"] == []
    assert tickets["customers_served"] == 1
    assert tickets["per_100_customers"] == 0.0
    # Without any customer there is nothing to divide by.
    assert health.support_tickets([], [], NOVEMBER, AS_OF)["per_100_customers"] is None


def answer(id_, submitted, score):
    return {"id": id_, "submitted_at": submitted, "score": score}


def test_satisfaction_average_and_distribution():
    answers = [
        answer("a1", at(11, 2), 5),
        answer("a2", at(11, 3), 5),
        answer("a3", at(11, 4), 4),
        answer("a4", at(11, 5), 3),
        answer("a5", at(11, 6), 1),
        answer("a6", at(11, 7), 0),  # not 1 to 5: rejected
        answer("a7", at(11, 8), 6),  # rejected
        answer("a8", at(10, 31), 1),  # October
    ]
    csat = health.satisfaction(answers, NOVEMBER)
    assert csat["responses"] == 5
    assert csat["average"] == pytest.approx(18 / 5)  # 3.6
    assert csat["distribution"] == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 2}
    assert csat["satisfied_share"] == pytest.approx(3 / 5)
    assert csat["status"] == "at_risk"  # below 4.5; no alert threshold, so never breached
    assert [r["id"] for r in csat["rejected"]] == ["a6", "a7"]


def test_no_satisfaction_answers():
    csat = health.satisfaction([], NOVEMBER)
    assert (csat["responses"], csat["average"], csat["status"]) == (0, None, "no_data")
    assert csat["satisfied_share"] is None


def test_customer_health_compares_with_the_month_before():
    records = {
        "trials": TRIALS,
        "subscriptions": SUBSCRIPTIONS,
        "support_tickets": TICKETS,
        "csat_responses": [answer("a1", at(11, 2), 5), answer("a0", at(10, 2), 4)],
        "unreadable": [
            {"table": "trials", "id": "bad", "reason": "ends_at 'x' is not a timestamp"}
        ],
    }
    figures = health.customer_health(records, 19.12, NOVEMBER, AS_OF, 20.0)
    # October: t5 ended and did not convert (0 %); c5 left of c1, c2, c3, c5, c7, c8 (1 of 6);
    # one ticket (k6); one answer of 4.
    assert figures["trial_conversion"]["previous"] == 0.0
    assert figures["churn"]["previous"] == pytest.approx(1 / 6)
    assert figures["support_tickets"]["previous"] == 1
    assert figures["satisfaction"]["previous"] == 4.0
    # October hired: c1 10, c2 4, c3 2, c5 1 x 14/31, c7 6, c8 2 = 24 + 14/31.
    assert figures["agent_utilisation"]["previous"] == pytest.approx(20 / (24 + 14 / 31))
    categories = {row["category"]: row for row in figures["support_tickets"]["by_category"]}
    assert categories["integrations"] == {"category": "integrations", "count": 2, "previous": 0}
    assert categories["agents"]["previous"] == 1
    assert [r["id"] for r in figures["rejected"]] == ["t7", "c9", "k5", "bad"]
    assert figures["status"] == "met"  # trials 50 % met; CSAT 5.0 met

    area = health.customer_health_area(figures)
    assert area == {
        "name": "Customer health",
        "status": "met",
        "summary": "trial conversion 50.0%, churn 20.0%, 4 support ticket(s), CSAT 5.00 of 5",
    }
    assert health.customer_health_attention(figures) == []
