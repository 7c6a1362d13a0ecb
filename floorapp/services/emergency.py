"""Emergency use-cases (突发事件, SPEC §8): start an incident, tick, skip, note, call in, close.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Storage:
- ``day/<the day the incident started>`` table ``incidents``: one record per incident, key =
  the incident id (``YYYYMMDD-N``); every tick, skip, note … is a new version written at once
  (so a killed process or a dropped SSH session loses nothing; the audit keeps each version).
- ``ref`` table ``incident_index``: one line per incident (id, day, kind, status, outage window)
  so the log, the open incidents and the quota's lost minutes never scan a year of day files.
  It changes only when one of its fields does, in the same transaction as the incident.
- ``ref`` table ``checklists``: a centre's own checklists (the built-ins live in code).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pendulum

from floorapp.formats.checklists import load_checklist_json
from floorapp.rules import checklists
from floorapp.rules import emergency as rules
from floorapp.errors import FloorError
from floorapp.i18n import _, ngettext
from floorapp.formats.reports import Report, Table
from floorapp.rules.schedule import calling_periods

if TYPE_CHECKING:
    from floorapp.services.core import Floor
    from floorapp.rules.staff import Staff

REF = "ref"
TABLE = "incidents"
INDEX = "incident_index"
CHECKLISTS = "checklists"


class EmergencyService:
    def __init__(self, floor: Floor) -> None:
        self.floor = floor

    # --------------------------------------------------------------- checklists
    def checklists(self) -> list[checklists.Checklist]:
        custom = [checklists.Checklist.from_record(r)
                  for r in self.floor.store.records(REF, CHECKLISTS)]
        return checklists.builtin_checklists() + sorted(custom, key=lambda c: c.key)

    def checklist(self, checklist_id: str) -> checklists.Checklist:
        for checklist in self.checklists():
            if checklist.id == checklist_id:
                return checklist
        raise FloorError(_("unknown checklist {id}").format(id=repr(checklist_id)))

    def checklist_for_key(self, key: str) -> checklists.Checklist | None:
        return next((c for c in self.checklists() if c.key == key), None)

    def import_checklist(self, path: str | Path) -> str:
        """A centre's own checklist from a JSON file; validated, all-or-nothing."""
        self.floor.require("emergency.run")
        path = Path(path)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            raise FloorError(_("{path}: no such file").format(path=path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise FloorError(_("{path}: cannot be read ({reason})").format(
                path=path, reason=exc)) from None
        taken = {c.key: c.id for c in self.checklists()}
        checklist = load_checklist_json(text, taken, str(path))
        with self.floor.transaction() as tx:
            before = tx.get(REF, CHECKLISTS, checklist.id)
            tx.put(REF, CHECKLISTS, checklist.id, checklist.to_record())
        message = (_("{path}: checklist {id} updated ({n} steps, key {key})") if before
                   else _("{path}: checklist {id} added ({n} steps, key {key})"))
        return message.format(path=path, id=repr(checklist.id), n=len(checklist.steps),
                              key=checklist.key)

    # ---------------------------------------------------------------- incidents
    def _now(self) -> str:
        return self.floor.now().isoformat()

    @property
    def _user(self) -> str:
        return self.floor.store.user

    @staticmethod
    def _day_of(incident_id: str) -> str:
        head = incident_id.split("-", 1)[0]
        if len(head) != 8 or not head.isdigit() or "-" not in incident_id:
            raise FloorError(_("unknown incident {id} (ids look like 20261120-1)").format(
                id=repr(incident_id)))
        return f"day/{head[:4]}-{head[4:6]}-{head[6:]}"

    def _load(self, reader: Any, incident_id: str) -> dict[str, Any]:
        record = reader.get(self._day_of(incident_id), TABLE, incident_id)
        if record is None:
            raise FloorError(_("unknown incident {id}").format(id=repr(incident_id)))
        return {k: v for k, v in record.items() if not k.startswith("_")}

    def _save(self, tx: Any, incident: dict[str, Any]) -> None:
        partition = self._day_of(incident["id"])
        tx.put(partition, TABLE, incident["id"], incident)
        entry = rules.index_entry(incident, partition.split("/")[1])
        current = tx.get(REF, INDEX, incident["id"])
        if current is None or {k: current.get(k) for k in entry} != entry:
            tx.put(REF, INDEX, incident["id"], entry)

    def start(self, checklist_id: str) -> dict[str, Any]:
        """Open an incident now; saved before this returns."""
        self.floor.require("emergency.run")
        checklist = self.checklist(checklist_id)
        now = self.floor.now()
        partition = f"day/{now.date().isoformat()}"
        with self.floor.transaction() as tx:
            numbers = [int(r["_key"].rsplit("-", 1)[1]) for r in tx.records(partition, TABLE)
                       if r["_key"].rsplit("-", 1)[-1].isdigit()]
            incident_id = f"{now:%Y%m%d}-{max(numbers, default=0) + 1}"
            incident = rules.new_incident(incident_id, checklist, now.isoformat(), self._user)
            self._save(tx, incident)
        return incident

    def _change(self, incident_id: str, change) -> dict[str, Any]:  # noqa: ANN001
        with self.floor.transaction() as tx:
            incident = change(self._load(tx, incident_id))
            self._save(tx, incident)
        return incident

    def tick(self, incident_id: str, step: str | int, value: Any = None) -> dict[str, Any]:
        self.floor.require("emergency.run")
        at, by = self._now(), self._user
        return self._change(incident_id, lambda i: rules.tick(i, step, at, by, value))

    def tick_text(self, incident_id: str, step: str | int, text: str) -> dict[str, Any]:
        """Tick a step from what was typed for it (time, scope, seats, text)."""
        self.floor.require("emergency.run")
        incident = self.incident(incident_id)
        kind = rules.find_step(incident, step).get("input", "none")
        return self.tick(incident_id, step, self.value_from_text(incident, kind, text))

    def value_from_text(self, incident: dict[str, Any], kind: str, text: str) -> Any:
        text = (text or "").strip()
        if kind == "time":
            now = self.floor.now()
            moment = rules.parse_time_input(text, now)
            if moment > now:
                raise FloorError(_("{time} is in the future").format(
                    time=f"{moment:%Y-%m-%d %H:%M}"))
            return pendulum.instance(moment).in_timezone(self.floor.policy.timezone).isoformat()
        if kind == "scope":
            lowered = text.lower()
            for scope in rules.SCOPES:
                if lowered and scope.startswith(lowered):
                    return scope
            raise FloorError(_("{text}: type p (provincial system) or l (local terminal)")
                             .format(text=repr(text)))
        if kind == "seats":
            return self.seats_value(text)
        return text or None

    def seats_value(self, text: str) -> dict[str, Any]:
        """``all`` = every agent on shift now; else staff ids separated by spaces or commas."""
        text = (text or "").strip()
        if text.lower() in ("all", "a", "*"):
            staff = [s.id for s in self.agents_on_shift(self.floor.today())]
            if not staff:
                raise FloorError(_("no agent is on shift today; name the seats by staff id"))
            return {"all_on_shift": True, "staff": staff}
        ids = [t for t in text.replace(",", " ").split() if t]
        if not ids:
            raise FloorError(_("name the affected seats: staff ids, or 'all' for every agent "
                               "on shift"))
        known = self.floor.staff_by_id()
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise FloorError(_("unknown staff id(s): {ids}").format(ids=", ".join(unknown)))
        return {"all_on_shift": False, "staff": ids}

    def skip(self, incident_id: str, step: str | int, reason: str) -> dict[str, Any]:
        self.floor.require("emergency.run")
        at, by = self._now(), self._user
        return self._change(incident_id, lambda i: rules.skip(i, step, reason, at, by))

    def undo(self, incident_id: str, step: str | int) -> dict[str, Any]:
        self.floor.require("emergency.run")
        at, by = self._now(), self._user
        return self._change(incident_id, lambda i: rules.undo(i, step, at, by))

    def note(self, incident_id: str, text: str) -> dict[str, Any]:
        self.floor.require("emergency.run")
        at, by = self._now(), self._user
        return self._change(incident_id, lambda i: rules.add_note(i, text, at, by))

    def close(self, incident_id: str) -> dict[str, Any]:
        self.floor.require("emergency.run")
        at, by = self._now(), self._user
        return self._change(incident_id, lambda i: rules.close(i, at, by))

    def cancel(self, incident_id: str, reason: str) -> dict[str, Any]:
        self.floor.require("emergency.run")
        at, by = self._now(), self._user
        return self._change(incident_id, lambda i: rules.cancel(i, reason, at, by))

    # ------------------------------------------------------------------ call-in
    def resting_agents(self, day: dt.date) -> list[Staff]:
        """Agents resting on ``day`` by the floor-day (scheduled R, on the register, not on
        leave): who may be called in."""
        roll = self.floor.day.roll(day)
        return [p.staff for sid, p in sorted(roll.people.items())
                if p.staff.role == "agent" and p.scheduled == "R" and p.leave is None]

    def agents_on_shift(self, day: dt.date) -> list[Staff]:
        """Agents on shift on ``day`` by the floor-day (scheduled, on the register, not on a
        whole day's leave): the seats an outage of the whole floor touches."""
        roll = self.floor.day.roll(day)
        return [p.staff for sid, p in sorted(roll.people.items())
                if p.staff.role == "agent" and p.on_shift]

    def call_in(self, incident_id: str, staff_id: str, approver: str, reason: str = "",
                code: str = "D", day: dt.date | None = None) -> dict[str, Any]:
        """Call a resting agent in (the roster records it when it can) and record the call-in
        and its approval in the incident."""
        self.floor.require("emergency.run")
        day = day or self.floor.today()
        self.floor.get_staff(staff_id)
        approver = (approver or "").strip()
        if not approver:
            raise FloorError(_("a call-in needs the approver (the centre director)"))
        if self.floor.shift_for(staff_id, day) != "R":
            raise FloorError(_("{id} is not resting on {day}").format(id=staff_id,
                                                                      day=day.isoformat()))
        if code not in self.floor.policy.shifts:
            raise FloorError(_("unknown shift code {code}").format(code=repr(code)))
        incident = self.incident(incident_id)
        if incident["status"] != rules.OPEN:
            raise FloorError(_("incident {id} is {status}; it cannot change").format(
                id=incident_id, status=rules.word(rules.STATUS_WORDS, incident["status"])))
        reason = (reason or "").strip() or f"cover for incident {incident_id}"
        roster = getattr(self.floor, "roster", None)
        roster_call_in = getattr(roster, "call_in", None)
        recorded = False
        if roster_call_in is not None:
            # someone called in by phone may be at their seat before it is typed: calling
            # them in is what their day becoming a shift means, nothing to ask
            roster_call_in(staff_id, day, code, approver, reason, confirmed=True)
            recorded = True
        call = {"staff_id": staff_id, "day": day.isoformat(), "code": code,
                "approver": approver, "reason": reason, "roster_recorded": recorded}
        at, by = self._now(), self._user
        return self._change(incident_id, lambda i: rules.add_call_in(i, call, at, by))

    # ----------------------------------------------------------------- queries
    def _index(self) -> list[dict[str, Any]]:
        return self.floor.store.records(REF, INDEX)

    def incidents(self) -> list[dict[str, Any]]:
        """The incident log: every incident's index line, newest first."""
        rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in self._index()]
        return sorted(rows, key=lambda r: (r["started"], r["id"]), reverse=True)

    def open_incidents(self) -> list[dict[str, Any]]:
        """Open incidents, oldest first: ``{"id", "kind", "title", "started"}`` each."""
        rows = [r for r in self._index() if r["status"] == rules.OPEN]
        rows.sort(key=lambda r: (r["started"], r["id"]))
        return [{"id": r["id"], "kind": r["kind"], "title": r["title"],
                 "title_zh": r.get("title_zh") or checklists.builtin_name_zh(r.get("checklist", "")),
                 "started": r["started"]}
                for r in rows]

    def incident(self, incident_id: str) -> dict[str, Any]:
        """The incident with its steps, notes and ``timeline`` (events in time order)."""
        incident = self._load(self.floor.store, incident_id)
        incident["timeline"] = sorted(incident["events"], key=lambda e: e["at"])
        incident["missing"] = [s["code"] for s in rules.missing_steps(incident)]
        return incident

    def lost_calling_minutes(self, day: dt.date) -> dict[str, int]:
        """Staff id → minutes of their scheduled periods on ``day`` inside outage windows that
        affected them (open outages count up to now). Only staff with lost minutes appear."""
        policy = self.floor.policy
        tz = pendulum.timezone(policy.timezone)
        day_start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        day_end = day_start + dt.timedelta(days=1)
        now = self.floor.now()
        outages = []
        for entry in self._index():
            window = entry.get("window")
            if entry["kind"] != "outage" or not window:
                continue
            start = dt.datetime.fromisoformat(window[0])
            if start >= day_end:
                continue
            if window[1] and dt.datetime.fromisoformat(window[1]) <= day_start:
                continue
            incident = self._load(self.floor.store, entry["id"])
            span = rules.outage_window(incident, now)
            staff = rules.affected_staff(incident)
            if span and staff:
                outages.append((span, staff))
        if not outages:
            return {}
        wanted = {sid for _span, staff in outages for sid in staff}
        shifts = self.floor.shifts_on(day)
        periods = {}
        for sid in wanted:
            periods[sid] = [(dt.datetime.combine(day, a, tzinfo=tz),
                             dt.datetime.combine(day, b, tzinfo=tz))
                            for a, b in calling_periods(policy, shifts.get(sid, "R"), day)]
        return rules.lost_minutes(periods, outages)

    # ----------------------------------------------------------------- reports
    def log_report(self) -> Report:
        """`floor incident list`: every incident, newest first."""
        rows = self.incidents()
        table = Table([_("id"), _("kind"), _("title"), _("started"), _("ended"), _("status"),
                       _("duration")],
                      [[r["id"], rules.word(rules.KIND_WORDS, r["kind"]), rules.incident_title(r),
                        short_time(r["started"]), short_time(r["closed"]),
                        rules.word(rules.STATUS_WORDS, r["status"]),
                        duration(r["started"], r["closed"])]
                       for r in rows])
        return Report(title=_("Incidents ({n})").format(n=len(rows)), data={"incidents": rows},
                      tables=[table])

    def incident_report(self, incident_id: str) -> Report:
        """`floor incident show ID`: the steps with time, who, done/skipped + reason, the
        notes and the timeline."""
        incident = self.incident(incident_id)
        checklist_id = incident.get("checklist", "")
        steps = Table([_("#"), _("step"), _("must"), _("state"), _("time"), _("who"),
                       _("reason / value")],
                      [[n, rules.step_text(s, checklist_id), _("M") if s["mandatory"] else _("opt"),
                        rules.word(rules.STATE_WORDS, s["state"]),
                        short_time(s["at"]), s["by"] or "", step_detail(incident, s)]
                       for n, s in enumerate(incident["steps"], start=1)], title=_("Steps"))
        notes = Table([_("time"), _("who"), _("note")],
                      [[short_time(n["at"]), n["by"], n["text"]] for n in incident["notes"]],
                      title=_("Notes"))
        timeline = Table([_("time"), _("who"), _("event"), _("step"), _("detail")],
                         [[short_time(e["at"]), e["by"], rules.word(rules.ACTION_WORDS,
                                                                    e["action"]),
                           e.get("step") or "", event_detail(incident, e)]
                          for e in incident["timeline"]], title=_("Timeline"))
        tables = [steps, notes, timeline]
        if incident["call_ins"]:
            tables.append(Table([_("staff"), _("day"), _("code"), _("approver"), _("reason"),
                                 _("in roster")],
                                [[c["staff_id"], c["day"], c["code"], c["approver"],
                                  c["reason"], _("yes") if c["roster_recorded"] else _("no")]
                                 for c in incident["call_ins"]], title=_("Call-ins")))
        ended = short_time(incident["closed"]) or _("open")
        title = _("Incident {id}: {title} — {status}, started {started} by {who}, ended {ended}"
                  ).format(id=incident["id"], title=rules.incident_title(incident),
                           status=rules.word(rules.STATUS_WORDS, incident["status"]),
                           started=short_time(incident["started"]),
                           who=incident["started_by"], ended=ended)
        notes_lines = []
        if incident["missing"] and incident["status"] == rules.OPEN:
            notes_lines.append(_("Still to do before closing: {steps}").format(
                steps=_("; ").join(f"{n} {text}" for n, text in pending_steps(incident))))
        return Report(title=title, data=incident, tables=tables, notes=notes_lines)


def pending_steps(incident: dict[str, Any]) -> list[tuple[int, str]]:
    """The mandatory steps still to do as (number on the checklist, text in the interface
    language); the codes stay in ``incident["missing"]`` for JSON and CSV."""
    steps = incident.get("steps", [])
    numbers = {s["code"]: n for n, s in enumerate(steps, start=1)}
    by_code = {s["code"]: s for s in steps}
    return [(numbers[code], rules.step_text(by_code[code], incident.get("checklist", "")))
            for code in incident.get("missing", []) if code in by_code]


def short_time(iso: str | None) -> str:
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S")


def duration(start: str, end: str | None) -> str:
    if not end:
        return ""
    return rules.elapsed_text(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))


