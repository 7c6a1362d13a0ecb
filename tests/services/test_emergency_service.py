"""Emergency service and CLI: incidents stored tick by tick, crash recovery, outage minutes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from floorapp.cli.main import run
from floorapp.clock import fixed_clock
from floorapp.errors import FloorError
from floorapp.services import open_floor

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 11, 20)


def _outage(floor, start: str, recovered: str | None, seats: str = "A001") -> str:
    svc = floor.emergency
    incident_id = svc.start("outage")["id"]
    svc.tick_text(incident_id, "start", start)
    svc.tick_text(incident_id, "seats", seats)
    if recovered:
        svc.tick_text(incident_id, "recovered", recovered)
    return incident_id


def test_every_tick_is_saved_at_once(staffed, store_dir):
    svc = staffed.emergency
    incident = svc.start("fire")
    assert incident["id"] == "20261120-1"
    svc.tick(incident["id"], 1)
    other = open_floor(store_dir, clock=fixed_clock("2026-11-20T15:01:00"), user="other")
    seen = other.emergency.incident(incident["id"])
    assert seen["steps"][0]["state"] == "done" and seen["steps"][0]["by"] == "tester"
    assert seen["steps"][0]["at"] == "2026-11-20T15:00:00+08:00"
    other.emergency.skip(incident["id"], "extinguish", "no extinguisher near")
    history = staffed.store.history("day/2026-11-20", "incidents", incident["id"])
    assert len(history) == 3  # open, tick, skip: one version each
    steps = {s["code"]: s for s in svc.incident(incident["id"])["steps"]}
    assert steps["extinguish"]["by"] == "other"
    assert svc.open_incidents() == [{"id": "20261120-1", "kind": "fire", "title": "Fire",
                                     "title_zh": "火警", "started": "2026-11-20T15:00:00+08:00"}]
    assert svc.start("ill")["id"] == "20261120-2"


def test_fire_path_closed_and_logged(staffed):
    svc = staffed.emergency
    incident_id = svc.start("fire")["id"]
    for n in (1, 2, 3, 4, 5):
        svc.tick(incident_id, n)
    with pytest.raises(FloorError, match="call119"):
        svc.close(incident_id)
    svc.skip(incident_id, 7, "put out")
    svc.note(incident_id, "bin fire near seat S012")
    svc.close(incident_id)
    assert svc.open_incidents() == []
    log = svc.incidents()
    assert log[0]["id"] == incident_id and log[0]["status"] == "closed"
    timeline = svc.incident(incident_id)["timeline"]
    assert [e["action"] for e in timeline] == ["open", "done", "done", "done", "done", "done",
                                               "skipped", "note", "close"]


def test_ill_path_with_call_in_through_roster_helper(staffed, monkeypatch):
    calls = []

    class Roster:
        def call_in(self, staff_id, day, code, approver, reason, confirmed=False):
            # the emergency call-in is its own confirmation (someone called in may be at
            # their seat before it is typed)
            assert confirmed
            calls.append((staff_id, day, code, approver, reason))

    monkeypatch.setattr(staffed, "roster", Roster(), raising=False)
    day = dt.date(2026, 11, 21)  # Saturday: everyone rests by the default week
    svc = staffed.emergency
    assert [s.id for s in svc.resting_agents(day)] == ["A001", "A002", "A003"]
    assert svc.resting_agents(DAY) == []
    incident_id = svc.start("ill")["id"]
    for code in ("family", "superior", "hospital"):
        svc.tick(incident_id, code)
    svc.call_in(incident_id, "A002", "M001", "cover for A001", day=day)
    assert calls == [("A002", day, "D", "M001", "cover for A001")]
    incident = svc.close(incident_id)
    assert incident["call_ins"][0]["roster_recorded"] is True
    assert incident["call_ins"][0]["approver"] == "M001"


def test_call_in_recorded_without_roster_helper(staffed, monkeypatch):
    monkeypatch.setattr(staffed, "roster", None)  # a floor without the roster feature
    svc = staffed.emergency
    incident_id = svc.start("ill")["id"]
    with pytest.raises(FloorError, match="not resting"):
        svc.call_in(incident_id, "A002", "M001")  # Friday: A002 works
    with pytest.raises(FloorError, match="approver"):
        svc.call_in(incident_id, "A002", " ", day=dt.date(2026, 11, 21))
    svc.call_in(incident_id, "A002", "M001", day=dt.date(2026, 11, 21))
    incident = svc.incident(incident_id)
    assert incident["call_ins"][0]["roster_recorded"] is False
    assert incident["steps"][3]["state"] == "done"


def test_outage_path_records_scope_seats_recovery(staffed):
    svc = staffed.emergency
    incident_id = svc.start("outage")["id"]
    with pytest.raises(FloorError, match="in the future"):
        svc.tick_text(incident_id, "start", "15:30")
    svc.tick_text(incident_id, "start", "14:00")
    svc.tick_text(incident_id, "describe", "outbound dialer down")
    with pytest.raises(FloorError, match="type p"):
        svc.tick_text(incident_id, "scope", "x")
    svc.tick_text(incident_id, "scope", "p")
    with pytest.raises(FloorError, match="unknown staff id"):
        svc.tick_text(incident_id, "seats", "A001 NOPE")
    svc.tick_text(incident_id, "seats", "all")
    svc.tick(incident_id, "lead")
    svc.tick_text(incident_id, "steps", "called the provincial help desk")
    svc.tick_text(incident_id, "recovered", "14:45")
    incident = svc.close(incident_id)
    values = {s["code"]: s["value"] for s in incident["steps"]}
    assert values["scope"] == "provincial"
    assert values["seats"] == {"all_on_shift": True, "staff": ["A001", "A002", "A003"]}
    assert values["recovered"] == "2026-11-20T14:45:00+08:00"
    assert incident["started_by"] == "tester"
    # calling time starts 14:40 in winter (after the afternoon preparation, [004])
    assert svc.lost_calling_minutes(DAY) == {"A001": 5, "A002": 5, "A003": 5}


@pytest.mark.parametrize("start,recovered,expected", [
    ("07:00", "07:50", {}),
    ("07:30", "08:20", {}),
    ("08:00", "08:40", {"A001": 10}),
    ("09:00", "09:40", {"A001": 40}),
    ("11:50", "14:40", {"A001": 10}),
    ("12:10", "14:20", {}),
    ("14:00", None, {"A001": 20}),
], ids=["before-period", "inside-preparation-and-meeting", "calls-from-08:30",
        "inside-period", "across-lunch-calls-from-14:40", "inside-lunch",
        "open-outage-counts-to-now"])
def test_lost_calling_minutes(staffed, start, recovered, expected):
    _outage(staffed, start, recovered)
    assert staffed.emergency.lost_calling_minutes(DAY) == expected


def test_lost_calling_minutes_other_days_and_cancelled(staffed, store_dir):
    _outage(staffed, "09:00", "10:00")
    assert staffed.emergency.lost_calling_minutes(dt.date(2026, 11, 19)) == {}
    assert staffed.emergency.lost_calling_minutes(dt.date(2026, 11, 23)) == {}
    cancelled = _outage(staffed, "10:00", None, seats="A002")
    staffed.emergency.cancel(cancelled, "opened by mistake")
    assert staffed.emergency.lost_calling_minutes(DAY) == {"A001": 60}
    # An outage open since the evening before counts into the next morning, up to now.
    later = open_floor(store_dir, clock=fixed_clock("2026-11-23T09:00:00"), user="tester")
    _outage(later, "2026-11-22 20:00", None, seats="A003")
    # calling time on Monday starts at 08:30, after the meeting
    assert later.emergency.lost_calling_minutes(dt.date(2026, 11, 23)) == {"A003": 30}


CRASHER = textwrap.dedent("""
    import sys, time
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor
    floor = open_floor(sys.argv[1], clock=fixed_clock("2026-11-20T15:00:00"), user="crashed")
    incident = floor.emergency.start("fire")
    floor.emergency.tick(incident["id"], 1)
    print(incident["id"], flush=True)
    time.sleep(60)
