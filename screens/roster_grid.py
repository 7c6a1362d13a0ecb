"""The roster screen's grid: staff × days, the coverage rows under it and the info line above.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable, Static

from floorapp.rules import roster as rules
from floorapp.i18n import _, fmt_date, language
from screens.text import plain
from screens.widgets.tables import grown

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


class RosterGrid:
    """Reading the month at a glance: who works which code each day, whether each day is
    covered (red when short), the day's meeting and the rules not met. Drawn on the
    RosterScreen."""

    def label_width(self) -> int:
        return grown(LABEL_WIDTH, max(0, self.app.size.width - 80) // 4,
                     max((cell_len(f"{p.id} {p.name}") + 1 for p in self._people), default=0))

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
