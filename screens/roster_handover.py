"""The handover log (交接班): a day's handovers — time, who handed over, who took over, notes and
open items. Reached from the roster screen with ``h``.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from floorapp.errors import FloorError
from floorapp.i18n import _, fmt_date
from screens.base import RightsMixin
from screens.roster_forms import Field, RosterForm
from screens.text import plain
from screens.widgets.footer import SteadyFooter
from screens.widgets.tables import FixedTable


class HandoverScreen(RightsMixin, Screen[None]):
    ACTION_RIGHTS = {"new": "handover.record"}
    TITLE = _("Handover 交接班")
    CSS_PATH = "roster.tcss"
    BINDINGS = [
        Binding("escape", "close", _("Back"), tooltip=_("Back to roster")),
        Binding("n", "new", _("New"), tooltip=_("New handover")),
        Binding("left_square_bracket", "day(-1)", _("Prev day")),
        Binding("right_square_bracket", "day(1)", _("Next day")),
        Binding("t", "today", _("Today"), show=False),
    ]

    def __init__(self, day: dt.date) -> None:
        super().__init__()
        self.day = day

    @property
    def floor(self):  # noqa: ANN201 - the app's Floor
        return self.app.floor  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield Static(id="handover-day", markup=False)
        yield FixedTable(id="handover-list", cursor_type="row", zebra_stripes=True)
        yield Static(id="handover-detail", markup=False)
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#handover-list", DataTable)
        table.add_column(_("time"), key="time")
        table.add_column(_("handed over"), key="from")
        table.add_column(_("taken over"), key="to")
        table.add_column(_("notes"), key="notes")
        table.add_column(_("open"), key="open")
        self.refresh_data()

    def refresh_data(self) -> None:
        self._entries = self.floor.roster.handovers(self.day)
        people = self.floor.staff_by_id()

        def who(staff_id: str) -> str:
            person = people.get(staff_id)
            return f"{staff_id} {person.name}" if person else staff_id

        table = self.query_one("#handover-list", DataTable)
        table.clear()
        for entry in self._entries:
            notes = entry.notes if len(entry.notes) <= 16 else entry.notes[:15] + "…"
            table.add_row(entry.time, plain(who(entry.from_id)), plain(who(entry.to_id)), plain(notes),
                          Text(str(len(entry.open_items)),
                               style="yellow" if entry.open_items else "dim"),
                          key=entry.key)
        line = (_("{date} {year}").format(date=fmt_date(self.day), year=self.day.year) + " · "
                + _("{n} handover(s)").format(n=len(self._entries)))
        line += f" · {self.floor.roster.day_line(self.day)}"
        self.query_one("#handover-day", Static).update(line)
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#handover-detail", Static)
        table = self.query_one("#handover-list", DataTable)
        if not self._entries:
            detail.update(_("No handover recorded this day. n records one."))
            return
        entry = self._entries[min(table.cursor_row, len(self._entries) - 1)]
        items = "\n".join(f"  □ {item}" for item in entry.open_items) or "  " + _("(none)")
        detail.update(_("{time} {giver} → {taker} (recorded by {by})").format(
            time=entry.time, giver=entry.from_id, taker=entry.to_id, by=entry.by)
            + f"\n{entry.notes}\n" + _("Open items:") + f"\n{items}")

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_day(self, step: int) -> None:
        self.day += dt.timedelta(days=step)
        self.refresh_data()

    def action_today(self) -> None:
        self.day = self.floor.today()
        self.refresh_data()

    def action_new(self) -> None:
        now = self.floor.now()
        fields = [Field("time", _("Time (HH:MM)"), value=f"{now:%H:%M}"),
                  Field("from_id", _("Handed over by (staff id)")),
                  Field("to_id", _("Taken over by (staff id)")),
                  Field("notes", _("Notes")),
                  Field("open", _("Open items (separate with ;)"))]

        def save(values: dict[str, str]) -> None:  # a FloorError keeps the form open
            self.floor.roster.add_handover(
                self.day, values["time"], self._staff_id(values["from_id"]),
                self._staff_id(values["to_id"]), values["notes"],
                values["open"].replace("；", ";").split(";"))

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            self.refresh_data()
            self.notify(_("Handover recorded."), timeout=3)

        self.app.push_screen(RosterForm(_("Handover on {day}").format(day=fmt_date(self.day)),
                                        fields, check=save), done)

    def _staff_id(self, text: str) -> str:
        found = self.floor.find_staff(text)
        if len(found) == 1 or (found and found[0].id.lower() == text.strip().lower()):
            return found[0].id
        if not found:
            raise FloorError(_("nobody on the staff register matches {text!r}").format(text=text))
        raise FloorError(_("{text!r} matches {n} people: type the staff id").format(
            text=text, n=len(found)))
