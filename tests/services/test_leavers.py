"""A leaver retired mid-month is still paid for the days worked: deductions and all."""

from __future__ import annotations

import datetime as dt

import pytest

from floorapp.services import Floor

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)


def test_a_leaver_stays_in_the_month_report_and_leaves_the_shifts(staffed: Floor) -> None:
    thursday = dt.date(2026, 11, 19)
    staffed.attendance.record_in("A002", thursday, dt.time(8, 25), period=1)  # 25 min late
    staffed.attendance.record_out("A002", thursday, dt.time(12, 0), period=1)
    staffed.attendance.record_in("A002", thursday, dt.time(14, 30), period=2)
    staffed.attendance.record_out("A002", thursday, dt.time(17, 30), period=2)
    staffed.retire_staff("A002", "left the company")  # retired today, 2026-11-20

    assert "A002" not in staffed.staff_by_id()
    leaver = {s.id: s for s in staffed.staff(include_retired=True)}["A002"]
    assert leaver.left == dt.date(2026, 11, 20)
    assert staffed.shifts_on(thursday)["A002"] == "D"  # worked that day
    assert "A002" not in staffed.shifts_on(dt.date(2026, 11, 20))  # on no shift from today

    report = staffed.attendance.month_report(2026, 11)
    row = {r["id"]: r for r in report.data["staff"]}["A002"]
    assert row["late_minutes"] == 25
    assert row["late_deduction"] == "15.00"  # 25 − the 10 free minutes, 1 yuan each
    # the 13 weekdays before the 19th have no punches: absences; the 7 weekdays from the
    # 20th on, after leaving, are not scheduled and cost nothing
    assert row["absent_days"] == 13


def test_someone_who_left_before_the_month_is_not_in_it(staffed: Floor) -> None:
    staffed.retire_staff("A003", "left")
    assert all(r["id"] != "A003"
               for r in staffed.attendance.month_report(2026, 12).data["staff"])
