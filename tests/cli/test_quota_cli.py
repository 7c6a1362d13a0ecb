"""`floor import calls`, `floor report day`, `floor campaign`, and the quota service."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from floorapp.cli.main import run
from floorapp.errors import FloorError
from floorapp.rules.quota import Counts

from tests.conftest import days_after_today

DAY = dt.date(2026, 11, 20)  # the conftest NOW: Friday 15:00


def store_args(floor):
    return ["--store", str(floor.store.root)]


def call_records(floor, day="2026-11-20"):
    return floor.store.records(f"day/{day}", "calls")


GOOD = """\
staff_id,date,dialed,connected,completed,orders,hour,campaign
A001,2026-11-20,80,66,61,19,,
A002,2026-11-20,12,10,8,2,9,5G
A002,2026-11-20,12,10,9,2,10,5G
A001,2026-11-19,70,60,55,10,,
"""


@pytest.fixture
def campaigns(staffed):
    staffed.quota.save_campaign("5G", "5G升级", "1.2")
    return staffed


def test_import_good_file(campaigns, write_file, capsys, monkeypatch):
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00")
    path = write_file("calls.csv", GOOD)
    assert run([*store_args(campaigns), "import", "calls", str(path)]) == 0
    assert "4 call count rows imported over 2 day(s)" in capsys.readouterr().out
    records = {r["_key"]: r for r in call_records(campaigns)}
    assert set(records) == {"A001/day/", "A002/h09/5G", "A002/h10/5G"}
    assert records["A002/h10/5G"]["completed"] == 9
    assert len(call_records(campaigns, "2026-11-19")) == 1


def test_import_again_is_a_correction(campaigns, write_file):
    campaigns.quota.import_calls(write_file("a.csv", GOOD))
    fixed = GOOD.replace("80,66,61,19", "82,66,62,19")
    campaigns.quota.import_calls(write_file("b.csv", fixed))
    history = campaigns.store.history("day/2026-11-20", "calls", "A001/day/")
    assert [h["completed"] for h in history] == [61, 62]
    assert campaigns.quota.floor_day(DAY).agents[0].counts.completed == 62


BAD_ROWS = [
    ("A999,2026-11-20,80,66,61,19,,", "unknown staff id 'A999'"),
    ("A001,2026-11-20,-1,0,0,0,,", "dialed -1 is negative"),
    ("A001,2026-11-20,eighty,66,61,19,,", "dialed 'eighty' is not a whole number"),
    ("A001,2026-11-20,80,81,61,19,,", "connected 81 is more than dialed 80"),
    ("A001,2026-11-20,80,66,67,19,,", "completed 67 is more than connected 66"),
    ("A001,2026-11-20,80,66,61,62,,", "orders 62 is more than completed 61"),
    ("A001,2026-02-30,80,66,61,19,,", "date 2026-02-30 is not a real date"),
    ("A001,20/11/2026,80,66,61,19,,", "is not a date (YYYY-MM-DD)"),
    (f"A001,{days_after_today(1)},80,66,61,19,,", f"date {days_after_today(1)} is in the future"),
    ("A001,2026-11-20,80,66,61,19,,XX", "unknown campaign 'XX'"),
    ("A001,2026-11-20,80,66,61,19,24,", "hour '24' is not an hour of the day (0–23)"),
    ("A001,2026-11-20,80,66,61,19,9am,", "hour '9am' is not an hour of the day"),
    ("A001,2026-11-20,80,66,61,19,9,5G", "the same agent, date, hour and campaign as line 3"),
]


@pytest.mark.parametrize("row, reason", BAD_ROWS, ids=[
    "unknown-staff", "negative", "non-numeric", "connected-over-dialed",
    "completed-over-connected", "orders-over-completed", "bad-date", "date-format",
    "future-date", "unknown-campaign", "hour-24", "hour-word", "duplicate"])
def test_import_bad_row_is_refused_with_its_line(campaigns, write_file, capsys, row, reason):
    header = "staff_id,date,dialed,connected,completed,orders,hour,campaign\n"
    text = header + "A002,2026-11-20,12,10,8,2,8,\nA002,2026-11-20,12,10,8,2,9,5G\n" + row + "\n"
    if reason.startswith("the same"):
        text = header + "A002,2026-11-20,12,10,8,2,8,\nA001,2026-11-20,80,66,61,19,9,5G\n" \
            + row + "\n"
    path = write_file("calls.csv", text)
    before = campaigns.store.stamp()
    assert run([*store_args(campaigns), "import", "calls", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: " in err and reason in err
    assert "nothing imported" in err
    assert call_records(campaigns) == []
    assert campaigns.store.stamp() == before


def test_import_reports_every_bad_line(campaigns, write_file, capsys):
    path = write_file("calls.csv", """\
        staff_id,date,dialed,connected,completed,orders
        A999,2026-11-20,1,1,1,1
        A001,2026-11-20,1,1,1,1
        A001,2026-11-19,1,2,1,1
        """)
    assert run([*store_args(campaigns), "import", "calls", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: unknown staff" in err and f"{path}:4: connected 2" in err
    assert f"{path}:3" not in err
    assert call_records(campaigns) == []


def test_import_bad_header(campaigns, write_file, capsys):
    path = write_file("calls.csv", "staff_id,date,dialed,connected,completed\nA001,2026-11-20,1,1,1\n")
    assert run([*store_args(campaigns), "import", "calls", str(path)]) == 2
    assert f"{path}:1: missing column(s): orders" in capsys.readouterr().err


def all_in_on_time(floor, day=dt.date(2026, 11, 20)):
    """Every agent punched in on time for both periods (the clock is 15:00, p2 running)."""
    for agent in ("A001", "A002", "A003"):
        floor.attendance.record_in(agent, day, dt.time(7, 55), period=1)
        floor.attendance.record_out(agent, day, dt.time(12, 0), period=1)
        floor.attendance.record_in(agent, day, dt.time(14, 25), period=2)


DAY_FIELDS = {"id", "dialed", "connected", "completed", "orders", "shortfall", "points",
              "attendance"}


def test_day_report_json_fields_exactly(campaigns, write_file, capsys):
    campaigns.quota.import_calls(write_file("calls.csv", GOOD))
    all_in_on_time(campaigns)
    assert run([*store_args(campaigns), "report", "day", "--date", "2026-11-20",
                "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # "hourly": the curve the charts draw (issue #28; tests/services/test_hourly_curve.py)
    assert set(data) == {"date", "agents", "floor", "hourly"}
    assert set(data["hourly"]) == {"hours", "completed", "pace", "agents"}
    assert data["date"] == "2026-11-20"
    assert set(data["floor"]) == {"seats", "avg_dialed", "advice", "final"}
    for agent in data["agents"]:
        assert set(agent) == DAY_FIELDS
    by_id = {a["id"]: a for a in data["agents"]}
    # A003 (hired this month) is on shift with nothing entered: the whole target short
    assert set(by_id) == {"A001", "A002", "A003"}
    assert by_id["A001"] == {"id": "A001", "dialed": 80, "connected": 66, "completed": 61,
                             "orders": 19, "shortfall": 0, "points": 0, "attendance": "on_time"}
    assert by_id["A002"]["completed"] == 17 and by_id["A002"]["shortfall"] == 43
    assert by_id["A002"]["points"] == -43
    assert by_id["A003"]["shortfall"] == 60
    # 15:00, the D shift on until 17:30: the figures are the day so far (final false)
    assert data["floor"] == {"seats": 3, "avg_dialed": round(104 / 3, 1),
                             "advice": "raise_volume", "final": False}


def test_day_report_table_and_csv(campaigns, write_file, capsys, monkeypatch):
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00")  # p2 still running: no out yet
    campaigns.quota.import_calls(write_file("calls.csv", GOOD))
    all_in_on_time(campaigns)
    assert run([*store_args(campaigns), "report", "day", "--date", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    # 15:00, shift on till 17:30: short so far, no advice yet
    assert "欧阳娜娜" in out and "Short of target so far: A002 Li Wei −43" in out
    assert "raise call volume" not in out and "after 17:30, when the day's shifts end" in out
    assert run([*store_args(campaigns), "report", "day", "--date", "2026-11-20",
                "--format", "csv"]) == 0
    lines = capsys.readouterr().out.removeprefix("\ufeff").splitlines()  # the BOM
    assert lines[0].startswith("id,name,shift,attendance,dial,conn,done,ord,tgt,short,pts")
    assert lines[1].startswith("A001,欧阳娜娜,D,on time,80,66,61,19,60,0,0,61")
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T17:30")  # the shift's end: the day is judged
    assert run([*store_args(campaigns), "report", "day", "--date", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    assert "Under target: A002 Li Wei −43" in out and "raise call volume" in out


def test_day_report_bad_date(campaigns, capsys):
    assert run([*store_args(campaigns), "report", "day", "--date", "2026-13-01"]) == 2
    assert "2026-13-01" in capsys.readouterr().err


def test_weekend_rest_agents_are_left_out_unless_they_called(campaigns):
    saturday = dt.date(2026, 11, 14)
    campaigns.quota.record_counts("A002", Counts(30, 25, 20, 3), day=saturday)
    agents = campaigns.quota.floor_day(saturday).agents
    assert [(a.staff_id, a.attendance, a.target) for a in agents] == [("A002", "rest", 0)]


class _Over:
    """Stands in for some of a real service's answers; everything else goes to the real one."""

    def __init__(self, real=None):
        self._real = real

    def __getattr__(self, name):
        if self._real is None:
            raise AttributeError(name)
        return getattr(self._real, name)


