"""Excel out (SPEC §11): one sheet per table, frozen header, numbers as numbers, money with two
decimals, dates as dates, CJK widths; through `floor report … --format xlsx` and F6's X."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from floorapp.formats import xlsx
from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.rules.quota import Counts
from floorapp.services import Floor


@pytest.mark.parametrize(
    "values, kind",
    [(["1", "-2", "", None], "int"), (["55.17", "0.00", "-3.10"], "money"),
     (["¥800.00", "¥1,250.00"], "money"), (["91.6", "88", "70.25"], "number"),
     (["2026-11-19", "2026-11-20"], "date"), (["08:42", "17:30"], "time"),
     (["007", "008"], "text"), (["A001", "12"], "text"), ([3, 4], "int"),
     ([1.5, 2], "number"), ([dt.date(2026, 1, 1)], "date"), ([], "text")],
    ids=["ints-with-blanks", "money-two-decimals", "money-yuan-thousands", "mixed-decimals",
         "iso-dates", "times", "leading-zeros-stay-text", "ids-text", "python-ints",
         "python-numbers", "python-dates", "empty-column"],
)
def test_infer_kind(values: list, kind: str) -> None:
    assert xlsx.infer_kind(values) == kind


def test_workbook_cells_formats_widths(tmp_path: Path) -> None:
    path = xlsx.write_workbook(tmp_path / "pay.xlsx", [
        xlsx.Sheet("Pay 2026-11", ["id", "name", "hired", "gross", "days", "note"], [
            ["A001", "欧阳娜娜娜娜", "2023-03-01", "1234.50", "21", "=HYPERLINK(\"x\")"],
            ["A002", "Li Wei", "2025-06-15", "800.00", "20.5", ""],
        ], ["text", "text", "date", "money", "number", "text"]),
        xlsx.Sheet("Pay 2026-11", ["x"], [[1]]),  # the same name: made unique
    ])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Pay 2026-11", "Pay 2026-11 (2)"]
    sheet = book["Pay 2026-11"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet["C2"].value == dt.datetime(2023, 3, 1) and sheet["C2"].number_format == \
        "yyyy-mm-dd"
    assert sheet["D2"].value == 1234.5 and sheet["D2"].number_format == "#,##0.00"
    assert sheet["E3"].value == 20.5
    assert sheet["F2"].value == '=HYPERLINK("x")' and sheet["F2"].data_type == "s"
    # 欧阳娜娜娜娜: 6 characters, 12 cells on screen
    assert sheet.column_dimensions["B"].width == 14
    assert sheet.column_dimensions["A"].width == 6


def test_report_month_as_xlsx(staffed: Floor, tmp_path: Path, capsys) -> None:
    thursday = dt.date(2026, 11, 19)
    staffed.attendance.record_in("A001", thursday, dt.time(8, 15), period=1)
    staffed.attendance.record_out("A001", thursday, dt.time(12, 0), period=1)
    staffed.attendance.record_in("A001", thursday, dt.time(14, 30), period=2)
    staffed.attendance.record_out("A001", thursday, dt.time(17, 30), period=2)
    out = tmp_path / "month.xlsx"
    store = str(staffed.store.root)
    assert run(["--store", store, "report", "month", "--month", "2026-11", "--format", "xlsx",
                "--output", str(out)]) == 0
    assert f"written: {out}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.title == "Attendance 2026-11 (考勤扣款)"
    header = [c.value for c in sheet[1]]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    late, late_money = header.index("late"), header.index("late ¥")
    assert rows["A001"][late].value == 15
    assert rows["A001"][late_money].value == 5.0  # beyond the 10-minute allowance
    assert rows["A001"][late_money].number_format == "#,##0.00"


@pytest.mark.parametrize("report, extra", [
    ("day", ["--date", "2026-11-19"]), ("qa", ["--month", "2026-11"]),
    ("roster", ["--month", "2026-11"]), ("staff", [])])
def test_every_report_writes_a_workbook(staffed: Floor, tmp_path: Path, report: str,
                                        extra: list[str]) -> None:
    if report == "roster":
        staffed.roster.generate(2026, 11)
    out = tmp_path / f"{report}.xlsx"
    assert run(["--store", str(staffed.store.root), "report", report, *extra,
                "--format", "xlsx", "--output", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)


def test_staff_report_hired_is_a_date(staffed: Floor, tmp_path: Path) -> None:
    out = tmp_path / "staff.xlsx"
    run(["--store", str(staffed.store.root), "report", "staff", "--format", "xlsx",
         "--output", str(out)])
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet["F2"].value == dt.datetime(2023, 3, 1)
    assert sheet["G2"].value == 1200 and sheet["G2"].number_format == "#,##0.00"


def test_xlsx_needs_an_output_file(staffed: Floor, capsys) -> None:
    assert run(["--store", str(staffed.store.root), "report", "staff",
                "--format", "xlsx"]) == 2
    assert "add --output FILE.xlsx" in capsys.readouterr().err
    assert run(["--store", str(staffed.store.root), "report", "staff", "--format", "xlsx",
                "--output", "staff.csv"]) == 2
    assert "ends in .xlsx" in capsys.readouterr().err


async def test_summary_exports_excel(staffed: Floor, tmp_path: Path) -> None:
    staffed.quota.record_counts("A001", Counts(80, 66, 61, 19), daily_total=True)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        await pilot.press("X")
        await pilot.pause()
        path = tmp_path / "home" / "floor-exports" / "floor-day-2026-11-20.xlsx"
        assert any(str(path) in n.message for n in app._notifications)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["Agents", "Floor"]
    agents = book["Agents"]
    row = next(r for r in agents.iter_rows(min_row=2, values_only=True) if r[0] == "A001")
    assert row[:8] == ("A001", "欧阳娜娜", "D", row[3], 80, 66, 61, 19)
