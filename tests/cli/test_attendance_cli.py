"""`floor import attendance|leave` and `floor report month` (SPEC §9)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from floorapp.cli.main import run
from floorapp.services.attendance_month import MONTH_FIELDS

from tests.conftest import STAFF


def cli(floor, *args):
    return run(["--store", str(floor.store.root), *args])


@pytest.fixture
def pinned(monkeypatch):
    # The CLI opens its own Floor: pin its clock like the fixtures' (a winter Friday 15:00).
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00:00")


GOOD_ATTENDANCE = """
staff_id,date,period,in,out,reason
A001,2026-11-03,1,08:06,12:00,
A001,2026-11-03,2,14:30,17:30,
A001,2026-11-10,1,08:09,12:00,
A001,2026-11-10,2,14:20,17:26,
A002,2026-11-05,1,08:40,12:00,
A002,2026-11-05,2,14:30,17:30,
C001,2026-11-05,1,08:45,20:00,bus broke down
"""


def roster(floor, cells):
    """Roster cells {(staff_id, date): code} for November 2026 (as the roster feature stores)."""
    with floor.store.transaction() as tx:
        for (staff_id, day), code in cells.items():
            tx.put("roster/2026-11", "cells", f"{staff_id}/{day}",
                   {"staff_id": staff_id, "date": day, "code": code})


def dump(floor):
    """Every punch and leave record of the store, to prove nothing changed."""
    out = []
    for part in floor.store.day_partitions():
        for table in ("punches", "leave"):
            out.extend(sorted(r["_key"] + str(r["_v"]) for r in floor.store.records(part, table)))
    return out


def test_import_attendance_good(staffed, write_file, capsys, pinned):
    path = write_file("att.csv", GOOD_ATTENDANCE)
    assert cli(staffed, "import", "attendance", str(path)) == 0
    assert "7 punch row(s)" in capsys.readouterr().out
    record = staffed.store.get("day/2026-11-10", "punches", "A001/2")
    assert (record["in"], record["out"], record["reason"]) == ("14:20", "17:26", "")
    assert staffed.store.get("day/2026-11-05", "punches", "C001/1")["reason"] == "bus broke down"


BAD_ATTENDANCE = [
    ("unknown-staff", "Z999,2026-11-03,1,08:00,12:00,", "unknown staff id 'Z999'"),
    ("hour-25", "A001,2026-11-03,1,25:00,12:00,", "in 25:00 is not a time of day"),
    ("feb-30", "A001,2026-02-30,1,08:00,12:00,", "date 2026-02-30 is not a real date"),
    ("out-before-in", "A001,2026-11-03,1,11:00,10:00,", "out 10:00 is before in 11:00"),
    ("period-3-on-d", "A001,2026-11-03,3,08:00,12:00,", "period 3 is not in A001's shift D"),
    ("period-2-on-c1", "C001,2026-11-03,2,08:00,12:00,", "period 2 is not in C001's shift"),
    ("rest-day", "A001,2026-11-07,1,08:00,12:00,", "A001 is not on shift on 2026-11-07 (R)"),
    ("period-not-number", "A001,2026-11-03,x,08:00,12:00,", "period 'x' is not a number"),
    ("not-a-time", "A001,2026-11-03,1,8am,12:00,", "in '8am' is not a time"),
]


@pytest.mark.parametrize("row,message", [c[1:] for c in BAD_ATTENDANCE],
                         ids=[c[0] for c in BAD_ATTENDANCE])
def test_import_attendance_bad_row(staffed, write_file, capsys, pinned, row, message):
    roster(staffed, {("C001", "2026-11-03"): "C1"})
    path = write_file("att.csv", GOOD_ATTENDANCE.rstrip() + "\n" + row + "\n")
    before = dump(staffed)
    assert cli(staffed, "import", "attendance", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:9: " in err
    assert message in err
    assert dump(staffed) == before == []


def test_import_attendance_follows_roster(staffed, write_file, capsys, pinned):
    roster(staffed, {("C001", "2026-11-03"): "C2"})
    path = write_file("att.csv", "staff_id,date,period,in,out,reason\n"
                                 "C001,2026-11-03,1,14:35,20:00,\n")
    assert cli(staffed, "import", "attendance", str(path)) == 0
    assert staffed.attendance.day_status_text(dt.date(2026, 11, 3))["C001"] == "late 5 min"


def test_import_attendance_duplicate_and_all_errors(staffed, write_file, capsys, pinned):
    path = write_file("att.csv", GOOD_ATTENDANCE.rstrip()
                      + "\nA001,2026-11-03,1,08:00,12:00,\nZ1,2026-11-03,1,08:00,12:00,\n")
    assert cli(staffed, "import", "attendance", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:9: A001 2026-11-03 period 1 is also on line 2" in err
    assert f"{path}:10: unknown staff id 'Z1'" in err
    assert dump(staffed) == []


def test_import_attendance_bad_keeps_earlier_data(staffed, write_file, capsys, pinned):
    assert cli(staffed, "import", "attendance", str(write_file("a.csv", GOOD_ATTENDANCE))) == 0
    before = dump(staffed)
    bad = write_file("b.csv", "staff_id,date,period,in,out,reason\n"
                              "A001,2026-11-03,1,08:00,12:00,\nA001,2026-11-04,1,24:00,,\n")
    assert cli(staffed, "import", "attendance", str(bad)) == 2
    assert f"{bad}:3: in 24:00 is not a time of day" in capsys.readouterr().err
    assert dump(staffed) == before
    assert staffed.store.get("day/2026-11-03", "punches", "A001/1")["in"] == "08:06"


GOOD_LEAVE = """
staff_id,date,type,days
A001,2026-11-04,sick,0.5
A002,2026-11-06,personal,1
C002,2026-11-09,annual,1
"""

BAD_LEAVE = [
    ("unknown-staff", "X1,2026-11-04,sick,1", "unknown staff id 'X1'"),
    ("days-0.25", "A001,2026-11-05,sick,0.25", "days '0.25' must be 0.5 or 1"),
    ("days-2", "A001,2026-11-05,sick,2", "days '2' must be 0.5 or 1"),
    ("days-word", "A001,2026-11-05,sick,half", "days 'half' must be 0.5 or 1"),
    ("unknown-type", "A001,2026-11-05,holiday,1", "leave type 'holiday' is not one of"),
    ("impossible-date", "A001,2026-11-31,sick,1", "date 2026-11-31 is not a real date"),
    ("duplicate", "A001,2026-11-04,personal,1", "A001 has leave on 2026-11-04 also on line 2"),
    ("rest-day", "A001,2026-11-08,personal,1", "A001 rests on 2026-11-08 (R): no leave to take"),
]


@pytest.mark.parametrize("row,message", [c[1:] for c in BAD_LEAVE], ids=[c[0] for c in BAD_LEAVE])
def test_import_leave_bad_row(staffed, write_file, capsys, pinned, row, message):
    path = write_file("leave.csv", GOOD_LEAVE.rstrip() + "\n" + row + "\n")
    assert cli(staffed, "import", "leave", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:5: {message}" in err
    assert dump(staffed) == []


def test_import_leave_good(staffed, write_file, capsys, pinned):
    assert cli(staffed, "import", "leave", str(write_file("leave.csv", GOOD_LEAVE))) == 0
    record = staffed.store.get("day/2026-11-04", "leave", "A001")
    assert (record["type"], record["days"]) == ("sick", "0.5")


def test_month_json_fields_exactly_and_spec_example(staffed, write_file, capsys, pinned):
    assert cli(staffed, "import", "attendance", str(write_file("a.csv", GOOD_ATTENDANCE))) == 0
    assert cli(staffed, "import", "leave", str(write_file("l.csv", GOOD_LEAVE))) == 0
    capsys.readouterr()
    assert cli(staffed, "report", "month", "--month", "2026-11", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert {"month", "staff"} <= set(data)  # quota/QA sections may add their own keys
    assert data["month"] == "2026-11"
    for row in data["staff"]:
        assert list(row) == MONTH_FIELDS
        for name in MONTH_FIELDS:
            if name.endswith("_deduction") or name == "full_attendance_bonus":
                assert isinstance(row[name], str) and row[name].count(".") == 1 \
                    and len(row[name].split(".")[1]) == 2
    by_id = {row["id"]: row for row in data["staff"]}
    # Everyone scheduled in the month is there (M001 works the default week too).
    assert set(by_id) == {s.id for s in STAFF}
    a001 = by_id["A001"]
    # The other working days of A001 have no punches: absences (旷工), bonus lost.
    assert (a001["late_minutes"], a001["late_deduction"]) == (15, "5.00")
    assert (a001["early_minutes"], a001["early_deduction"]) == (4, "8.00")
    assert a001["sick_leave_days"] == 0.5
    assert a001["full_attendance_bonus"] == "0.00"
    # A002 is an outbound agent: the month base is the pay tier (no orders: 800) + seniority
    # (two half-years by 11-01: +100) = 900, not the register's 1200 (SPEC §4 rev., §10)
    assert by_id["A002"]["personal_leave_deduction"] == "41.38"


def test_month_report_spec_example_exact(staffed, write_file, capsys, pinned, tmp_path):
    """A clean month except the SPEC example's events reproduces its figures."""
    rows = ["staff_id,date,period,in,out,reason"]
    day = dt.date(2026, 11, 1)
    while day <= dt.date(2026, 11, 19):
        if day.weekday() < 5:
            p1 = {"2026-11-03": "08:06", "2026-11-10": "08:09", "2026-11-12": "08:40"}.get(
                day.isoformat(), "07:55")
            out2 = "17:26" if day.isoformat() == "2026-11-11" else "17:31"
            rows.append(f"A001,{day},1,{p1},12:01,")
            rows.append(f"A001,{day},2,14:25,{out2},")
        day += dt.timedelta(days=1)
    rows.append("A001,2026-11-20,1,07:58,12:00,")
    rows.append("A001,2026-11-20,2,14:29,,")
    path = write_file("a.csv", "\n".join(rows) + "\n")
    assert cli(staffed, "import", "attendance", str(path)) == 0
    # The example's month base 1200 (SPEC §4 rev.): an outbound agent below the 400-order
    # guarantee is in the 800 tier; with no seniority raise configured, the guarantee met = 1200.
    staffed.set_policy_value("seniority_raise_per_half_year", "0")
    capsys.readouterr()
    assert cli(staffed, "report", "month", "--month", "2026-11", "--format", "json") == 0
    a001 = {r["id"]: r for r in json.loads(capsys.readouterr().out)["staff"]}["A001"]
    assert (a001["absent_deduction"], a001["total_deduction"]) == ("36.78", "49.78")  # 800/21.75
    from floorapp.rules.quota import Counts

    staffed.quota.record_counts("A001", Counts(400, 400, 400, 400), day=dt.date(2026, 11, 5),
                                add=False, daily_total=True)
    assert cli(staffed, "report", "month", "--month", "2026-11", "--format", "json") == 0
    a001 = {r["id"]: r for r in json.loads(capsys.readouterr().out)["staff"]}["A001"]
    assert a001 == {
        "id": "A001", "late_minutes": 15, "late_deduction": "5.00",
        "early_minutes": 4, "early_deduction": "8.00",
        "absent_days": 1, "absent_deduction": "55.17",
        "personal_leave_days": 0, "personal_leave_deduction": "0.00",
        "sick_leave_days": 0, "sick_leave_deduction": "0.00",
        "full_attendance_bonus": "0.00", "total_deduction": "68.17", "points": 4 + 2 + 20,
    }


