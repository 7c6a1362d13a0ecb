"""Issue 13: the figures a supervisor saw on the attendance, quota and summary screens, each
reproduced through the services the screens read, at the hour it was seen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from floorapp.clock import fixed_clock
from floorapp.errors import FloorError
from floorapp.rules.quota import Counts
from floorapp.services import Floor
from floorapp.rules.staff import Staff

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

DAY = dt.date(2026, 11, 20)  # a winter Friday


def at(floor: Floor, hhmm: str, day: dt.date = DAY) -> Floor:
    """The same store seen at another time of day."""
    return Floor(floor.store, fixed_clock(f"{day.isoformat()}T{hhmm}:00"))


AGENTS = ("A001", "A002", "A003")


def test_nobody_is_present_before_a_punch(staffed):
    """At 02:34 Attendance said `44 on shift: on time 44` and Quota's att column said `in`."""
    night = at(staffed, "02:34")
    statuses = night.attendance.floor_statuses(DAY)
    assert {statuses[a] for a in AGENTS} == {"not_in"}
    texts = night.attendance.day_status_text(DAY)
    assert {texts[a] for a in AGENTS} == {"not in yet"}
    fd = night.quota.floor_day(DAY)
    assert {a.presence for a in fd.agents} == {"not_in"}
    # on the day's roll (scheduled, not yet in: issue #24), but nobody present or dialing
    assert fd.seats == 3 and all(a.working for a in fd.agents)
    assert fd.advice == "ok"  # nothing dialed: nothing to advise on
    # the day JSON keeps the SPEC §9 statuses
    assert {a["attendance"] for a in night.quota.day_report(DAY).data["agents"]} <= {
        "on_time", "late", "early", "absent", "leave", "rest"}


def test_late_but_working_is_not_abs_on_the_quota_screen(staffed):
    """At 10:30 Quota showed `ABS` for agents who came in more than 30 minutes late."""
    morning = at(staffed, "10:30")
    morning.attendance.record_in("A001", DAY, dt.time(8, 42))
    morning.attendance.record_in("A002", DAY, dt.time(8, 0))
    fd = morning.quota.floor_day(DAY)
    a001 = next(a for a in fd.agents if a.staff_id == "A001")
    assert a001.attendance == "absent"  # the pay rule: late ≥ 30 min without a reason
    assert a001.presence == "late" and a001.working
    a003 = next(a for a in fd.agents if a.staff_id == "A003")
    # not in yet at 10:30 (the morning is not over): still on the day's roll (issue #24)
    assert a003.presence == "not_in" and a003.working
    assert fd.seats == 3


def test_seats_and_under_target_count_the_same_seats(staffed):
    """Summary printed `33 seats` right above `under target 36` for the same day."""
    staffed.attendance.record_in("A001", DAY, dt.time(8, 0))
    staffed.attendance.record_out("A001", DAY, dt.time(12, 0))
    staffed.attendance.record_in("A002", DAY, dt.time(8, 0))
    staffed.attendance.record_out("A002", DAY, dt.time(12, 0))
    staffed.quota.record_counts("A001", Counts(90, 80, 70, 10), daily_total=True)
    staffed.quota.record_counts("A002", Counts(60, 40, 30, 5), daily_total=True)
    fd = staffed.quota.floor_day(DAY)  # A003 never came: absent, not a seat
    assert fd.seats == 2
    assert [a.staff_id for a in fd.under_target] == ["A002"]
    report = staffed.quota.day_report(DAY)
    rows = dict(report.tables[1].rows)
    assert rows["seats"] == 2 and rows["under target"] == 1
    assert len(fd.under_target) <= fd.seats


def test_a_floor_at_56_completed_and_79_dialed_is_told_to_raise_volume(staffed):
    """[004 第三条]: today dialed < 70 was used, so this floor was told "ok"."""
    for sid in ("A001", "A002"):
        staffed.attendance.record_in(sid, DAY, dt.time(8, 0))
        staffed.quota.record_counts(sid, Counts(79, 60, 56, 5), daily_total=True)
    fd = staffed.quota.floor_day(DAY)
    assert (fd.avg_dialed, fd.avg_completed, fd.advice) == (79, 56, "raise_volume")
    assert staffed.quota.day_report(DAY).data["floor"]["advice"] == "raise_volume"


