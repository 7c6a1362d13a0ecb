"""The attendance section (考勤, F3): today's shift for everyone with a live status, quick
keyboard entry of arrivals, departures, reasons and leave, corrections with their history,
and the month view with each person's deductions and why.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

The screen calls ``floor.attendance`` only; the rules live in ``floorapp/rules/attendance.py``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import partial
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Label, Static

from floorapp.rules.attendance import minutes_by_day
from floorapp.errors import FloorError
from floorapp.services.leave import AlreadyAtWork
from floorapp.i18n import N_, _, fmt_date, language
from floorapp.rules.roster import short_code
from screens.attendance_entry import ACTION_HINTS, ACTION_LABELS, AttendanceEntry, EntryValidator
from screens.attendance_month import AttendanceMonth
from screens.base import FloorScreen
from screens.text import fit_parts, plain
from screens.widgets.charts import ChartStrip, show_month_minutes
from screens.widgets.charts import fit as fit_charts
from screens.widgets.tables import FixedTable, grown, highlighted_key, set_column_width

STATUS_WORDS = {"not_in": N_("not in yet"), "on_time": N_("on time"), "late": N_("late"), "early": N_("early"),
                "absent": N_("absent"), "leave": N_("leave"), "rest": N_("rest")}
STATUS_STYLES = {"not_in": "", "on_time": "green", "late": "yellow", "early": "yellow", "absent": "bold red",
                 "leave": "cyan", "rest": "dim"}


class AttendanceScreen(AttendanceEntry, AttendanceMonth, FloorScreen):
    ACTION_RIGHTS = {"entry": "attendance.record", "now": "attendance.record",
                     "pay": "pay.view", "coach": "coaching.record"}
    SECTION = "attendance"
    TITLE = _("Attendance 考勤")
    CSS_PATH = ["attendance.tcss", "widgets/charts.tcss"]
    # _() at import: the CLI imports the screens after choosing the language
    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer's words are short so the main keys fit at 80 columns; the help says them
        # in full (tooltip) and lists the keys the footer leaves out.
        Binding("a", "entry('in')", _("Arrive"), tooltip=_("Arrival")),
        Binding("d", "entry('out')", _("Depart"), tooltip=_("Departure")),
        Binding("r", "entry('reason')", _("Reason")),
        Binding("l", "entry('leave')", _("Leave")),
        Binding("i", "now('in')", _("In now"), tooltip=_("In now (row)")),
        Binding("o", "now('out')", _("Out now"), tooltip=_("Out now (row)")),
        Binding("m", "toggle_month", _("Month"), show=False),
        Binding("p", "pay", _("Pay"), show=False),  # named in the month view's hint line
        Binding("c", "coach", _("Coach/praise"), show=False),
        Binding("left_square_bracket", "day(-1)", _("Day before"), key_display="[",
                show=False),
        Binding("right_square_bracket", "day(1)", _("Day after"), key_display="]", show=False),
        Binding("t", "today", _("Today"), show=False),
        Binding("escape", "cancel_entry", _("Back to the grid"), show=False),
        # in the entry line, a name that matches several people: ↑/↓ pick one of them all
        Binding("down", "other_person(1)", _("Next match"), show=False),
        Binding("up", "other_person(-1)", _("Previous match"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.day: dt.date | None = None
        self.action = "in"
        self.month_view = False
        self._month_why: dict[str, list[str]] = {}
        self._month_days: dict[str, list] = {}  # id → the month's DayResults (the chart)
        self._parsed: tuple[tuple, object] | None = None
        self.row_staff: str | None = None  # whom a reason/leave line is for when it names no one
        self.pick: tuple[str, int] | None = None  # (who typed, index) chosen with ↑/↓
        self.status_text: dict[str, str] = {}  # each row's status in full, for the line below
        self._filled_width: int | None = None  # the terminal width the day's rows are fit to
        # what #att-today shows: ((language, width), its DayRows in order, the status's cells)
        self._shown: tuple[tuple, list, int] | None = None

    # ---------------------------------------------------------------- layout
    def compose_body(self) -> ComposeResult:
        yield Static(id="att-title")
        with Horizontal(id="att-entry-row"):
            yield Label(_("{action} ▸").format(action=_(ACTION_LABELS["in"])),
                        id="att-action")
            yield Input(placeholder=_(ACTION_HINTS["in"]), id="att-entry", compact=True,
                        select_on_focus=False,
                        validators=[EntryValidator(self)], validate_on=["changed", "submitted"])
        yield Static("", id="att-hint")
        yield FixedTable(id="att-today", cursor_type="row", zebra_stripes=True)
        yield FixedTable(id="att-month", cursor_type="row", zebra_stripes=True)
        yield ChartStrip(id="att-chart")  # issue #28: the highlighted person's days
        yield Static("", id="att-detail")

    def on_mount(self) -> None:
        today = self.query_one("#att-today", DataTable)
        today.fixed_columns = 1  # End/→ scroll the periods, never the id away
        today.add_column(_("id"), key="id", width=5)
        today.add_column(_("name"), key="name", width=8)
        today.add_column(_("sh"), key="shift", width=3)
        today.add_column(_("period 1"), key="p1", width=11)
        today.add_column(_("period 2"), key="p2", width=11)
        # the rest of the line: a longer status shows its first parts whole and counts the
        # rest ("+1"; the line under the grid has it all)
        today.add_column(_("status"), key="status", width=max(20, self.app.size.width - 56))
        month = self.query_one("#att-month", DataTable)
        for label, key, width in ((N_("id"), "id", 5), (N_("name"), "name", 8),
                                  (N_("late"), "late", 4), (N_("early"), "early", 5),
                                  (N_("abs"), "absent", 4), (N_("pers"), "personal", 4),
                                  (N_("sick"), "sick", 4), (N_("bonus"), "bonus", 7),
                                  (N_("deduct"), "total", 9), (N_("pts"), "points", 5)):
            month.add_column(_(label), key=key, width=width)
        month.fixed_columns = 1
        month.display = False
        self.query_one("#att-chart", ChartStrip).display = False
        today.focus()
        self.set_interval(30, self.refresh_today)  # "not in yet" turns into "late" as time passes

    # ---------------------------------------------------------------- data
    @property
    def service(self):  # noqa: ANN201 - AttendanceService
        return self.floor.attendance

    def current_day(self) -> dt.date:
        return self.day or self.floor.today()

    def refresh_data(self) -> None:
        self.refresh_today()
        if self.month_view:
            self.load_month()

    def refresh_today(self) -> None:
        day = self.current_day()
        rows = self.service.day_rows(day)
        table = self.query_one("#att-today", FixedTable)
        keep = self._highlighted(table)
        rows.sort(key=lambda r: (r.status == "rest", r.staff_id))
        # The usual day change: much the same people as shown, fit to the same width and in
        # the same language. The rows are put in order and only those that differ get new
        # cells, in place (issue #30); another width or language clears and refills the table.
        fit = (language(), self.app.size.width)
        shown = self._shown
        was_shown = {row.staff_id: row for row in shown[1]} if shown is not None else {}
        in_place = (shown is not None and shown[0] == fit and table.row_count == len(shown[1])
                    and bool(rows))
        if not in_place:
            table.clear()
        status_cells = self.fit_columns(table, rows)
        if in_place and status_cells != shown[2]:  # a longer or shorter name (wide terminal)
            in_place = False
            table.clear()
        self.status_text = {row.staff_id: row.text for row in rows}
        comma = _(", ")
        counts: dict[str, int] = {}
        filled = []
        for row in rows:
            # counted as the floor sees it now: nobody is on time before they punch in
            now_status = row.status_now
            counts[now_status] = counts.get(now_status, 0) + 1
            if in_place and was_shown.get(row.staff_id) == row:
                continue
            # made when the row is first drawn: a day change on a 1,139-row register makes
            # the rows on the screen, not every row (issue #30)
            filled.append((row.staff_id, partial(_cells, row, status_cells, comma)))
        if in_place:
            table.replace_keyed_rows([row.staff_id for row in rows], filled)
        else:
            table.add_keyed_rows(filled)
        self._shown = (fit, rows, status_cells)
        self._filled_width = self.app.size.width
        if in_place and keep not in self.status_text:
            table.cursor_coordinate = Coordinate(0, 0)  # as after a clear: the first row
        self._restore(table, keep)
        if in_place:
            table.scroll_home_to_cursor()  # where a clear and the cursor put back leave it
        on_shift = sum(v for k, v in counts.items() if k != "rest")
        # English keeps its ISO date; Chinese shows '11月20日 周五'
        label = fmt_date(day) if language() == "zh" else f"{day} {day:%a}"
        if day == self.floor.today():
            label = _("{day} (today)").format(day=label)
        parts = [f"{_(STATUS_WORDS[k])} {counts[k]}" for k in
                 ("not_in", "on_time", "late", "early", "absent", "leave", "rest")
                 if counts.get(k)]
        if not self.month_view:
            head = Text.from_markup(_("[b]{day}[/b] {count} on shift: ").format(
                day=label, count=on_shift))
            counts = " · ".join(parts)
            # a big floor's counts go whole onto the second line, never "absent" / "5"
            if head.cell_len + cell_len(counts) > self.app.size.width - 2:
                head.rstrip()
                head.append("\n")
            self.query_one("#att-title", Static).update(head.append(counts))
            self.show_detail()

    def fit_columns(self, table: DataTable, rows: list) -> int:
        """The name and status columns: as at 80 columns, and growing into a wider terminal
        (the name up to the longest, the status the rest); the status's width is returned."""
        room = max(0, self.app.size.width - 80)
        name = grown(8, room // 2, max((cell_len(r.name) for r in rows), default=0))
        status = max(20, self.app.size.width - 56) - (name - 8)
        set_column_width(table, "name", name)
        set_column_width(table, "status", status)
        return status

    def on_resize(self) -> None:
        """A new size: the name and status columns refill the width (issue #26), the month
        chart fits the room (issue #28)."""
        fit_charts([self.query_one("#att-chart", ChartStrip)], self.app.size.width,
                   self.app.size.height)
        # the rows are filled for a width: a resize to the same one (three of them as the app
        # starts) leaves them as they are, a 1,139-row register refilled each time (issue #30)
        if self.query_one("#att-today", DataTable).columns \
                and self.app.size.width != self._filled_width:
            self.refresh_today()

    def show_detail(self) -> None:
        detail = self.query_one("#att-detail", Static)
        table = self.active_table()
        staff_id = self._highlighted(table)
        if not staff_id:
            detail.update("")
            return
        if self.month_view:
            day = self.current_day()
            late, early = minutes_by_day(self._month_days.get(staff_id, []),
                                         calendar.monthrange(day.year, day.month)[1])
            show_month_minutes(self.query_one("#att-chart", ChartStrip), staff_id, late, early)
            why = self._month_why.get(staff_id, [])
            text = _("; ").join(why) if why else _("no deductions")
            detail.update(_("[b]{id}[/b] why: {text}").format(id=staff_id, text=text))
            return
        history = self.service.punch_history(staff_id, self.current_day())
        status = self.status_text.get(staff_id, "")  # in full: the cell may count parts
        head = Text.assemble((f"{staff_id} ", "bold"), status)
        if not history:
            detail.update(Text.assemble(head, "\n", _("no punches recorded · a/d/r/l to "
                                                     "enter, i/o: in/out now for this row")))
            return
        detail.update(Text("\n").join([head, *(Text(line) for line in history[:2])]))

    # -------------------------------------------------------------- entry
    # (the entry line's @on handlers: Textual finds them on the screen class only)
    @on(Input.Changed, "#att-entry")
    def entry_changed(self, event: Input.Changed) -> None:
        hint = self.query_one("#att-hint", Static)
        if not event.value.strip():
            # emptied after a save: the saved line stays (it named the row that was left)
            if event.input.has_focus:
                hint.update(self._idle_hint())
            return
        try:
            shown = Text("→ " + self.service.preview(self.parse(event.value)), style="green")
        except FloorError as exc:
            hint.update(Text(str(exc), style="red"))
            return
        found = self.service.entry_matches(event.value)
        if len(found) > 1 and self._pick_for(event.value) is not None:
            shown.append("  " + _("({n} of {count}, ↑/↓)").format(
                n=self._pick_for(event.value) + 1, count=len(found)), style="dim")
        hint.update(shown)

    @on(Input.Submitted, "#att-entry")
    def entry_submitted(self, event: Input.Submitted) -> None:
        try:
            entry = self.parse(event.value)
            message = self.service.apply(entry)
        except AlreadyAtWork as exc:
            # leave for someone already in: say what their day becomes, save only on yes
            def answered(yes: bool | None) -> None:
                if not yes:
                    self.query_one("#att-hint", Static).update(
                        Text(_("Nothing changed."), style="yellow"))
                    return
                try:
                    self._saved(entry, self.service.apply(entry, confirmed=True), event.input)
                except FloorError as again:
                    self._refused(again)

            from screens.roster_forms import Confirm

            self.app.push_screen(Confirm(exc.question), answered)
            return
        except FloorError as exc:
            self._refused(exc)
            return
        self._saved(entry, message, event.input)

    # ------------------------------------------------------------ views
    def action_coach(self) -> None:
        """Coaching or praise ([002]) for the highlighted person, today."""
        from screens.pay import CoachPrompt

        staff_id = self._highlighted(self.active_table())
        if not staff_id:
            return
        person = self.floor.get_staff(staff_id)
        self.app.push_screen(CoachPrompt(self.floor, person.id, person.name),
                             lambda _done: self.refresh_data())

    def action_day(self, delta: int) -> None:
        self.day = self.current_day() + dt.timedelta(days=delta)
        self.refresh_data()

    def action_today(self) -> None:
        self.day = None
        self.refresh_data()

    @on(DataTable.RowHighlighted)
    def row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def active_table(self) -> DataTable:
        return self.query_one("#att-month" if self.month_view else "#att-today", DataTable)

    @staticmethod
    def _highlighted(table: DataTable) -> str | None:
        return highlighted_key(table)

    @staticmethod
    def _restore(table: DataTable, staff_id: str | None) -> None:
        if staff_id is None:
            return
        try:
            table.move_cursor(row=table.get_row_index(staff_id))
        except Exception:  # that person is not in this table
            pass


def _cells(row, status_cells: int, comma: str) -> tuple:  # noqa: ANN001 - DayRow
    """A person's row of the day's table, its status fit to ``status_cells``."""
    mark = "✎" if row.corrected else ""
    # a day of leave on the roster as its one character (病), as in the roster grid
    return (row.staff_id, plain(row.name), short_code(row.code) + mark, *row.periods,
            Text(fit_parts(row.parts, status_cells, comma),
                 style=STATUS_STYLES.get(row.status_now, ""), no_wrap=True,
                 overflow="ellipsis"))

