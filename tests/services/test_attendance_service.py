"""floor.attendance: the day statuses other features read, and the month over the store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from floorapp.errors import FloorError
from floorapp.rules.staff import Staff

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

TODAY = dt.date(2026, 11, 20)  # Friday, NOW 15:00: period 1 is over, period 2 running


def test_day_statuses_today(staffed):
    att = staffed.attendance
    att.record_in("A001", TODAY, dt.time(7, 58))
    att.record_out("A001", TODAY, dt.time(12, 0))
    att.record_in("A001", TODAY, dt.time(14, 42))
    att.record_in("A002", TODAY, dt.time(8, 0))
    att.record_out("A002", TODAY, dt.time(11, 56))
    att.record_in("A002", TODAY, dt.time(14, 30))
    att.record_leave("A003", TODAY, "sick", Decimal("0.5"))
    att.record_in("A003", TODAY, dt.time(14, 20))
    att.record_leave("C001", TODAY, "personal", Decimal("1"))
    statuses = att.day_statuses(TODAY)
    texts = att.day_status_text(TODAY)
    assert statuses["A001"] == "late" and texts["A001"] == "late 12 min"
    assert statuses["A002"] == "early" and texts["A002"] == "left early 4 min"
    assert statuses["A003"] == "leave" and texts["A003"] == "sick leave 0.5 day"
    assert statuses["C001"] == "leave" and texts["C001"] == "personal leave 1 day"
    # Q001 missed the whole morning (over): absent, though the afternoon is still running
    assert statuses["Q001"] == "absent"
    assert texts["Q001"].startswith("absent: no punch p1")
    assert set(statuses.values()) <= {"on_time", "late", "early", "absent", "leave", "rest"}
    assert set(statuses) == {"A001", "A002", "A003", "C001", "C002", "Q001", "L001", "M001"}


def test_day_statuses_rest_future_and_roster(staffed):
    att = staffed.attendance
    saturday = dt.date(2026, 11, 21)
    assert set(att.day_statuses(saturday).values()) == {"rest"}
    assert att.day_status_text(saturday)["A001"] == "rest"
    monday = dt.date(2026, 11, 23)
    assert set(att.day_statuses(monday).values()) == {"on_time"}  # nothing has happened yet
    assert att.day_status_text(monday)["A001"] == "not in yet"
    with staffed.store.transaction() as tx:
        tx.put("day/2026-11-19", "leave", "C001",
               {"staff_id": "C001", "date": "2026-11-19", "type": "annual", "days": "1"})
        tx.put("roster/2026-11", "cells", "C002/2026-11-19",
               {"staff_id": "C002", "date": "2026-11-19", "code": "C2"})
    statuses = att.day_statuses(dt.date(2026, 11, 19))
    assert statuses["C001"] == "leave"
    assert statuses["C002"] == "absent"


def test_today_before_the_shift_starts(staffed):
    from floorapp.clock import fixed_clock
    from floorapp.services import Floor

    early = Floor(staffed.store, fixed_clock("2026-11-20T07:40:00"))
    assert set(early.attendance.day_statuses(TODAY).values()) == {"on_time"}
    assert early.attendance.day_status_text(TODAY)["A001"] == "not in yet"


def test_month_skips_days_before_hire_and_after_today(staffed):
    staffed.save_staff(Staff("A009", "新人", "agent", "T01", dt.date(2026, 11, 19), Decimal(1200)))
    att = staffed.attendance
    att.record_in("A009", dt.date(2026, 11, 19), dt.time(8, 0))
    att.record_out("A009", dt.date(2026, 11, 19), dt.time(12, 0))
    results = {s.id: r for s, r, _d in att.month_results(2026, 11)}
    # 11-19 afternoon missing and 11-20 morning missing: two days; nothing before the 19th,
    # nothing after today
    assert results["A009"].absent_days == 2


def test_quick_entry_parsing(staffed):
    att = staffed.attendance
    entry = att.parse_entry("a001 0812", "in", TODAY)
    assert (entry.staff.id, entry.period, entry.time) == ("A001", 1, dt.time(8, 12))
    yesterday = TODAY - dt.timedelta(days=1)  # 17:26 today is still to come at 15:00
    assert att.parse_entry("out 欧阳 17:26", "in", yesterday).action == "out"
    assert att.parse_entry("a001 17:26", "out", yesterday).period == 2
    assert att.parse_entry("a001 13:00", "in", TODAY).period == 2  # lunch: for the afternoon
    assert att.parse_entry("a001 p", "leave", TODAY).leave_type == "personal"
    leave = att.parse_entry("a002 s .5", "leave", TODAY)
    assert (leave.leave_type, leave.leave_days) == ("sick", Decimal("0.5"))
    for text, action, message in [
        ("a001 25:00", "in", "25:00 is not a time of day"),
        ("a00", "in", "'a00' matches A001 欧阳娜娜, A002 Li Wei, A003 王芳: type more"),
        ("a002 sick 2", "leave", "must be 0.5 or 1"),
        ("a002 holiday", "leave", "expected a leave type"),
        ("a001", "reason", "type the reason"),
        ("nobody", "in", "no staff member matches"),
    ]:
        with pytest.raises(FloorError, match=message.replace("(", r"\(")):
            att.parse_entry(text, action, TODAY)
    with pytest.raises(FloorError, match="not on shift on 2026-11-21"):
        att.parse_entry("a001 08:00", "in", dt.date(2026, 11, 21))


def test_cancel_leave_retires_it(staffed):
    att = staffed.attendance
    att.record_leave("A001", TODAY, "personal", Decimal(1))
    att.cancel_leave("A001", TODAY)
    assert staffed.store.get("day/2026-11-20", "leave", "A001") is None
    assert staffed.store.history("day/2026-11-20", "leave", "A001")[-1]["_retired"]
    with pytest.raises(FloorError, match="no leave"):
        att.cancel_leave("A001", TODAY)


@pytest.mark.parametrize("words", ["cancel", "clear", "清除"], ids=["cancel", "clear", "zh-clear"])
def test_a_wrong_punch_is_taken_back_audited(staffed, words):
    att = staffed.attendance
    att.record_in("A001", TODAY, dt.time(7, 58))
    att.record_out("A001", TODAY, dt.time(12, 0))
    entry = att.parse_entry(f"a001 {words}", "out", TODAY)
    assert (entry.cancel, entry.period, entry.time) == (True, 1, dt.time(12, 0))
    assert "remove out 12:00 (p1)" in att.preview(entry)
    assert "removed" in att.apply(entry)
    record = staffed.store.get("day/2026-11-20", "punches", "A001/1")
    assert (record["in"], record["out"]) == ("07:58", "")  # a new version, the old one kept
    assert len(staffed.store.history("day/2026-11-20", "punches", "A001/1")) == 3
    att.apply(att.parse_entry(f"a001 {words}", "in", TODAY))  # nothing left: retired
    assert staffed.store.get("day/2026-11-20", "punches", "A001/1") is None
    assert staffed.store.history("day/2026-11-20", "punches", "A001/1")[-1]["_retired"]
    assert any(a["op"] == "retire" for a in staffed.store.audit("day/2026-11-20"))
    assert "p1 punches removed" in att.punch_history("A001", TODAY)[0]
    with pytest.raises(FloorError, match="no in punch on"):
        att.parse_entry(f"a001 {words}", "in", TODAY)