def test_preview_says_what_is_saved(staffed):
    """The preview said `late 42 min` for an entry saved as `absent: late 42 min`."""
    morning = at(staffed, "10:30")
    entry = morning.attendance.parse_entry("a002 08:42", "in", DAY)
    preview = morning.attendance.preview(entry)
    morning.attendance.apply(entry)
    saved = morning.attendance.day_status_text(DAY)["A002"]
    assert saved == "absent: late 42 min p1"
    assert preview.endswith(" · " + saved)


@pytest.mark.parametrize(
    ("now", "typed", "refused"),
    [("02:34", "a002 08:42", True), ("08:41", "a002 08:42", True),
     ("08:42", "a002 08:42", False), ("10:30", "a002 now", False)],
    ids=["arrival-six-hours-ahead", "one-minute-ahead", "exactly-now", "now-word"],
)
def test_an_arrival_in_the_future_is_refused(staffed, now, typed, refused):
    floor = at(staffed, now)
    if refused:
        with pytest.raises(FloorError, match="still to come"):
            floor.attendance.parse_entry(typed, "in", DAY)
        assert floor.attendance.punches_on(DAY) == {}
    else:
        floor.attendance.apply(floor.attendance.parse_entry(typed, "in", DAY))
        assert floor.attendance.punches_on(DAY)["A002"][1].time_in is not None


def test_who_is_charged_new_backdated_and_retired(staffed):
    """Only people scheduled that day and on the register that day are charged; on the
    register by the dates (hired, left), never by when the entry was typed (issue #24)."""
    # a new hire starting Monday: not on today's register, no shift today
    staffed.save_staff(Staff("N001", "新人", "agent", "T01", dt.date(2026, 11, 23),
                             Decimal("1200")))
    # a backdated hire entered today, hired on the 19th: charged from the 19th like anyone
    staffed.save_staff(Staff("N002", "补录", "agent", "T01", dt.date(2026, 11, 19),
                             Decimal("1200")))
    assert "N001" not in staffed.attendance.day_statuses(DAY)
    assert "N001" not in staffed.shifts_on(DAY)
    assert "N002" not in staffed.attendance.day_statuses(dt.date(2026, 11, 18))
    assert staffed.attendance.day_statuses(dt.date(2026, 11, 19))["N002"] == "absent"
    results = {s.id: r for s, r, _d in staffed.attendance.month_results(2026, 11)}
    assert results["N002"].absent_days == 2  # the 19th and this morning
    assert results.get("N001") is None or results["N001"].absent_days == 0
    # what was recorded for a day counts the same whenever it was typed
    staffed.attendance.record_in("N002", dt.date(2026, 11, 19), dt.time(8, 40))
    staffed.attendance.record_out("N002", dt.date(2026, 11, 19), dt.time(12, 0))
    results = {s.id: r for s, r, _d in staffed.attendance.month_results(2026, 11)}
    assert results["N002"].absent_days == 2  # 11-19 (late 40 min, no reason) and today
    # a leaver is on no shift from the day they left
    staffed.retire_staff("A003", "moved away")
    tomorrow = at(staffed, "09:00", dt.date(2026, 11, 23))
    assert "A003" not in tomorrow.shifts_on(dt.date(2026, 11, 23))
    assert "A003" not in tomorrow.attendance.day_statuses(dt.date(2026, 11, 23))


def test_replanned_qa_slots_stay_out_of_a_half_day_leave_and_the_meeting(staffed):
    """`^r` re-planned QA slots for A005 inside A005's half-day leave."""
    morning = at(staffed, "08:05")
    morning.attendance.record_leave("A001", DAY, "sick", Decimal("0.5"))
    morning.attendance.record_in("A001", DAY, dt.time(7, 58))  # came in: the afternoon is off
    plan = morning.monitoring.make_plan(DAY, replan=True)
    slots = [a.slot for a in plan.assignments]
    live = [a.slot for a in plan.assignments if a.mode != "recording"]
    assert live and all(not "08:00" <= s < "08:30" for s in live)  # not in the meeting
    assert all(not "16:30" <= s < "17:30" for s in slots)  # not in the Friday study
    # nothing on the phones with A001 in the afternoon A001 is on leave (a recording slot is
    # the monitor's time to review a call already made, at any hour)
    a001 = [a.slot for a in plan.assignments if a.staff_id == "A001" and a.mode != "recording"]
    assert all(s < "12:00" for s in a001)
    others = [a.slot for a in plan.assignments if a.staff_id == "A002"]
    assert others
