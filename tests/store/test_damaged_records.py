"""Issue #31 case 4, one wrong field: every record is checked against its table's shape when
read. A well-shaped file with one wrong-typed value made every report exit 1 without naming the
file and the app die at start; now the record is named (file, table, key, field), left out of
reads, kept on disk as it is, the rest of the floor stays usable, and `floor doctor` finds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.rules.quota import Counts
from floorapp.services import Floor, open_floor
from store import Store
from tests.conftest import STAFF, TODAY

DAY = f"day/{TODAY.isoformat()}"
ROSTER = f"roster/{TODAY:%Y-%m}"
REPORTS = [["report", "day", "--date", TODAY.isoformat(), "--format", "json"],
           ["report", "month", "--month", f"{TODAY:%Y-%m}", "--format", "json"],
           ["report", "qa", "--month", f"{TODAY:%Y-%m}", "--format", "json"],
           ["report", "staff"]]


@pytest.fixture
def busy(staffed: Floor) -> Floor:
    """A floor with a record in every table the issue's cases damage."""
    staffed.roster.generate(TODAY.year, TODAY.month)
    staffed.quota.record_counts("A001", Counts(80, 70, 62, 3), day=TODAY, daily_total=True)
    with staffed.transaction() as tx:
        tx.put(DAY, "punches", "A001/1", {"staff_id": "A001", "date": TODAY.isoformat(),
                                          "period": 1, "in": "07:55", "out": "12:01",
                                          "reason": ""})
    staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1")
    staffed.emergency.start("fire")
    return staffed


def _plant(root: Path, partition: str, table: str, key: str | None,
           change: Callable[[dict[str, Any]], dict[str, Any]]) -> tuple[Path, str]:
    """A new version of one record with ``change`` applied, written by a store that knows no
    shapes (as a hand edit or an older program would): the file stays well-shaped."""
    raw = Store(root, user="editor").open()
    with raw.transaction() as tx:
        records = tx.records(partition, table)
        record = records[0] if key is None else tx.get(partition, table, key)
        key = record["_key"]
        tx.put(partition, table, key,
               change({k: v for k, v in record.items() if not k.startswith("_")}))
    return raw.path(partition), key