class FakeAttendance(_Over):
    def day_statuses(self, day):
        return {"A001": "late", "A002": "leave", "A003": "absent"}

    def floor_statuses(self, day):  # what the floor-day's roll reads
        return self.day_statuses(day)

    def day_status_text(self, day):
        return {"A001": "late 12 min", "A002": "leave", "A003": "absent"}


class FakeEmergency(_Over):
    def __init__(self, lost, real=None):
        super().__init__(real)
        self.lost = lost

    def lost_calling_minutes(self, day):
        return self.lost.get(day, {})

    def open_incidents(self):
        return [{"id": "I1", "kind": "outage", "title": "外呼系统故障",
                 "started": "2026-11-20T14:10:00+08:00"}]


class FakeMonitoring(_Over):
    def day_by_agent(self, day):
        return {"A001": (2, Decimal("87.5"))}


def test_day_uses_attendance_monitoring_and_outages(campaigns, write_file, capsys):
    campaigns.attendance = FakeAttendance()
    campaigns.monitoring = FakeMonitoring()
    campaigns.emergency = FakeEmergency({DAY: {"A001": 210}})
    campaigns.quota.import_calls(write_file("calls.csv", GOOD))
    with campaigns.transaction() as tx:  # attendance is kept that day: A001's punch is in
        tx.put(f"day/{DAY}", "punches", "A001/1", {"staff_id": "A001", "date": str(DAY),
                                                   "period": 1, "in": "08:12", "out": "",
                                                   "reason": ""})
    report = campaigns.quota.day_report(DAY)
    by_id = {a["id"]: a for a in report.data["agents"]}
    assert by_id["A001"]["attendance"] == "late"
    assert by_id["A002"]["attendance"] == "leave" and by_id["A002"]["shortfall"] == 0
    # 少一个量扣1分 on days worked only (issue #25): A003's absence costs no quota points
    assert by_id["A003"]["attendance"] == "absent" and by_id["A003"]["shortfall"] == 0
    assert by_id["A003"]["points"] == 0
    # A001 lost 210 of the 320 calling minutes of a winter Friday (08:30–12:00, 14:40–16:30,
    # the study off the phones): target 60 × 110/320 = 20.6 → 21, 61 done
    agent = next(a for a in campaigns.quota.floor_day(DAY).agents if a.staff_id == "A001")
    assert agent.target == 21 and agent.qa_done == 2
    # leave still dialed (A002 entered calls) so A002 counts as a seat; absent A003 does not
    assert report.data["floor"]["seats"] == 2
    text = "\n".join(str(row) for row in report.tables[0].rows)
    assert "late 12 min" in text and "87.5%" in text
    assert report.tables[2].rows == [["I1", "outage", "外呼系统故障", "14:10"]]
    # the other reading: an absent day also counts its 60 short (−60 points)
    campaigns.set_policy_value("shortfall_on_absent_days", "true")
    by_id = {a["id"]: a for a in campaigns.quota.day_report(DAY).data["agents"]}
    assert by_id["A003"]["shortfall"] == 60 and by_id["A003"]["points"] == -60


