"""Attendance's month view (考勤, ``m``): each person's late and early minutes, absences, leave,
bonus and deductions for the month shown, worked out off the event loop, and ``p`` for its pay.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

from decimal import Decimal

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.widgets import DataTable, Input, Static

from floorapp.i18n import _, fmt_money, fmt_month, language
from screens.text import plain
from screens.widgets.charts import ChartStrip
from screens.widgets.tables import grown, set_column_width


class AttendanceMonth:
    """Reading the month: ``m`` swaps the day's grid for the month's table (and its chart of the
    highlighted person's minutes), filled by a worker, with the month's totals in the title and
    the pay reminder in the hint line; ``p`` opens that month's pay sheet.

    A part of AttendanceScreen (its state, the day's grid and the detail line live there)."""

    # ------------------------------------------------------------ the month
    def action_toggle_month(self) -> None:
        self.month_view = not self.month_view
        # the entry line ("Leave ▸") is for the day; the month view has none above it
        self.query_one("#att-entry-row").display = not self.month_view
        if self.month_view:
            self.query_one("#att-entry", Input).value = ""
        self.query_one("#att-today", DataTable).display = not self.month_view
        self.query_one("#att-month", DataTable).display = self.month_view
        self.query_one("#att-chart", ChartStrip).display = self.month_view
        if not self.month_view:
            self.query_one("#att-hint", Static).update("")  # the month's pay hint
        self.active_table().focus()
        self.refresh_data()

    def load_month(self) -> None:
        day = self.current_day()
        self.query_one("#att-detail", Static).update(_("computing the month…"))
        self._compute_month(day.year, day.month)

    @work(thread=True, exclusive=True, group="attendance-month")
    def _compute_month(self, year: int, month: int) -> None:
        results = self.service.month_results(year, month)
        self.app.call_from_thread(self._show_month, results)

    def _show_month(self, results: list) -> None:
        table = self.query_one("#att-month", DataTable)
        keep = self._highlighted(table)
        table.clear()
        # the name grows into a wider terminal (8 cells at 80 columns, as before)
        set_column_width(table, "name", grown(8, max(0, self.app.size.width - 80), max(
            (cell_len(person.name) for person, _r, _d in results), default=0)))
        self._month_why = {}
        self._month_days = {person.id: days for person, _r, days in results}
        pay = self.floor.pay_visible()  # the total follows from base pay: managers only

        def money(amount: Decimal) -> str:
            return fmt_money(amount) if pay else "—"

        for person, r, _days in results:
            self._month_why[person.id] = r.why
            style = "bold red" if r.absent_days else ("yellow" if r.total_deduction else "")
            table.add_row(person.id, plain(person.name), str(r.late_minutes), str(r.early_minutes),
                          str(r.absent_days), _num(r.personal_leave_days),
                          _num(r.sick_leave_days), fmt_money(r.full_attendance_bonus),
                          Text(money(r.total_deduction), style=style), _num(r.points),
                          key=person.id)
        self._restore(table, keep)
        total = sum((r.total_deduction for _p, r, _d in results), start=Decimal(0))
        absent = sum(r.absent_days for _p, r, _d in results)
        lost = sum(1 for _p, r, _d in results if not r.full_attendance_bonus)
        day = self.current_day()
        month = fmt_month(day.year, day.month) if language() == "zh" else f"{day:%Y-%m}"
        self.query_one("#att-title", Static).update(
            _("[b]MONTH {month}[/b] {count} staff · deducted {money} · absent days {absent}"
              " · bonus lost {lost}").format(month=month, count=len(results),
                                             money=money(total), absent=absent,
                                             lost=lost))
        reminder = self.floor.pay.reminder()  # 次月10日前公布: until marked published
        hint = Text(_("p: the pay sheet of this month (tiers, commission, gross)"))
        if reminder:
            key = _("p: pay sheet")
            # the key on the next line when the reminder leaves no room: never "p:" / "pay sheet"
            joint = " · " if cell_len(reminder) + 3 + cell_len(key) <= self.app.size.width - 2 \
                else "\n"
            hint = Text.assemble((reminder, "bold yellow"), joint, key)
        self.query_one("#att-hint", Static).update(hint)
        self.show_detail()

    def action_pay(self) -> None:
        """The pay sheet of the month shown (SPEC §10)."""
        from screens.pay import PayScreen

        day = self.current_day()
        self.app.push_screen(PayScreen(self.floor, day.year, day.month))


def _num(value) -> str:  # noqa: ANN001 - Decimal
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())
