"""The emergency screen's view: the title with its timer, the numbers to call, the steps, the
notes under them and the chooser of checklists.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or the CLI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual.widgets import DataTable, Static

from floorapp.rules import emergency as rules
from floorapp.i18n import _, ngettext
from floorapp.services.emergency import event_detail, pending_steps, step_detail, value_text
from screens.widgets.tables import set_column_width

STEP_CELLS = 44  # a step's words at 80 columns
STATE_MARK = {rules.DONE: "[x]", rules.SKIPPED: "[-]", rules.PENDING: "[ ]"}


def _short(value: Any) -> str:
    """A step's value in a few cells: a time as HH:MM, seats as a count."""
    if isinstance(value, dict):
        staff = value.get("staff", [])
        if value.get("all_on_shift"):
            return _("all on shift ({n})").format(n=len(staff))
        return " ".join(staff) if len(staff) <= 3 else _("{n} seats").format(n=len(staff))
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
        try:
            return dt.datetime.fromisoformat(value).strftime("%H:%M")
        except ValueError:
            return value
    return value_text(value)


def _clock(iso: str | None) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%H:%M:%S") if iso else ""


class IncidentView:
    """What the supervisor sees during an emergency: the open incident with its timer, steps
    and latest events, or the checklists to open one. Drawn on the EmergencyScreen."""

    def render_all(self) -> None:
        showing = self.current is not None and not self.choosing
        self.query_one("#em-incident").display = showing
        self.query_one("#em-chooser").display = not showing
        self.query_one("#em-phones", Static).update(self.phones_text())
        if showing:
            self.render_incident()
        else:
            self.render_chooser()
        self.update_title()
        self.refresh_bindings()

    def phones_text(self) -> str:
        policy = self.floor.policy

        def number(value: str) -> str:
            if value:
                return f"[b]{value}[/b]"
            # a supervisor at the console gets the number or whom to ask, never a command
            return "[i]" + _("not set: ask a manager (F8)") + "[/i]"

        superior = number(policy.phone_superior)
        officer = number(policy.phone_fire_safety_officer)
        head = _("☎ Fire {fire} · Ambulance {ambulance}").format(
            fire=f"[b]{policy.phone_fire}[/b]", ambulance=f"[b]{policy.phone_ambulance}[/b]")
        sup = _("Superior {number}").format(number=superior)
        off = _("Fire-safety officer {number}").format(number=officer)
        if policy.phone_superior and policy.phone_fire_safety_officer:
            return f"{head} · {sup}\n  {off}"
        return f"{head}\n  {sup}\n  {off}"

    def update_title(self) -> None:
        title = self.query_one("#em-title", Static)
        others = len(self.open_rows)
        if self.current is None or self.choosing:
            head = "[b]" + _("Choose a checklist") + "[/b]"
            if others:
                head += "  ·  " + ngettext("{n} open incident — Esc returns",
                                           "{n} open incidents — Esc returns",
                                           others).format(n=others)
            title.update(head)
            return
        # an outage runs from the time it began when step 1 gave one, not from the key press
        started = rules.outage_start(self.current) if self.current["kind"] == "outage" \
            else dt.datetime.fromisoformat(self.current["started"])
        elapsed = rules.elapsed_text(started, self.floor.now())
        more = ("  ·  " + _("{n} open (w next)").format(n=others)) if others > 1 else ""
        since = _("since {time}").format(time=f"{started:%H:%M}")
        name = rules.incident_title(self.current).replace("[", r"\[")
        title.update(f"[b reverse red] {name} [/] {self.current['id']}  "
                     f"⏱ [b]{elapsed}[/b]  {since}{more}")

    def render_incident(self) -> None:
        assert self.current is not None
        table = self.query_one("#em-steps", DataTable)
        row = table.cursor_row
        table.clear()
        # the step's words grow into a wider terminal (44 cells at 80 columns)
        set_column_width(table, "text", STEP_CELLS + max(0, self.app.size.width - 80))
        for n, step in enumerate(self.current["steps"], start=1):
            mark = "*" if step["mandatory"] else " "
            detail = step["reason"] or (
                step_detail(self.current, step) if step["code"] == "roster" and step.get("value")
                else _short(step.get("value")))
            label = rules.step_text(step, self.current.get("checklist", ""))
            text = f"{mark}{label}" + (f" → {detail}" if detail else "")
            style = {rules.DONE: "green", rules.SKIPPED: "yellow"}.get(step["state"], "")
            table.add_row(str(n), Text(STATE_MARK[step["state"]], style=style),
                          Text(text, no_wrap=True, overflow="ellipsis"),
                          _clock(step["at"]), Text(step["by"] or ""), key=step["code"])
        if self.current["steps"]:
            table.move_cursor(row=min(max(row, 0), len(self.current["steps"]) - 1))
        self.render_notes()
        table.focus()

    def render_notes(self) -> None:
        """The highlighted step in full, the latest events, what is left before closing."""
        assert self.current is not None
        table = self.query_one("#em-steps", DataTable)
        lines = []
        if self.current["steps"]:
            n = min(max(table.cursor_row, 0), len(self.current["steps"]) - 1) + 1
            lines.append(f"▸ {n}: " + rules.step_text(self.current["steps"][n - 1],
                                                      self.current.get("checklist", "")))
        numbers = {s["code"]: n for n, s in enumerate(self.current["steps"], start=1)}
        for event in self.current["timeline"][-5:]:
            detail = event_detail(self.current, event) if event.get("action") == "call-in" \
                or event.get("step") == "roster" else (
                    event.get("reason") or _short(event.get("value"))
                    or event_detail(self.current, event))
            # the step's number on the checklist above, not its code
            step = f"{numbers.get(event['step'], event['step'])} " if event.get("step") else ""
            action = rules.word(rules.ACTION_WORDS, event["action"])
            lines.append(f"{_clock(event['at'])} {event['by']}: {action} {step}{detail}")
        pending = pending_steps(self.current)  # numbers and words, not the steps' codes
        footer = (_("To do before closing: {numbers} — next: {step}").format(
                      numbers=", ".join(str(n) for n, _text in pending), step=pending[0][1])
                  if pending else _("All mandatory steps done — c closes the incident"))
        self.query_one("#em-notes", Static).update(
            Text("\n".join(lines + [footer]), no_wrap=True, overflow="ellipsis"))

    def render_chooser(self) -> None:
        lines = [_("Press one key to open an incident (the timer starts at once):"), ""]
        for checklist in self.service.checklists():
            mandatory = sum(1 for s in checklist.steps if s.mandatory)
            counts = _("({n} steps, {m} mandatory)").format(n=len(checklist.steps), m=mandatory)
            name = checklist.title.replace("[", r"\[")
            lines.append(f"  [b]{checklist.key}[/b]  {name}  {counts}")
        lines += ["", "  [b]a[/b]  " + _("add a centre's checklist from a JSON file"),
                  "  [b]l[/b]  " + _("incident log with timelines")]
        if self.open_rows:
            lines += ["", _("Open: {incidents}").format(incidents=", ".join(
                f"{r['id']} {rules.incident_title(r)}" for r in self.open_rows))]
        self.query_one("#em-chooser", Static).update("\n".join(lines))
