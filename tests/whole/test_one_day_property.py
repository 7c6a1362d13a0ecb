"""One day, one truth, for any sequence of entries (issue #24): punches, leave typed anywhere
(Attendance, the roster, cancelled either way), swaps, call-ins, roster edits, a hire added
late, corrections — typed in any order on any day. Every section's answer for each day agrees:
the roster grid, the attendance statuses, the floor-day roll, Quota's seats, the month report
and the pay sheet; and the same entries typed on other days cost exactly the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floorapp.clock import fixed_clock
from floorapp.errors import FloorError
from floorapp.services import Floor
from floorapp.rules.staff import Staff
from store.db import Store

NOW = "2026-12-18T19:00:00"  # the month's first 18 days are over; the rest is to come
DAYS = [dt.date(2026, 12, n) for n in range(1, 19)]
TEAM = [
    Staff("A1", "甲", "agent", "T", dt.date(2024, 1, 8), Decimal("1200")),
    Staff("A2", "乙", "agent", "T", dt.date(2025, 12, 1), Decimal("1200")),
    Staff("A3", "丙", "agent", "T", dt.date(2026, 2, 3), Decimal("1200")),
    Staff("C1", "丁", "complaint", "c", dt.date(2022, 1, 1), Decimal("2400")),
    Staff("C2", "戊", "complaint", "c", dt.date(2022, 1, 1), Decimal("2400")),
    Staff("M1", "己", "manager", "m", dt.date(2020, 1, 1), Decimal("5000")),
]
LATE_HIRE = Staff("A4", "庚", "agent", "T", dt.date(2026, 12, 3), Decimal("1200"))
AGENTS = ["A1", "A2", "A3", "A4"]
LEAVE = ["personal", "sick", "annual", "comp"]

day = st.sampled_from(DAYS)
agent = st.sampled_from(AGENTS)
entry = st.one_of(
    st.tuples(st.just("in"), agent, day, st.sampled_from([1, 2]),
              st.sampled_from(["07:55", "08:05", "08:40", "14:30", "15:10"])),
    st.tuples(st.just("out"), agent, day, st.sampled_from([1, 2]),
              st.sampled_from(["11:40", "12:00", "17:10", "17:30"])),
    st.tuples(st.just("leave"), agent, day, st.sampled_from(LEAVE), st.sampled_from(["0.5", "1"])),
    st.tuples(st.just("roster_leave"), agent, day, st.sampled_from(LEAVE)),
    st.tuples(st.just("cancel"), agent, day),
    st.tuples(st.just("roster_set"), agent, day, st.sampled_from(["D", "R"])),
    st.tuples(st.just("swap"), agent, agent, day),
    st.tuples(st.just("callin"), agent, day),
)
# the day each entry is typed on: the floor's own days, weeks later, or the month after
typed_on = st.sampled_from(["2026-12-18T19:00:00+08:00", "2027-01-20T09:00:00+08:00",
                            "2026-11-25T09:00:00+08:00"])


def _apply(floor: Floor, item: tuple) -> None:
    kind, sid, when = item[0], item[1], item[2]
    try:
        if kind in ("in", "out"):
            t = dt.time.fromisoformat(item[4])
            if kind == "in":
                floor.attendance.record_in(sid, when, t, period=item[3])
            else:
                floor.attendance.record_out(sid, when, t, period=item[3])
        elif kind == "leave":
            floor.attendance.record_leave(sid, when, item[3], Decimal(item[4]), confirmed=True)
        elif kind == "roster_leave":
            floor.roster.set_cell(sid, when, item[3], confirmed=True)
        elif kind == "cancel":
            floor.attendance.cancel_leave(sid, when)
        elif kind == "roster_set":
            floor.roster.set_cell(sid, when, item[3], confirmed=True)
        elif kind == "swap":
            floor.roster.swap(sid, item[3], when, "M1", "swap", confirmed=True)
        elif kind == "callin":
            floor.roster.call_in(sid, when, "D", "M1", "cover", confirmed=True)
    except FloorError:
        pass  # refused entries (leave on a rest day, nothing to swap …) save nothing


def _build(root, entries, stamps) -> Floor:
    store = Store(root, user="tester", clock=lambda: "2026-11-30T09:00:00+08:00").open()
    floor = Floor(store, fixed_clock(NOW))
    for person in TEAM:
        floor.save_staff(person)
    floor.roster.generate(2026, 12, seats=1)
    for index, item in enumerate(entries):
        store.clock = (lambda s: (lambda: s))(stamps[index % len(stamps)])
        if index == len(entries) // 2:
            floor.save_staff(LATE_HIRE)  # a hire typed in the middle, dated in the month
        _apply(floor, item)
    if len(entries) < 2:
        floor.save_staff(LATE_HIRE)
    store.clock = lambda: "2026-12-18T19:00:00+08:00"
    return Floor(store, fixed_clock(NOW))



def _facts(floor: Floor) -> dict:
    """Every section's answers, day by day, and the month's money."""
    out = {}
    cells = floor.roster.cells(2026, 12)
    for when in DAYS:
        key = when.isoformat()
        roll = floor.day.roll(when)
        statuses = floor.attendance.day_statuses(when)
        leave = floor.leave_on(when)
        shifts = floor.shifts_on(when)
        for sid, person in roll.people.items():
            # the roster grid, shifts_on and the roll show the same code
            assert cells.get(sid, {}).get(key, shifts[sid]) == shifts[sid] == person.code, \
                (sid, key)
            item = leave.get(sid)
            if item is not None and item.days >= 1 and person.scheduled != "R":
                assert statuses[sid] == "leave" and shifts[sid] == item.type
                assert not person.working
        fd = floor.quota.floor_day(when)
        assert fd.seats == len(roll.working(("agent",))), key
        assert {a.staff_id for a in fd.agents if a.working} == roll.working_ids(("agent",))
        out[key] = (dict(statuses), {s: (v.type, v.days) for s, v in leave.items()},
                    dict(shifts))
    month = {s.id: r for s, r, _d in floor.attendance.month_results(2026, 12)}
    report = floor.attendance.month_report(2026, 12).data
    for row in report["staff"]:
        r = month[row["id"]]
        assert Decimal(row["total_deduction"]) == r.total_deduction.quantize(Decimal("0.01"))
    sheet = {ln.staff.id: ln for ln in floor.pay.sheet(2026, 12)}
    for sid, line in sheet.items():
        assert line.deductions == month[sid].total_deduction
        assert line.attendance.personal_leave_days == month[sid].personal_leave_days
    # leave charged = leave recorded on scheduled days, whoever typed it
    for sid, r in month.items():
        personal = sum((days for key, (_st, lv, sh) in out.items()
                        for s, (kind, days) in lv.items()
                        if s == sid and kind == "personal"
                        and floor.scheduled_on(dt.date.fromisoformat(key)).get(s) != "R"),
                       Decimal(0))
        assert r.personal_leave_days == personal, sid
    out["money"] = {sid: (r.total_deduction, r.absent_days, r.points,
                          r.full_attendance_bonus) for sid, r in month.items()}
    return out


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(entries=st.lists(entry, min_size=1, max_size=14), stamps=st.lists(typed_on, min_size=1,
                                                                          max_size=4))
def test_every_section_agrees_whatever_was_typed_when(tmp_path_factory, entries, stamps):
    entries = [(e[0], e[1], e[3], e[2]) if e[0] == "swap" else e for e in entries]
    typed_late = _facts(_build(tmp_path_factory.mktemp("late"), entries, stamps))
    typed_now = _facts(_build(tmp_path_factory.mktemp("now"), entries,
                              ["2026-12-18T19:00:00+08:00"]))
    assert typed_late == typed_now
