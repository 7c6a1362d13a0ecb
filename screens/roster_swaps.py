"""The roster screen's swaps and call-ins: changes with an approver, typed into a form.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

import datetime as dt

from floorapp.rules import roster as rules
from floorapp.errors import FloorError
from floorapp.i18n import _, fmt_date
from floorapp.services.leave import AlreadyAtWork
from floorapp.rules.staff import Staff
from screens.roster_edits import code_word
from screens.roster_forms import Field, RosterForm


class RosterSwaps:
    """Two agents swapping a day (and perhaps swapping back), or a resting agent called in,
    each with who approved it and why. Composed into the RosterScreen."""

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
