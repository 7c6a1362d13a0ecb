"""The week's common problems (共性问题, SPEC §6): the floor's most frequent deductions, the
agents behind each, and whether the week's feedback is given; due within the week [000 §7].

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Opened from Monitoring (ctrl+g); ←/→ move a week back and forward, t comes back to this week,
f records that the week's common problems were fed back, Esc goes back. The rows are those of
`floor qa common` (the same service call).
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from floorapp.rules import monitoring as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.qa_review import common_state_text
from screens.base import FloorScreen
from screens.text import plain
from screens.widgets.tables import FixedTable

CARD_CELLS = 14  # the card and the item's text cut to fit 80 columns; the lines below the
ITEM_CELLS = 32  # table have them whole, with every agent's name


def _cut(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells (a CJK character takes two), … when cut."""
    if cell_len(text) <= cells:
        return text
    out = ""
    for char in text:
        if cell_len(out + char) > cells - 1:
            break
        out += char
    return out + "…"


class CommonProblemsScreen(FloorScreen):
    ACTION_RIGHTS = {"fed_back": "qa.feedback"}
    SECTION = "monitoring"
    TITLE = _("Common problems 共性问题")
    CSS_PATH = "common_problems.tcss"
    BINDINGS = [
        Binding("escape", "back", _("Back")),
        # over the table's own ←/→ (its cursor moves by row only)
        Binding("left", "week(-1)", _("Earlier"), priority=True, tooltip=_("Week before")),
        Binding("right", "week(1)", _("Later"), priority=True, tooltip=_("Week after")),
        Binding("t", "this_week", _("This week")),
        Binding("f", "fed_back", _("Fed back")),
    ]

    def __init__(self, day: dt.date | None = None) -> None:
        super().__init__()
        self.day = day
        self.problems: list = []

    def compose_body(self) -> ComposeResult:
        yield Static(id="cp-title", classes="cp-line")
        yield Static(id="cp-state", classes="cp-line")
        yield FixedTable(id="cp-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="cp-detail")

    def on_mount(self) -> None:
        if self.day is None:
            self.day = self.floor.today()
        table = self.query_one("#cp-table", DataTable)
        table.add_columns(_("card"), _("code"), _("times"), _("agents marked"), _("item"))
        table.focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        if self.day is None:
            return
        service = self.floor.monitoring
        start, end, self.problems = service.common_problems(self.day)
        state, due, fed_back = service.common_due(self.day)
        title = Text.assemble((_("Common problems {start} – {end}").format(
            start=rules.day_text(start), end=rules.day_text(end)), "bold"))
        if start <= self.floor.today() <= end:
            title.append(" · " + _("this week"), "green")
        self.query_one("#cp-title", Static).update(title)
        style = {"fed_back": "green", "overdue": "bold red"}.get(state, "")
        self.query_one("#cp-state", Static).update(
            Text(common_state_text(state, due, fed_back), style))
        table = self.query_one("#cp-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for p in self.problems:
            item = service.problem_item(p.template, p.code)
            text = item.shown if item else ""
            table.add_row(_cut(p.template, CARD_CELLS), p.code, str(p.occurrences),
                          str(len(p.agents)), plain(_cut(text, ITEM_CELLS)))
        if self.problems:
            table.move_cursor(row=min(cursor, len(self.problems) - 1))
        self.show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        detail = self.query_one("#cp-detail", Static)
        if not self.problems:
            detail.update(Text(_("No deductions marked this week."), "dim"))
            return
        row = self.query_one("#cp-table", DataTable).cursor_row
        p = self.problems[max(0, min(row, len(self.problems) - 1))]
        item = self.floor.monitoring.problem_item(p.template, p.code)
        names = {s.id: s.name for s in self.floor.staff(include_retired=True)}
        who = ", ".join(f"{sid} {names.get(sid, '')}".strip() for sid in p.agents)
        detail.update(Text.assemble(
            (f"{p.template} {p.code} ", "bold"), item.shown if item else "", "\n",
            _("{times} times in {evaluations} evaluations · {agents} agents: {who}").format(
                times=p.occurrences, evaluations=p.evaluations, agents=len(p.agents),
                who=plain(who).plain)))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_week(self, step: int) -> None:
        assert self.day is not None
        self.day += dt.timedelta(days=7 * step)
        self.refresh_data()

    def action_this_week(self) -> None:
        self.day = self.floor.today()
        self.refresh_data()

    def action_fed_back(self) -> None:
        assert self.day is not None
        if self.refused("fed_back"):
            self.refuse_notice("fed_back")
            return
        try:
            self.floor.monitoring.give_common_feedback(self.day)
        except FloorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(_("the week's common problems recorded as fed back"))
        self.refresh_data()
