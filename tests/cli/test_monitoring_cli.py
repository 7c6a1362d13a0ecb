"""Monitoring CLI (SPEC §9): template and evaluation imports, the QA report, sample size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from floorapp.cli.main import run
from floorapp.services import Floor

GOOD = """
    date,time,monitor_id,staff_id,mode,template,marks
    2026-11-19,09:10,Q001,A001,live,outbound-100,a1x2 b3
    2026-11-19,10:15,Q001,A002,recording,recording-40,a1 b3na
    2026-11-20,10:10,Q001,C001,side_by_side,hotline-100,a1x3 a8
"""


@pytest.fixture
def staffed(staffed: Floor) -> Floor:
    """The register and the centre's pass marks (the forms print none for these cards)."""
    policy = staffed.policy
    policy.qa_pass_marks = {"outbound-100": 80, "recording-40": 32, "hotline-100": 60}
    staffed.save_policy(policy)
    return staffed


def store_files(floor: Floor) -> dict[str, bytes]:
    root = floor.store.root
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json"))}


def test_import_evaluations(staffed: Floor, write_file, capsys: pytest.CaptureFixture) -> None:
    path = write_file("ev.csv", GOOD)
    assert run(["--store", str(staffed.store.root), "import", "evaluations", str(path)]) == 0
    assert "3 evaluations imported over 2 day(s)" in capsys.readouterr().out
    import datetime as dt

    day = staffed.monitoring.evaluations(dt.date(2026, 11, 19))
    assert [(r["staff_id"], r["score"], r["max"]) for r in day] == [
        ("A001", "70", "100"), ("A002", "37", "38")]
    other = staffed.monitoring.evaluations(dt.date(2026, 11, 20))
    assert other[0]["score"] == "64" and other[0]["passed"] is True


