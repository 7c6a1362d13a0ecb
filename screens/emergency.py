"""The emergency section (突发事件, SPEC §8): F9 from anywhere.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Without an open incident the screen offers the checklists, one key each (f fire, i ill,
o outage, a centre's own letters). With one, it shows a running timer, the numbers to call,
the steps (1–9 tick a step; ↑↓ and s skip with a reason, u undo), notes (t), the call-in of a
resting agent (r, staff taken ill), close (c) and the log (l). Every key press that changes
something is saved at once through the emergency service; nothing waits for an exit.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from floorapp.rules import emergency as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from screens.base import FloorScreen
from screens.emergency_call_in import IllCallIn
from screens.emergency_log import IncidentLog
from screens.emergency_prompts import PromptScreen
from screens.emergency_steps import IncidentSteps
from screens.emergency_view import STEP_CELLS, IncidentView
from screens.widgets.tables import FixedTable

INCIDENT_ACTIONS = {"tick", "tick_cursor", "cursor", "skip", "undo", "note", "close", "cancel",
                    "new", "call_in", "next_open"}
CHOOSER_ACTIONS = {"start", "add_checklist", "back"}


def _tick_bindings() -> list[Binding]:
    out = [Binding("1", "tick(1)", _("Tick step"), key_display="1-9")]
    out += [Binding(str(n), f"tick({n})", _("Tick step {n}").format(n=n), show=False)
            for n in range(2, 10)]
    return out


class EmergencyScreen(IncidentView, IncidentSteps, IllCallIn, IncidentLog, FloorScreen):
    ACTION_RIGHTS = {
        "start": "emergency.run", "add_checklist": "emergency.run", "tick": "emergency.run",
        "tick_cursor": "emergency.run", "skip": "emergency.run", "undo": "emergency.run",
        "note": "emergency.run", "call_in": "emergency.run", "close": "emergency.run",
        "cancel": "emergency.run"}
    SECTION = "emergency"
    TITLE = _("Emergency 突发事件")
    CSS_PATH = "emergency.tcss"
    BINDINGS = [
        # already here: the footer's room goes to the checklist keys
        Binding("f9", "app.switch_mode('emergency')", show=False, priority=True),
        Binding("f", "start('fire')", _("Fire")),
        Binding("i", "start('ill')", _("Ill")),
        Binding("o", "start('outage')", _("Outage")),
        Binding("a", "add_checklist", _("Add checklist")),
        Binding("escape", "back", _("Back"), show=False),
        *_tick_bindings(),
        Binding("space", "tick_cursor", _("Tick"), show=False),
        Binding("j", "cursor(1)", _("Next step"), show=False),
        Binding("k", "cursor(-1)", _("Previous step"), show=False),
        Binding("s", "skip", _("Skip")),
        Binding("u", "undo", _("Undo"), show=False),
        Binding("t", "note", _("Note")),
        Binding("r", "call_in", _("Call in")),
        Binding("c", "close", _("Close")),
        Binding("x", "cancel", _("Cancel"), show=False),
        Binding("n", "new", _("New"), show=False),
        Binding("w", "next_open", _("Next open"), show=False),
        Binding("l", "log", _("Log")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current: dict[str, Any] | None = None
        self.choosing = False
        self.open_rows: list[dict[str, Any]] = []

    @property
    def service(self):  # noqa: ANN201 - EmergencyService
        return self.floor.emergency

    # ------------------------------------------------------------------ layout
    def compose_body(self) -> ComposeResult:
        yield Static(id="em-title")
        yield Static(id="em-phones")
        with Vertical(id="em-incident"):
            table: DataTable = FixedTable(cursor_type="row", id="em-steps")
            table.add_column("#", width=1, key="n")
            table.add_column("", width=3, key="state")
            table.add_column(_("step  (* mandatory)"), width=STEP_CELLS, key="text")
            table.add_column(_("time"), width=8, key="time")
            table.add_column(_("who"), width=8, key="who")
            yield table
            yield Static(id="em-notes")
        yield Static(id="em-chooser")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.update_title)
        self.refresh_data()

    def on_resize(self) -> None:
        if self.current is not None:
            self.render_incident()

    # ------------------------------------------------------------------ data
    def refresh_data(self) -> None:
        try:
            self.open_rows = self.service.open_incidents()
            current = self.current
            if current is not None:
                current = self.service.incident(current["id"])
                if current["status"] != rules.OPEN:
                    current = None
            if current is None and self.open_rows and not self.choosing:
                current = self.service.incident(self.open_rows[-1]["id"])
            self.current = current
        except FloorError as exc:
            self.notify(str(exc), severity="error")
        self.render_all()

    # ----------------------------------------------------------------- keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.refused(action):
            return None
        showing = self.current is not None and not self.choosing
        if action in INCIDENT_ACTIONS:
            if not showing:
                return False
            if action == "call_in":
                return self.current is not None and self.current["kind"] == "ill"
            if action == "tick" and parameters:
                return int(parameters[0]) <= len(self.current["steps"]) or None
            if action == "next_open":
                return len(self.open_rows) > 1
            return True
        if action in CHOOSER_ACTIONS:
            if action == "back":
                return not showing and bool(self.open_rows)
            return not showing
        return True

    def on_key(self, event) -> None:  # noqa: ANN001
        """A centre's own checklists open with their own letter (chooser only)."""
        if self.current is not None and not self.choosing:
            return
        if event.character and len(event.character) == 1:
            checklist = self.service.checklist_for_key(event.character)
            if checklist is not None and checklist.kind == "custom":
                event.stop()
                self.action_start(checklist.id)

    def _guard(self, fn, *args) -> Any:  # noqa: ANN001
        try:
            return fn(*args)
        except FloorError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return None

    def _show(self, incident: dict[str, Any] | None, message: str = "") -> None:
        if incident is None:
            return
        self.current = self._guard(self.service.incident, incident["id"])
        if message and self.current is not None:
            self.notify(message, timeout=3)
        self.refresh_data()

    def action_start(self, checklist_id: str) -> None:
        incident = self._guard(self.service.start, checklist_id)
        if incident is not None:
            self.choosing = False
            self._show(incident, _("{title} opened: {id}").format(
                title=rules.incident_title(incident), id=incident["id"]))
            if incident.get("kind") == "ill":
                self.ask_who_is_ill(incident["id"])

    def action_back(self) -> None:
        self.choosing = False
        self.refresh_data()

    def action_new(self) -> None:
        self.choosing = True
        self.render_all()

    def action_next_open(self) -> None:
        ids = [r["id"] for r in self.open_rows]
        if self.current and self.current["id"] in ids:
            following = ids[(ids.index(self.current["id"]) + 1) % len(ids)]
            self._show({"id": following})

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.current is not None and not self.choosing:
            self.render_notes()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_tick(event.cursor_row + 1)

    def action_add_checklist(self) -> None:
        def done(path: str | None) -> None:
            if not path:
                return
            try:
                message = self.service.import_checklist(path.strip())
            except FloorError as exc:  # ImportRejected lists every problem
                self.notify(str(exc), severity="error", timeout=15)
                return
            self.notify(message)
            self.render_all()

        self.app.push_screen(PromptScreen(
            _("Add a centre's checklist"), _('JSON file: {"id", "name", "key", "steps": '
                                             '[{"code", "text", "mandatory", "input"}]} — path:')),
            done)
