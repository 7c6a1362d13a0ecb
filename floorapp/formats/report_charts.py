"""Which native charts the Excel day and month reports carry (SPEC §13, issue #28): pure.

May import: the basics and the rules; never services, the CLI, screens, the store, TinyDB or
Textual.

The day workbook gains an "hours" sheet (the hourly curve: completed per hour, running, the
pace to target, as ``services.board.curve`` gives them) with its chart; the month workbook a
chart of the month's orders per agent on the order-guarantee sheet and one of the deductions
by rule on the attendance sheet (from its TOTAL row; only where the sheet holds money). Every
chart refers to the cells of its sheet: the numbers stay in the sheet.
"""

from __future__ import annotations

from typing import Any

from floorapp.i18n import _
from floorapp.formats.xlsx import Chart, Sheet, report_sheets

# The attendance month table's money columns (services.attendance_month: month_report): late ¥,
# early ¥, absent ¥, pers. ¥, sick ¥ — at these places when pay is shown.
DEDUCTION_COLUMNS = (3, 5, 7, 9, 11)


def hours_sheet(hours: list[dict[str, Any]]) -> Sheet:
    """The hourly curve as a sheet, with its chart: bars per hour, the running total and the
    pace to target as lines."""
    rows = [[f"{h['hour']:02d}:00", h["completed"], h["cumulative"], h["pace"]] for h in hours]
    chart = Chart(title=_("Completed by hour against the pace to target"), categories=0,
                  bars=[1], lines=[2, 3], y_title=_("completed calls"), x_title=_("hour"))
    return Sheet(_("Hours"), [_("hour"), _("completed in the hour"), _("completed, running"),
                              _("pace to target")], rows, ["text", "int", "int", "number"],
                 [chart])


def day_sheets(report: Any, hours: list[dict[str, Any]]) -> list[Sheet]:
    """The day report's sheets and the hours sheet with its chart."""
    return report_sheets(report) + [hours_sheet(hours)]


def month_sheets(report: Any) -> list[Sheet]:
    """The month report's sheets with the orders and deductions charts where their tables
    are (found by the report's JSON, whatever the language of the headers)."""
    sheets = report_sheets(report)
    data = report.data
    staff = data.get("staff") or []
    attendance = sheets[0] if sheets else None
    if attendance is not None and staff and "late_deduction" in staff[0] \
            and len(attendance.rows) == len(staff) + 1:
        total = len(attendance.rows) - 1  # the TOTAL row, last
        attendance.charts.append(Chart(title=_("Deductions by rule (floor total)"),
                                       categories=1, bars=list(DEDUCTION_COLUMNS),
                                       first_row=total, last_row=total, by_series=True,
                                       y_title=_("amount")))
    guarantee = data.get("guarantee") or []
    wanted = [[g["id"], g["orders"]] for g in guarantee]
    for sheet in sheets[1:]:
        if wanted and [[r[0], r[2]] for r in sheet.rows if len(r) > 2] == wanted:
            sheet.charts.append(Chart(title=_("Orders this month per agent"), categories=1,
                                      bars=[2], y_title=_("orders")))
            break
    return sheets
