"""Bad input of every kind is refused with exit 2 and FILE:LINE, nothing written (SPEC §3 rev.,
issue 15): huge numbers, deep JSON, policy values out of range, CSV rows that a line break or
U+2028 would mangle, duplicate evaluations, dates no record can have."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from floorapp.cli.main import run
from floorapp.services import Floor, open_floor
from store import Store

HEAD = {
    "calls": "staff_id,date,dialed,connected,completed,orders\n",
    "staff": "id,name,role,team,hired,base_pay\n",
    "attendance": "staff_id,date,period,in,out,reason\n",
    "leave": "staff_id,date,type,days\n",
    "evaluations": "date,time,monitor_id,staff_id,mode,template,marks\n",
}


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json"))}


@pytest.mark.parametrize("kind,body,where", [
    ("calls", "A001,2026-11-19,18446744073709551616,1,1,1\n", ":2: dialed"),
    ("calls", "A001,2026-11-19," + "9" * 5000 + ",1,1,1\n", ":2: dialed"),
    ("staff", "Z001,x,agent,T,2024-01-01,12345678901234567890123456789012\n", ":2: base_pay"),
    ("staff", '"A0\n01",x,agent,T,2024-01-01,1\n', ":2: a quoted field holds a line break"),
    ("attendance", "A001,9999-12-31,1,08:00,,\n", ":2: date 9999-12-31"),
    ("attendance", "A001,2026-11-21,1,08:00,,\n", ":2: date 2026-11-21 is after"),
    ("leave", "A001,9999-12-31,sick,1\n", ":2: date 9999-12-31"),
    ("evaluations", "9999-12-31,10:00,Q001,A001,live,outbound-100,a1\n", ":2: date"),
    ("evaluations", "2026-11-19,10:00,Q001,A001,live,outbound-100,a1\n"
                    "2026-11-19,10:00,Q001,A001,live,outbound-100,b1\n",
     ":3: the same evaluation as line 2"),
], ids=["count-2^64", "count-5000-digits", "base-pay-32-digits", "quoted-line-break",
        "punch-9999", "punch-tomorrow", "leave-9999", "evaluation-9999", "duplicate-evaluation"])
def test_a_bad_row_exits_2_with_file_line_and_writes_nothing(
        staffed: Floor, tmp_path: Path, capsys, kind: str, body: str, where: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(HEAD[kind] + body, encoding="utf-8")
    before = files_of(staffed.store.root)
    assert run(["--store", str(staffed.store.root), "import", kind, str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}{where}" in err, err
    assert "internal error" not in err and len(err) < 2000
    assert files_of(staffed.store.root) == before


def test_u2028_stays_inside_its_cell(staffed: Floor, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(HEAD["staff"] + "Z001,Han\u2028Min,agent,T,2024-01-01,1\n", encoding="utf-8")
    assert run(["--store", str(staffed.store.root), "import", "staff", str(path)]) == 0
    assert staffed.get_staff("Z001").name == "Han\u2028Min"


def _template(weight: str) -> str:
    data = json.loads((Path(__file__).resolve().parents[2] / "floorapp" / "data" /
                       "qa-outbound-100.json").read_text("utf-8"))
    data["id"] = "custom"
    data["sections"][0]["items"][0]["weight"] = "__W__"
    return json.dumps(data).replace('"__W__"', weight)


@pytest.mark.parametrize("kind,text,reason", [
    ("template", "[" * 100000 + "]" * 100000, ":1: nested too deep"),
    ("checklist", '{"a":' * 100000 + "1" + "}" * 100000, ":1: nested too deep"),
    ("template", '{"id": ' + "9" * 5000 + "}", ":1: Exceeds the limit"),
    ("template", None, "weight must be a number"),
    ("template", '{"id": 1e400}', ":1: the number 1e400 is too large"),
    ("template", '{"id": NaN}', ":1: NaN is not a number"),
], ids=["deep-list", "deep-object", "int-5000-digits", "weight-1e40", "float-1e400", "nan"])
def test_a_bad_json_file_exits_2_naming_it(staffed: Floor, tmp_path: Path, capsys, kind: str,
                                            text: str | None, reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text if text is not None else _template("1e40"))
    before = files_of(staffed.store.root)
    assert run(["--store", str(staffed.store.root), "import", kind, str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and reason in err, err
    assert files_of(staffed.store.root) == before
    assert run(["--store", str(staffed.store.root), "policy", "load", str(path)]) == 2


@pytest.mark.parametrize("key,value", [
    ("late_per_minute", "1e400"), ("agents_on_phones", "1e5000"), ("leave_units", "[]"),
    ("leave_units", '["0"]'), ("leave_units", '["abc"]'), ("timezone", "Mars/Olympus"),
    ("late_per_minute", "NaN"),
], ids=["decimal-1e400", "int-1e5000", "leave-units-empty", "leave-units-zero",
        "leave-units-text", "timezone-unknown", "decimal-nan"])
def test_policy_set_refuses_a_value_out_of_range(store_dir: Path, capsys, key: str,
                                                 value: str) -> None:
    assert run(["--store", str(store_dir), "policy", "set", key, value]) == 2
    assert f"{key}" in capsys.readouterr().err
    assert open_floor(store_dir).store.records("ref", "policy") == []


async def test_a_stored_policy_that_no_longer_validates_does_not_stop_the_app(
        staffed: Floor) -> None:
    from floorapp.app import FloorApp
    from floorapp.clock import fixed_clock

    with staffed.store.transaction() as tx:  # written by hand, or by an older floor
        tx.put("ref", "policy", "policy", {"timezone": "Mars/Olympus", "late_mode": "all"})
    floor = Floor(Store(staffed.store.root, strict=False).open(), fixed_clock(
        "2026-11-20T15:00:00"))
    assert floor.policy.timezone == "Asia/Shanghai" and floor.policy.late_mode == "all"
    assert any("Mars/Olympus" in reason for reason in floor.store.problems.values())
    app = FloorApp(floor, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("f3", "f5", "f6", "f2"):
            await pilot.press(key)
            await pilot.pause(0.1)
        assert app.is_running
