"""Pay sheet rules (SPEC §10, [004] 四、话务员薪资制度; [002] KPI form): table-driven."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from floorapp.rules import pay
from floorapp.rules.attendance import Leave, MonthResult, evaluate_day, month_result
from floorapp.policy import Policy
from floorapp.rules.staff import Staff

POLICY = dataclasses.replace(Policy(), commission_per_order=Decimal("2"))
NOV = dt.date(2026, 11, 1)


def agent(hired: dt.date, sid: str = "A001") -> Staff:
    return Staff(sid, "王芳", "agent", "T01", hired, Decimal("1500"))


@pytest.mark.parametrize(
    "orders, confirmed, tier, base",
    [(399, False, "not_met", "800"), (400, False, "met", "1200"), (401, False, "met", "1200"),
     (0, False, "not_met", "800"), (399, True, "special", "800"), (400, True, "met", "1200")],
    ids=["399-not-met", "400-exactly-met", "401-met", "no-orders", "399-special-confirmed",
         "400-met-wins-over-special"],
)
def test_tier_by_the_400_order_guarantee(orders, confirmed, tier, base) -> None:
    assert pay.tier_of(POLICY, orders, confirmed) == tier
    assert pay.tier_base(POLICY, tier) == Decimal(base)


@pytest.mark.parametrize(
    "tier, orders, expected",
    [("met", 400, "0"), ("met", 401, "2"), ("met", 450, "100"), ("not_met", 399, "798"),
     ("special", 100, "200"), ("not_met", 0, "0")],
    ids=["met-400-nothing-above", "met-401-one-above", "met-450", "not-met-every-order",
         "special-every-order", "zero"],
)
def test_commission(tier, orders, expected) -> None:
    assert pay.commission(POLICY, tier, orders) == Decimal(expected)


def test_commission_unset_is_zero() -> None:
    assert pay.commission(Policy(), "not_met", 300) == 0


@pytest.mark.parametrize(
    "hired, raise_",
    [(dt.date(2026, 5, 1), "50"), (dt.date(2026, 5, 2), "0"), (dt.date(2025, 11, 1), "100"),
     (dt.date(2025, 11, 2), "50"), (dt.date(2024, 11, 1), "200"), (dt.date(2020, 1, 1), "200"),
     (dt.date(2026, 9, 1), "0"), (dt.date(2026, 4, 30), "50")],
    ids=["half-year-exactly-on-the-1st", "half-year-one-day-short", "two-half-years",
         "second-half-year-one-day-short", "four-half-years-200", "capped-at-200",
         "in-probation", "half-year-day-before"],
)
def test_seniority_raise_at_the_month_start(hired, raise_) -> None:
    assert pay.seniority_raise(POLICY, agent(hired), NOV) == Decimal(raise_)


@pytest.mark.parametrize(
    "hired, probation",
    [(dt.date(2026, 9, 1), False), (dt.date(2026, 9, 2), True), (dt.date(2026, 10, 15), True),
     (dt.date(2026, 8, 31), False)],
    ids=["probation-ends-on-the-1st", "probation-ends-the-2nd", "new-hire", "past-probation"],
)
def test_probation_end(hired, probation) -> None:
    assert pay.in_probation(POLICY, agent(hired), NOV) is probation


def test_no_raise_in_probation_even_when_the_policy_makes_it_long() -> None:
    policy = dataclasses.replace(POLICY, probation_months=12)
    assert pay.seniority_raise(policy, agent(dt.date(2026, 1, 1)), NOV) == 0
    assert pay.seniority_raise(POLICY, agent(dt.date(2026, 1, 1)), NOV) == Decimal("50")


def test_half_years_from_the_31st_use_the_month_end() -> None:
    assert pay.completed_half_years(dt.date(2026, 5, 31), dt.date(2026, 11, 30)) == 1
    assert pay.completed_half_years(dt.date(2026, 5, 31), dt.date(2026, 11, 29)) == 0


@pytest.mark.parametrize(
    "commissions, winners",
    [({"a": ("met", "100"), "b": ("met", "50")}, {"a"}),
     ({"a": ("met", "100"), "b": ("special", "100")}, {"a", "b"}),
     ({"a": ("met", "100"), "b": ("not_met", "900")}, {"a"}),
     ({"a": ("not_met", "900")}, set()),
     ({"a": ("met", "0"), "b": ("met", "0")}, set())],
    ids=["highest-wins", "tie-all-get-it", "not-met-tier-has-no-award", "nobody-eligible",
         "zero-commission-no-award"],
)
def test_award_to_the_highest_commission(commissions, winners) -> None:
    given = {k: (t, Decimal(c)) for k, (t, c) in commissions.items()}
    assert pay.awarded(POLICY, given) == winners


@pytest.mark.parametrize(
    "orders, lost, proposed",
    [(300, 60, True), (300, 59, False), (400, 600, False), (300, 0, False)],
    ids=["lost-exactly-threshold", "lost-one-short", "met-never-proposed", "no-outage"],
)
def test_special_circumstances_proposed(orders, lost, proposed) -> None:
    assert pay.special_proposed(POLICY, orders, lost) is proposed


@pytest.mark.parametrize(
    "decision, state, tier",
    [("", "proposed", "not_met"), ("confirmed", "confirmed", "special"),
     ("refused", "refused", "not_met")],
    ids=["special-proposed", "special-confirmed", "special-refused"],
)
def test_special_on_the_sheet(decision, state, tier) -> None:
    a = pay.AgentMonth(agent(dt.date(2020, 1, 1)), 350, 120, decision, MonthResult("A001"))
    line = pay.pay_sheet(POLICY, [a], NOV)[0]
    assert (line.special, line.tier) == (state, tier)
    assert line.subsidy == (Decimal("50") if tier == "special" else 0)


def _absent_month(staff: Staff, base: Decimal | None) -> MonthResult:
    day = dt.date(2026, 11, 2)
    result = evaluate_day(POLICY, day, "D", {})  # no punch: absenteeism
    leave_day = evaluate_day(POLICY, dt.date(2026, 11, 3), "D", {}, Leave("sick", Decimal(1)))
    return month_result(POLICY, staff, [result, leave_day], base)


@pytest.mark.parametrize(
    "orders, absent, sick",
    [(399, "36.78", "7.36"), (400, "55.17", "11.03")],
    ids=["800-tier-deduction-800/21.75", "1200-tier-deduction"],
)
def test_deductions_on_the_month_base(orders, absent, sick) -> None:
    from floorapp.money import money_text

    staff = agent(dt.date(2026, 9, 1))  # past probation, no half-year yet: base = tier base
    base = pay.month_base(POLICY, staff, orders, False, NOV)
    result = _absent_month(staff, base)
    assert money_text(result.absent_deduction) == absent
    assert money_text(result.sick_leave_deduction) == sick
    assert result.base_pay == base
    # without the hook the register's base_pay (1500) would be used: the overcharge of the audit
    assert money_text(_absent_month(staff, None).absent_deduction) == "68.97"


def test_seniority_is_part_of_the_deduction_base() -> None:
    staff = agent(dt.date(2025, 11, 1))  # two half-years: +100
    assert pay.month_base(POLICY, staff, 10, False, NOV) == Decimal("900")


def test_gross_and_award_on_the_sheet() -> None:
    clean = MonthResult("x", full_attendance_bonus=Decimal("100"))
    old = agent(dt.date(2020, 1, 1), "A001")
    new = agent(dt.date(2026, 10, 1), "A002")
    lines = pay.pay_sheet(POLICY, [
        pay.AgentMonth(old, 450, 0, "", clean),
        pay.AgentMonth(new, 300, 200, "confirmed", MonthResult("A002")),
    ], NOV)
    top, special = lines
    assert (top.tier, top.commission, top.seniority) == ("met", 100, 200)
    # special commission 600 > met 100: the award goes to the highest among met and special
    assert (special.tier, special.commission, special.award, special.subsidy) == (
        "special", 600, 50, 50)
    assert top.award == 0
    assert top.gross == Decimal("1200") + 200 + 100 + 100
    assert special.gross == Decimal("800") + 600 + 50 + 50
    assert special.insured is False and top.insured is True


@pytest.mark.parametrize(
    "score, letter, coefficient, in_ranking",
    [("90", "A", "1.2", True), ("89.5", "B", "1", True), ("80", "B", "1", True),
     ("70", "C", "0.8", True), ("69.99", "D", "0.5", False), ("60", "D", "0.5", False),
     ("59", "E", "0", False)],
    ids=["A-at-90", "B-below-90", "B-at-80", "C-at-70-ranked", "D-just-below-70", "D-at-60",
         "E-below-60"],
)
def test_grade_and_ranking(score, letter, coefficient, in_ranking) -> None:
    assert pay.grade(POLICY, Decimal(score)) == (letter, Decimal(coefficient))
    assert pay.ranked(POLICY, Decimal(score)) is in_ranking


def test_appraisal_points_attendance_plus_coaching_minus_praise() -> None:
    coached, praised = pay.coaching_points(POLICY, {"verbal": 2, "written": 1,
                                                    "decision_day": 1, "great_job": 3})
    assert (coached, praised) == (Decimal(2 * 2 + 5 + 10), Decimal(15))
    appraisal = pay.Appraisal(Decimal(4), coached, praised, base_score=Decimal(95))
    assert appraisal.points == Decimal(4 + 19 - 15)
    assert appraisal.score == Decimal(87)


@pytest.mark.parametrize(
    "word, kind",
    [("verbal", "verbal"), ("口头指导", "verbal"), ("书面", "written"), ("decision", "decision_day"),
     ("great job", "great_job"), ("表扬", "great_job"), ("w", "written"), ("x", None), ("", None)],
    ids=["code", "chinese", "chinese-short", "word", "two-words", "praise-zh", "letter",
         "unknown", "empty"],
)
def test_coaching_words(word, kind) -> None:
    assert pay.coaching_kind(word) == kind


@pytest.mark.parametrize(
    "today, published, remind, overdue",
    [(dt.date(2026, 12, 1), [], "2026-11", False), (dt.date(2026, 12, 10), [], "2026-11", False),
     (dt.date(2026, 12, 11), [], "2026-11", True), (dt.date(2026, 12, 5), ["2026-11"], None, False),
     (dt.date(2027, 1, 3), ["2026-11"], "2026-12", False)],
    ids=["reminds-from-the-1st", "due-on-the-10th", "overdue-after-the-10th", "published",
         "year-turn"],
)
def test_publish_reminder(today, published, remind, overdue) -> None:
    assert pay.publish_reminder(POLICY, today, published) == remind
    assert pay.publish_overdue(POLICY, today) is overdue
