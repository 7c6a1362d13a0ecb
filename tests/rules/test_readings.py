"""Where the sources can be read two ways, the centre decides, in the open (issue #25).

Each reading is a policy value; these tests set it both ways at the rule's edge and check the
figure it names. The default of each is today's behaviour, except shortfall_on_absent_days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from floorapp.rules import monitoring as qa
from floorapp.rules.monitoring import sampling
from floorapp.rules import pay
from floorapp.rules import quota
from floorapp.rules.attendance import Punch, evaluate_day, late_deduction, month_result
from floorapp.cli.main import run
from floorapp.policy import Policy
from floorapp.policy_checks import FIRST_DAY_CHOICES, READINGS
from floorapp.rules.staff import Staff
from screens.policy_notes import NOTES, note

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

P = Policy()
WINTER = dt.date(2026, 11, 18)


def with_(**changes: object) -> Policy:
    return dataclasses.replace(P, **changes)


# --------------------------------------------------------------- the readings as a whole
def test_defaults_keep_todays_behaviour_except_the_absent_day_quota() -> None:
    assert (P.late_mode, P.seniority_from, P.award_among, P.absence_loses_full_attendance,
            P.zero_score_basis, P.qa_400_rate_mode, P.telesales_trainee_basis,
            P.compliance_month_basis, P.shortfall_on_absent_days, P.qa_fraud_outcome) == (
        "excess", "next_month", "award_tiers", True, "day", "floor", "new_hire_days",
        "calendar", False, "zero_fail")


@pytest.mark.parametrize("key", FIRST_DAY_CHOICES)
def test_each_reading_has_a_note_quoting_the_source_and_naming_both_readings(key: str) -> None:
    values = {name: str(value) for name, value in P.to_dict().items()}
    text = note(key, values)
    assert re.search(r"\[00[34]", text) and re.search(r"「[^」]+」", text), key
    readings = READINGS.get(key) or (("excess", "all") if key == "late_mode"
                                     else ("true", "false"))
    for reading in readings:
        assert f"{reading}:" in text, (key, reading)
    assert "The centre's choice" in text and f"now {values[key]}" in text


@pytest.mark.parametrize("key", sorted(READINGS))
def test_a_reading_that_is_not_one_of_them_is_refused_by_name(key: str) -> None:
    with pytest.raises(Exception, match=rf"{key} must be one of {', '.join(READINGS[key])}"):
        P.with_value(key, "sometimes")
    assert P.with_value(key, READINGS[key][1]).to_dict()[key] == READINGS[key][1]


def test_policy_show_json_and_set_carry_every_reading(floor, capsys) -> None:
    root = str(floor.store.root)
    assert run(["--store", root, "policy", "show", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    for key in FIRST_DAY_CHOICES:
        assert shown[key] == P.to_dict()[key], key
    assert run(["--store", root, "policy", "set", "qa_fraud_outcome", "flag"]) == 0
    assert run(["--store", root, "policy", "set", "zero_score_basis", "weekly"]) == 2
    assert "zero_score_basis must be one of day, month_average" in capsys.readouterr().err
    assert run(["--store", root, "policy", "set", "shortfall_on_absent_days", "true"]) == 0
    capsys.readouterr()
    assert run(["--store", root, "policy", "show", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["qa_fraud_outcome"] == "flag" and shown["zero_score_basis"] == "day"
    assert shown["shortfall_on_absent_days"] is True


def test_the_chinese_note_quotes_the_same_source(monkeypatch) -> None:
    from floorapp import i18n

    i18n.set_language("zh")
    try:
        values = {name: str(value) for name, value in P.to_dict().items()}
        text = note("shortfall_on_absent_days", values)
        assert "少一个量扣1分" in text and "由中心选择" in text and "当前 False" in text
    finally:
        i18n.set_language("en")
    assert "shortfall_on_absent_days" in NOTES


# ------------------------------------------------------------------ 1. late allowance
@pytest.mark.parametrize(
    ("mode", "minutes", "yuan"),
    [("excess", 10, 0), ("all", 10, 0), ("excess", 11, 1), ("all", 11, 11),
     ("excess", 15, 5), ("all", 15, 15)],
    ids=["excess-exactly-10-free", "all-exactly-10-free", "excess-11-pays-1", "all-11-pays-11",
         "excess-15-pays-5", "all-15-pays-15"])
def test_late_mode(mode: str, minutes: int, yuan: int) -> None:
    assert late_deduction(with_(late_mode=mode), minutes) == Decimal(yuan)


# ----------------------------------------------------------------------- 2. seniority
def _agent(hired: dt.date) -> Staff:
    return Staff("A001", "王芳", "agent", "T01", hired, Decimal("1500"))


@pytest.mark.parametrize(
    ("reading", "hired", "month", "raise_"),
    [("next_month", "2025-05-15", "2025-11-01", 0), ("same_month", "2025-05-15", "2025-11-01", 50),
     ("next_month", "2025-05-15", "2025-12-01", 50), ("same_month", "2025-05-15", "2025-12-01", 50),
     ("next_month", "2025-05-01", "2025-11-01", 50), ("same_month", "2025-05-01", "2025-11-01", 50),
     ("next_month", "2025-05-31", "2025-11-01", 0), ("same_month", "2025-05-31", "2025-11-01", 50),
     ("next_month", "2025-06-01", "2025-11-01", 0), ("same_month", "2025-06-01", "2025-11-01", 0)],
    ids=["next-month-completes-mid-november-none-yet", "same-month-completes-mid-november",
         "next-month-from-december", "same-month-december-too",
         "next-month-completes-on-the-1st", "same-month-completes-on-the-1st",
         "next-month-completes-30-nov", "same-month-completes-30-nov",
         "next-month-completes-in-december", "same-month-completes-in-december"])
def test_seniority_from(reading: str, hired: str, month: str, raise_: int) -> None:
    policy = with_(seniority_from=reading)
    staff = _agent(dt.date.fromisoformat(hired))
    assert pay.seniority_raise(policy, staff, dt.date.fromisoformat(month)) == Decimal(raise_)


def test_seniority_on_the_sheet_says_by_which_day_it_counted() -> None:
    day = pay.seniority_counted_by(with_(seniority_from="same_month"), dt.date(2026, 2, 1))
    assert day == dt.date(2026, 2, 28)
    assert pay.seniority_counted_by(P, dt.date(2026, 2, 1)) == dt.date(2026, 2, 1)


# --------------------------------------------------------------------------- 3. award
@pytest.mark.parametrize(
    ("reading", "commissions", "winners"),
    [("award_tiers", {"a": ("met", "100"), "b": ("not_met", "900")}, {"a"}),
     ("everyone", {"a": ("met", "100"), "b": ("not_met", "900")}, set()),
     ("award_tiers", {"a": ("met", "900"), "b": ("not_met", "100")}, {"a"}),
     ("everyone", {"a": ("met", "900"), "b": ("not_met", "100")}, {"a"}),
     ("everyone", {"a": ("special", "300"), "b": ("not_met", "300")}, {"a"}),
     ("award_tiers", {"a": ("met", "0")}, set()),
     ("everyone", {"a": ("met", "0")}, set())],
    ids=["tiers-top-not-met-skipped", "everyone-top-not-met-nobody",
         "tiers-top-is-met", "everyone-top-is-met", "everyone-tie-across-tiers",
         "tiers-zero-nobody", "everyone-zero-nobody"])
def test_award_among(reading: str, commissions: dict, winners: set) -> None:
    policy = with_(award_among=reading, commission_per_order=Decimal("2"))
    given = {k: (t, Decimal(c)) for k, (t, c) in commissions.items()}
    assert pay.awarded(policy, given) == winners


# ------------------------------------------------------- 4. absence and the full bonus
def _absent_day(day: dt.date, policy: Policy):
    punches = {1: Punch(1, dt.time(8, 40), dt.time(12, 0), ""),
               2: Punch(2, dt.time(14, 30), dt.time(17, 30), "")}
    return evaluate_day(policy, day, "D", punches, None, None)


@pytest.mark.parametrize(("reading", "bonus"), [(True, 0), (False, 100)],
                         ids=["absence-loses-bonus", "absence-keeps-bonus"])
def test_absence_loses_full_attendance(reading: bool, bonus: int) -> None:
    policy = with_(absence_loses_full_attendance=reading)
    result = month_result(policy, _agent(dt.date(2024, 1, 1)), [_absent_day(WINTER, policy)])
    assert result.absent_days == 1
    assert result.full_attendance_bonus == Decimal(bonus)
    assert ("full-attendance bonus lost" in result.why) is (bonus == 0)
    assert result.absent_deduction > 0  # the day's pay goes either way


# ---------------------------------------------------------------- 5. zero-score days
@pytest.mark.parametrize(
    ("reading", "days", "score", "zero_days"),
    [("day", ["49", "70"], "70", 1), ("month_average", ["49", "70"], "119", 0),
     ("day", ["50", "50"], "100", 0), ("month_average", ["50", "50"], "100", 0),
     ("day", ["40", "59"], "59", 1), ("month_average", ["40", "59"], "0", 2),
     ("day", ["30", "69.8"], "69.8", 1), ("month_average", ["30", "69.8"], "0", 2)],
    ids=["day-49-scores-nothing", "average-59.5-every-day-scores",
         "day-exactly-50-scores", "average-exactly-50-scores",
         "day-only-the-40-lost", "average-49.5-no-day-scores",
         "day-30-lost", "average-49.9-no-day-scores"])
def test_zero_score_basis(reading: str, days: list[str], score: str, zero_days: int) -> None:
    policy = with_(zero_score_basis=reading)
    weighted = [Decimal(d) for d in days]
    assert quota.ranking_score(policy, weighted) == Decimal(score)
    assert quota.zero_score_days(policy, weighted) == zero_days


def test_month_average_judges_no_single_day() -> None:
    assert quota.is_zero_score_day(P, Decimal("49"))
    assert not quota.is_zero_score_day(with_(zero_score_basis="month_average"), Decimal("49"))


# ------------------------------------------------------------------ 6. 400 sample rate
@pytest.mark.parametrize(
    ("reading", "people", "calls", "need"),
    [("floor", 10, 300, 30), ("printed", 10, 300, 30), ("floor", 10, 301, 31),
     ("printed", 10, 301, 30), ("floor", 10, 1000, 100), ("printed", 10, 1000, 30),
     ("printed", 45, 1000, 45), ("printed", 10, 20, 20)],
    ids=["floor-300-calls-rate-equals-30", "printed-300-calls-30",
         "floor-301-calls-rate-31", "printed-301-calls-30", "floor-1000-calls-100",
         "printed-1000-calls-30", "printed-one-per-person-45", "printed-never-more-than-calls"])
def test_qa_400_rate_mode(reading: str, people: int, calls: int, need: int) -> None:
    assert sampling.hotline_sample_total(people, calls, with_(qa_400_rate_mode=reading)) == need


# ---------------------------------------------------------------- 7. trainee TSR
@pytest.mark.parametrize(
    ("reading", "hired", "day", "trainee"),
    [("new_hire_days", "2026-10-22", "2026-11-20", True),
     ("new_hire_days", "2026-10-21", "2026-11-20", False),
     ("probation", "2026-10-21", "2026-11-20", True),
     ("probation", "2026-09-21", "2026-11-20", True),
     ("probation", "2026-09-20", "2026-11-20", False),
     ("new_hire_days", "2026-09-21", "2026-11-20", False)],
    ids=["new-hire-day-29", "new-hire-day-30-no-longer", "probation-day-30-still",
         "probation-last-day", "probation-over-on-the-day", "new-hire-two-months-no"])
def test_telesales_trainee_basis(reading: str, hired: str, day: str, trainee: bool) -> None:
    policy = with_(telesales_trainee_basis=reading)
    assert sampling.is_trainee(policy, dt.date.fromisoformat(hired),
                               dt.date.fromisoformat(day)) is trainee


# ---------------------------------------------------------- 8. 当月 of compliance
@pytest.mark.parametrize(
    ("reading", "month", "period"),
    [("calendar", (2026, 11), ("2026-11-01", "2026-11-30")),
     ("cycle", (2026, 11), ("2026-10-21", "2026-11-20")),
     ("calendar", (2026, 1), ("2026-01-01", "2026-01-31")),
     ("cycle", (2026, 1), ("2025-12-21", "2026-01-20")),
     ("cycle", (2026, 3), ("2026-02-21", "2026-03-20"))],
    ids=["calendar-november", "cycle-oct-21-to-nov-20", "calendar-january",
         "cycle-across-the-year", "cycle-after-february"])
def test_compliance_month_basis(reading: str, month: tuple[int, int], period: tuple) -> None:
    got = sampling.compliance_period(with_(compliance_month_basis=reading), *month)
    assert got == tuple(dt.date.fromisoformat(d) for d in period)


def test_compliance_month_of_the_service_follows_the_reading(staffed) -> None:
    from tests.services.test_monitoring_service import at

    october = at(staffed, "2026-10-26T10:00:00").monitoring
    october.save_evaluation("A001", "Q001", "recording", "telesales-compliance", "w2",
                            outcome="closed")
    assert [c.level_2 for c in staffed.monitoring.compliance_month(2026, 10)] == [1]
    assert staffed.monitoring.compliance_month(2026, 11) == []
    staffed.set_policy_value("compliance_month_basis", "cycle")
    assert staffed.monitoring.compliance_month(2026, 10) == []
    [november] = staffed.monitoring.compliance_month(2026, 11)
    assert november.level_2 == 1 and november.level_2_open == 1


# -------------------------------------------------- 9. the quota on a day of absence
@pytest.mark.parametrize(
    ("reading", "worked", "target"),
    [(False, False, 0), (True, False, 60), (False, True, 60), (True, True, 60)],
    ids=["days-worked-only-absent-day-no-target", "absent-days-too-target-60",
         "absent-by-30-min-rule-but-called-keeps-target", "both-readings-a-worked-day"])
def test_absent_day_target(reading: bool, worked: bool, target: int) -> None:
    policy = with_(shortfall_on_absent_days=reading)
    got = quota.absent_day_target(policy, 60, worked)
    assert got == target
    assert quota.shortfall_points(policy, got, 0) == -target


# ------------------------------------------------------------------ 10. fraud outcome
OUTBOUND_80 = qa.builtin_templates()["outbound-100"].with_pass_mark(Decimal(80))


@pytest.mark.parametrize(
    ("reading", "marks", "total", "passed"),
    [("zero_fail", "f3", 0, False), ("flag", "f3", 100, True),
     ("zero_fail", "f1 a1", 0, False), ("flag", "f1 a1", 90, True),
     ("flag", "f1 a1x2 d1", 78, False), ("flag", "a1x2", 80, True)],
    ids=["zero-fail-clean-call", "flag-clean-call-keeps-100", "zero-fail-with-deduct",
         "flag-keeps-90", "flag-under-the-pass-mark-fails-on-points", "no-fraud-same-both"])
def test_qa_fraud_outcome(reading: str, marks: str, total: int, passed: bool) -> None:
    result = qa.score(OUTBOUND_80, qa.parse_marks(marks, OUTBOUND_80), reading)
    assert result.total == total and result.passed is passed
    assert bool(result.criticals) is ("f" in marks)  # the fraud case is named either way


def test_the_entry_service_scores_fraud_by_the_policy(staffed) -> None:
    _marks, result = staffed.monitoring.preview("outbound-100", "f2 a1")
    assert (result.total, result.passed) == (0, False)
    staffed.set_policy_value("qa_fraud_outcome", "flag")
    _marks, result = staffed.monitoring.preview("outbound-100", "f2 a1")
    assert result.total == 90 and result.criticals == ("f2",)


def test_the_400_pool_and_its_note_follow_the_reading(staffed) -> None:
    """632 calls expected in the month: 10 % as a floor is 64 to check; the rate only printed
    leaves the 30 in all (and one each) to govern."""
    from floorapp.cli.qa import sampling_report
    from tests.rules.test_monitoring_sampling import TODAY, _calls, _use

    _use(staffed, "complaint", "hotline-400")
    _calls(staffed, "C001", "2026-11-05", 250)
    _calls(staffed, "C002", "2026-11-06", 150)
    end = TODAY - dt.timedelta(days=1)
    assert staffed.monitoring.hotline_pool(TODAY, end)["total"] == 64
    assert "10 % of 632 calls expected" in "\n".join(sampling_report(staffed, TODAY).notes)
    staffed.set_policy_value("qa_400_rate_mode", "printed")
    assert staffed.monitoring.hotline_pool(TODAY, end)["total"] == 30
    assert "the 10 % rate only printed, 632 calls expected" in "\n".join(
        sampling_report(staffed, TODAY).notes)


# ------------------------------------------------------- the 400 card's base (scorecards)
HOTLINE_400 = qa.builtin_templates()["hotline-400"]


@pytest.mark.parametrize(
    ("base", "faults"),
    [(100, ((2, 31), (1, 61))), (60, ((2, 11), (1, 21))), (41, ((2, 1), (1, 2))),
     (40, ((2, 1), (1, 1)))],
    ids=["base-100-31-or-61", "base-60-11-or-21", "base-41-one-two-pointer-fails",
         "base-40-any-fault-fails"])
def test_the_400_pass_line_in_faults(base: int, faults: tuple) -> None:
    card = HOTLINE_400.with_centre_base(Decimal(base))
    assert card.max == base
    assert card.faults_to_fail() == tuple((Decimal(w), n) for w, n in faults)
    worst_w, worst_n = faults[0]
    just_fails = qa.score(card, qa.parse_marks(f"b1x{worst_n}", card))
    assert just_fails.passed is False
    if worst_n > 1:
        assert qa.score(card, qa.parse_marks(f"b1x{worst_n - 1}", card)).passed is True


def test_cards_without_counted_faults_show_no_fault_line() -> None:
    cards = qa.builtin_templates()
    assert cards["outbound-100"].with_pass_mark(Decimal(80)).faults_to_fail() == ()
    assert cards["hotline-100"].faults_to_fail() == ()  # no pass mark set
    assert cards["recording-40"].with_centre_base(Decimal(50)).max == 40  # not a one-section card


def test_the_400_base_is_a_policy_value_the_entry_scores_with(staffed) -> None:
    from screens.monitoring_entry import fails_at

    card = staffed.monitoring.template("hotline-400")
    assert card.max == 100 and "31 × −2 / 61 × −1" in fails_at(card)
    _marks, result = staffed.monitoring.preview("hotline-400", "b1x30")
    assert (result.total, result.passed) == (40, True)
    staffed.set_policy_value("qa_400_base", "70")
    card = staffed.monitoring.template("hotline-400")
    assert card.max == 70 and "16 × −2 / 31 × −1" in fails_at(card)
    _marks, result = staffed.monitoring.preview("hotline-400", "b1x16")
    assert (result.total, result.passed) == (38, False)
    with pytest.raises(Exception, match="qa_400_base cannot be 0"):
        staffed.set_policy_value("qa_400_base", "0")
