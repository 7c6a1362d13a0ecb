"""SPEC §11: every import reads UTF-8 (BOM or not), GB18030/GBK and .xlsx; anything else is
refused with the line where it stops being text floor can trust."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from floorapp.formats import import_files
from floorapp.cli.main import run
from floorapp.errors import FloorError
from floorapp.services import open_floor

STAFF_TEXT = (
    "id,name,role,team,hired,base_pay,clock_id,extension\n"
    "A001,欧阳娜娜,agent,一组,2023-03-01,1200,1001,8001\n"
    "A002,张喆,agent,一组,2025-06-15,1200.50,,8002\n"
    "C001,龚琳,complaint,投诉,2022-01-10,2400,,\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"],
                         ids=["utf8", "utf8-bom", "gbk-as-excel-saves", "gb18030"])
def test_text_is_decoded_whatever_excel_saved(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(STAFF_TEXT.encode(encoding))
    assert import_files.read_source(path).text == STAFF_TEXT


@pytest.mark.parametrize(
    "text, encoding, line",
    [
        ("id,name\n1,café crème\n", "latin-1", 2),
        ("id,name\n1,山田太郎\n", "shift_jis", 2),
        ("id,name\n1,陳大文\n2,林\n", "big5", 2),
        ("id,name\n1,ok\n2,Привет\n", "cp1251", 3),
    ],
    ids=["latin1", "shift-jis", "big5", "cyrillic-line-3"],
)
def test_neither_utf8_nor_gbk_is_refused_with_its_line(
    tmp_path: Path, text: str, encoding: str, line: int
) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(FloorError, match=rf"odd.csv:{line}: neither UTF-8 nor GBK"):
        import_files.read_source(path)


def test_utf16_and_old_xls_are_named(tmp_path: Path) -> None:
    utf16 = tmp_path / "u.csv"
    utf16.write_bytes(STAFF_TEXT.encode("utf-16"))
    with pytest.raises(FloorError, match="UTF-16"):
        import_files.read_source(utf16)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FloorError, match=r"\.xls file; save it as \.xlsx"):
        import_files.read_source(xls)


def test_gbk_staff_list_round_trip_through_floor_import(
    store_dir: Path, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "staff-gbk.csv"
    path.write_bytes(STAFF_TEXT.encode("gbk"))
    assert run(["--store", str(store_dir), "import", "staff", str(path)]) == 0
    assert "3 staff added" in capsys.readouterr().out
    floor = open_floor(store_dir)
    person = floor.get_staff("A001")
    assert (person.name, person.team, person.clock_id, person.extension) == (
        "欧阳娜娜", "一组", "1001", "8001")
    assert floor.get_staff("A002").clock_id == ""  # the staff id is the clock id


def _staff_book(path: Path, rows: list[list], title: str = "员工", extra: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "说明" if extra else title
    if extra:
        sheet.append(["这张表不是员工名单"])
        sheet = book.create_sheet(title)
    sheet.append(["id", "name", "role", "team", "hired", "base_pay", "extension"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_round_trip_dates_and_numbers_as_excel_stores_them(
    store_dir: Path, tmp_path: Path, capsys
) -> None:
    path = _staff_book(tmp_path / "staff.xlsx", [
        ["A001", "欧阳娜娜", "agent", "T01", dt.datetime(2023, 3, 1), 1200, 8001],
        [],  # an empty row is skipped, the row numbers stay Excel's
        ["A002", "Li Wei", "agent", "T01", dt.date(2025, 6, 15), 1200.5, "8002"],
    ])
    assert run(["--store", str(store_dir), "import", "staff", str(path)]) == 0
    floor = open_floor(store_dir)
    a001, a002 = floor.get_staff("A001"), floor.get_staff("A002")
    assert (a001.hired, str(a001.base_pay), a001.extension) == (
        dt.date(2023, 3, 1), "1200", "8001")
    assert (a002.hired, str(a002.base_pay), a002.extension) == (
        dt.date(2025, 6, 15), "1200.5", "8002")


def test_xlsx_errors_name_the_sheet_and_its_row(store_dir: Path, tmp_path: Path,
                                                capsys) -> None:
    path = _staff_book(tmp_path / "staff.xlsx", [
        ["A001", "欧阳娜娜", "agent", "T01", dt.date(2023, 3, 1), 1200, 8001],
        [],
        [],
        ["A002", "Li Wei", "boss", "T01", dt.date(2025, 6, 15), 1200, 8002],
    ], extra=True)
    assert run(["--store", str(store_dir), "import", "staff", str(path),
                "--sheet", "员工"]) == 2
    err = capsys.readouterr().err
    assert f"{path}[员工]:5: role 'boss' is not one of" in err
    assert open_floor(store_dir).staff() == []  # all-or-nothing


def test_xlsx_first_sheet_by_default_and_unknown_sheet_named(
    store_dir: Path, tmp_path: Path, capsys
) -> None:
    path = _staff_book(tmp_path / "staff.xlsx", [
        ["A001", "欧阳娜娜", "agent", "T01", dt.date(2023, 3, 1), 1200, 8001]], extra=True)
    assert run(["--store", str(store_dir), "import", "staff", str(path)]) == 2
    assert "[说明]:1: missing column(s)" in capsys.readouterr().err
    assert run(["--store", str(store_dir), "import", "staff", str(path),
                "--sheet", "Sheet9"]) == 2
    assert "no sheet 'Sheet9' (sheets: 说明, 员工)" in capsys.readouterr().err


def test_attendance_times_typed_in_excel(staffed, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["staff_id", "date", "period", "in", "out", "reason"])
    # Excel keeps 08:42 as a fraction of a day; it can come back a hair short of the minute
    sheet.append(["A001", dt.date(2026, 11, 19), 1,
                  dt.time(8, 41, 59, 999_600), dt.time(12, 0), None])
    path = tmp_path / "att.xlsx"
    book.save(path)
    staffed.attendance.import_attendance(path)
    punch = staffed.attendance.punches_on(dt.date(2026, 11, 19))["A001"][1]
    assert (punch.time_in, punch.time_out) == (dt.time(8, 42), dt.time(12, 0))


@pytest.mark.parametrize(
    "value, text",
    [(None, ""), (5.0, "5"), (1200.5, "1200.5"), (dt.datetime(2026, 11, 19), "2026-11-19"),
     (dt.datetime(2026, 11, 19, 8, 42, 13), "2026-11-19 08:42:13"),
     (dt.time(8, 42), "08:42"), (dt.time(8, 42, 5), "08:42:05"), (" A001 ", "A001")],
    ids=["empty", "whole-float", "decimal", "date-at-midnight", "date-time", "time",
         "time-seconds", "stripped"],
)
def test_cell_text(value: object, text: str) -> None:
    assert import_files.cell_text(value) == text
