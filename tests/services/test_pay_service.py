"""The pay sheet end to end: the month base shared with the attendance month report, special
circumstances proposed/confirmed/refused and audited, the pay JSON/CSV, the coaching import,
base scores, the published mark."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from floorapp.cli.main import run
from floorapp.rules.quota import Counts

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

OCT = (2026, 10)
ABSENT_DAY = dt.date(2026, 10, 13)  # a Tuesday: D, no punch = absenteeism


def args(floor, *rest):
    return ["--store", str(floor.store.root), *rest]


def set_orders(floor, staff_id: str, orders: int, day: dt.date = dt.date(2026, 10, 12)) -> None:
    n = max(orders, 1)
    floor.quota.record_counts(staff_id, Counts(n, n, n, orders), day=day, add=False,
                              daily_total=True)


def every_day_on_time(floor, people=("A001", "A002", "C001"), skip=ABSENT_DAY) -> None:
    """Punches for every D day of October except ``skip`` (absent)."""
    day = dt.date(2026, 10, 1)
    while day.month == 10:
        if day.weekday() < 5 and day != skip:
            for sid in people:
                floor.attendance.record_in(sid, day, dt.time(7, 55), period=1)
                floor.attendance.record_out(sid, day, dt.time(12, 0), period=1)
                floor.attendance.record_in(sid, day, dt.time(14, 25), period=2)
                floor.attendance.record_out(sid, day, dt.time(17, 30), period=2)
        day += dt.timedelta(days=1)


@pytest.fixture
def october(staffed):
    set_orders(staffed, "A001", 400)
    set_orders(staffed, "A002", 399)
    staffed.set_policy_value("commission_per_order", "2")
    return staffed


def sheet_json(floor, capsys) -> dict:
    assert run(args(floor, "report", "pay", "--month", "2026-10", "--format", "json")) == 0
    return json.loads(capsys.readouterr().out)


def test_month_report_and_pay_sheet_deduct_on_the_same_base(october, capsys) -> None:
    every_day_on_time(october, skip=ABSENT_DAY)
    month = {r.staff_id: r for _s, r, _d in october.attendance.month_results(*OCT)}
    # A002 (hired 2025-06-15: two half-years by 10-01): 800 + 100 = 900; 900/21.75 = 41.38
    assert str(round(month["A002"].absent_deduction, 2)) == "41.38"
    # A001 (hired 2023-03-01: capped +200): 1200 + 200 = 1400; /21.75 = 64.37
    assert str(round(month["A001"].absent_deduction, 2)) == "64.37"
    # other roles keep the register's base_pay: 2400/21.75 = 110.34
    assert str(round(month["C001"].absent_deduction, 2)) == "110.34"
    data = sheet_json(october, capsys)
    staff = {s["id"]: s for s in data["staff"]}
    assert set(staff) == {"A001", "A002"}  # outbound agents on the register in October
    assert staff["A002"]["deductions"] == "41.38"
    assert staff["A001"]["deductions"] == "64.37"
    assert staff["A002"] == {
        "id": "A002", "tier": "not_met", "orders": 399, "base": "800.00", "seniority": "100.00",
        "full_attendance_bonus": "0.00", "commission": "798.00", "award": "0.00",
        "subsidy": "0.00", "deductions": "41.38", "gross": "1656.62", "insured": True}
    assert staff["A001"]["tier"] == "met" and staff["A001"]["award"] == "0.00"  # 0 above
    assert list(data) == ["month", "commission_per_order", "staff"]
    assert data["commission_per_order"] == "2.00"


def test_special_proposed_confirmed_refused_and_audited(october, capsys, monkeypatch) -> None:
    lost = {dt.date(2026, 10, 12): {"A002": 45}, dt.date(2026, 10, 14): {"A002": 20}}
    monkeypatch.setattr(october.emergency, "lost_calling_minutes",
                        lambda day: lost.get(day, {}))
    line = {ln.staff.id: ln for ln in october.pay.sheet(*OCT)}["A002"]
    assert (line.special, line.tier, line.lost_minutes) == ("proposed", "not_met", 65)
    assert october.pay.proposals(october.pay.sheet(*OCT))[0].staff.id == "A002"

    assert run(args(october, "pay", "special", "A002", "--month", "2026-10")) == 0
    assert "confirmed" in capsys.readouterr().out
    staff = {s["id"]: s for s in sheet_json(october, capsys)["staff"]}
    assert (staff["A002"]["tier"], staff["A002"]["subsidy"]) == ("special", "50.00")
    assert staff["A002"]["award"] == "50.00"  # 798 > A001's 0: highest among met + special
    # the month report's guarantee table follows the confirmation (one rule)
    assert run(args(october, "report", "month", "--month", "2026-10", "--format", "json")) == 0
    guarantee = {g["id"]: g for g in json.loads(capsys.readouterr().out)["guarantee"]}
    assert guarantee["A002"]["tier"] == "special"

    assert run(args(october, "pay", "special", "A002", "--month", "2026-10", "--off")) == 0
    capsys.readouterr()
    staff = {s["id"]: s for s in sheet_json(october, capsys)["staff"]}
    assert (staff["A002"]["tier"], staff["A002"]["subsidy"]) == ("not_met", "0.00")
    history = october.store.history("pay", "special", "2026-10/A002")
    assert [h["decision"] for h in history][-2:] in (["confirmed", "refused"],
                                                     ["refused", "confirmed"])
    audit = october.store.audit("pay")
    assert {a["op"] for a in audit} >= {"add", "change"}
    assert (october.store.root / "pay.json").exists()


def test_special_refused_for_a_non_agent_exit_2(october, capsys) -> None:
    assert run(args(october, "pay", "special", "C001", "--month", "2026-10")) == 2
    assert "not an outbound agent" in capsys.readouterr().err
    assert run(args(october, "pay", "special", "NOPE", "--month", "2026-10")) == 2
    assert run(args(october, "pay", "special", "A001", "--month", "2026-13")) == 2
    assert october.store.records("pay", "special") == []


def test_commission_unset_warns(staffed, capsys) -> None:
    assert run(args(staffed, "report", "pay", "--month", "2026-10", "--format", "csv")) == 0
    captured = capsys.readouterr()
    assert "commission_per_order is not set" in captured.err
    header = captured.out.splitlines()[0].lstrip("\ufeff")
    assert header.startswith("id,name,tier,orders,base,seniority,full_attendance_bonus,"
                             "commission,award,subsidy,late_deduction")
    assert run(args(staffed, "report", "pay", "--month", "2026-10")) == 0
    assert "commission_per_order is not set" in capsys.readouterr().out


COACHING = """\
staff_id,date,kind,note
A001,2026-10-05,verbal,opening too fast
A001,2026-10-06,书面指导,script skipped
A001,2026-10-07,great_job,customer praised
A002,2026-10-08,decision_day,
"""


def test_import_coaching_and_appraisal_points(october, write_file, capsys) -> None:
    assert run(args(october, "import", "coaching", str(write_file("c.csv", COACHING)))) == 0
    assert "4 coaching" in capsys.readouterr().out
    assert run(args(october, "pay", "score", "A001", "88", "--month", "2026-10")) == 0
    lines = {ln.staff.id: ln for ln in october.pay.sheet(*OCT)}
    a1 = lines["A001"].appraisal
    assert (a1.coaching_points, a1.praise_points) == (7, 5)
    assert a1.points == a1.attendance_points + 7 - 5
    assert a1.score == 88 - a1.points
    assert lines["A002"].appraisal.coaching_points == 10
    capsys.readouterr()
    assert run(args(october, "report", "pay", "--month", "2026-10", "--format", "csv")) == 0
    row = [r for r in capsys.readouterr().out.splitlines() if r.startswith("A001,")][0]
    assert row.split(",")[-4:-2] == [str(a1.points), str(a1.score)]


@pytest.mark.parametrize(
    "text, problem",
    [("A009,2026-10-05,verbal,x", "unknown staff id"),
     ("A001,2026-10-32,verbal,x", "not a real date"),
     ("A001,2026-10-05,shouted,x", "is not one of"),
     ("A003,2026-10-05,verbal,x", "not on the register")],
    ids=["unknown-staff", "bad-date", "unknown-kind", "before-hired"],
)
def test_import_coaching_all_or_nothing(october, write_file, capsys, text, problem) -> None:
    path = write_file("c.csv", COACHING + text + "\n")
    assert run(args(october, "import", "coaching", str(path))) == 2
    err = capsys.readouterr().err
    assert f"{path}:6: " in err and problem in err
    assert october.pay.coaching_log(*OCT) == []


def test_bad_score_exit_2(october, capsys) -> None:
    assert run(args(october, "pay", "score", "A001", "101", "--month", "2026-10")) == 2
    assert "0–100" in capsys.readouterr().err


def test_publish_reminder_until_published(staffed) -> None:
    # the pinned today is 2026-11-20: October's results were due by the 10th
    text = staffed.pay.reminder()
    assert text and "2026-10" in text and "due" in text
    staffed.pay.publish(2026, 10)
    assert staffed.pay.reminder() is None
    assert "2026-10" in staffed.pay.published()


def test_coach_command_and_hostile_note(staffed, capsys) -> None:
    assert run(args(staffed, "pay", "coach", "A001", "g", "[b]=cmd|' /C calc")) == 0
    log = staffed.pay.coaching_log(2026, 11, "A001")
    assert log[0]["kind"] == "great_job" and log[0]["note"] == "[b]=cmd|' /C calc"
    assert run(args(staffed, "pay", "coach", "A001", "yelled")) == 2


def test_cli_subprocess_report_pay(october) -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "floor.py"),
                           *args(october, "report", "pay", "--month", "2026-10", "--format",
                                 "json")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["month"] == "2026-10"
    bad = subprocess.run([sys.executable, str(root / "floor.py"),
                          *args(october, "pay", "special", "A001", "--month", "10-2026")],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_pay_sheet_as_xlsx_for_payroll(october, tmp_path, capsys) -> None:
    """The sheet payroll takes as it comes: the same figures as the JSON, numbers as numbers."""
    import openpyxl

    every_day_on_time(october, skip=ABSENT_DAY)
    data = {r["id"]: r for r in sheet_json(october, capsys)["staff"]}
    out = tmp_path / "pay.xlsx"
    assert run(args(october, "report", "pay", "--month", "2026-10", "--format", "xlsx",
                    "--output", str(out))) == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    by_id = {row[header.index("id")]: dict(zip(header, row)) for row in rows[1:]}
    assert set(by_id) == set(data)
    for sid, line in data.items():
        assert by_id[sid]["tier"] == line["tier"]
        assert isinstance(by_id[sid]["gross"], (int, float))  # a number, not text
        assert f"{by_id[sid]['gross']:.2f}" == line["gross"]
    assert data["A001"]["tier"] == "met" and data["A002"]["tier"] == "not_met"