def test_record_counts_and_undo(campaigns):
    quota = campaigns.quota
    quota.add_completed("A001", 5)
    quota.add_completed("A001", 3)
    record = campaigns.store.get("day/2026-11-20", "calls", "A001/h15/")
    assert (record["dialed"], record["connected"], record["completed"]) == (8, 8, 8)
    assert quota.undo_last() == "undone: A001 15:00"
    assert campaigns.store.get("day/2026-11-20", "calls", "A001/h15/")["completed"] == 5
    quota.undo_last()
    assert campaigns.store.get("day/2026-11-20", "calls", "A001/h15/") is None
    assert len(campaigns.store.history("day/2026-11-20", "calls", "A001/h15/")) == 4
    with pytest.raises(FloorError, match="nothing to undo"):
        quota.undo_last()


def test_record_full_line_is_checked(campaigns):
    with pytest.raises(FloorError, match="completed 9 is more than connected 8"):
        campaigns.quota.record_counts("A001", Counts(10, 8, 9, 1))
    with pytest.raises(FloorError, match="unknown staff"):
        campaigns.quota.add_completed("A999", 5)
    assert call_records(campaigns) == []


def test_entry_follows_the_agents_campaign_and_daily_total(campaigns):
    quota = campaigns.quota
    quota.record_counts("A001", Counts(10, 9, 8, 1), hour=9, campaign="5G")
    quota.add_completed("A001", 2)
    assert campaigns.store.get("day/2026-11-20", "calls", "A001/h15/5G")["completed"] == 2
    quota.record_counts("A002", Counts(70, 60, 55, 9), campaign="", add=False,
                        daily_total=True)
    quota.add_completed("A002", 5)
    assert campaigns.store.get("day/2026-11-20", "calls", "A002/day/")["completed"] == 60


