"""The command line: imports, policy, doctor, backup, demo — in-process and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from wcwidth import wcswidth

from floorapp.cli.main import run
from floorapp.services import open_floor

ROOT = Path(__file__).resolve().parents[2]

GOOD_STAFF = """
id,name,role,team,hired,base_pay
A001,欧阳娜娜,agent,T01,2023-03-01,1200
A002,Li Wei,agent,T01,2025-06-15,1200.50
C001,张强,complaint,complaint,2022-01-10,2400
"""


def test_import_staff_adds_then_updates(store_dir: Path, write_file, capsys) -> None:
    path = write_file("staff.csv", GOOD_STAFF)
    assert run(["--store", str(store_dir), "import", "staff", str(path)]) == 0
    assert "3 staff added, 0 changed" in capsys.readouterr().out
    changed = write_file("staff2.csv", GOOD_STAFF.replace("1200.50", "1300"))
    assert run(["--store", str(store_dir), "import", "staff", str(changed)]) == 0
    assert "0 staff added, 1 changed" in capsys.readouterr().out
    floor = open_floor(store_dir)
    assert str(floor.get_staff("A002").base_pay) == "1300"
    assert [a["op"] for a in floor.store.audit("ref")] == ["add", "add", "add"]
    # base pay lives in the pay file (issue #19): the change is audited there
    assert [a["op"] for a in floor.store.audit("pay")] == ["add", "add", "add", "change"]


@pytest.mark.parametrize(
    "row, message",
    [
        ("A009,Zhao,agnet,T01,2024-01-01,1200", "staff.csv:3: role 'agnet' is not one of"),
        ("A009,Zhao,agent,T01,2024-02-30,1200", "staff.csv:3: hired 2024-02-30 is not a real date"),
        ("A009,Zhao,agent,T01,01/02/2024,1200", "staff.csv:3: hired '01/02/2024' is not a date"),
        ("A009,Zhao,agent,T01,2024-01-01,-5", "staff.csv:3: base_pay -5 must be zero or more"),
        ("A009,Zhao,agent,T01,2024-01-01,abc", "staff.csv:3: base_pay 'abc' is not an amount"),
        ("A001,Zhao,agent,T01,2024-01-01,1200", "staff.csv:3: staff id A001 is also on line 2"),
        ("A 9,Zhao,agent,T01,2024-01-01,1200", "staff.csv:3: staff id 'A 9' must be"),
        ("A009,,agent,T01,2024-01-01,1200", "staff.csv:3: name is empty"),
        ("A009,Zhao,agent,T01,2024-01-01", "staff.csv:3: expected 6 fields, found 5"),
    ],
    ids=["bad-role", "impossible-date", "not-iso-date", "negative-pay", "pay-not-number",
         "duplicate-id", "bad-id", "empty-name", "short-row"],
)
def test_a_bad_staff_row_refuses_the_whole_file(
    store_dir: Path, write_file, capsys, row: str, message: str
) -> None:
    path = write_file("staff.csv", "id,name,role,team,hired,base_pay\n"
                                   "A001,欧阳娜娜,agent,T01,2023-03-01,1200\n" + row + "\n")
    assert run(["--store", str(store_dir), "import", "staff", str(path)]) == 2
    err = capsys.readouterr().err
    assert message.replace("staff.csv", str(path)) in err
    assert "Traceback" not in err
    assert open_floor(store_dir).staff() == []  # nothing written, not even the good row


def test_a_row_clashing_with_the_register_is_refused_with_its_line(
    store_dir: Path, write_file, capsys
) -> None:
    """A clock id, extension or login already someone else's on the register names the file's
    line, as every other refused row does; nothing of the file is written."""
    first = write_file("staff.csv", "id,name,role,team,hired,base_pay,clock_id,extension,login\n"
                                    "A001,欧阳娜娜,agent,T01,2023-03-01,1200,1001,8001,ouyang\n")
    assert run(["--store", str(store_dir), "import", "staff", str(first)]) == 0
    capsys.readouterr()
    second = write_file("more.csv", "id,name,role,team,hired,base_pay,clock_id,extension,login\n"
                                    "A002,Li Wei,agent,T01,2025-06-15,1200,1002,8002,liwei\n"
                                    "A003,Zhao,agent,T01,2025-06-15,1200,1003,8001,zhao\n"
                                    "A004,Qian,agent,T01,2025-06-15,1200,1004,8004,ouyang\n")
    assert run(["--store", str(store_dir), "import", "staff", str(second)]) == 2
    err = capsys.readouterr().err
    assert f"{second}:3: A001 and A003 have the same extension 8001" in err
    assert f"{second}:4: login ouyang is already A001's" in err
    assert "Traceback" not in err
    assert [s.id for s in open_floor(store_dir).staff()] == ["A001"]


def test_bad_header_and_missing_file(store_dir: Path, write_file, capsys) -> None:
    path = write_file("staff.csv", "id,name,role,team,hired,pay\nA001,x,agent,T,2024-01-01,1\n")
    assert run(["--store", str(store_dir), "import", "staff", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:1: missing column(s): base_pay" in err
    assert f"{path}:1: unknown column(s): pay" in err
    assert run(["--store", str(store_dir), "import", "staff", "/nonexistent.csv"]) == 2
    assert "/nonexistent.csv: no such file" in capsys.readouterr().err


def test_policy_set_show_and_file_round_trip(store_dir: Path, tmp_path: Path, capsys) -> None:
    assert run(["--store", str(store_dir), "policy", "set", "late_mode", "all"]) == 0
    assert run(["--store", str(store_dir), "policy", "set", "late_per_minute", "1.5"]) == 0
    capsys.readouterr()
    assert run(["--store", str(store_dir), "policy", "show", "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["late_mode"] == "all" and exported["late_per_minute"] == "1.5"
    assert exported["pay_days_per_month"] == "21.75"

    other = tmp_path / "other"
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(exported))
    assert run(["--store", str(other), "policy", "load", str(policy_file)]) == 0
    assert open_floor(other).policy == open_floor(store_dir).policy


@pytest.mark.parametrize(
    "key, value, message",
    [("late_mode", "sometimes", "late_mode must be 'excess' or 'all'"),
     ("late_allowance_minutes", "ten", "must be a whole number"),
     ("late_per_minute", "-1", "cannot be negative"),
     ("no_such_key", "1", "unknown policy key 'no_such_key'"),
     ("timezone", "Mars/Olympus", "unknown time zone"),
     ("shifts", '{"D": {"summer": [["12:00", "08:00"]], "winter": [["08:00", "12:00"]]}}',
      "periods must be in order")],
    ids=["bad-choice", "not-a-number", "negative", "unknown-key", "bad-timezone", "bad-period"],
)
def test_a_bad_policy_value_is_refused_and_nothing_changes(
    store_dir: Path, capsys, key: str, value: str, message: str
) -> None:
    assert run(["--store", str(store_dir), "policy", "set", key, value]) == 2
    assert message in capsys.readouterr().err
    assert open_floor(store_dir).store.records("ref", "policy") == []


def test_doctor_names_a_corrupt_file(store_dir: Path, capsys) -> None:
    open_floor(store_dir)  # doctor only reads: it never makes a store
    assert run(["--store", str(store_dir), "doctor"]) == 0
    day = store_dir / "days" / "2026" / "2026-11-20.json"
    day.parent.mkdir(parents=True)
    day.write_text('{"calls": {"1": ')
    capsys.readouterr()
    assert run(["--store", str(store_dir), "doctor"]) == 2
    out = capsys.readouterr().out
    assert f"error   {day}: is not valid JSON" in out


def test_backup_writes_a_dated_archive(store_dir: Path, tmp_path: Path, capsys) -> None:
    assert run(["--store", str(store_dir), "backup", "--to", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    written = Path(out.split("backup written: ")[1].strip())
    assert written.parent == tmp_path and written.name.startswith("floor-")


def test_demo_is_deterministic_and_refuses_a_store_with_data(tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert run(["--store", str(a), "demo", "--seats", "30", "--days", "3"]) == 0
    assert run(["--store", str(b), "demo", "--seats", "30", "--days", "3"]) == 0
    staff_a = [s.to_record() for s in open_floor(a).staff()]
    assert staff_a == [s.to_record() for s in open_floor(b).staff()]
    roles = {s["role"] for s in staff_a}
    assert roles == {"agent", "complaint", "monitor", "lead", "manager"}
    assert sum(s["role"] == "agent" for s in staff_a) == 30
    capsys.readouterr()
    assert run(["--store", str(a), "demo"]) == 2
    assert "already holds staff" in capsys.readouterr().err


@pytest.mark.parametrize("days", [0, 1])
def test_a_demo_of_no_or_one_day_of_history(tmp_path: Path, capsys, days: int) -> None:
    """`floor demo --days 1` failed in its monitoring step (it looked two days back)."""
    store = tmp_path / "d"
    assert run(["--store", str(store), "demo", "--seats", "10", "--days", str(days)]) == 0
    assert "internal error" not in capsys.readouterr().err
    assert open_floor(store).staff()


def test_staff_report_formats(store_dir: Path, write_file, capsys) -> None:
    run(["--store", str(store_dir), "import", "staff", str(write_file("s.csv", GOOD_STAFF))])
    capsys.readouterr()
    assert run(["--store", str(store_dir), "report", "staff", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in data["staff"]] == ["A001", "A002", "C001"]
    assert run(["--store", str(store_dir), "report", "staff", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.removeprefix("\ufeff").splitlines()  # the BOM
    assert lines[0] == "id,name,role,team,seat,hired,base_pay,clock_id,extension"
    assert lines[1].startswith("A001,欧阳娜娜,agent")
    assert run(["--store", str(store_dir), "report", "staff"]) == 0
    table = capsys.readouterr().out.splitlines()
    # CJK names take two cells each: the columns after the name still line up
    rows = [line for line in table if line.startswith("A00")]
    assert len(rows) == 2
    assert len({wcswidth(line[: line.index("agent")]) for line in rows}) == 1, table


def test_the_real_command_exits_2_without_a_traceback(store_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,role,team,hired,base_pay\nA001,x,boss,T,2024-01-01,1\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "floor.py"), "--store", str(store_dir), "import", "staff",
         str(bad)], capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2
    assert f"{bad}:2: role 'boss'" in result.stderr
    assert "Traceback" not in result.stderr
    help_text = subprocess.run([sys.executable, str(ROOT / "floor.py"), "--help"],
                               capture_output=True, text=True).stdout
    for command in ("import", "demo", "doctor", "backup", "report", "policy"):
        assert command in help_text


# A plain start of the console skips building the whole command line (issue #18); it must read
# exactly what the full parser reads, and leave everything else to it.
@pytest.mark.parametrize("argv", [
    [], ["tui"], ["--store", "/s"], ["--store=/s", "--lang", "zh"], ["--lang=en", "tui"],
    ["--store", "/a", "--store", "/b"],
])
def test_console_start_reads_what_the_parser_reads(argv: list[str]) -> None:
    from floorapp.cli.main import _console_only, build_parser

    fast = _console_only(argv)
    full = build_parser().parse_args(argv)
    assert fast is not None
    assert (fast.command, fast.store, fast.lang) == (full.command, full.store, full.lang)


@pytest.mark.parametrize("argv", [
    ["--help"], ["-h"], ["doctor"], ["--lang", "fr"], ["--store"], ["--store", "--lang"],
    ["--st", "/s"], ["tui", "tui"], ["--lang", "zh", "report", "day"], ["--store="],
    ["tui", "--store", "/s"],  # the parser refuses options after the command
])
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    from floorapp.cli.main import _console_only

    assert _console_only(argv) is None


def test_a_wrong_language_is_still_refused_with_the_parsers_message(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        run(["--lang", "fr"])
    assert stop.value.code == 2
    assert "fr" in capsys.readouterr().err
