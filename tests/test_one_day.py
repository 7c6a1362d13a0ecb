"""One day, one truth (issue #24): every section reads the same facts — one leave record,
the register by its dates, one answer to who works — whatever order or day things were typed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from floorapp.cli import run
from floorapp.clock import fixed_clock
from floorapp.services import Floor, open_floor
from floorapp.services.leave import AlreadyAtWork
from floorapp.staff import Staff
from store import doctor as store_doctor
from store.db import Store
from tests.conftest import NOW, STAFF

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
