"""The emergency section (突发事件, SPEC §8): F9 from anywhere.

Without an open incident the screen offers the checklists, one key each (f fire, i ill,
o outage, a centre's own letters). With one, it shows a running timer, the numbers to call,
the steps (1–9 tick a step; ↑↓ and s skip with a reason, u undo), notes (t), the call-in of a
resting agent (r, staff taken ill), close (c) and the log (l). Every key press that changes
something is saved at once through the emergency service; nothing waits for an exit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from floorapp.rules import emergency as rules
from floorapp.errors import FloorError
from floorapp.i18n import _, fmt_date, ngettext
from floorapp.services.emergency import event_detail, pending_steps, step_detail, value_text
from screens.base import FloorScreen
from screens.emergency_prompts import LogScreen, PickScreen, PromptScreen, TextScreen
from screens.widgets.tables import FixedTable, set_column_width

STEP_CELLS = 44  # a step's words at 80 columns
STATE_MARK = {rules.DONE: "[x]", rules.SKIPPED: "[-]", rules.PENDING: "[ ]"}
INCIDENT_ACTIONS = {"tick", "tick_cursor", "cursor", "skip", "undo", "note", "close", "cancel",
                    "new", "call_in", "next_open"}
NO_CALL_IN = "--no-call-in--"
CHOOSER_ACTIONS = {"start", "add_checklist", "back"}


def _tick_bindings() -> list[Binding]:
    out = [Binding("1", "tick(1)", _("Tick step"), key_display="1-9")]
    out += [Binding(str(n), f"tick({n})", _("Tick step {n}").format(n=n), show=False)
            for n in range(2, 10)]
    return out


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


class EmergencyScreen(FloorScreen):
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

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#em-steps", DataTable)
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def _cursor_step(self) -> int:
        return self.query_one("#em-steps", DataTable).cursor_row + 1

    def action_tick_cursor(self) -> None:
        self.action_tick(self._cursor_step())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_tick(event.cursor_row + 1)

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

