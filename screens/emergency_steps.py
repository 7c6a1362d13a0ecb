"""The emergency screen's keys for the steps of an open incident: tick, skip, undo, notes,
closing and cancelling.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

from textual.widgets import DataTable

from floorapp.rules import emergency as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from screens.emergency_prompts import PromptScreen


class IncidentSteps:
    """Working through an open incident's checklist: move between steps, tick or skip them
    (each saved at once), add notes, then close the incident (or cancel one opened by
    mistake). Composed into the EmergencyScreen."""

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#em-steps", DataTable)
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def _cursor_step(self) -> int:
        return self.query_one("#em-steps", DataTable).cursor_row + 1

    def action_tick_cursor(self) -> None:
        self.action_tick(self._cursor_step())

    def action_tick(self, number: int) -> None:
        if self.current is None:
            return
        incident_id = self.current["id"]
        try:
            step = rules.find_step(self.current, number)
        except FloorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.query_one("#em-steps", DataTable).move_cursor(row=number - 1)
        kind = step.get("input", "none")
        if self.current["kind"] == "ill" and step["code"] == "roster" \
                and step["state"] != rules.DONE:
            self.action_call_in(offer_plain_tick=True)
            return
        if kind == "none":
            self._show(self._guard(self.service.tick, incident_id, number),
                       _("Step {n} done").format(n=number))
            return
        label = rules.step_text(step, self.current.get("checklist", ""))
        title = _("Step {n}: {text}").format(n=number, text=label)
        hints = {
            "time": (_("HH:MM (or YYYY-MM-DD HH:MM); Enter alone = now"),
                     self.floor.now().strftime("%H:%M")),
            "text": (_("Type it and press Enter"), step.get("value") or ""),
            "scope": (_("p = provincial system · l = local terminal"), ""),
            "seats": (_("all = every agent on shift now ({n}); or staff ids separated by "
                        "spaces").format(
                          n=len(self.service.agents_on_shift(self.floor.today()))), "all"),
        }
        hint, value = hints.get(kind, ("", ""))

        def done(text: str | None) -> None:
            if text is None:
                return
            self._show(self._guard(self.service.tick_text, incident_id, number, text),
                       _("Step {n} done").format(n=number))

        self.app.push_screen(PromptScreen(title, hint, value, required=kind != "time"), done)

    def action_skip(self) -> None:
        if self.current is None:
            return
        number = self._cursor_step()
        step = self._guard(rules.find_step, self.current, number)
        if step is None:
            return
        incident_id = self.current["id"]

        def done(reason: str | None) -> None:
            if reason is None:
                return
            self._show(self._guard(self.service.skip, incident_id, number, reason),
                       _("Step {n} skipped").format(n=number))

        label = rules.step_text(step, self.current.get("checklist", ""))
        self.app.push_screen(PromptScreen(_("Skip step {n}: {text}").format(n=number, text=label),
                                          _("A skipped step needs a reason.")), done)

    def action_undo(self) -> None:
        if self.current is not None:
            number = self._cursor_step()
            self._show(self._guard(self.service.undo, self.current["id"], number),
                       _("Step {n} set back to to-do").format(n=number))

    def action_note(self) -> None:
        if self.current is None:
            return
        incident_id = self.current["id"]

        def done(text: str | None) -> None:
            if text is not None:
                self._show(self._guard(self.service.note, incident_id, text), _("Note saved"))

        self.app.push_screen(PromptScreen(_("Note"), _("Free text, saved with time and who.")),
                             done)

    def action_close(self) -> None:
        if self.current is None:
            return
        closed = self._guard(self.service.close, self.current["id"])
        if closed is not None:
            self.current = None
            self.notify(_("Incident {id} closed").format(id=closed["id"]), timeout=4)
            self.refresh_data()

    def action_cancel(self) -> None:
        if self.current is None:
            return
        incident_id = self.current["id"]

        def done(reason: str | None) -> None:
            if reason is None:
                return
            if self._guard(self.service.cancel, incident_id, reason) is not None:
                self.current = None
                self.notify(_("Incident {id} cancelled").format(id=incident_id), timeout=4)
                self.refresh_data()

        self.app.push_screen(PromptScreen(_("Cancel this incident (opened by mistake)?"),
                                          _("Why? The incident stays in the log.")), done)
