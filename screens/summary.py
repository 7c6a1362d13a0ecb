"""F6 Summary (日报): the end-of-day summary of SPEC §9 for a chosen date.

Quota, attendance, monitoring and open incidents, as the features that own them provide them;
the same data as ``floor report day``. ``[``/``]`` move the date, ``t`` back to today, ``g``
types a date, ``x`` writes the agents table as CSV.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from floorapp.csvio import parse_date

from floorapp.errors import FloorError
from floorapp.services.quota import started_text
from screens.base import FloorScreen

ADVICE = {"add_seats": "add seats", "raise_volume": "raise call volume", "ok": "ok"}


class DateEntry(Input):
    """The go-to-date line, shown by ``g``; Escape hides it."""

    BINDINGS = [Binding("escape", "leave", "Cancel")]

    def action_leave(self) -> None:
        self.display = False
        self.screen.query_one("#agents", DataTable).focus()


class SummaryScreen(FloorScreen):
    SECTION = "summary"
    TITLE = "Summary 日报"
    CSS_PATH = "summary.tcss"
    BINDINGS = [
        Binding("left_square_bracket", "move(-1)", "Prev day", key_display="["),
        Binding("right_square_bracket", "move(1)", "Next day", key_display="]"),
        Binding("t", "today", "Today"),
        Binding("g", "goto", "Go to date"),
        Binding("x", "export", "Export CSV"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.day: dt.date | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="head")
        yield DataTable(id="agents", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail")
        yield Static(id="incidents")
        yield DateEntry(placeholder="date YYYY-MM-DD, Enter shows it, Esc cancels", id="date",
                        select_on_focus=False)

    def on_mount(self) -> None:
        table = self.query_one("#agents", DataTable)
        for label, key, width in [("id", "id", None), ("name", "name", 8), ("sh", "shift", 2),
                                  ("attendance", "att", 11), ("dial", "dial", 4),
                                  ("conn", "conn", 4), ("done/tgt", "done", 8), ("ord", "ord", 3),
                                  ("pts", "pts", 4), ("QA", "qa", 6), ("flags", "flags", None)]:
            table.add_column(label, key=key, width=width)
        table.fixed_columns = 2
        table.focus()

    def refresh_data(self) -> None:
        table = self.query_one("#agents", DataTable)
        if not table.columns:
            return
        if self.day is None:
            self.day = self.floor.today()
        quota = self.floor.quota
        try:
            fd = quota.floor_day(self.day)
        except FloorError as exc:
            self.notify(str(exc), severity="error")
            return
        policy = self.floor.policy
        row = table.cursor_row
        table.clear()
        self._agents = {a.staff_id: a for a in fd.agents}
        for a in fd.agents:
            points = -a.shortfall * policy.shortfall_points_per_call
            qa = ""
            if a.qa_done:
                qa = f"{a.qa_done}" + ("" if a.qa_mean is None else f" {a.qa_mean:.0f}%")
            att_style = {"absent": "bold red", "late": "yellow", "early": "yellow",
                         "leave": "cyan", "rest": "dim"}.get(a.attendance, "")
            table.add_row(
                a.staff_id, a.name, a.shift, Text(a.attendance_text, style=att_style),
                str(a.counts.dialed), str(a.counts.connected),
                Text(f"{a.counts.completed}/{a.target}",
                     style="red" if a.shortfall else "green"),
                str(a.counts.orders), Text(str(points) if points else "0",
                                           style="red" if points else ""),
                qa, " ".join(quota.flags(a)), key=a.staff_id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
        short = sum(1 for a in fd.agents if a.shortfall)
        rushing = sum(1 for a in fd.agents if a.rushing)
        head = Text.assemble(
            (f"{self.day:%a %Y-%m-%d}", "bold"),
            f" · {fd.seats} seats · avg dial {fd.avg_dialed:.1f} · ",
            (ADVICE[fd.advice], "bold" if fd.advice != "ok" else "green"), "\n",
            f"dialed {fd.totals.dialed} · conn {fd.totals.connected} · "
            f"done {fd.totals.completed} · ord {fd.totals.orders} · ",
            (f"under target {short}", "red" if short else ""), f" · rushing {rushing}",
        )
        self.query_one("#head", Static).update(head)
        incidents = self.query_one("#incidents", Static)
        if fd.incidents:
            lines = [f"{i.get('id', '')} {i.get('kind', '')} {i.get('title', '')} "
                     f"since {started_text(i.get('started', ''), self.day)}"
                     for i in fd.incidents[:3]]
            incidents.update(Text("Open incidents: " + " · ".join(lines), style="bold red"))
        else:
            incidents.update(Text("No open incidents", style="dim"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted agent in full: the grid cuts long attendance texts and flags."""
        agent = getattr(self, "_agents", {}).get(str(event.row_key.value))
        detail = self.query_one("#detail", Static)
        if agent is None:
            detail.update("")
            return
        flags = ", ".join(self.floor.quota.flags(agent)) or "no flags"
        detail.update(Text.assemble((f"{agent.staff_id} {agent.name}: ", "bold"),
                                    f"{agent.attendance_text} · {flags}"))

    def action_move(self, days: int) -> None:
        self.day = (self.day or self.floor.today()) + dt.timedelta(days=days)
        self.refresh_data()

    def action_goto(self) -> None:
        entry = self.query_one("#date", DateEntry)
        entry.value = (self.day or self.floor.today()).isoformat()
        entry.cursor_position = len(entry.value)
        entry.display = True
        entry.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            day = parse_date(event.value.strip())
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.day = day
        event.input.action_leave()
        self.refresh_data()

    def action_today(self) -> None:
        self.day = self.floor.today()
        self.refresh_data()

    def action_export(self) -> None:
        day = self.day or self.floor.today()
        try:
            path = self.floor.quota.export_day_csv(day)
        except FloorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"Exported: {path}", timeout=8)