def _with(**values: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: {**data, **values}


CASES = [
    pytest.param("ref", "staff", "A002", _with(hired="2026-02-30"), "hired", id="hired-02-30"),
    pytest.param("ref", "staff", "A002", _with(id=5), "id", id="staff-id-a-number"),
    pytest.param("pay", "base_pay", "A002", _with(base_pay="abc"), "base_pay",
                 id="base-pay-abc"),
    pytest.param("pay", "base_pay", "A002", _with(base_pay=None), "base_pay",
                 id="base-pay-null"),
    pytest.param(DAY, "calls", None, _with(dialed="abc"), "dialed", id="dialed-abc"),
    pytest.param(DAY, "punches", "A001/1", _with(**{"in": "25:99"}), "in", id="punch-25-99"),
    pytest.param(DAY, "qa_evaluations", None, _with(score=None), "score", id="null-score"),
    pytest.param(DAY, "incidents", None, _with(steps=5), "steps", id="incident-steps-5"),
    pytest.param(ROSTER, "cells", "A002/2026-11-20", lambda data: {}, "staff_id",
                 id="roster-cell-empty-object"),
]


@pytest.mark.parametrize(("partition", "table", "key", "change", "field"), CASES)
def test_case_4_a_damaged_record_is_named_left_out_and_kept(
        busy: Floor, store_dir: Path, capsys, partition: str, table: str, key: str | None,
        change: Callable, field: str) -> None:
    path, key = _plant(store_dir, partition, table, key, change)
    planted = path.read_bytes()
    for command in REPORTS:
        capsys.readouterr()
        assert run(["--store", str(store_dir), *command]) == 0, command
        err = capsys.readouterr().err
        if str(path) in err:  # the reports that read the file name the record
            assert f"table {table}" in err and repr(key) in err and f"field {field}" in err
            assert "internal error" not in err
    # at least the report of the day and the month read every one of these files
    run(["--store", str(store_dir), "report", "month", "--month", f"{TODAY:%Y-%m}"])
    err = capsys.readouterr().err
    assert f"{path}: table {table}, record {key!r}" in err and f"field {field}" in err
    assert path.read_bytes() == planted
    # doctor reads like the app does and names it
    assert run(["--store", str(store_dir), "doctor"]) == 2
    out = capsys.readouterr().out
    assert f"{path}: table {table}, record {key!r}" in out and f"field {field}" in out
    assert path.read_bytes() == planted


@pytest.mark.parametrize(("partition", "table", "key", "change", "field"), CASES)
async def test_case_4_the_app_starts_and_names_the_damaged_record(
        busy: Floor, store_dir: Path, partition: str, table: str, key: str | None,
        change: Callable, field: str) -> None:
    path, key = _plant(store_dir, partition, table, key, change)
    floor = open_floor(store_dir, strict=False, clock=busy._clock, user="tester")
    app = FloorApp(floor, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        for section in ("f2", "f3", "f4", "f5", "f6"):  # every section reads its files
            await pilot.press(section)
            await pilot.pause()
        app.poll_store()  # what the 1-second timer does
        assert any(f"{path}: table {table}, record {key!r}" in n.message
                   and f"field {field}" in n.message for n in app._notifications)
    assert app.return_code in (None, 0)


def test_case_4_a_write_beside_a_damaged_record_keeps_it_and_a_new_version_repairs_it(
        busy: Floor, store_dir: Path) -> None:
    path, key = _plant(store_dir, "ref", "staff", "A002", _with(hired="2026-02-30"))
    floor = open_floor(store_dir, user="tester")
    assert "A002" not in {s.id for s in floor.staff()}
    floor.set_policy_value("late_mode", "all")  # ref.json is written again
    stored = json.loads(path.read_text())["staff"]
    assert any(d["key"] == "A002" and d["data"]["hired"] == "2026-02-30"
               for d in stored.values())
    assert f"{path}: table staff, record {key!r}" in floor.store.problems
    floor.save_staff(next(s for s in STAFF if s.id == "A002"))  # a new version repairs it
    again = open_floor(store_dir, user="tester")
    assert "A002" in {s.id for s in again.staff()}
    assert not [w for w in again.store.problems if "record 'A002'" in w]


def test_case_4_a_cache_file_whose_value_is_5_is_ignored_and_worked_out_again(
        busy: Floor, store_dir: Path, capsys) -> None:
    command = ["--store", str(store_dir), *REPORTS[0]]
    assert run(command) == 0
    good = capsys.readouterr().out
    planted = 0
    for cache in (store_dir / ".cache").rglob(f"{TODAY.isoformat()}.json"):  # .cache/<uid>/…
        data = json.loads(cache.read_text())
        cache.write_text(json.dumps({**data, "value": 5}))
        planted += 1
    assert planted
    assert run(command) == 0
    assert capsys.readouterr().out == good


@pytest.fixture
def planned(busy: Floor) -> Floor:
    """A floor with the tables the first round of shapes left out: the QA plan's info, the
    week's common feedback and the roster month's meta."""
    busy.monitoring.make_plan(TODAY)
    busy.monitoring.give_common_feedback(TODAY, "greeting too fast")
    return busy


LATER_CASES = [
    pytest.param(DAY, "qa_plan_info", "plan", _with(round="two"), "round",
                 id="plan-round-text"),
    pytest.param(DAY, "qa_plan_info", "plan", _with(shortfalls=3), "shortfalls",
                 id="plan-shortfalls-3"),
    pytest.param("ref", "qa_common_feedback", None, _with(at=None), "at",
                 id="common-feedback-at-null"),
    pytest.param(ROSTER, "meta", "month", _with(seats="many"), "seats", id="roster-seats-text"),
]


@pytest.mark.parametrize(("partition", "table", "key", "change", "field"), LATER_CASES)
def test_the_plan_feedback_and_roster_meta_are_checked_too(
        planned: Floor, store_dir: Path, capsys, partition: str, table: str, key: str | None,
        change: Callable, field: str) -> None:
    """A wrong field in these tables is named by doctor and left out of reads (the plan is
    shown without it, the week due again, the month's seats unknown), and the
    screens and reports that read them go on."""
    path, key = _plant(store_dir, partition, table, key, change)
    planted = path.read_bytes()
    assert run(["--store", str(store_dir), "doctor"]) == 2
    out = capsys.readouterr().out
    assert f"{path}: table {table}, record {key!r}" in out and f"field {field}" in out
    floor = open_floor(store_dir, strict=False, clock=planned._clock, user="tester")
    floor.monitoring.day_plan(TODAY)
    assert floor.monitoring.common_due(TODAY)[0] in ("due", "overdue", "fed_back")
    floor.roster.report(TODAY.year, TODAY.month)
    for command in REPORTS:
        assert run(["--store", str(store_dir), *command]) == 0, command
    assert path.read_bytes() == planted


@pytest.mark.parametrize(("table", "data", "field"), [
    ("swaps", {"date": "2026-11-31", "staff": ["A001", "A002"]}, "date"),
    ("callins", {"date": TODAY.isoformat(), "staff_id": "A001", "code": None}, "code"),
], ids=["swap-on-11-31", "callin-without-code"])
def test_a_planted_swap_or_call_in_is_named_and_not_counted(
        busy: Floor, store_dir: Path, capsys, table: str, data: dict, field: str) -> None:
    raw = Store(store_dir, user="editor").open()
    with raw.transaction() as tx:
        tx.put(ROSTER, table, "planted", data)
    assert run(["--store", str(store_dir), "doctor"]) == 2
    out = capsys.readouterr().out
    assert f"table {table}, record 'planted'" in out and f"field {field}" in out
    floor = open_floor(store_dir, strict=False, clock=busy._clock, user="tester")
    assert getattr(floor.roster, table)(TODAY.year, TODAY.month) == []
