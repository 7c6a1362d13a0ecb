"""Excel out (SPEC §11): reports as .xlsx workbooks payroll can open and sum.

May import: the basics and the rules; never services, the CLI, screens, the store, TinyDB or
Textual.

One sheet per table; the header row bold and frozen; numbers as numbers, money with two
decimals, dates as dates; column widths measured in display cells, so Chinese names (two cells
a character) are not cut. ``write_workbook`` takes plain sheets (headers, rows, column kinds)
and is what any report plugs into; ``report_sheets`` makes them from a ``reports.Report``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from wcwidth import wcswidth

from floorapp.errors import FloorError
from floorapp.i18n import _

# Column kinds and their Excel number formats.
FORMATS = {
    "text": "@",
    "int": "0",
    "number": "General",
    "money": "#,##0.00",
    "date": "yyyy-mm-dd",
    "time": "hh:mm",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
MAX_WIDTH = 60
_INT = re.compile(r"^-?(0|[1-9]\d*)$")
_NUMBER = re.compile(r"^-?\d+\.\d+$")
_MONEY = re.compile(r"^-?[¥￥]?(\d{1,3}(,\d{3})+|\d+)\.\d\d$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# The control characters a workbook cannot hold (openpyxl refuses them: one in a name made
# every export fail, issue #31); each is written as its escape, ``\x07``, so it is seen.
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def cell_safe(text: str) -> str:
    """``text`` with each character a workbook cannot hold shown as its escape."""
    return _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass
class Sheet:
    """A table for a workbook: ``kinds`` per column (see FORMATS), or None to infer them
    from the values (text such as "55.17" or "2026-11-19" becomes a number or a date)."""

    name: str
    headers: list[str]
    rows: list[list[Any]]
    kinds: list[str] | None = None
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Chart:
    """A native chart drawn from the sheet's own cells (the numbers stay in the sheet).

    Columns are 0-based indices of the sheet's columns; rows 0-based indices of its data rows
    (``last_row`` None: to the last). Each of ``bars``/``lines`` is one series, titled by its
    header cell; ``categories`` labels the points."""

    title: str
    categories: int
    bars: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    first_row: int = 0
    last_row: int | None = None
    y_title: str = ""
    x_title: str = ""
    # each series one point, from one row (a totals row): the categories are the series
    by_series: bool = False


def write_workbook(path: str | Path, sheets: list[Sheet]) -> Path:
    """Write the sheets to ``path`` (replaced whole, never half-written); returns the path."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise FloorError(_("{path}: an Excel file's name ends in .xlsx").format(path=path))
    book = openpyxl.Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets or [Sheet(_("empty"), [], [])]:
        ws = book.create_sheet(_sheet_name(sheet.name, used))
        width = max([len(sheet.headers)] + [len(r) for r in sheet.rows])
        kinds = list(sheet.kinds or [infer_kind([r[i] if i < len(r) else None
                                                 for r in sheet.rows])
                                     for i in range(width)])
        kinds += ["text"] * (width - len(kinds))
        ws.append([cell_safe(h) if isinstance(h, str) else h for h in sheet.headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [display_width(h) for h in sheet.headers] + [0] * (width - len(sheet.headers))
        for row in sheet.rows:
            values = [cell_value(row[i] if i < len(row) else None, kinds[i])
                      for i in range(width)]
            ws.append(values)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, never a formula Excel would run
            for index, value in enumerate(values):
                widths[index] = max(widths[index], display_width(_shown(value, kinds[index])))
        for index, kind in enumerate(kinds, start=1):
            for cell in ws.iter_cols(min_col=index, max_col=index, min_row=2):
                for c in cell:
                    if kind != "text" and c.value is not None and not isinstance(c.value, str):
                        c.number_format = FORMATS[kind]
            ws.column_dimensions[get_column_letter(index)].width = \
                min(MAX_WIDTH, widths[index - 1] + 2)
        ws.freeze_panes = "A2"
        for number, chart in enumerate(sheet.charts):
            _draw(ws, chart, len(sheet.rows), width, number)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".floor-", suffix=".xlsx", dir=path.parent)
        os.close(handle)
        try:
            book.save(temp)
            os.replace(temp, path)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    except OSError as exc:
        raise FloorError(_("cannot write {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from None
    return path


def _draw(ws: Any, spec: Chart, rows: int, width: int, number: int) -> None:
    """Add ``spec`` to ``ws`` as an openpyxl chart referring to the sheet's cells, placed to
    the right of the table, one under the other."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.utils import get_column_letter

    if rows == 0:
        return
    first = spec.first_row + 2  # sheet rows: 1 is the header
    last = (rows if spec.last_row is None else spec.last_row + 1) + 1
    chart: Any = None
    if spec.bars:
        chart = BarChart()
        chart.type = "col"
        for column in spec.bars:
            chart.add_data(Reference(ws, min_col=column + 1, min_row=first - 1, max_row=last)
                           if not spec.by_series else
                           Reference(ws, min_col=column + 1, min_row=first, max_row=last),
                           titles_from_data=not spec.by_series)
        if spec.by_series:
            from openpyxl.chart.series import SeriesLabel
            from openpyxl.chart.data_source import StrRef

            for series, column in zip(chart.series, spec.bars):
                series.tx = SeriesLabel(strRef=StrRef(
                    f"{_quoted(ws.title)}!${get_column_letter(column + 1)}$1"))
    if spec.lines:
        line = LineChart()
        for column in spec.lines:
            line.add_data(Reference(ws, min_col=column + 1, min_row=first - 1, max_row=last),
                          titles_from_data=True)
        line.set_categories(Reference(ws, min_col=spec.categories + 1, min_row=first,
                                      max_row=last))
        if chart is None:
            chart = line
        else:
            chart += line  # drawn over the bars, on the same axes
    if chart is None:
        return
    if not spec.by_series:
        chart.set_categories(Reference(ws, min_col=spec.categories + 1, min_row=first,
                                       max_row=last))
    chart.title = cell_safe(spec.title)
    chart.y_axis.title = cell_safe(spec.y_title) if spec.y_title else None
    chart.x_axis.title = cell_safe(spec.x_title) if spec.x_title else None
    # Excel 2016+ and WPS hide axes openpyxl leaves "deleted" by default: show them
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = 24, 12
    ws.add_chart(chart, f"{get_column_letter(width + 2)}{2 + number * 25}")


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def report_sheets(report: Any) -> list[Sheet]:
    """A ``reports.Report`` as sheets: one per table, named by its title (or the report's)."""
    sheets = []
    for index, table in enumerate(report.tables):
        name = table.title or (report.title if index == 0 else f"{index + 1}")
        sheets.append(Sheet(name, list(table.headers), [list(r) for r in table.rows],
                            getattr(table, "kinds", None)))
    return sheets


def infer_kind(values: list[Any]) -> str:
    """The kind every non-empty value of a column fits; "text" when they do not agree."""
    present = [v for v in values if v not in (None, "")]
    if not present:
        return "text"
    if all(isinstance(v, (dt.datetime)) for v in present):
        return "datetime"
    if all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present):
        return "date"
    if all(isinstance(v, bool) for v in present):
        return "text"
    numbers = [v for v in present if isinstance(v, (int, float, Decimal))
               and not isinstance(v, bool)]
    if len(numbers) == len(present):
        return "int" if all(isinstance(v, int) for v in numbers) else "number"
    strings = [str(v) for v in present]
    for kind, pattern in (("int", _INT), ("money", _MONEY), ("date", _DATE),
                          ("time", _TIME), ("datetime", _DATETIME)):
        if all(pattern.match(s) for s in strings):
            return kind
    if all(_INT.match(s) or _NUMBER.match(s) for s in strings):
        return "number"
    return "text"


def cell_value(value: Any, kind: str) -> Any:
    """What the cell holds: a number, a date or the text itself when it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.time, bool)):
        return value
    if isinstance(value, Decimal):
        return float(value) if kind in ("money", "number") else value
    text = str(value)
    try:
        if kind == "int" and _INT.match(text):
            return int(text)
        if kind == "money" and _MONEY.match(text):
            return float(Decimal(re.sub(r"[¥￥,]", "", text)))
        if kind in ("money", "number") and (_INT.match(text) or _NUMBER.match(text)):
            return float(Decimal(text))
        if kind == "date" and _DATE.match(text):
            return dt.date.fromisoformat(text)
        if kind == "time" and _TIME.match(text):
            return dt.time.fromisoformat(text)
        if kind == "datetime" and _DATETIME.match(text):
            return dt.datetime.fromisoformat(text)
    except (ValueError, InvalidOperation):
        pass
    if isinstance(value, (int, float)):
        return value
    return cell_safe(text)


def display_width(text: Any) -> int:
    """Cells a text takes on screen: a Chinese character two, a Latin letter one."""
    text = "" if text is None else str(text)
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money" and isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()[:10]
    return str(value)


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique (case-insensitive)."""
    base = _BAD_SHEET_CHARS.sub(" ", _ILLEGAL.sub(" ", name)).strip().strip("'")[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate = base[:31 - len(suffix)] + suffix
        number += 1
    used.add(candidate.lower())
    return candidate
