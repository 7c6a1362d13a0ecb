"""Attendance's quick entry line (考勤): arrivals, departures, reasons and leave typed as
``a001 8:12``, checked as they are typed, saved on Enter, and in/out now for the highlighted row.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.validation import ValidationResult, Validator
from textual.widgets import DataTable, Input, Label, Static

from floorapp.errors import FloorError
from floorapp.i18n import N_, _

if TYPE_CHECKING:
    from screens.attendance import AttendanceScreen

ACTION_LABELS = {"in": N_("Arrival"), "out": N_("Departure"), "reason": N_("Reason"),
                 "leave": N_("Leave")}
ACTION_HINTS = {
    # each fits beside the action label at 80 columns
    "in": N_("id or name, time (default now): a001 / 欧阳 8:12 · a001 cancel"),
    "out": N_("id or name, time (default now): a001 17:26 · a001 cancel"),
    "reason": N_("id or name, then the reason: a001 bus broke down"),
    "leave": N_("id or name, type, days: a001 sick 0.5 · a001 cancel"),
}
# Reason and leave are usually for the person under the cursor: the id may be left out.
ROW_HINT = N_("{id} {name} (the highlighted row) unless the line starts with another id")


class EntryValidator(Validator):
    """Checks a quick entry with the service as it is typed; nothing is saved."""

    def __init__(self, screen: AttendanceScreen) -> None:
        super().__init__()
        self.screen = screen

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.failure(_("type a staff id or part of a name"))
        try:
            self.screen.parse(value)
        except FloorError as exc:
            return self.failure(str(exc))
        return self.success()


class AttendanceEntry:
    """Recording the day as it happens: a/d/r/l open the entry line for an arrival, a
    departure, a reason or leave; what is typed is parsed (for the highlighted row's person
    when it names no one), ↑/↓ pick among several matches, Enter saves; i/o punch the
    highlighted row in or out now.

    A part of AttendanceScreen (its state and the entry line's @on handlers live there)."""

    # -------------------------------------------------------------- entry
    def parse(self, text: str):  # noqa: ANN201 - Entry
        """Parse an entry; the validator and the preview of one keystroke share the result."""
        key = (text, self.action, self.current_day(), self.floor.store.stamp(), self.row_staff,
               self._pick_for(text))
        if self._parsed is None or self._parsed[0] != key:
            try:
                self._parsed = (key, self._parse_for_row(text))
            except FloorError as exc:
                self._parsed = (key, exc)
        result = self._parsed[1]
        if isinstance(result, FloorError):
            raise result
        return result

    def _parse_for_row(self, text: str):  # noqa: ANN202 - Entry
        """The line as typed; failing that, for a reason or leave, the same line for the
        highlighted row's person (``sick 0.5`` after ``l``). A typed id always wins."""
        try:
            return self.service.parse_entry(text, self.action, self.current_day(),
                                            pick=self._pick_for(text))
        except FloorError as first:
            if not self.row_staff or self.action not in ("reason", "leave"):
                raise
            try:
                return self.service.parse_entry(f"{self.row_staff} {text}", self.action,
                                                self.current_day())
            except FloorError:
                raise first from None

    def _who_typed(self, text: str) -> str:
        return self.service.entry_who(text).lower()

    def _pick_for(self, text: str) -> int | None:
        """The match ↑/↓ chose for the name as typed now (None: not chosen, or retyped)."""
        if self.pick is None or self.pick[0] != self._who_typed(text):
            return None
        return self.pick[1]

    def action_other_person(self, step: int) -> None:
        """↑/↓ in the entry line: the previous/next of everyone the typed name matches."""
        entry = self.query_one("#att-entry", Input)
        if self.focused is not entry:
            return
        found = self.service.entry_matches(entry.value)
        if len(found) < 2:
            return
        current = self._pick_for(entry.value)
        index = (0 if step > 0 else -1) if current is None else current + step
        self.pick = (self._who_typed(entry.value), index % len(found))
        entry.validate(entry.value)
        self.entry_changed(Input.Changed(entry, entry.value))

    def action_entry(self, action: str) -> None:
        if self.month_view:  # entry is for the day: back to it, the line shows again
            self.action_toggle_month()
        self.action = action
        self.query_one("#att-action", Label).update(
            _("{action} ▸").format(action=_(ACTION_LABELS[action])))
        entry = self.query_one("#att-entry", Input)
        entry.placeholder = _(ACTION_HINTS[action])
        staff_id = self._highlighted(self.active_table())
        # Nothing typed for the user (a prefilled id turned "a005 …" into "A002 a005 …"): the
        # highlighted row's person is used when the line names no one, and the hint says so.
        self.row_staff = staff_id if action in ("reason", "leave") else None
        entry.value = ""
        self.query_one("#att-hint", Static).update(self._idle_hint())
        entry.focus()

    def _idle_hint(self) -> str:
        hint = _(ACTION_HINTS[self.action])
        if self.row_staff:
            try:
                name = self.active_table().get_cell(self.row_staff, "name")
            except Exception:  # the rows are being rebuilt
                name = ""
            hint = _(ROW_HINT).format(id=self.row_staff, name=name) + "\n" + hint
        return hint

    def action_cancel_entry(self) -> None:
        entry = self.query_one("#att-entry", Input)
        entry.value = ""
        self.row_staff = None
        self.query_one("#att-hint", Static).update("")
        self.active_table().focus()

    def _refused(self, exc: FloorError) -> None:
        message = _("Not saved: {error}").format(error=exc)
        self.notify(message, severity="error", markup=False)
        self.query_one("#att-hint", Static).update(Text(message, style="red"))

    def _saved(self, entry, message: str, field: Input) -> None:  # noqa: ANN001 - Entry
        # a routine save is confirmed on the entry's own line, not by a toast over the grid
        self.row_staff = None  # the line is done: the next one takes the row then highlighted
        self.pick = None
        field.value = ""
        self.query_one("#att-hint", Static).update(Text(message, style="green"))
        self.refresh_data()
        table = self.active_table()
        self._restore(table, entry.staff.id)
        table.focus()

    def action_now(self, action: str) -> None:
        """In / out now for the person under the cursor."""
        staff_id = self._highlighted(self.query_one("#att-today", DataTable))
        if not staff_id or self.month_view:
            return
        try:
            message = self.service.apply(self.service.parse_entry(staff_id, action,
                                                                  self.current_day()))
        except FloorError as exc:
            self.notify(_("Not saved: {error}").format(error=exc), severity="error")
            return
        self.query_one("#att-hint", Static).update(Text(message, style="green"))  # no toast
        self.refresh_data()
