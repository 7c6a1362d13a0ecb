"""One day, one truth (issue #24): every section reads the same facts — one leave record,
the register by its dates, one answer to who works — whatever order or day things were typed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from floorapp.cli.main import run
from floorapp.clock import fixed_clock
from floorapp.services import Floor, open_floor
from floorapp.services.leave import AlreadyAtWork
from floorapp.rules.staff import Staff
from store import doctor as store_doctor
from store.db import Store
from tests.conftest import NOW, STAFF

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

D = dt.date
DEC = (2026, 12)


def _floor_at(store_dir, moment: str, stamp: str | None = None) -> Floor:
    """A floor whose clock (and, with ``stamp``, the store's record stamps) read ``moment``."""
    floor = open_floor(store_dir, clock=fixed_clock(moment), user="tester")
    if stamp:
        floor.store.clock = lambda: stamp
    return floor


@pytest.fixture
def crew(staffed: Floor) -> Floor:
    staffed.roster.generate(*DEC, seats=2)
    return staffed


def _work_day(floor: Floor, staff_id: str) -> D:
    row = floor.roster.cells(*DEC)[staff_id]
    return next(D.fromisoformat(k) for k, c in sorted(row.items()) if c == "D")


# ------------------------------------------------------------------ one leave record
def test_attendance_leave_shows_in_the_roster_and_counts_against_rest(crew):
    day = _work_day(crew, "A001")
    crew.attendance.record_leave("A001", day, "personal", Decimal(1))
    assert crew.roster.cells(*DEC)["A001"][day.isoformat()] == "personal"
    assert crew.shifts_on(day)["A001"] == "personal"
    rests = list(crew.roster.cells(*DEC)["A001"].values()).count("R")
    assert rests == 3
    assert any("A001 (agent) has 3 rest day(s)" in v and "needs exactly 2" in v
               for v in crew.roster.check(*DEC))


def test_roster_leave_is_charged_in_the_month_report_and_is_leave_in_the_day(staffed):
    staffed.roster.generate(2026, 11, seats=2)
    day = next(D.fromisoformat(k) for k, c in sorted(staffed.roster.cells(2026, 11)["A002"]
                                                     .items()) if c == "D" and k < "2026-11-20")
    staffed.roster.set_cell("A002", day, "personal")
    assert staffed.leave_on(day)["A002"].type == "personal"
    month = {s.id: r for s, r, _days in staffed.attendance.month_results(2026, 11)}
    assert month["A002"].personal_leave_days == 1
    assert month["A002"].full_attendance_bonus == 0
    statuses = staffed.attendance.day_statuses(day)
    assert statuses["A002"] == "leave"
    report = staffed.quota.day_report(day).data
    assert {a["id"]: a["attendance"] for a in report["agents"]}["A002"] == "leave"


def test_cancel_anywhere_cancels_everywhere(crew):
    day = _work_day(crew, "A001")
    crew.roster.set_cell("A001", day, "sick")
    crew.attendance.cancel_leave("A001", day)
    assert crew.roster.cells(*DEC)["A001"][day.isoformat()] == "D"
    crew.attendance.record_leave("A001", day, "annual", Decimal(1))
    crew.roster.set_cell("A001", day, "D")  # a shift typed over the leave cancels it
    assert "A001" not in crew.leave_on(day)
    history = crew.store.history(f"day/{day}", "leave", "A001")
    assert [h["type"] for h in history] == ["sick", "sick", "annual", "annual"]
    assert history[-1]["_retired"]


def test_leave_imported_ahead_is_fixed_by_generation(staffed, write_file):
    rows = "staff_id,date,type,days\nA001,2026-12-02,personal,1\nA001,2026-12-03,personal,1\n"
    staffed.attendance.import_leave(write_file("leave.csv", rows))
    staffed.roster.generate(*DEC, seats=2)
    row = staffed.roster.cells(*DEC)["A001"]
    assert row["2026-12-02"] == row["2026-12-03"] == "personal"
    assert list(row.values()).count("R") == 1  # 3 − 2 leave days (假期抵当月公休)
    assert not [v for v in staffed.roster.check(*DEC) if v.startswith("A001")]
    # underneath, the stored cell keeps the shift: cancelling the leave gives the day back
    assert staffed.roster_cells(*DEC)["A001"]["2026-12-02"] == "D"


def test_leave_on_a_rest_day_is_refused_in_the_roster_too(crew):
    day = next(D.fromisoformat(k) for k, c in sorted(crew.roster.cells(*DEC)["A001"].items())
               if c == "R")
    from floorapp.errors import FloorError

    with pytest.raises(FloorError, match="rests on"):
        crew.roster.set_cell("A001", day, "personal")
    assert "A001" not in crew.leave_on(day)


# ------------------------------------------------------------------ the migration
def _legacy_store(store_dir) -> None:
    """A schema-2 store: leave typed in the roster lived in its cell."""
    floor = _floor_at(store_dir, NOW, "2026-01-01T00:00:00+08:00")
    for person in STAFF:
        floor.save_staff(person)
    floor.roster.generate(2026, 11, seats=2)
    cells = floor.roster_cells(2026, 11)
    work = [k for k, c in sorted(cells["A001"].items()) if c == "D"]
    handler = [k for k, c in sorted(cells["C001"].items()) if c.startswith("C")]
    with floor.transaction() as tx:
        for staff_id, key, code in (("A001", work[0], "personal"), ("A001", work[1], "sick"),
                                    ("C001", handler[0], "annual")):
            tx.put("roster/2026-11", "cells", f"{staff_id}/{key}",
                   {"staff_id": staff_id, "date": key, "code": code})
        # the attendance screen said something else for A001's second day
        tx.put(f"day/{work[1]}", "leave", "A001",
               {"staff_id": "A001", "date": work[1], "type": "personal", "days": "0.5"})
    meta = store_dir / "meta.json"
    meta.write_text(json.dumps(dict(json.loads(meta.read_text()), schema=2)))
    return work, handler


def test_migration_moves_roster_leave_to_the_one_record_and_lists_conflicts(store_dir, capsys):
    work, handler = _legacy_store(store_dir)
    assert run(["--store", str(store_dir), "report", "staff"]) == 0
    err = capsys.readouterr().err
    assert "2 day(s) of leave moved" in err and "1 conflict(s)" in err
    assert f"{work[1]} A001: the roster said sick (1 day)" in err
    floor = _floor_at(store_dir, NOW)
    assert floor.store.meta()["schema"] == 3
    assert floor.leave_on(D.fromisoformat(work[0]))["A001"].type == "personal"
    assert floor.leave_on(D.fromisoformat(handler[0]))["C001"].type == "annual"
    kept = floor.leave_on(D.fromisoformat(work[1]))["A001"]
    assert (kept.type, kept.days) == ("personal", Decimal("0.5"))
    cells = floor.roster_cells(2026, 11)
    assert cells["A001"][work[0]] == "D" and cells["C001"][handler[0]] == "C1"
    history = floor.store.history("roster/2026-11", "cells", f"A001/{work[1]}")
    assert [h["code"] for h in history][-2:] == ["sick", "D"]
    # the month charges the moved personal day; doctor lists the conflict, read-only
    month = {s.id: r for s, r, _days in floor.attendance.month_results(2026, 11)}
    assert month["A001"].personal_leave_days == Decimal("1.5")
    before = (store_dir / "ref.json").read_bytes()
    findings = store_doctor.examine(store_dir, floor.store.schema_version)
    assert any(f.level == "warning" and "the roster said sick" in f.message for f in findings)
    assert (store_dir / "ref.json").read_bytes() == before
    # said once: the next command has nothing to migrate
    assert run(["--store", str(store_dir), "report", "staff"]) == 0
    assert "moved" not in capsys.readouterr().err


# ------------------------------------------------------------------ effective dates
STAFF_CSV = "id,name,role,team,hired,base_pay\nX001,甲,agent,T1,2023-01-05,1000\n" \
            "X002,乙,agent,T1,2026-03-13,1000\n"
# X001 comes in on Mon 11-02 only; every other weekday of November has no punch and no leave
PUNCHES_CSV = "staff_id,date,period,in,out,reason\nX001,2026-11-02,1,08:00,12:00,\n" \
              "X001,2026-11-02,2,14:30,17:30,\n"
LATE = "2026-12-05T10:00:00"


def _month_of(store_dir, staff_typed: str, write_file) -> dict:
    staff = _floor_at(store_dir, LATE, staff_typed)
    staff.import_staff(write_file("staff.csv", STAFF_CSV))
    typed = _floor_at(store_dir, LATE, LATE + "+08:00")
    typed.attendance.import_attendance(write_file("punches.csv", PUNCHES_CSV))
    return {s.id: r for s, r, _days in typed.attendance.month_results(2026, 11)}


@pytest.mark.parametrize("staff_typed", ["2026-10-31T09:00:00+08:00", LATE + "+08:00"],
                         ids=["register-saved-before-the-month", "register-saved-after-it"])
def test_a_day_costs_the_same_whenever_the_register_was_typed(tmp_path, write_file,
                                                              staff_typed):
    month = _month_of(tmp_path / "store", staff_typed, write_file)
    x1 = month["X001"]
    # 21 weekdays in November 2026, one worked: 20 absences of 1000 / 21.75 each
    assert x1.absent_days == 20
    assert x1.absent_deduction.quantize(Decimal("0.01")) == Decimal("919.54")
    assert x1.points == 20 * 20
    # hired 2026-03-13, typed in December: on the register for November all the same
    assert month["X002"].absent_days == 21


def test_a_late_register_is_in_the_day_report_and_a_hire_in_its_months(tmp_path, write_file):
    store_dir = tmp_path / "store"
    _month_of(store_dir, LATE + "+08:00", write_file)
    floor = _floor_at(store_dir, LATE)
    day = floor.quota.day_report(D(2026, 11, 3)).data
    assert {a["id"]: a["attendance"] for a in day["agents"]} == {"X001": "absent",
                                                                  "X002": "absent"}
    march = {s.id for s, _r, _d in floor.attendance.month_results(2026, 3)}
    assert march == {"X001", "X002"}  # X002 hired on the 13th: in March's report from then
    days = {s.id: d for s, _r, d in floor.attendance.month_results(2026, 3)}["X002"]
    assert min(d.day for d in days) == D(2026, 3, 13)


def test_a_leaver_is_on_the_days_before_leaving_and_off_after(staffed):
    later = Floor(staffed.store, fixed_clock("2026-12-10T10:00:00"))
    later.store.clock = lambda: "2026-12-10T10:00:00+08:00"
    later.retire_staff("A002", "moved away")
    assert "A002" in later.day.roll(D(2026, 12, 9)).people
    assert "A002" not in later.day.roll(D(2026, 12, 10)).people
    statuses = later.attendance.day_statuses(D(2026, 12, 9))
    assert statuses["A002"] == "absent"  # still charged for the day before leaving


# ------------------------------------------------------------------ who works today
def _at(floor: Floor, moment: str) -> Floor:
    return Floor(floor.store, fixed_clock(moment))


def test_the_header_asks_the_roster_a_sunday_shift_is_no_rest_day(staffed):
    from floorapp.rules.schedule import shift_line

    staffed.roster.generate(2026, 11, seats=2)
    sunday = D(2026, 11, 22)
    resting = [sid for sid, code in staffed.scheduled_on(sunday).items() if code == "R"]
    with staffed.transaction() as tx:
        tx.put("roster/2026-11", "cells", f"{resting[0]}/{sunday}",
               {"staff_id": resting[0], "date": sunday.isoformat(), "code": "D"})
    floor = _at(staffed, "2026-11-22T09:00:00")
    codes = floor.day.shift_codes(sunday)
    assert "D" in codes
    line = shift_line(floor.policy, codes, floor.now())
    assert "08:00–12:00" in line and "D" in line and "rest day" not in line


def test_working_seats_behind_and_short_are_counted_over_one_roll(staffed):
    floor = _at(staffed, "2026-11-20T15:00:00")
    att = floor.attendance
    att.record_leave("A003", D(2026, 11, 20), "sick", Decimal(1))
    att.record_in("A001", D(2026, 11, 20), dt.time(8, 0))
    # A002 never came: by 15:00 the morning is an absence
    roll = floor.day.roll(D(2026, 11, 20))
    assert roll.working_ids(("agent",)) == {"A001"}
    fd, pace = floor.quota.live()
    assert fd.seats == 1
    assert {a.staff_id for a in fd.agents if a.working} == {"A001"}
    behind = {sid for sid, info in pace.items() if info["behind"]}
    assert behind <= {"A001"} and "A002" not in behind and "A003" not in behind
    assert {a.staff_id for a in fd.under_target} <= {"A001"}


def test_the_qa_replan_leaves_out_who_is_absent_or_on_leave(staffed):
    floor = _at(staffed, "2026-11-20T15:00:00")
    floor.attendance.record_in("A001", D(2026, 11, 20), dt.time(8, 0))
    floor.attendance.record_leave("A003", D(2026, 11, 20), "personal", Decimal(1))
    _monitors, agents = floor.monitoring._plan_people(D(2026, 11, 20))
    assert {a.id for a in agents} == {"A001"}


def test_emergency_call_in_candidates_are_the_rolls_resting(staffed):
    staffed.roster.generate(2026, 11, seats=2)
    day = D(2026, 11, 23)
    resting = {s.id for s in staffed.emergency.resting_agents(day)}
    expected = {sid for sid, p in staffed.day.roll(day).people.items()
                if p.staff.role == "agent" and p.scheduled == "R"}
    assert resting == expected


# ------------------------------------------------------------------ already at work
def test_a_swap_of_someone_at_work_asks_first_and_changes_nothing_until_yes(staffed):
    floor = _at(staffed, "2026-11-20T10:30:00")
    floor.roster.generate(2026, 11, seats=2)
    today = D(2026, 11, 20)
    cells = floor.roster_cells(2026, 11)
    other = next(sid for sid in ("A002", "A003") if cells[sid][today.isoformat()] == "R") \
        if any(cells[s][today.isoformat()] == "R" for s in ("A002", "A003")) else None
    if cells["A001"][today.isoformat()] != "D" or other is None:
        with floor.transaction() as tx:
            for sid, code in (("A001", "D"), ("A002", "R")):
                tx.put("roster/2026-11", "cells", f"{sid}/{today}",
                       {"staff_id": sid, "date": today.isoformat(), "code": code})
        other = "A002"
    floor.attendance.record_in("A001", today, dt.time(7, 55))
    with pytest.raises(AlreadyAtWork, match=r"A001 is already at work .* \(in 07:55\): "
                                            r"their day becomes rest \(R\)"):
        floor.roster.swap("A001", other, today, "L001", "family")
    assert floor.roster_cells(2026, 11)["A001"][today.isoformat()] == "D"
    with pytest.raises(AlreadyAtWork):
        floor.attendance.record_leave("A001", today, "personal", Decimal(1))
    assert "A001" not in floor.leave_on(today)
    with pytest.raises(AlreadyAtWork):
        floor.roster.set_cell("A001", today, "R")
    floor.roster.swap("A001", other, today, "L001", "family", confirmed=True)
    assert floor.roster_cells(2026, 11)["A001"][today.isoformat()] == "R"


def test_roster_cli_set_swap_callin_with_the_question(staffed, store_dir, capsys):
    staffed.roster.generate(*DEC, seats=2)
    store = str(store_dir)
    day = _work_day(staffed, "A001")
    assert run(["--store", store, "roster", "set", "A001", day.isoformat(), "sick"]) == 0
    assert "A001 " + day.isoformat() + " → sick" in capsys.readouterr().out
    assert staffed.leave_on(day)["A001"].type == "sick"
    rest = next(D.fromisoformat(k) for k, c in sorted(staffed.roster.cells(*DEC)["A002"]
                                                      .items()) if c == "R")
    assert run(["--store", store, "roster", "callin", "A002", rest.isoformat(),
                "--approver", "M001", "--reason", "A001 ill"]) == 0
    assert staffed.roster_cells(*DEC)["A002"][rest.isoformat()] == "D"
    assert staffed.roster.callins(*DEC)[-1]["approver"] == "M001"
    assert run(["--store", store, "roster", "set", "A001", "2026-12-40", "D"]) == 2
    assert "not a real date" in capsys.readouterr().err
    assert run(["--store", store, "roster", "set", "NOPE", day.isoformat(), "D"]) == 2
    assert "unknown staff id" in capsys.readouterr().err


def test_roster_cli_asks_about_someone_at_work_and_yes_answers(staffed, store_dir, capsys):
    floor = _at(staffed, NOW)
    floor.roster.generate(2026, 11, seats=2)
    today = D(2026, 11, 20)
    with floor.transaction() as tx:
        tx.put("roster/2026-11", "cells", f"A001/{today}",
               {"staff_id": "A001", "date": today.isoformat(), "code": "D"})
    floor.attendance.record_in("A001", today, dt.time(7, 55))
    store = str(store_dir)
    assert run(["--store", store, "roster", "set", "A001", today.isoformat(), "R"]) == 2
    err = capsys.readouterr().err
    assert "A001 is already at work" in err and "nothing changed; add --yes" in err
    assert floor.roster_cells(2026, 11)["A001"][today.isoformat()] == "D"
    assert run(["--store", store, "roster", "set", "A001", today.isoformat(), "R",
                "--yes"]) == 0
    assert floor.roster_cells(2026, 11)["A001"][today.isoformat()] == "R"


def test_the_header_groups_shifts_running_the_same_span():
    from floorapp.policy import Policy
    from floorapp.rules.schedule import shift_line
    import pendulum

    moment = pendulum.datetime(2026, 11, 20, 15, 0, tz="Asia/Shanghai")
    assert shift_line(Policy(), ["C2", "A", "D"], moment) == "D/A 14:30–17:30, C2 14:30–20:00"


def test_nobody_is_struck_off_before_attendance_is_kept_that_day(staffed):
    """A centre that loads the time clock's export at night has no punch during the day: at
    15:00 nobody is 'absent' from the roll (QA plan, seats) until someone's punch is in."""
    floor = _at(staffed, "2026-11-20T15:00:00")
    roll = floor.day.roll(D(2026, 11, 20))
    assert roll.working_ids(("agent",)) == {"A001", "A002", "A003"}
    _monitors, agents = floor.monitoring._plan_people(D(2026, 11, 20))
    assert {a.id for a in agents} >= {"A001", "A002", "A003"}
    floor.attendance.record_in("A002", D(2026, 11, 20), dt.time(8, 0))
    assert floor.day.roll(D(2026, 11, 20)).working_ids(("agent",)) == {"A002"}
