"""The roster section (Roster 排班): the month grid, edits by key, swaps, call-ins, generation.

Staff rows (id and name stay put) × day columns (scroll sideways); today and weekends marked in
the header; coverage per day underneath (agents on D, C1, C2), red when short. The cursor
day's pre-shift meeting and the Friday study are on the line above the grid.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from floorapp.rules import roster as rules
from floorapp.rules.attendance import leave_name
from floorapp.errors import FloorError
from floorapp.i18n import _, fmt_date, language
from floorapp.services.leave import AlreadyAtWork
from floorapp.services.roster import Generated
from floorapp.rules.staff import Staff
from screens.base import FloorScreen
from screens.roster_forms import Confirm, Field, RosterForm, TextPanel
from screens.text import plain
from screens.widgets.tables import FixedTable, grown

LABEL_WIDTH = 14
DAY_WIDTH = 3
CODE_STYLES = {"D": "", "C1": "cyan", "C2": "magenta", "A": "blue", rules.REST: "dim green"}


def fit(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal cells (CJK names count double)."""
    out = ""
    for char in text:
        if cell_len(out + char) > width:
            break
        out += char
    return out + " " * (width - cell_len(out))


def code_cell(code: str) -> Text:
    style = "yellow" if code in rules.LEAVE_TYPES else CODE_STYLES.get(code, "bold red")
    return Text(rules.short_code(code), style=style, justify="center")