def _call_in_at(incident: dict[str, Any], at: str | None) -> dict[str, Any] | None:
    return next((c for c in incident.get("call_ins", []) if at and c.get("at") == at), None)


def step_detail(incident: dict[str, Any], step: dict[str, Any]) -> str:
    """A step's reason or value as a person reads it (a call-in in the interface language)."""
    if step.get("reason"):
        return step["reason"]
    value = step.get("value")
    if isinstance(value, str) and value.startswith("called in "):
        call = _call_in_at(incident, step.get("at"))
        if call is not None:
            return rules.call_in_text(call)
    return value_text(value)


def event_detail(incident: dict[str, Any], event: dict[str, Any]) -> str:
    """What a timeline line says after the event word: the reason, the value entered, the
    step's text (in the interface language) or the note."""
    call = _call_in_at(incident, event.get("at"))
    if call is not None and (event.get("action") == "call-in" or (
            isinstance(event.get("value"), str) and event["value"].startswith("called in "))):
        text = rules.call_in_text(call)
        if event.get("action") == "call-in" and call.get("reason"):
            text += f" ({call['reason']})"
        return text
    detail = event.get("reason") or value_text(event.get("value"))
    if detail:
        return detail
    if event.get("step"):
        step = next((s for s in incident["steps"] if s["code"] == event["step"]), None)
        if step is not None:
            return rules.step_text(step, incident.get("checklist", ""))
    if event.get("action") == "open":
        return rules.incident_title(incident)
    return event.get("text") or ""


def value_text(value: Any) -> str:
    """A step's value as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, dict):
        staff = value.get("staff", [])
        head = _("all agents on shift: ") if value.get("all_on_shift") else ""
        seats = ngettext("{n} seat", "{n} seats", len(staff)).format(n=len(staff))
        return f"{head}{seats} {' '.join(staff[:8])}{' …' if len(staff) > 8 else ''}"
    if isinstance(value, str) and value in rules.SCOPES:
        return _(rules.SCOPES[value])
    if isinstance(value, str) and len(value) >= 16 and value[4] == "-" and "T" in value:
        try:
            return short_time(value)
        except ValueError:
            return value
    return str(value)