def test_month_table_and_csv(staffed, write_file, capsys, pinned):
    assert cli(staffed, "import", "attendance", str(write_file("a.csv", GOOD_ATTENDANCE))) == 0
    capsys.readouterr()
    assert cli(staffed, "report", "month", "--month", "2026-11") == 0
    table = capsys.readouterr().out
    assert "欧阳娜娜" in table
    assert any(line.startswith("TOTAL  8 staff") for line in table.splitlines())
    assert cli(staffed, "report", "month", "--month", "2026-11", "--format", "csv") == 0
    lines = capsys.readouterr().out.removeprefix("\ufeff").splitlines()  # the BOM
    assert lines[0].startswith("id,name,late")
    assert len(lines) == 1 + len(STAFF) + 1


def test_month_bad_month(staffed, capsys, pinned):
    assert cli(staffed, "report", "month", "--month", "2026-13") == 2
    assert "month '2026-13' is not YYYY-MM" in capsys.readouterr().err


def test_import_as_a_subprocess_exit_code(staffed, write_file, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    bad = write_file("bad.csv", "staff_id,date,type,days\nA001,2026-11-04,sick,3\n")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "floor.py"), "--store",
                           str(staffed.store.root), "import", "leave", str(bad)],
                          capture_output=True, text=True, cwd=root, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "FLOOR_NOW": "2026-11-20T15:00:00",
                               # never the host's pay group (a floor host has `floor-pay`)
                               "FLOOR_PAY_GROUP": os.environ["FLOOR_PAY_GROUP"]})
    assert done.returncode == 2
    assert f"{bad}:2: days '3' must be 0.5 or 1" in done.stderr
    assert "Traceback" not in done.stderr
    assert dump(staffed) == []
