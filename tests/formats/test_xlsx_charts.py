"""Native charts in the Excel day and month reports (SPEC §13, issue #28): reopened with
openpyxl, each chart is there and its data references point at the cells that hold the
figures (the numbers stay in their sheets)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string

from floorapp.formats import report_charts
from floorapp.cli.main import run
from floorapp.formats.reports import Report, Table
from tests.conftest import NOW
from tests.whole.test_wallboard_http import demo_master, report_day  # noqa: F401 - a fixture


def parts(chart) -> list:  # noqa: ANN001
    """A chart and the charts drawn over it (bars with lines)."""
    return list(getattr(chart, "_charts", None) or [chart])


def cells(book: openpyxl.Workbook, ref: str) -> list:
    """The values a chart reference (``'Sheet'!$B$2:$B$8``) points at."""
    sheet, _sep, area = ref.rpartition("!")
    ws = book[sheet.strip("'").replace("''", "'")]
    area = area.replace("$", "")
    if ":" not in area:
        return [ws[area].value]
    return [c.value for row in ws[area] for c in row]


def categories(series) -> str:  # noqa: ANN001
    """Where a series' category labels are (openpyxl writes a number reference either way)."""
    ref = series.cat.strRef or series.cat.numRef
    return ref.f


def column_of(ref: str) -> str:
    area = ref.rpartition("!")[2].replace("$", "")
    return "".join(ch for ch in area.split(":")[0] if ch.isalpha())


def xlsx(root: Path, tmp_path: Path, *args: str) -> openpyxl.Workbook:
    out = tmp_path / "report.xlsx"
    with contextlib.redirect_stdout(io.StringIO()):
        assert run(["--store", str(root), "report", *args, "--format", "xlsx",
                    "--output", str(out)]) == 0
    return openpyxl.load_workbook(out)


def board_hours(root: Path) -> list[dict]:
    from floorapp.services.board import Board

    return json.loads(Board(root).answer()[1])["board"]["hours"]


def test_day_workbook_charts_the_hourly_curve_from_its_hours_sheet(demo_master: Path,
                                                                   tmp_path: Path) -> None:
    book = xlsx(demo_master, tmp_path, "day", "--date", NOW[:10])
    report = report_day(demo_master)
    assert book.sheetnames[-1] == "Hours"
    ws = book["Hours"]
    assert [c.value for c in ws[1]] == ["hour", "completed in the hour", "completed, running",
                                        "pace to target"]
    hours = board_hours(demo_master)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows == [[f"{h['hour']:02d}:00", h["completed"], h["cumulative"], h["pace"]]
                    for h in hours]
    assert rows[-1][2] == sum(a["completed"] for a in report["agents"])  # all by the hour
    (chart,) = ws._charts
    bar, line = parts(chart)
    last = len(rows) + 1
    assert type(bar).__name__ == "BarChart" and type(line).__name__ == "LineChart"
    assert [s.val.numRef.f for s in bar.series] == [f"'Hours'!$B$2:$B${last}"]
    assert [s.val.numRef.f for s in line.series] == [f"'Hours'!$C$2:$C${last}",
                                                     f"'Hours'!$D$2:$D${last}"]
    assert [s.tx.strRef.f for s in line.series] == ["'Hours'!C1", "'Hours'!D1"]
    assert categories(bar.series[0]) == f"'Hours'!$A$2:$A${last}"
    assert cells(book, line.series[0].val.numRef.f) == [h["cumulative"] for h in hours]
    # the other sheets are the day report's, as before
    assert book.sheetnames[:3] == ["Agents", "Floor", "Open incidents"]


def test_month_workbook_charts_orders_per_agent_and_deductions_by_rule(
        demo_master: Path, tmp_path: Path) -> None:
    book = xlsx(demo_master, tmp_path, "month", "--month", NOW[:7])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run(["--store", str(demo_master), "report", "month", "--month", NOW[:7],
             "--format", "json"])
    month = json.loads(out.getvalue())
    attendance = book.worksheets[0]
    (deductions,) = attendance._charts
    refs = [s.val.numRef.f for s in deductions.series]
    total_row = attendance.max_row
    assert attendance.cell(total_row, 1).value == "TOTAL"
    assert [column_of(r) for r in refs] == ["D", "F", "H", "J", "L"]
    assert all(r.endswith(f"${total_row}") for r in refs)
    titles = [cells(book, s.tx.strRef.f)[0] for s in deductions.series]
    assert titles == ["late ¥", "early ¥", "absent ¥", "pers. ¥", "sick ¥"]
    keys = ["late_deduction", "early_deduction", "absent_deduction",
            "personal_leave_deduction", "sick_leave_deduction"]
    for ref, key in zip(refs, keys):
        exact = sum(float(p[key]) for p in month["staff"])
        assert abs(cells(book, ref)[0] - exact) < 0.01 * len(month["staff"]), key
    guarantee = next(ws for ws in book.worksheets if ws.title.startswith("Order guarantee"))
    (orders,) = guarantee._charts
    (series,) = orders.series
    last = guarantee.max_row
    quoted = "'" + guarantee.title + "'"
    assert series.val.numRef.f == f"{quoted}!$C$2:$C${last}"
    assert categories(series) == f"{quoted}!$B$2:$B${last}"
    assert cells(book, series.val.numRef.f) == [g["orders"] for g in month["guarantee"]]
    assert len(month["guarantee"]) > 0
    others = [ws.title for ws in book.worksheets if ws._charts]
    assert others == [attendance.title, guarantee.title]


def test_no_money_columns_no_deductions_chart() -> None:
    """Who may not see pay gets the month without money columns: nothing to chart there."""
    report = Report("m", {"month": "2026-11", "staff": [{"id": "A001", "late_minutes": 3}],
                          "guarantee": []},
                    [Table(["id", "name", "late"], [["A001", "x", 3], ["TOTAL", "1", 3]])])
    sheets = report_charts.month_sheets(report)
    assert [s.charts for s in sheets] == [[]]


def test_summary_excel_export_has_the_chart(demo_master: Path, tmp_path: Path) -> None:
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor

    floor = open_floor(demo_master, clock=fixed_clock(NOW), user="tester")
    path = floor.quota.export_day_xlsx(dt.date.fromisoformat(NOW[:10]), tmp_path)
    book = openpyxl.load_workbook(path)
    assert book["Hours"]._charts
    assert column_index_from_string(column_of(
        parts(book["Hours"]._charts[0])[0].series[0].val.numRef.f)) == 2


def test_the_day_workbook_works_the_day_out_once(demo_master: Path, tmp_path: Path,
                                                 monkeypatch) -> None:  # noqa: ANN001
    """The report's sheets and the hours sheet come from one working-out of the day (it was
    done twice: once for the report, again for the workbook)."""
    from floorapp.services.quota import QuotaService

    worked = []
    original = QuotaService.floor_day

    def counted(self, day, *args, **kwargs):  # noqa: ANN001, ANN202
        worked.append(day)
        return original(self, day, *args, **kwargs)

    monkeypatch.setattr(QuotaService, "floor_day", counted)
    book = xlsx(demo_master, tmp_path, "day", "--date", NOW[:10])
    assert worked == [dt.date.fromisoformat(NOW[:10])]
    assert book.sheetnames == ["Agents", "Floor", "Open incidents", "Hours"]
    bad = tmp_path / "bad.xlsx"
    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert run(["--store", str(demo_master), "report", "day", "--date", "2026-13-01",
                    "--format", "xlsx", "--output", str(bad)]) == 2
    assert "2026-13-01" in err.getvalue() and not bad.exists()
