"""The roster section (Roster 排班): the month grid, edits by key, swaps, call-ins, generation.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Staff rows (id and name stay put) × day columns (scroll sideways); today and weekends marked in
the header; coverage per day underneath (agents on D, C1, C2), red when short. The cursor
day's pre-shift meeting and the Friday study are on the line above the grid.
"""

from __future__ import annotations

import datetime as dt

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from floorapp.rules import roster as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.roster import Generated
from floorapp.rules.staff import Staff
from screens.base import FloorScreen
from screens.roster_edits import RosterEdits
from screens.roster_forms import Confirm, TextPanel
from screens.roster_grid import DAY_WIDTH, LABEL_WIDTH, RosterGrid
from screens.roster_swaps import RosterSwaps
from screens.widgets.tables import FixedTable


class RosterScreen(RosterGrid, RosterEdits, RosterSwaps, FloorScreen):
    ACTION_RIGHTS = {
        "set_code": "roster.edit", "complaint": "roster.edit", "leave": "roster.edit",
        "cycle": "roster.edit", "swap": "roster.edit", "call_in": "roster.edit",
        "generate": "roster.edit"}
    SECTION = "roster"
    TITLE = _("Roster 排班")
    CSS_PATH = "roster.tcss"
    BINDINGS = [
        Binding("d", "set_code('D')", "D"),
        Binding("c", "complaint", "C1/C2"),
        Binding("a", "set_code('A')", "A", show=False),
        Binding("r", "set_code('R')", _("Rest")),
        Binding("l", "leave", _("Leave")),
        Binding("space", "cycle", _("Cycle code"), show=False),
        Binding("s", "swap", _("Swap")),
        Binding("i", "call_in", _("Call in")),
        # the footer shows the day's keys; these are in the help (F1) and Ctrl+P
        Binding("g", "generate", _("Generate"), show=False),
        Binding("left_square_bracket", "month(-1)", _("Prev month"), show=False),
        Binding("right_square_bracket", "month(1)", _("Next month"), show=False),
        Binding("t", "today", _("Today"), show=False),
        Binding("h", "handovers", _("Handover"), show=False),
        Binding("v", "violations", _("Violations"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.year = 0
        self.month = 0
        self._people: list[Staff] = []
        self._cells: rules.Month = {}
        self._violations: list[str] = []
        self._shown: tuple[int, int, tuple[str, ...], int, int] | None = None
        self._day_width = DAY_WIDTH
        self._label_width = LABEL_WIDTH  # the id and name: wider in a wider terminal
        self._cover_width: int | None = None  # the width last given to the coverage rows

    # ---------------------------------------------------------------- layout
    def compose_body(self) -> ComposeResult:
        yield Static(id="roster-info", markup=False)
        grid: DataTable = FixedTable(id="roster-grid", cursor_type="cell", zebra_stripes=True,
                                    cell_padding=0)
        yield grid
        yield FixedTable(id="roster-cover", cursor_type="none", show_header=False,
                        cell_padding=0)
        yield Static(id="roster-problems", markup=False)

    def on_mount(self) -> None:
        today = self.floor.today()
        self.year, self.month = today.year, today.month
        grid = self.query_one("#roster-grid", DataTable)
        self.watch(grid, "scroll_x", self._sync_cover, init=False)
        if self._shown is None:
            self.refresh_data()

    def on_resize(self) -> None:
        if self.year and self._shown is not None and self.label_width() != self._label_width:
            self.refresh_data()

    # ---------------------------------------------------------------- data
    def refresh_data(self) -> None:
        if not self.year:
            return
        self._people = self.floor.staff()
        self._cells = self.floor.roster.cells(self.year, self.month)
        self._violations = self.floor.roster.check(self.year, self.month)
        # the id and name grow into a wider terminal (the longest name whole, a quarter of
        # the columns past 80 at most: the days keep the rest); 14 cells at 80 as before
        self._label_width = self.label_width()
        shape = (self.year, self.month, tuple(p.id for p in self._people),
                 self.floor.roster.required_agents(self.year, self.month), self._label_width)
        grid = self.query_one("#roster-grid", DataTable)
        # A coverage count never runs into its neighbour: one blank cell more than the
        # widest count there can be (270 on a 300-seat floor needs 4 cells a day).
        self._day_width = max(DAY_WIDTH, len(str(len(self._people))) + 1)
        rebuild = shape != self._shown
        if rebuild:
            self._build(grid)
            self._shown = shape
        else:
            self._update_cells(grid)
        self._fill_cover(rebuild)
        self._show_info()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if event.data_table.id == "roster-grid":
            self._show_info()

    # ---------------------------------------------------------------- cursor
    def cursor_day(self) -> dt.date | None:
        grid = self.query_one("#roster-grid", DataTable)
        if not grid.row_count:
            return None
        column = grid.cursor_coordinate.column
        days = self.days
        return days[column] if 0 <= column < len(days) else None

    def cursor_person(self) -> Staff | None:
        grid = self.query_one("#roster-grid", DataTable)
        row = grid.cursor_coordinate.row
        return self._people[row] if 0 <= row < len(self._people) else None

    def _current_code(self) -> str | None:
        person, day = self.cursor_person(), self.cursor_day()
        if not person or not day:
            return None
        return self._cells.get(person.id, {}).get(day.isoformat())

    def action_month(self, step: int) -> None:
        move = rules.next_month if step > 0 else rules.previous_month
        self.year, self.month = move(self.year, self.month)
        self.refresh_data()

    def action_today(self) -> None:
        today = self.floor.today()
        self.year, self.month = today.year, today.month
        self.refresh_data()
        self.query_one("#roster-grid", DataTable).move_cursor(column=today.day - 1)

    def action_violations(self) -> None:
        label = f"{self.year:04d}-{self.month:02d}"
        self.app.push_screen(TextPanel(
            _("Rules not met in {month} ({n})").format(month=label, n=len(self._violations)),
            [rules.shown(v) for v in self._violations]))

    def action_handovers(self) -> None:
        from screens.roster_handover import HandoverScreen

        self.app.push_screen(HandoverScreen(self.cursor_day() or self.floor.today()))

    # ---------------------------------------------------------------- generate
    def action_generate(self) -> None:
        year, month = self.year, self.month
        if not self.floor.roster.has_roster(year, month):
            self._start_generation(year, month, replace=False)
            return
        edited = len(self.floor.roster.edited_cells(year, month))
        question = _("{month} already has a roster ({edited} cell(s) changed by hand). Replace "
                     "it with a new one? The old cells stay in the history; leave entered in it "
                     "is kept.").format(month=f"{year:04d}-{month:02d}", edited=edited)

        def answer(yes: bool | None) -> None:
            if yes:
                self._start_generation(year, month, replace=True)

        self.app.push_screen(Confirm(question), answer)

    def _start_generation(self, year: int, month: int, replace: bool) -> None:
        self.query_one("#roster-grid", DataTable).loading = True
        self.generate_month(year, month, replace)

    @work(thread=True, exclusive=True, group="roster-generate")
    def generate_month(self, year: int, month: int, replace: bool) -> None:
        try:
            done = self.floor.roster.generate(year, month, replace=replace)
        except FloorError as exc:
            self.app.call_from_thread(self._generation_failed, str(exc))
            return
        self.app.call_from_thread(self._generated, done)

    def _generation_failed(self, message: str) -> None:
        self.query_one("#roster-grid", DataTable).loading = False
        self.notify(message, severity="error")

    def _generated(self, done: Generated) -> None:
        self.query_one("#roster-grid", DataTable).loading = False
        self.refresh_data()
        self._tell(_("Roster {month} generated").format(
            month=f"{done.year:04d}-{done.month:02d}"), done.violations)
