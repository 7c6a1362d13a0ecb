"""SPEC §4 attendance rules, table-driven, with the edges named in the ids."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from floorapp.rules.attendance import Leave, Punch, evaluate_day, late_deduction, month_result
from floorapp.money import rounded
from floorapp.policy import Policy
from floorapp.rules.staff import Staff

P = Policy()
WINTER = dt.date(2026, 11, 18)  # a Wednesday
SUMMER = dt.date(2026, 7, 15)
BOB = Staff("A001", "欧阳娜娜", "agent", "T01", dt.date(2024, 11, 10), Decimal("1200"))


def t(text: str | None) -> dt.time | None:
    return None if text is None else dt.time.fromisoformat(text)


def d_day(p1=("08:00", "12:00"), p2=("14:30", "17:30"), day=WINTER, reasons=("", ""),
          leave=None, shift="D", now=None, policy=P):
    punches = {}
    for n, pair, reason in ((1, p1, reasons[0]), (2, p2, reasons[1])):
        if pair is not None:
            punches[n] = Punch(n, t(pair[0]), t(pair[1]), reason)
    return evaluate_day(policy, day, shift, punches, leave, now)


DAY_CASES = [
    # (id, day, expected (late, early, absent, status))
    ("on-time", d_day(), (0, 0, False, "on_time")),
    ("late-1-min", d_day(p1=("08:01", "12:00")), (1, 0, False, "late")),
    ("late-29-min-no-reason", d_day(p1=("08:29", "12:00")), (29, 0, False, "late")),
    ("late-exactly-30-no-reason-is-absent", d_day(p1=("08:30", "12:00")), (0, 0, True, "absent")),
    ("late-30-with-reason-is-ordinary", d_day(p1=("08:30", "12:00"), reasons=("bus", "")),
     (30, 0, False, "late")),
    ("early-exactly-30-no-reason-is-absent", d_day(p2=("14:30", "17:00")), (0, 0, True, "absent")),
    ("early-4-min", d_day(p2=("14:30", "17:26")), (0, 4, False, "early")),
    ("both-periods-over-30-is-one-day", d_day(p1=("08:40", "12:00"), p2=("15:10", "17:30")),
     (0, 0, True, "absent")),
    ("winter-afternoon-starts-14:30", d_day(p2=("14:45", "17:30")), (15, 0, False, "late")),
    ("summer-afternoon-starts-15:00", d_day(p2=("14:45", "18:00"), day=SUMMER),
     (0, 0, False, "on_time")),
    ("summer-afternoon-late", d_day(p2=("15:05", "18:00"), day=SUMMER), (5, 0, False, "late")),
    ("no-punch-at-all-is-absent", d_day(p1=None, p2=None), (0, 0, True, "absent")),
    ("whole-period-missing-is-absent", d_day(p2=None), (0, 0, True, "absent")),
    ("half-day-leave-covers-missing-period",
     d_day(p2=None, leave=Leave("personal", Decimal("0.5"))), (0, 0, False, "leave")),
    ("half-day-leave-does-not-cover-both", d_day(p1=None, p2=None,
                                                 leave=Leave("sick", Decimal("0.5"))),
     (0, 0, True, "absent")),
    ("half-day-leave-covers-afternoon-left-early",
     d_day(p2=("14:30", "15:00"), leave=Leave("sick", Decimal("0.5"))), (0, 0, False, "leave")),
    ("full-day-leave", d_day(p1=None, p2=None, leave=Leave("sick", Decimal("1"))),
     (0, 0, False, "leave")),
    ("rest-day", d_day(shift="R"), (0, 0, False, "rest")),
    ("roster-leave-code", d_day(shift="sick"), (0, 0, False, "leave")),
    ("forgotten-out-punch-not-charged", d_day(p2=("14:30", None)), (0, 0, False, "on_time")),
    ("today-not-in-yet-is-not-absent",
     d_day(p2=None, now=dt.datetime.combine(WINTER, dt.time(14, 0))), (0, 0, False, "on_time")),
    ("today-period-running-not-in-is-late",
     d_day(p2=None, now=dt.datetime.combine(WINTER, dt.time(15, 0))), (0, 0, False, "late")),
    ("today-period-ended-no-punch-is-absent",
     d_day(p2=None, now=dt.datetime.combine(WINTER, dt.time(17, 31))), (0, 0, True, "absent")),
    ("c1-single-period", evaluate_day(P, WINTER, "C1", {1: Punch(1, t("08:05"), t("14:30"))}),
     (5, 0, False, "late")),
]


@pytest.mark.parametrize("result,expected", [c[1:] for c in DAY_CASES],
                         ids=[c[0] for c in DAY_CASES])
def test_day_rules(result, expected):
    assert (result.late_minutes, result.early_minutes, result.absent, result.status) == expected


def test_day_texts():
    assert d_day(p1=("08:12", "12:00")).text == "late 12 min"
    assert d_day(p2=("14:30", "17:26")).text == "left early 4 min"
    assert d_day(p1=None, p2=None, leave=Leave("sick", Decimal("0.5"))).text == \
        "absent: no punch p2, sick leave 0.5 day"
    assert d_day(p1=("08:40", "12:00")).text == "absent: late 40 min p1"
    assert d_day(p2=None, leave=Leave("sick", Decimal("0.5"))).text == "sick leave 0.5 day"
    assert d_day(shift="R").text == "rest"
    assert d_day(p1=None, p2=None,
                 now=dt.datetime.combine(WINTER, dt.time(7, 30))).text == "not in yet"
    assert d_day(p2=None, now=dt.datetime.combine(WINTER, dt.time(15, 0))).text == \
        "not in, late 30 min"


LATE_CASES = [
    ("exactly-10-min-free", "excess", 10, "0"),
    ("11-min-excess-charges-1", "excess", 11, "1"),
    ("11-min-all-charges-11", "all", 11, "11"),
    ("exactly-10-min-all-free", "all", 10, "0"),
    ("15-min-excess", "excess", 15, "5"),
    ("zero", "excess", 0, "0"),
]


@pytest.mark.parametrize("mode,minutes,expected", [c[1:] for c in LATE_CASES],
                         ids=[c[0] for c in LATE_CASES])
def test_late_allowance(mode, minutes, expected):
    policy = dataclasses.replace(P, late_mode=mode)
    assert late_deduction(policy, minutes) == Decimal(expected)


def day(n: int, **kw):
    return d_day(day=dt.date(2026, 11, n), **kw)


def test_spec_worked_example():
    """SPEC §4: winter, base 1200: late 6 + 9 min = 5.00 yuan, 4 points, bonus kept; early
    leave at 17:26 = 8.00; late 40 min without reason = absenteeism 55.17, bonus lost, 20."""
    lateness = month_result(P, BOB, [day(3, p1=("08:06", "12:00")), day(10, p1=("08:09", "12:00"))])
    assert lateness.late_minutes == 15
    assert rounded(lateness.late_deduction) == Decimal("5.00")
    assert lateness.points == 4
    assert lateness.full_attendance_bonus == Decimal("100")

    early = month_result(P, BOB, [day(4, p2=("14:30", "17:26"))])
    assert early.early_minutes == 4
    assert rounded(early.early_deduction) == Decimal("8.00")

    absent = month_result(P, BOB, [day(5, p1=("08:40", "12:00"))])
    assert absent.absent_days == 1
    assert absent.late_minutes == 0
    assert rounded(absent.absent_deduction) == Decimal("55.17")
    assert absent.full_attendance_bonus == 0
    assert absent.points == 20

    together = month_result(P, BOB, [day(3, p1=("08:06", "12:00")), day(10, p1=("08:09", "12:00")),
                                     day(4, p2=("14:30", "17:26")), day(5, p1=("08:40", "12:00"))])
    assert rounded(together.total_deduction) == Decimal("68.17")
    assert together.points == 4 + 2 + 20


SICK_CASES = [
    # hired 2024-11-10: two years on 2026-11-10
    ("tenure-one-day-short-of-2-years", dt.date(2026, 11, 9), Decimal("1"), "11.03"),
    ("tenure-exactly-2-years-on-leave-date", dt.date(2026, 11, 10), Decimal("1"), "5.52"),
    ("half-day-junior", dt.date(2026, 11, 9), Decimal("0.5"), "5.52"),
    ("half-day-senior", dt.date(2026, 11, 10), Decimal("0.5"), "2.76"),
]


@pytest.mark.parametrize("on,days,expected", [c[1:] for c in SICK_CASES],
                         ids=[c[0] for c in SICK_CASES])
def test_sick_leave_by_tenure(on, days, expected):
    result = month_result(P, BOB, [d_day(day=on, p1=None, p2=None, leave=Leave("sick", days))
                                   if days == 1 else d_day(day=on, p2=None,
                                                           leave=Leave("sick", days))])
    assert str(rounded(result.sick_leave_deduction)) == expected
    assert result.full_attendance_bonus == Decimal("100")
    assert result.points == days
    assert result.absent_days == 0


LEAVE_CASES = [
    ("personal-1-day", "personal", "1", "55.17", "0", 2),
    ("personal-half-day", "personal", "0.5", "27.59", "0", 1),
    ("annual-no-deduction", "annual", "1", "0.00", "100", 0),
    ("comp-no-deduction", "comp", "0.5", "0.00", "100", 0),
]


@pytest.mark.parametrize("kind,days,deduction,bonus,points", [c[1:] for c in LEAVE_CASES],
                         ids=[c[0] for c in LEAVE_CASES])
def test_leave(kind, days, deduction, bonus, points):
    leave = Leave(kind, Decimal(days))
    result = month_result(P, BOB, [d_day(p2=None, leave=leave)])
    assert str(rounded(result.total_deduction)) == deduction
    assert result.full_attendance_bonus == Decimal(bonus)
    assert result.points == points


def test_every_number_comes_from_policy():
    policy = dataclasses.replace(P, absent_threshold_minutes=20, early_leave_per_minute=Decimal(3),
                                 late_allowance_minutes=0, pay_days_per_month=Decimal("20"),
                                 full_attendance_bonus=Decimal("50"), points_per_absent_day=10)
    result = month_result(policy, BOB, [
        d_day(p1=("08:20", "12:00"), policy=policy),  # 20 min now absenteeism
        d_day(day=dt.date(2026, 11, 19), p1=("08:02", "12:00"), p2=("14:30", "17:29"),
              policy=policy),
    ])
    assert result.absent_days == 1
    assert result.absent_deduction == Decimal("60")
    assert result.late_deduction == Decimal("2")
    assert result.early_deduction == Decimal("3")
    assert result.full_attendance_bonus == 0
    assert result.points == 10 + 2 + 2


def test_why_lines_explain_each_deduction():
    result = month_result(P, BOB, [day(3, p1=("08:06", "12:00"), reasons=("bus", "")),
                                   day(5, p1=("08:40", "12:00"))])
    assert "11-03 late 6 min p1 (bus)" in result.why
    assert "11-05 absent (旷工): late 40 min p1, no reason" in result.why
    assert "full-attendance bonus lost" in result.why


def test_rules_module_is_pure():
    """The rules never import Textual, TinyDB or the store (SPEC §2)."""
    import subprocess
    import sys

    code = ("import sys, floorapp.rules.attendance; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tinydb', 'store')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout


# ---------------------------------------------------------------- issue 13: wrong figures
FRIDAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("p1", "p2", "late", "early", "status", "text"),
    [
        ((None, "11:56"), ("14:30", "17:30"), 0, 0, "on_time", "no in punch p1"),
        (("08:00", "12:00"), (None, "17:26"), 0, 0, "on_time", "no in punch p2"),
        (("08:12", None), ("14:30", "17:30"), 0, 0, "on_time", "no out punch p1"),
        (("08:45", None), ("14:30", "17:30"), 0, 0, "on_time", "no out punch p1"),
        (("08:12", "12:00"), ("14:30", "17:26"), 12, 4, "late", "late 12 min, left early 4 min"),
    ],
    ids=["only-out-punch-not-charged", "d-17:26-without-in-not-early-4-min",
         "only-in-punch-late-not-charged", "only-in-punch-late-45-not-absent",
         "both-punches-charged"],
)
def test_a_single_punch_is_not_charged(p1, p2, late, early, status, text):
    """Issue 13: `d 欧阳 17:26` on a row with no in punch was charged early 4 min (¥8.00)."""
    result = d_day(p1=p1, p2=p2)
    assert (result.late_minutes, result.early_minutes, result.absent) == (late, early, False)
    assert result.status == status and result.text == text
    month = month_result(P, BOB, [result])
    assert month.early_deduction == (Decimal(8) if early else 0)


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(Decimal("0.20"), "20"), (Decimal("0.10"), "10"), (Decimal("0.125"), "12.5"),
     (Decimal("1"), "100"), (Decimal("0"), "0")],
    ids=["junior-20-not-2E+1", "senior-10", "fraction", "whole-day", "zero"],
)
def test_sick_rate_is_shown_as_a_plain_percentage(rate, shown):
    from floorapp.rules.attendance import percent_text

    assert percent_text(rate) == shown


def test_month_explains_a_sick_day_without_exponent():
    """Issue 13: the month view explained a sick day as `sick leave 0.5 at 2E+1%`."""
    day = d_day(p2=None, leave=Leave("sick", Decimal("0.5")))
    why = month_result(P, BOB, [day]).why
    assert "11-18 sick leave 0.5 day at 10%" in why and not any("E+" in w for w in why)  # 2 years


@pytest.mark.parametrize(
    ("now", "punches", "status_now", "status"),
    [
        ("02:34", {}, "not_in", "on_time"),
        ("07:55", {}, "not_in", "on_time"),
        ("08:12", {}, "not_in", "late"),
        ("08:12", {1: ("08:05", None)}, "late", "late"),
        ("07:58", {1: ("07:58", None)}, "on_time", "on_time"),
        ("15:00", {}, "absent", "absent"),
    ],
    ids=["02:34-before-any-shift-not-present", "before-start-not-on-time",
         "after-start-not-in-is-not-present", "punched-in-late", "punched-in-on-time",
         "morning-over-without-punch-absent"],
)
def test_nobody_counts_as_present_before_a_punch(now, punches, status_now, status):
    """Issue 13: at 02:34 Attendance said `44 on shift: on time 44`."""
    at = dt.datetime.combine(FRIDAY, dt.time.fromisoformat(now))
    result = evaluate_day(P, FRIDAY, "D", {n: Punch(n, t(a), t(b)) for n, (a, b) in
                                         punches.items()}, None, at)
    assert (result.status_now, result.status) == (status_now, status)
    assert result.punched_in is bool(punches)
