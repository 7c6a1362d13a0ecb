"""The roster screen's edits by key: one cell's code (D, C1/C2, A, rest, leave), saved at once.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

from floorapp.rules import roster as rules
from floorapp.rules.attendance import leave_name
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.leave import AlreadyAtWork
from screens.roster_forms import Confirm


class RosterEdits:
    """Changing the cell under the cursor: a shift, rest or leave by one key, asked about
    first when it touches someone already at work, and told which rules are then not met.
    Composed into the RosterScreen."""

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


def code_word(code: str) -> str:
    """A roster code as people read it: leave in words ("sick leave" / 病假), shifts as coded."""
    return leave_name(code) if code in rules.LEAVE_TYPES else code