class RosterScreen(FloorScreen):
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

    def label_width(self) -> int:
        return grown(LABEL_WIDTH, max(0, self.app.size.width - 80) // 4,
                     max((cell_len(f"{p.id} {p.name}") + 1 for p in self._people), default=0))

    def on_resize(self) -> None:
        if self.year and self._shown is not None and self.label_width() != self._label_width:
            self.refresh_data()

    def _sync_cover(self, value: float, again: bool = True) -> None:
        """The coverage rows scroll sideways with the grid (same columns, same widths)."""
        grid = self.query_one("#roster-grid", DataTable)
        cover = self.query_one("#roster-cover", DataTable)
        gutter = grid.styles.scrollbar_size_vertical if grid.show_vertical_scrollbar else 0
        width = grid.container_size.width - gutter
        # Once per new width: asked again after the refresh, the same width is left alone even
        # if the layout has not given it yet (the section hidden under help, or another
        # section shown) — re-asking on every refresh spun the event loop for good.
        if width > 0 and cover.size.width != width and width != self._cover_width:
            self._cover_width = width
            cover.styles.width = width
            if again:  # once: two widths taking turns (a scrollbar coming and going) end here
                self.call_after_refresh(self._sync_cover, grid.scroll_x, False)
        cover.scroll_x = value

    @property
    def days(self) -> list[dt.date]:
        return rules.month_days(self.year, self.month)

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

    def _build(self, grid: DataTable) -> None:
        cursor = grid.cursor_coordinate
        grid.clear(columns=True)
        today = self.floor.today()
        for day in self.days:
            label = Text(f"{day.day:02d}", justify="center")
            if rules.is_weekend(day):
                label.stylize("bold red")
            if day == today:
                label.stylize("reverse")
            grid.add_column(label, width=self._day_width, key=day.isoformat())
        for person in self._people:
            row = self._cells.get(person.id, {})
            grid.add_row(*[self._cell(row, day) for day in self.days], key=person.id,
                         label=plain(fit(f"{person.id} {person.name}", self._label_width)))
        if self._shown is None and (today.year, today.month) == (self.year, self.month):
            grid.move_cursor(row=0, column=today.day - 1)
        elif grid.row_count:
            grid.move_cursor(row=min(cursor.row, grid.row_count - 1),
                             column=min(cursor.column, len(self.days) - 1))

    def _cell(self, row: dict[str, str], day: dt.date) -> Text:
        code = row.get(day.isoformat())
        if code is None:
            return Text("·", style="dim", justify="center")
        return code_cell(code)

    def _update_cells(self, grid: DataTable) -> None:
        for person in self._people:
            row = self._cells.get(person.id, {})
            for day in self.days:
                new = self._cell(row, day)
                old = grid.get_cell(person.id, day.isoformat())
                if old.plain != new.plain:
                    grid.update_cell(person.id, day.isoformat(), new)

    COVER_ROWS = (("D", _("agents D≥{need}")), ("C1", _("C1 complaints")),
                  ("C2", _("C2 complaints")))

    def _fill_cover(self, rebuild: bool) -> None:
        """Agents on D and handlers on C1/C2 per day under the grid, red where short."""
        cover = self.query_one("#roster-cover", DataTable)
        need = self.floor.roster.required_agents(self.year, self.month)
        minimum = {"D": need, "C1": 1, "C2": 1}
        counts = rules.coverage(self._people, self._cells, self.days) if self._cells else []

        def cell(code: str, index: int) -> Text:
            if not counts:
                return Text("·", style="dim", justify="center")
            value = counts[index][code]
            style = "bold white on red" if value < minimum[code] else "green"
            return Text(str(value), justify="center", style=style)

        if rebuild:
            cover.clear(columns=True)
            for day in self.days:
                cover.add_column(f"{day.day:02d}", width=self._day_width, key=day.isoformat())
            for code, label in self.COVER_ROWS:
                cover.add_row(*[cell(code, n) for n in range(len(self.days))], key=code,
                              label=Text(fit(label.format(need=need), self._label_width),
                                         style="bold"))
        else:
            for code, _label in self.COVER_ROWS:
                for n, day in enumerate(self.days):
                    new = cell(code, n)
                    old = cover.get_cell(code, day.isoformat())
                    if old.plain != new.plain or old.style != new.style:
                        cover.update_cell(code, day.isoformat(), new)
        grid = self.query_one("#roster-grid", DataTable)
        self.call_after_refresh(self._sync_cover, grid.scroll_x)

    def _show_info(self) -> None:
        day = self.cursor_day()
        policy = self.floor.policy
        label = f"{self.year:04d}-{self.month:02d}"
        parts = [label]
        if not self._cells:
            parts.append(_("no roster yet: g generates one"))
        if day:
            parts.append(fmt_date(day) if language() == "zh" else f"{day:%a %d}")
            parts.append(_("meeting {time}").format(time=rules.meeting_time(policy, day)))
            if day.weekday() == 4:
                parts.append(_("study {time}").format(time=policy.friday_study_time))
            person = self.cursor_person()
            if person:
                parts.append(f"{person.id} {rules.shown(rules.role_word(person.role))}")
        self.query_one("#roster-info", Static).update(" · ".join(parts))
        problems = self.query_one("#roster-problems", Static)
        if not self._cells:
            problems.update("")
            problems.set_class(False, "bad")
        elif self._violations:
            # one line, cut with "…" (v lists them all)
            problems.update(Text(_("✗ {n} not met (v): {first}").format(
                n=len(self._violations), first=rules.shown(self._violations[0]))))
            problems.set_class(True, "bad")
        else:
            problems.update(_("✓ every rule met"))
            problems.set_class(False, "bad")

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

    # ---------------------------------------------------------------- edits
    def _save(self, code: str) -> None:
        person, day = self.cursor_person(), self.cursor_day()
        if not person or not day:
            self.notify(_("No cell under the cursor"), severity="warning")
            return

        def save(confirmed: bool) -> None:
            violations = self.floor.roster.set_cell(person.id, day, code, confirmed=confirmed)
            self.refresh_data()
            self._tell(f"{person.id} {day:%m-%d} → {code_word(code)}", violations)

        self._asking(save)

    def _asking(self, action) -> None:  # noqa: ANN001 - (confirmed: bool) -> None
        """Run ``action``; when it touches someone already at work, ask first (y/n) and run
        it again confirmed on yes. Any refusal is shown, nothing is saved."""
        try:
            action(False)
        except AlreadyAtWork as exc:
            def answered(yes: bool | None) -> None:
                if not yes:
                    self.notify(_("Nothing changed."), timeout=3)
                    return
                try:
                    action(True)
                except FloorError as again:
                    self.notify(str(again), severity="error", markup=False)

            self.app.push_screen(Confirm(exc.question), answered)
        except FloorError as exc:
            self.notify(str(exc), severity="error", markup=False)

    def _tell(self, done: str, violations: list[str]) -> None:
        if violations:
            self.notify(_("{done}. {n} rule(s) not met: {first}").format(
                done=done, n=len(violations), first=rules.shown(violations[0])),
                        severity="warning", timeout=6)
        else:
            self.notify(_("{done}. Every rule met.").format(done=done), timeout=3)

    def action_set_code(self, code: str) -> None:
        self._save(code)

    def action_complaint(self) -> None:
        self._save("C2" if self._current_code() == "C1" else "C1")

    def action_leave(self) -> None:
        current = self._current_code()
        kinds = rules.LEAVE_TYPES
        nxt = kinds[(kinds.index(current) + 1) % len(kinds)] if current in kinds else kinds[0]
        self._save(nxt)

    def action_cycle(self) -> None:
        person = self.cursor_person()
        if not person:
            return
        codes = [*rules.ROLE_CODES.get(person.role, ("D",)), rules.REST]
        current = self._current_code()
        nxt = codes[(codes.index(current) + 1) % len(codes)] if current in codes else codes[0]
        self._save(nxt)

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

    # ---------------------------------------------------------------- swap
    def _pick(self, text: str, what: str) -> Staff:
        found = self.floor.find_staff(text)
        if not found:
            raise FloorError(_("{what}: nobody matches {text!r}").format(what=what, text=text))
        if len(found) > 1 and found[0].id.lower() != text.strip().lower():
            names = ", ".join(s.id for s in found[:4])
            raise FloorError(_("{what}: {text!r} matches {n} people ({names}…)").format(
                what=what, text=text, n=len(found), names=names))
        return found[0]

    def action_swap(self) -> None:
        person, day = self.cursor_person(), self.cursor_day()
        if not person or not day:
            return
        fields = [Field("other", _("Swap with (id or part of the name)")),
                  Field("back", _("…and swap back on day (DD, optional)"),
                        placeholder=_("e.g. 24")),
                  Field("approver", _("Approved by")),
                  Field("reason", _("Reason"))]
        title = _("Swap {pid} {name} on {day} ({code})").format(
            pid=person.id, name=person.name, day=fmt_date(day),
            code=code_word(self._current_code()))

        saved: dict[str, object] = {}

        def swap(values: dict[str, str], confirmed: bool) -> None:
            other = self._pick(values["other"], _("swap with"))
            back = self._day_of(values["back"]) if values["back"].strip() else None
            saved["violations"] = self.floor.roster.swap(person.id, other.id, day,
                                                         values["approver"], values["reason"],
                                                         back, confirmed=confirmed)
            saved["other"] = other.id

        def told() -> None:
            self.refresh_data()
            self._tell(_("Swapped {a} ↔ {b} on {day}").format(a=person.id, b=saved["other"],
                                                               day=fmt_date(day)),
                       saved["violations"])

        self._form(title, fields, swap, told)

    def _form(self, title: str, fields: list[Field], act, told) -> None:  # noqa: ANN001
        """A roster form whose ``act(values, confirmed)`` saves: a refusal keeps the form open
        with what was typed; a change touching someone already at work is asked about (y/n)
        once the form is closed, and ``told()`` says what was done."""
        ask: dict[str, bool] = {}

        def save(values: dict[str, str]) -> None:  # a FloorError keeps the form open
            try:
                act(values, False)
            except AlreadyAtWork:
                ask["ask"] = True

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            if ask.pop("ask", False):
                self._asking(lambda confirmed: (act(values, confirmed), told()))
                return
            told()

        self.app.push_screen(RosterForm(title, fields, check=save), done)

    def _day_of(self, text: str) -> dt.date:
        try:
            number = int(text.strip())
            return dt.date(self.year, self.month, number)
        except ValueError:
            raise FloorError(_("day {text!r} is not a day of {month}").format(
                text=text, month=f"{self.year:04d}-{self.month:02d}")) from None

    # ---------------------------------------------------------------- call-in
    def action_call_in(self) -> None:
        person, day = self.cursor_person(), self.cursor_day()
        if not person or not day:
            return
        code = rules.ROLE_CODES.get(person.role, ("D",))[0]
        fields = [Field("code", _("Shift"), value=code),
                  Field("approver", _("Approved by (centre director)")),
                  Field("reason", _("Reason"), placeholder=_("e.g. A012 taken ill"))]
        title = _("Call in {pid} {name} on {day} (resting)").format(
            pid=person.id, name=person.name, day=fmt_date(day))

        def call(values: dict[str, str], confirmed: bool) -> None:
            self.floor.roster.call_in(person.id, day, values["code"], values["approver"],
                                      values["reason"], confirmed=confirmed)

        def told() -> None:
            self.refresh_data()
            self._tell(_("{pid} called in on {day}").format(pid=person.id, day=fmt_date(day)),
                       self._violations)

        self._form(title, fields, call, told)

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


def code_word(code: str) -> str:
    """A roster code as people read it: leave in words ("sick leave" / 病假), shifts as coded."""
    return leave_name(code) if code in rules.LEAVE_TYPES else code