""")


def test_crash_mid_incident_keeps_every_tick(staffed, store_dir):
    proc = subprocess.Popen([sys.executable, "-c", CRASHER, str(store_dir)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        incident_id = proc.stdout.readline().strip()
        assert incident_id == "20261120-1"
    finally:
        os.kill(proc.pid, 9)
        proc.wait(timeout=10)
    assert proc.returncode == -9
    fresh = open_floor(store_dir, clock=fixed_clock("2026-11-20T15:05:00"), user="tester")
    assert [i["id"] for i in fresh.emergency.open_incidents()] == [incident_id]
    step = fresh.emergency.incident(incident_id)["steps"][0]
    assert (step["state"], step["by"]) == ("done", "crashed")


# ---------------------------------------------------------------- CLI
def test_cli_list_and_show(staffed, store_dir, capsys, monkeypatch):
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00")
    svc = staffed.emergency
    incident_id = svc.start("fire")["id"]
    svc.tick(incident_id, 1)
    svc.skip(incident_id, 6, "too much smoke")
    svc.note(incident_id, "smoke from the printer")
    assert run(["--store", str(store_dir), "incident", "list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(i["id"], i["kind"], i["status"]) for i in data["incidents"]] == [
        ("20261120-1", "fire", "open")]
    assert run(["--store", str(store_dir), "incident", "show", incident_id]) == 0
    out = capsys.readouterr().out
    assert "too much smoke" in out and "smoke from the printer" in out
    assert "2026-11-20 15:00:00" in out and "tester" in out and "skipped" in out
    # the steps by number and words, not their codes (issue #16); JSON keeps the codes
    assert ("Still to do before closing: 2 Report to the direct superior; "
            "3 Report to the fire-safety officer") in out
    assert run(["--store", str(store_dir), "incident", "show", incident_id,
                "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["steps"][5]["reason"] == "too much smoke"
    assert [e["action"] for e in shown["timeline"]] == ["open", "done", "skipped", "note"]


@pytest.mark.parametrize("bad", ["20261120-9", "nope", "20261301-1"],
                         ids=["unknown-number", "not-an-id", "no-such-day"])
def test_cli_show_unknown_id(staffed, store_dir, capsys, bad):
    assert run(["--store", str(store_dir), "incident", "show", bad]) == 2
    err = capsys.readouterr().err
    assert "unknown incident" in err or "not a store partition" in err
    assert "Traceback" not in err


def test_cli_import_checklist(staffed, store_dir, capsys, write_file):
    path = write_file("gas.json", json.dumps({
        "id": "gas-leak", "name": "Gas leak 燃气泄漏", "key": "g",
        "steps": [{"code": "valve", "text": "Close the valve", "mandatory": True},
                  {"code": "air", "text": "Open windows", "mandatory": False}]}))
    assert run(["--store", str(store_dir), "import", "checklist", str(path)]) == 0
    assert "checklist 'gas-leak' added (2 steps, key g)" in capsys.readouterr().out
    checklist = staffed.emergency.checklist_for_key("g")
    assert checklist is not None and checklist.id == "gas-leak"
    incident_id = staffed.emergency.start("gas-leak")["id"]
    staffed.emergency.tick(incident_id, "valve")
    assert staffed.emergency.close(incident_id)["status"] == "closed"


def test_cli_import_checklist_rejected_lists_every_problem(staffed, store_dir, capsys,
                                                           write_file):
    path = write_file("bad.json", json.dumps({
        "id": "fire", "name": "", "key": "o", "steps": [{"code": "a", "text": ""}]}))
    before = staffed.store.records("ref", "checklists")
    assert run(["--store", str(store_dir), "import", "checklist", str(path)]) == 2
    err = capsys.readouterr().err
    for part in ("id: 'fire' is a built-in", "name: is missing", "key: must be one of",
                 "steps[1].text: is missing", "nothing imported (4 problem(s))"):
        assert part in err
    assert staffed.store.records("ref", "checklists") == before
    broken = write_file("broken.json", "{\n  \"id\": \n")
    assert run(["--store", str(store_dir), "import", "checklist", str(broken)]) == 2
    assert "broken.json:3: not valid JSON" in capsys.readouterr().err


def test_cli_subprocess_unknown_incident_exit_2(staffed, store_dir):
    result = subprocess.run([sys.executable, "floor.py", "--store", str(store_dir), "incident",
                             "show", "20261120-7"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "floor: unknown incident '20261120-7'"


def test_read_only_store_refused_with_a_message(staffed):
    incident_id = staffed.emergency.start("fire")["id"]
    staffed.store.read_only_reason = "the store directory is not writable"
    with pytest.raises(FloorError, match="read-only"):
        staffed.emergency.tick(incident_id, 1)
    assert staffed.emergency.incident(incident_id)["steps"][0]["state"] == "pending"


def test_outage_recorded_ahead_cuts_nothing_until_it_happens(staffed, store_dir):
    """Issue 13: an outage typed for 09:00–10:00 at 02:30 cut targets before it happened."""
    _outage(staffed, "09:00", "10:00")
    early = open_floor(store_dir, clock=fixed_clock("2026-11-20T02:30:00"), user="tester")
    assert early.emergency.lost_calling_minutes(DAY) == {}
    mid = open_floor(store_dir, clock=fixed_clock("2026-11-20T09:20:00"), user="tester")
    assert mid.emergency.lost_calling_minutes(DAY) == {"A001": 20}
    assert staffed.emergency.lost_calling_minutes(DAY) == {"A001": 60}


def test_friday_study_is_not_calling_time(staffed):
    """The Friday 16:30 study is off the phones [004]: an outage then loses no calling time."""
    later = open_floor(staffed.store.root, clock=fixed_clock("2026-11-20T18:00:00"),
                       user="tester")
    _outage(later, "16:00", "17:30")
    assert later.emergency.lost_calling_minutes(DAY) == {"A001": 30}
