"""The attendance month for payroll (考勤扣款): each person's month result and the month report.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.

The report's SPEC §9 JSON leaves out the amounts that follow from base pay for who may not see
pay.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from floorapp.formats import reports
from floorapp.rules.attendance import DayResult, MonthResult, evaluate_day, month_result, month_text
from floorapp.i18n import _
from floorapp.money import money_text
from floorapp.rules.staff import Staff

if TYPE_CHECKING:
    from floorapp.policy import Policy
    from floorapp.services.core import Floor

MONTH_FIELDS = ["id", "late_minutes", "late_deduction", "early_minutes", "early_deduction",
                "absent_days", "absent_deduction", "personal_leave_days",
                "personal_leave_deduction", "sick_leave_days", "sick_leave_deduction",
                "full_attendance_bonus", "total_deduction", "points"]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class AttendanceMonth:
    """The month report for payroll: what each person's month charges (late, early, absent,
    leave) and pays (the full-attendance bonus), from their days.

    A part of ``AttendanceService`` (floorapp/services/attendance.py), which holds ``floor`` and
    the day's reading the parts share."""

    floor: Floor

    def month_results(
        self, year: int, month: int
    ) -> list[tuple[Staff, MonthResult, list[DayResult]]]:
        """Every staff member scheduled (or on leave) in the month, with their month result.

        Days after today are not counted yet; today counts only its ended periods.
        """
        policy = self.floor.policy
        first = dt.date(year, month, 1)
        # Leavers who worked part of the month are still paid for it, deductions and all.
        # Pay unseen (issue #19) counts as 0: the report then leaves out what depends on it.
        people = [s if s.base_pay is not None else dataclasses.replace(s, base_pay=Decimal(0))
                  for s in self.floor.staff(include_retired=True)
                  if s.left is None or s.left > first]
        now = self._local_now()
        today = now.date()
        last = calendar.monthrange(year, month)[1]
        days: dict[str, list[DayResult]] = {s.id: [] for s in people}
        scheduled: set[str] = set()
        for number in range(1, last + 1):
            day = dt.date(year, month, number)
            works = _Works(policy, day)  # a code's periods asked once a day, not per person
            if day > today:
                shifts = self._shifts(day, people)
                scheduled.update(i for i, code in shifts.items() if works[code])
                continue
            punches = self.punches_on(day)
            leave = self.leave_on(day)
            shifts = self._shifts(day, people)
            scheduled.update(i for i, code in shifts.items() if works[code])
            for person in people:
                code = shifts[person.id]
                if not works[code] and person.id not in leave:
                    continue
                scheduled.add(person.id)
                days[person.id].append(evaluate_day(policy, day, code,
                                                    punches.get(person.id, {}),
                                                    leave.get(person.id), now))
        bases = self._month_bases(year, month, [s for s in people if s.id in scheduled])
        return [(s, month_result(policy, s, days[s.id], bases.get(s.id)), days[s.id])
                for s in people if s.id in scheduled]

    def _month_bases(self, year: int, month: int, people: list[Staff]) -> dict[str, Decimal]:
        """The month's base per person where it is not the register's (outbound agents: pay
        tier + seniority raise, SPEC §4 rev. / §10), from the pay service when present."""
        service = getattr(self.floor, "pay", None)
        if service is None or not hasattr(service, "month_bases") or not self.floor.pay_visible():
            return {}  # who may not see pay gets no money figures from base pay (issue #19)
        return service.month_bases(year, month, people)

    def month_report(self, year: int, month: int) -> reports.Report:
        """The payroll month report (SPEC §9 month JSON), extended by quota/QA sections."""
        results = self.month_results(year, month)
        pay = self.floor.pay_visible()
        staff_rows = [_without_pay(month_json(r), pay) for _s, r, _d in results]
        data: dict[str, Any] = {"month": f"{year:04d}-{month:02d}", "staff": staff_rows}
        headers = _without_pay_columns(
            [_("id"), _("name"), _("late"), _("late ¥"), _("early"), _("early ¥"),
             _("absent"), _("absent ¥"), _("pers."), _("pers. ¥"), _("sick"),
             _("sick ¥"), _("bonus"), _("total ¥"), _("points")], pay)
        rows = []
        totals = MonthResult("TOTAL")
        for person, r, _days in results:
            rows.append(_without_pay_columns([person.id, person.name, *_money_row(r)], pay))
            for name in _TOTALLED:
                setattr(totals, name, getattr(totals, name) + getattr(r, name))
        if rows:
            rows.append(_without_pay_columns([_("TOTAL"), _("{n} staff").format(n=len(rows)),
                                              *_money_row(totals)], pay))
        report = reports.Report(
            title=_("Attendance {month} (考勤扣款)").format(month=month_text(year, month)),
            data=data,
            tables=[reports.Table(headers, rows)],
            notes=[_("Minutes: late/early charged minutes; absent: absenteeism days (旷工); "
                     "pers./sick: leave days; bonus: full-attendance bonus paid (全勤奖)."),
                   _("Amounts exact, rounded half-up to 0.01 once (total rounded from the "
                     "exact sum).")]
            + ([] if pay else [_("Amounts that follow from base pay (absent, leave, total) "
                                 "are left out: only managers see pay.")]),
        )
        return reports.extend_month_report(self.floor, report, year, month)