def test_undo_refused_after_another_change(campaigns):
    campaigns.quota.add_completed("A001", 5)
    other = type(campaigns.quota)(campaigns)
    other.add_completed("A001", 1)
    with pytest.raises(FloorError, match="changed since"):
        campaigns.quota.undo_last()
    assert campaigns.store.get("day/2026-11-20", "calls", "A001/h15/")["completed"] == 6


def test_campaign_cli(staffed, capsys):
    assert run([*store_args(staffed), "campaign", "set", "SV", "问卷", "0.8"]) == 0
    assert run([*store_args(staffed), "campaign", "list"]) == 0
    assert "SV\t问卷\t0.8" in capsys.readouterr().out
    assert run([*store_args(staffed), "campaign", "set", "SV", "问卷", "-1"]) == 2
    assert "must be more than 0" in capsys.readouterr().err


def _month_of_calls(floor, month_days, per_agent):
    from floorapp.services.quota_counts import CALLS

    with floor.store.transaction() as tx:
        for day in month_days:
            items = []
            for sid, (completed, orders) in per_agent.items():
                items.append((f"{sid}/day/", {"staff_id": sid, "date": day.isoformat(),
                                              "hour": None, "campaign": "",
                                              **Counts(completed, completed, completed,
                                                       orders).to_dict()}))
            tx.put_many(f"day/{day.isoformat()}", CALLS, items, note="test")


