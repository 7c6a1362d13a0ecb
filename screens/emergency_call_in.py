"""The emergency screen's "staff taken ill": who is ill, and calling in a resting agent.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len

from floorapp.i18n import _, fmt_date
from screens.emergency_prompts import PickScreen, PromptScreen

NO_CALL_IN = "--no-call-in--"


class IllCallIn:
    """Staff taken ill: note who, and call in a resting agent today or tomorrow with the
    centre director's approval. Composed into the EmergencyScreen."""

    def ask_who_is_ill(self, incident_id: str) -> None:
        """Staff taken ill: the first thing recorded is who (a note on the incident)."""

        def answered(text: str | None) -> None:
            if not text or not text.strip():
                return
            found = self.floor.find_staff(text.strip())
            who = f"{found[0].id} {found[0].name}" if len(found) == 1 else text.strip()
            self._show(self._guard(self.service.note, incident_id,
                                   _("taken ill: {who}").format(who=who)),
                       _("Noted: {who} taken ill").format(who=who))

        self.app.push_screen(PromptScreen(_("Who is taken ill?"),
                                          _("Staff id or name; saved as a note on the "
                                            "incident. Esc: later (t adds a note)")), answered)

    def action_call_in(self, offer_plain_tick: bool = False) -> None:
        """Staff taken ill: call in a resting agent, with the centre director's approval.
        From the roster step, the first choice ticks it without a call-in."""
        if self.current is None:
            return
        incident_id = self.current["id"]
        today = self.floor.today()
        options = []
        # The ill agent's place today, or tomorrow's when they will still be off.
        for day, word in ((today, _("today")), (today + dt.timedelta(days=1), _("tomorrow"))):
            # names padded in terminal cells: a CJK name takes two per character
            options += [(f"{s.id}|{day.isoformat()}",
                         f"{s.id}  {s.name}{' ' * max(1, 10 - cell_len(s.name))}{s.team} — "
                         f"{word} {fmt_date(day)}")
                        for s in self.service.resting_agents(day)]
        if offer_plain_tick:
            options.insert(0, (NO_CALL_IN, _("No call-in: the roster is rearranged otherwise")))

        def picked(choice: str | None) -> None:
            if not choice:
                return
            if choice == NO_CALL_IN:
                self._show(self._guard(self.service.tick, incident_id, "roster"),
                           _("Roster step done"))
                return
            staff_id, day_text = choice.split("|")
            day = dt.date.fromisoformat(day_text)

            def approved(approver: str | None) -> None:
                if approver is None:
                    return

                def reasoned(reason: str | None) -> None:
                    if reason is None:
                        return
                    self._show(self._guard(self.service.call_in, incident_id, staff_id,
                                           approver, reason, "D", day),
                               _("{id} called in; approval recorded").format(id=staff_id))

                self.app.push_screen(PromptScreen(
                    _("Reason for calling in {id}").format(id=staff_id),
                    value=_("cover for incident {id}").format(id=incident_id),
                    required=False), reasoned)

            self.app.push_screen(PromptScreen(
                _("Call in {id} on {day}").format(id=staff_id, day=f"{day:%Y-%m-%d}"),
                _("Approver (the centre director 中心主任):")), approved)

        self.app.push_screen(PickScreen(_("Call in a resting agent (today or tomorrow)"),
                                        options, _("No agent is resting today or tomorrow.")),
                             picked)