class _Works(dict):
    """{shift code: whether it has periods on the day}, filled as codes are asked for."""

    def __init__(self, policy: Policy, day: dt.date) -> None:
        super().__init__()
        self.policy, self.day = policy, day

    def __missing__(self, code: str) -> bool:
        self[code] = works = bool(self.policy.periods(code, self.day))
        return works


def month_json(r: MonthResult) -> dict[str, Any]:
    """One staff entry of the SPEC §9 month JSON: money as strings with two decimals."""
    return {
        "id": r.staff_id,
        "late_minutes": r.late_minutes,
        "late_deduction": money_text(r.late_deduction),
        "early_minutes": r.early_minutes,
        "early_deduction": money_text(r.early_deduction),
        "absent_days": r.absent_days,
        "absent_deduction": money_text(r.absent_deduction),
        "personal_leave_days": _number(r.personal_leave_days),
        "personal_leave_deduction": money_text(r.personal_leave_deduction),
        "sick_leave_days": _number(r.sick_leave_days),
        "sick_leave_deduction": money_text(r.sick_leave_deduction),
        "full_attendance_bonus": money_text(r.full_attendance_bonus),
        "total_deduction": money_text(r.total_deduction),
        "points": _number(r.points),
    }


def _money_row(r: MonthResult) -> list[str]:
    return [str(r.late_minutes), money_text(r.late_deduction), str(r.early_minutes),
            money_text(r.early_deduction), str(r.absent_days), money_text(r.absent_deduction),
            str(_number(r.personal_leave_days)), money_text(r.personal_leave_deduction),
            str(_number(r.sick_leave_days)), money_text(r.sick_leave_deduction),
            money_text(r.full_attendance_bonus), money_text(r.total_deduction),
            str(_number(r.points))]


# What follows from a person's base pay (day pay × days): shown only to those who may see pay.
_PAY_FIELDS = ("absent_deduction", "personal_leave_deduction", "sick_leave_deduction",
               "total_deduction")
_PAY_COLUMNS = (7, 9, 11, 13)  # their columns in the month table (id, name, then _money_row)


def _without_pay(entry: dict[str, Any], pay: bool) -> dict[str, Any]:
    return entry if pay else {k: v for k, v in entry.items() if k not in _PAY_FIELDS}


def _without_pay_columns(row: list[str], pay: bool) -> list[str]:
    return row if pay else [cell for i, cell in enumerate(row) if i not in _PAY_COLUMNS]


_TOTALLED = ("late_minutes", "late_deduction", "early_minutes", "early_deduction",
             "absent_days", "absent_deduction", "personal_leave_days",
             "personal_leave_deduction", "sick_leave_days", "sick_leave_deduction",
             "full_attendance_bonus", "points")