@pytest.mark.parametrize(
    ("row", "reason"),
    [("2026-11-19,09:10,Q009,A001,live,outbound-100,a1", "unknown monitor id 'Q009'"),
     ("2026-11-19,09:10,L001,A001,live,outbound-100,a1", "L001 is a lead, not a monitor"),
     ("2026-11-19,09:10,Q001,A999,live,outbound-100,a1", "unknown staff id 'A999'"),
     ("2026-11-19,09:10,Q001,A001,listen,outbound-100,a1", "mode 'listen' is not one of"),
     ("2026-11-19,09:10,Q001,A001,live,inbound-50,a1", "unknown template 'inbound-50'"),
     ("2026-11-19,09:10,Q001,A001,live,outbound-100,a1 q7", "unknown item code 'q7'"),
     ("2026-11-19,25:10,Q001,A001,live,outbound-100,a1", "time 25:10 is not a time of day"),
     ("2026-02-30,09:10,Q001,A001,live,outbound-100,a1", "date 2026-02-30 is not a real date")],
    ids=["unknown-monitor", "not-a-monitor", "unknown-staff", "bad-mode", "unknown-template",
         "unknown-code", "bad-time", "bad-date"],
)
def test_bad_evaluation_row_rejects_the_file(staffed: Floor, write_file, row: str, reason: str,
                                             capsys: pytest.CaptureFixture) -> None:
    path = write_file("ev.csv", GOOD + row + "\n")
    before = store_files(staffed)
    assert run(["--store", str(staffed.store.root), "import", "evaluations", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:5: {reason}" in err
    assert "nothing imported" in err
    assert store_files(staffed) == before


def test_every_bad_line_reported(staffed: Floor, write_file, capsys) -> None:
    path = write_file("ev.csv", """
        date,time,monitor_id,staff_id,mode,template,marks
        2026-11-19,09:10,Q009,A001,live,outbound-100,a1
        2026-11-19,09:10,Q001,A001,live,outbound-100,a1
        2026-11-19,09:10,Q001,A001,live,outbound-100,zz1
    """)
    assert run(["--store", str(staffed.store.root), "import", "evaluations", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [f"{path}:2: unknown monitor id 'Q009'",
                       f"{path}:4: unknown item code 'zz1' in template outbound-100"]


def test_bad_header(staffed: Floor, write_file, capsys) -> None:
    path = write_file("ev.csv", "date,time,monitor,staff_id,mode,template,marks\n")
    assert run(["--store", str(staffed.store.root), "import", "evaluations", str(path)]) == 2
    assert f"{path}:1: missing column(s): monitor_id" in capsys.readouterr().err


TEMPLATE = {"id": "inbound-50", "name": "Inbound", "pass_mark": 40, "sections": [
    {"name": "Manner", "max": 50, "items": [
        {"code": "a1", "text": "rude", "weight": 10, "kind": "deduct", "per_occurrence": True},
        {"code": "f1", "text": "fraud", "weight": 0, "kind": "critical",
         "per_occurrence": False}]}]}


def test_import_template_then_use_it(staffed: Floor, write_file, capsys) -> None:
    path = write_file("t.json", json.dumps(TEMPLATE))
    assert run(["--store", str(staffed.store.root), "import", "template", str(path)]) == 0
    assert "template inbound-50 added" in capsys.readouterr().out
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "inbound-50", "a1x2")
    assert record["score"] == "30" and record["passed"] is False


@pytest.mark.parametrize(
    ("text", "reason"),
    [("{\"id\": \"x\",", ":1: not valid JSON"),
     (json.dumps({**TEMPLATE, "pass_mark": 60}),
      ": pass_mark 60 must be between 0 and the template's maximum 50"),
     (json.dumps({**TEMPLATE, "sections": [{**TEMPLATE["sections"][0], "items": [
         {"code": "a1", "text": "rude", "weight": 10, "kind": "deduct"}]}]}),
      ": sections[0].items[0]: missing key(s): per_occurrence")],
    ids=["not-json", "pass-above-max", "missing-key"],
)
def test_bad_template_says_what_is_wrong(staffed: Floor, write_file, text: str, reason: str,
                                         capsys) -> None:
    path = write_file("t.json", text)
    before = store_files(staffed)
    assert run(["--store", str(staffed.store.root), "import", "template", str(path)]) == 2
    assert f"{path}{reason}" in capsys.readouterr().err
    assert store_files(staffed) == before


def test_qa_report_json_exact(staffed: Floor, write_file, capsys) -> None:
    path = write_file("ev.csv", GOOD)
    run(["--store", str(staffed.store.root), "import", "evaluations", str(path)])
    capsys.readouterr()
    assert run(["--store", str(staffed.store.root), "report", "qa", "--month", "2026-11",
                "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["month", "staff", "monitors"]
    assert data["month"] == "2026-11"
    for row in data["staff"]:
        assert list(row) == ["id", "evaluations", "mean", "fails", "follow_up"]
    for row in data["monitors"]:
        assert list(row) == ["id", "card", "evaluations", "mean", "deviation", "flagged",
                             "peers", "shared_calls", "shared_difference"]
    staff = {r["id"]: r for r in data["staff"]}
    assert staff["A001"] == {"id": "A001", "evaluations": 1, "mean": "70.00", "fails": 1,
                             "follow_up": True}
    assert staff["A002"]["mean"] == "97.37" and staff["A002"]["follow_up"] is False
    assert staff["A003"] == {"id": "A003", "evaluations": 0, "mean": None, "fails": 0,
                             "follow_up": False}
    alone = {"deviation": None, "flagged": False, "peers": 0, "shared_calls": 0,
             "shared_difference": None}
    assert data["monitors"] == [  # one monitor, three cards: compared on none of them
        {"id": "Q001", "card": card, "evaluations": 1, "mean": mean, **alone}
        for card, mean in [("hotline-100", "64.00"), ("outbound-100", "70.00"),
                           ("recording-40", "97.37")]]


def test_qa_report_table_and_csv(staffed: Floor, write_file, capsys) -> None:
    run(["--store", str(staffed.store.root), "import", "evaluations",
         str(write_file("ev.csv", GOOD))])
    capsys.readouterr()
    assert run(["--store", str(staffed.store.root), "report", "qa", "--month", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "QA by agent" in out and "欧阳娜娜" in out and "Calibration by monitor" in out
    assert run(["--store", str(staffed.store.root), "report", "qa", "--month", "2026-11",
                "--format", "csv"]) == 0
    lines = capsys.readouterr().out.removeprefix("\ufeff").splitlines()  # the BOM
    assert lines[0] == "id,name,evaluations,mean %,fails,follow-up"


def test_qa_report_bad_month(staffed: Floor, capsys) -> None:
    assert run(["--store", str(staffed.store.root), "report", "qa", "--month", "2026-13"]) == 2
    assert "month '2026-13' is not YYYY-MM" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "out"),
    [(["--population", "10000"], "370"), (["--population", "100"], "80"),
     (["--population", "10000", "--confidence", "0.99"], "623"),
     (["--population", "10000", "--margin", "0.03"], "965")],
    ids=["10000", "100", "99-percent", "3-percent"],
)
def test_sample_size(floor: Floor, args: list[str], out: str, capsys) -> None:
    assert run(["--store", str(floor.store.root), "sample-size", *args]) == 0
    assert capsys.readouterr().out == out + "\n"


@pytest.mark.parametrize(
    "args", [["--population", "0"], ["--population", "100", "--confidence", "1.5"]],
    ids=["zero-population", "confidence-above-1"])
def test_sample_size_bad(floor: Floor, args: list[str], capsys) -> None:
    assert run(["--store", str(floor.store.root), "sample-size", *args]) == 2
    assert "floor:" in capsys.readouterr().err


def test_qa_plan_and_dispute_commands(staffed: Floor, capsys, monkeypatch) -> None:
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00:00")
    root = str(staffed.store.root)
    assert run(["--store", root, "qa", "plan", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["date"] == "2026-11-20" and plan["assignments"]
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1x2")
    assert run(["--store", root, "qa", "dispute", record["_key"], "--reason", "unfair"]) == 2
    assert "not been fed back" in capsys.readouterr().err
    assert run(["--store", root, "qa", "feedback", record["_key"]]) == 0
    assert run(["--store", root, "qa", "dispute", record["_key"], "--reason", "unfair"]) == 0
    assert run(["--store", root, "qa", "review", record["_key"], "--marks", "a1"]) == 0
    assert "score revised 80 → 90 (original kept)" in capsys.readouterr().out
    assert run(["--store", root, "qa", "escalate", record["_key"], "--reason", "no fault"]) == 0
    assert run(["--store", root, "qa", "decide", record["_key"], "--by", "M001",
                "--marks", ""]) == 0
    assert "final score 100 (original 80, reviewed 90)" in capsys.readouterr().out
    assert run(["--store", root, "qa", "list"]) == 0
    assert record["_key"] in capsys.readouterr().out


def test_qa_common_quarter_sampling_and_recalibrate(staffed: Floor, capsys, monkeypatch) -> None:
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00:00")
    root = str(staffed.store.root)
    staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1x2")
    staffed.monitoring.save_evaluation("A002", "Q001", "live", "outbound-100", "a1")
    assert run(["--store", root, "qa", "common", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["due"] == "2026-11-22" and data["fed_back"] == ""
    assert data["problems"][0]["code"] == "a1" and data["problems"][0]["occurrences"] == 3
    assert data["problems"][0]["agents"] == ["A001", "A002"]
    assert run(["--store", root, "qa", "common", "--fed-back"]) == 0
    assert "fed back 2026-11-20" in capsys.readouterr().out
    assert run(["--store", root, "qa", "quarter", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["monitor_id"] == "Q001" and rows[0]["rate"] == "100.00"
    assert run(["--store", root, "qa", "sampling"]) == 0
    assert "Sampling by scorecard" in capsys.readouterr().out
    assert run(["--store", root, "qa", "recalibrate", "Q001"]) == 2
    assert "not recalibrated: 0 shared calls" in capsys.readouterr().err
    assert run(["--store", root, "qa", "recalibrate", "Q404"]) == 2