def test_month_extension(staffed):
    october = [dt.date(2026, 10, d) for d in range(1, 21)]
    november = [dt.date(2026, 11, d) for d in range(2, 22)]
    _month_of_calls(staffed, october, {"A001": (70, 20), "A002": (60, 15), "A003": (40, 5),
                                        "C001": (65, 25)})
    _month_of_calls(staffed, november, {"A001": (70, 20), "A002": (45, 19), "A003": (62, 5),
                                         "C001": (30, 2)})
    staffed.emergency = FakeEmergency({dt.date(2026, 11, 5): {"A002": 30}})
    data, tables = staffed.quota.month_extension(2026, 11)
    assert [(r["id"], r["rank"], r["points"]) for r in data["quota_ranking"]] == [
        ("A001", 1, 0), ("A003", 2, -2), ("A002", 3, -4), ("C001", 3, -4)]
    # 45 a day: nothing scores. 11-02…11-19 (18 days); today's counts wait for the shift's end
    # at 17:30 (FLOOR_NOW is 15:00), tomorrow's typed-ahead counts for tomorrow
    assert data["quota_ranking"][2]["zero_score_days"] == 18
    tiers = {g["id"]: (g["orders"], g["tier"], g["base"], g["subsidy"])
             for g in data["guarantee"]}
    assert tiers["A001"] == (400, "guarantee", "1200.00", "0.00")
    # an outage only proposes special circumstances; the supervisor confirms them (SPEC §10)
    assert tiers["A002"] == (380, "base", "800.00", "0.00")
    assert tiers["A003"] == (100, "base", "800.00", "0.00")
    staffed.pay.decide_special("A002", 2026, 11, True)
    data, tables = staffed.quota.month_extension(2026, 11)
    tiers = {g["id"]: (g["orders"], g["tier"], g["base"], g["subsidy"])
             for g in data["guarantee"]}
    assert tiers["A002"] == (380, "special", "800.00", "50.00")
    # interview [004]: the agent with the fewest orders in each of the two months: A003 (100
    # in October and in November); C001 is no outbound agent, A002 was never the fewest
    assert data["interview_list"] == ["A003"]
    assert [t.title.split(" (")[0] for t in tables] == ["Quota ranking", "Order guarantee",
                                                        "Interview list"]


def test_month_report_hook_uses_the_extension(staffed):
    from floorapp.formats.reports import Report, extend_month_report

    report = extend_month_report(staffed, Report("m", {"month": "2026-11", "staff": []}), 2026, 11)
    assert {"quota_ranking", "guarantee", "interview_list"} <= set(report.data)


def test_demo_step_fills_working_days_and_today_so_far(floor):
    from floorapp.services import demo

    summary = demo.generate(floor, seats=6, days=10, seed=3)
    assert "quota:" in summary
    assert set(floor.quota.campaigns()) == {"BB", "5G", "SV"}
    # the demo roster decides who works: only agents on D that Saturday have counts
    saturday = floor.store.records("day/2026-11-14", "calls")
    on_d = {i for i, code in floor.shifts_on(dt.date(2026, 11, 14)).items() if code == "D"}
    assert saturday and {r["staff_id"] for r in saturday} <= on_d
    thursday = floor.store.records("day/2026-11-19", "calls")
    assert {r["hour"] for r in thursday} == {8, 9, 10, 11, 14, 15, 16, 17}
    today = floor.store.records("day/2026-11-20", "calls")
    assert today and max(r["hour"] for r in today) == 14  # the clock says 15:00
    fd = floor.quota.floor_day(dt.date(2026, 11, 19))
    assert all(a.counts.completed > 30 for a in fd.agents if a.counts.dialed)


def test_import_as_a_subprocess_exits_2_with_the_line(campaigns, write_file):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    path = write_file("calls.csv", GOOD.replace("A002,2026-11-20,12,10,9,2", "A002,2026-11-20,9,10,9,2"))
    result = subprocess.run(
        [sys.executable, str(root / "floor.py"), *store_args(campaigns), "import", "calls",
         str(path)], capture_output=True, text=True, cwd=root,
        env={"PATH": "/usr/bin:/bin", "FLOOR_NOW": "2026-11-20T15:00", "HOME": str(path.parent),
             "FLOOR_PAY_GROUP": os.environ["FLOOR_PAY_GROUP"]})  # never the host's
    assert result.returncode == 2
    assert f"{path}:4: connected 10 is more than dialed 9" in result.stderr
    assert "Traceback" not in result.stderr
    assert call_records(campaigns) == []
