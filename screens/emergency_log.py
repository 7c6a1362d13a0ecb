"""The emergency screen's incident log: every incident with its steps and timeline in full.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

from floorapp.rules import emergency as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.emergency import event_detail, step_detail
from screens.emergency_prompts import LogScreen, TextScreen
from screens.emergency_view import STATE_MARK, _clock


class IncidentLog:
    """Looking back: the log of incidents (l) and one incident's timeline as text, for the
    record after the event. Composed into the EmergencyScreen."""

    def action_log(self) -> None:
        self.app.push_screen(LogScreen(self.service.incidents(), self.timeline_text))

    def timeline_text(self, incident_id: str) -> str:
        try:
            incident = self.service.incident(incident_id)
        except FloorError as exc:
            return str(exc)
        status = rules.word(rules.STATUS_WORDS, incident["status"])
        started = _("started {time} by {who}").format(
            time=incident["started"][:19].replace("T", " "), who=incident["started_by"])
        ended = (_(", ended {time} by {who}").format(
            time=incident["closed"][:19].replace("T", " "), who=incident["closed_by"])
            if incident["closed"] else "")
        checklist_id = incident.get("checklist", "")
        lines = [f"{incident['id']}  {rules.incident_title(incident)}  [{status}]",
                 started + ended, "", _("Steps:")]
        for n, step in enumerate(incident["steps"], start=1):
            detail = step_detail(incident, step)
            lines.append(f" {n} {STATE_MARK[step['state']]} {'*' if step['mandatory'] else ' '}"
                         f"{rules.step_text(step, checklist_id)}")
            if step["state"] != rules.PENDING:
                lines.append(f"       {_clock(step['at'])} {step['by']}"
                             + (f" — {detail}" if detail else ""))
        lines += ["", _("Timeline:")]
        for event in incident["timeline"]:
            detail = event_detail(incident, event)
            action = rules.word(rules.ACTION_WORDS, event["action"])
            lines.append(f" {event['at'][:19].replace('T', ' ')} {event['by']}: "
                         f"{action} {event.get('step') or ''} {detail}".rstrip())
        return "\n".join(lines)

    def show_timeline(self, incident_id: str) -> None:
        self.app.push_screen(TextScreen(self.timeline_text(incident_id)))
