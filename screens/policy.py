"""F8: the centre's policy — every business number, its rule, and editing by keyboard.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.policy import Policy
from floorapp.services import Floor
from screens.base import RightsMixin
from screens.policy_notes import note
from screens.text import plain
from screens.widgets.footer import SteadyFooter
from screens.widgets.tables import FixedTable


def shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)


class PolicyScreen(RightsMixin, ModalScreen[None]):
    """Pick a value with the cursor, Enter to edit, Enter to save (validated), Esc to leave."""

    ACTION_RIGHTS = {"edit": "policy.change"}
    CSS_PATH = "policy.tcss"
    BINDINGS = [
        Binding("escape", "close", _("Close")),
        Binding("enter", "edit", _("Edit value"), show=True),
        Binding("slash", "find", _("Find key")),
    ]

    def __init__(self, floor: Floor) -> None:
        super().__init__()
        self.floor = floor
        self.defaults = Policy().to_dict()
        self.editing: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="policy"):
            heading = _("Policy")
            yield Static(f"[b]{heading}[/b] — " + _("every business number of this centre. "
                                                    "Enter edits the value under the cursor."),
                         markup=True)
            yield FixedTable(id="values", cursor_type="row", zebra_stripes=True)
            yield Static(id="note")
            yield Input(id="entry", placeholder=_("new value, Enter saves, Esc cancels"))
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#values", DataTable)
        table.add_columns(_("key"), _("value"))
        self.fill()
        self.query_one("#entry", Input).display = False
        table.focus()

    def fill(self) -> None:
        table = self.query_one("#values", DataTable)
        row = table.cursor_row
        table.clear()
        for key, value in self.floor.policy.to_dict().items():
            text = shown(value)
            table.add_row(key, plain(text if len(text) <= 40 else text[:39] + "…"), key=key)
        if row is not None and 0 <= row < table.row_count:
            table.move_cursor(row=row)

    def current_key(self) -> str | None:
        table = self.query_one("#values", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_note(str(event.row_key.value))

    def show_note(self, key: str) -> None:
        """The value now and the default beside the rule's note, in the interface language
        with the numbers in force (the note of late_per_minute says 2 once it is set to 2)."""
        values = {name: shown(value) for name, value in self.floor.policy.to_dict().items()}
        default = shown(self.defaults.get(key))
        line = _("{key} = {now} (default {default})").format(key=key, now=values.get(key, ""),
                                                            default=default)
        text = note(key, values)
        if text:
            line += "\n" + _("Rule it comes from: {note}").format(note=text)
        self.query_one("#note", Static).update(Text(line))

    def action_edit(self) -> None:
        key = self.current_key()
        if key is None:
            return
        if self.editing:
            return
        self.editing = key
        entry = self.query_one("#entry", Input)
        entry.display = True
        entry.value = shown(self.floor.policy.to_dict()[key])
        entry.border_title = key
        entry.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.refused("edit"):
            self.refuse_notice("edit")
            return
        self.action_edit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "find":
            return
        key = self.editing
        if key is None:
            return
        try:
            if self.floor.policy.with_value(key, event.value.strip()) == self.floor.policy:
                self.notify(_("{key} is already {value}: nothing changed").format(
                    key=key, value=shown(self.floor.policy.to_dict()[key])))
                self.stop_editing()
                return
            policy = self.floor.set_policy_value(key, event.value.strip())
        except FloorError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.notify(_("{key} = {value} (saved, audited)").format(
            key=key, value=shown(policy.to_dict()[key])))
        self.stop_editing()
        self.fill()
        self.show_note(key)

    def stop_editing(self) -> None:
        self.editing = None
        entry = self.query_one("#entry", Input)
        entry.display = False
        self.query_one("#values", DataTable).focus()

    def action_close(self) -> None:
        if self.editing:
            self.stop_editing()
            return
        self.dismiss()

    def action_find(self) -> None:
        """Jump to the first key containing what is typed after '/' (type, then Enter)."""
        table = self.query_one("#values", DataTable)
        self.app.push_screen(_FindKey(), self._jump)
        del table

    def _jump(self, text: str | None) -> None:
        if not text:
            return
        table = self.query_one("#values", DataTable)
        for index, key in enumerate(self.floor.policy.to_dict()):
            if text.lower() in key:
                table.move_cursor(row=index)
                return
        self.notify(_("no policy key contains {text!r}").format(text=text), severity="warning")


class _FindKey(ModalScreen[str]):
    BINDINGS = [Binding("escape", "dismiss", _("Cancel"))]
    DEFAULT_CSS = "_FindKey { align: center bottom; } _FindKey Input { width: 60; }"

    def compose(self) -> ComposeResult:
        yield Input(placeholder=_("part of a policy key, Enter"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())
