"""Emergency checklists and incidents (突发事件, SPEC §8): checklists as data, pure rules.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

The checklists themselves (the built-ins and a centre's own from JSON) are in
``rules/checklists.py``; this module holds the incidents run from them.

A checklist is a list of steps, each mandatory or optional. An incident is a plain dict (the
stored record): its checklist's steps copied at the start, the state of each step (done or
skipped, when, by whom, the reason or the value entered), free notes and an event list (the
timeline). Every function here takes the incident and an explicit ``at``/``by`` and returns a
new incident; none reads the clock or the store. Bad input raises ``FloorError``.

Outages (系统故障) feed the quota: the calling minutes of the affected seats inside the outage
window count as special circumstances (``lost_minutes``).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import asdict
from typing import Any

from floorapp.errors import FloorError
from floorapp.i18n import N_, _, language
from floorapp.rules.checklists import Checklist, Step, _builtin_zh

SCOPES = {"provincial": N_("provincial system"), "local": N_("local terminal")}

OPEN, CLOSED, CANCELLED = "open", "closed", "cancelled"
DONE, SKIPPED, PENDING = "done", "skipped", "pending"


def step_text(step: dict[str, Any] | Step, checklist_id: str = "") -> str:
    """A step's text in the interface language (an incident stored before the steps had
    their Chinese text takes it from the built-in checklist of the same id)."""
    if isinstance(step, Step):
        step = asdict(step)
    if language() != "zh":
        return step["text"]
    zh = step.get("text_zh") or _builtin_zh().get(checklist_id, ("", {}))[1].get(
        step["code"], "")
    return zh or step["text"]


def incident_title(incident: dict[str, Any]) -> str:
    """An incident's (or log line's) title in the interface language."""
    if language() != "zh":
        return incident["title"]
    zh = incident.get("title_zh") or _builtin_zh().get(incident.get("checklist", ""),
                                                       ("", {}))[0]
    return zh or incident["title"]


STATE_WORDS = {DONE: N_("done"), SKIPPED: N_("skipped"), PENDING: N_("to do")}
STATUS_WORDS = {OPEN: N_("open"), CLOSED: N_("closed"), CANCELLED: N_("cancelled")}
KIND_WORDS = {"fire": N_("fire"), "ill": N_("ill"), "outage": N_("outage"),
              "custom": N_("custom")}
ACTION_WORDS = {"open": N_("opened"), "done": N_("done"), "skipped": N_("skipped"),
                "undone": N_("undone"), "note": N_("note"), "call-in": N_("call-in"),
                "close": N_("closed"), "cancel": N_("cancelled")}


def word(words: dict[str, str], value: str | None) -> str:
    """A stored enum value (state, status, kind, event) as a person reads it."""
    if not value:
        return ""
    return _(words[value]) if value in words else value


# ------------------------------------------------------------------ incidents
def new_incident(incident_id: str, checklist: Checklist, at: str, by: str) -> dict[str, Any]:
    """A fresh incident: the checklist's steps copied (later edits of the checklist leave it)."""
    return {
        "id": incident_id,
        "kind": checklist.kind,
        "checklist": checklist.id,
        "title": checklist.name,
        "title_zh": checklist.name_zh,
        "started": at,
        "started_by": by,
        "status": OPEN,
        "closed": None,
        "closed_by": None,
        "steps": [{**asdict(s), "state": PENDING, "at": None, "by": None, "reason": None,
                   "value": None} for s in checklist.steps],
        "notes": [],
        "call_ins": [],
        "events": [{"at": at, "by": by, "action": "open", "text": checklist.name}],
    }


def _editable(incident: dict[str, Any]) -> dict[str, Any]:
    if incident["status"] != OPEN:
        raise FloorError(_("incident {id} is {status}; it cannot change").format(
            id=incident["id"], status=word(STATUS_WORDS, incident["status"])))
    return copy.deepcopy(incident)


def find_step(incident: dict[str, Any], ref: str | int) -> dict[str, Any]:
    """A step by its code or its 1-based number."""
    steps = incident["steps"]
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        n = int(ref)
        if not 1 <= n <= len(steps):
            raise FloorError(_("no step {n}: this checklist has steps 1-{last}").format(
                n=n, last=len(steps)))
        return steps[n - 1]
    for step in steps:
        if step["code"] == ref:
            return step
    raise FloorError(_("no step {ref} in incident {id}").format(ref=repr(ref),
                                                                 id=incident["id"]))


def tick(incident: dict[str, Any], ref: str | int, at: str, by: str,
         value: Any = None) -> dict[str, Any]:
    """Mark a step done at ``at`` by ``by``; a step that asks for input needs its value."""
    out = _editable(incident)
    step = find_step(out, ref)
    value = check_value(step, value, incident)
    step.update(state=DONE, at=at, by=by, reason=None, value=value)
    out["events"].append({"at": at, "by": by, "action": "done", "step": step["code"],
                          "text": step["text"], "value": value})
    return out


def skip(incident: dict[str, Any], ref: str | int, reason: str, at: str,
         by: str) -> dict[str, Any]:
    """Skip a step; only with a stated reason."""
    out = _editable(incident)
    step = find_step(out, ref)
    reason = (reason or "").strip()
    if not reason:
        raise FloorError(_("step {code}: a skipped step needs a reason").format(
            code=repr(step["code"])))
    step.update(state=SKIPPED, at=at, by=by, reason=reason, value=None)
    out["events"].append({"at": at, "by": by, "action": "skipped", "step": step["code"],
                          "text": step["text"], "reason": reason})
    return out


def undo(incident: dict[str, Any], ref: str | int, at: str, by: str) -> dict[str, Any]:
    """Set a step back to pending (a tick by mistake); the timeline keeps both."""
    out = _editable(incident)
    step = find_step(out, ref)
    if step["state"] == PENDING:
        raise FloorError(_("step {code} is not ticked or skipped").format(
            code=repr(step["code"])))
    step.update(state=PENDING, at=None, by=None, reason=None, value=None)
    out["events"].append({"at": at, "by": by, "action": "undone", "step": step["code"],
                          "text": step["text"]})
    return out


def add_note(incident: dict[str, Any], text: str, at: str, by: str) -> dict[str, Any]:
    text = (text or "").strip()
    if not text:
        raise FloorError(_("the note is empty"))
    out = _editable(incident)
    out["notes"].append({"at": at, "by": by, "text": text})
    out["events"].append({"at": at, "by": by, "action": "note", "text": text})
    return out


def add_call_in(incident: dict[str, Any], call_in: dict[str, Any], at: str, by: str,
                step_code: str = "roster") -> dict[str, Any]:
    """Record a resting agent called in (with the approver) and tick the roster step."""
    out = _editable(incident)
    if not (call_in.get("approver") or "").strip():
        raise FloorError(_("a call-in needs the approver (the centre director)"))
    out["call_ins"].append({**call_in, "at": at, "by": by})
    text = (f"called in {call_in['staff_id']} on {call_in['code']} {call_in['day']}, "
            f"approved by {call_in['approver']}")
    why = f" ({call_in['reason']})" if call_in.get("reason") else ""
    out["events"].append({"at": at, "by": by, "action": "call-in", "text": text + why})
    if any(s["code"] == step_code for s in out["steps"]):
        step = find_step(out, step_code)
        if step["state"] != DONE:
            step.update(state=DONE, at=at, by=by, reason=None, value=text)
            out["events"].append({"at": at, "by": by, "action": "done", "step": step_code,
                                  "text": step["text"], "value": text})
    return out


def call_in_text(call_in: dict[str, Any]) -> str:
    """A recorded call-in as a person reads it, in the interface language (the stored event
    text stays as it was written)."""
    return _("called in {id} on {code} {day}, approved by {approver}").format(
        id=call_in["staff_id"], code=call_in["code"], day=call_in["day"],
        approver=call_in["approver"])


def missing_steps(incident: dict[str, Any]) -> list[dict[str, Any]]:
    """Mandatory steps neither done nor skipped with a reason."""
    return [s for s in incident["steps"] if s["mandatory"] and not (
        s["state"] == DONE or (s["state"] == SKIPPED and (s.get("reason") or "").strip()))]


def close(incident: dict[str, Any], at: str, by: str) -> dict[str, Any]:
    """Close: every mandatory step done or skipped with a reason, else a message naming them."""
    out = _editable(incident)
    missing = missing_steps(out)
    if missing:
        names = "; ".join(f"{out['steps'].index(s) + 1} {s['code']} "
                          f"({step_text(s, out.get('checklist', ''))})" for s in missing)
        raise FloorError(_("cannot close {id}: mandatory step(s) not done or skipped with a "
                           "reason: {steps}").format(id=out["id"], steps=names))
    out.update(status=CLOSED, closed=at, closed_by=by)
    out["events"].append({"at": at, "by": by, "action": "close"})
    return out


def cancel(incident: dict[str, Any], reason: str, at: str, by: str) -> dict[str, Any]:
    """An incident opened by mistake: cancelled with a reason, kept in the log."""
    reason = (reason or "").strip()
    if not reason:
        raise FloorError(_("cancelling an incident needs a reason"))
    out = _editable(incident)
    out.update(status=CANCELLED, closed=at, closed_by=by)
    out["events"].append({"at": at, "by": by, "action": "cancel", "reason": reason})
    return out


def check_value(step: dict[str, Any], value: Any, incident: dict[str, Any]) -> Any:
    kind = step.get("input", "none")
    if kind == "none":
        return None
    label = _("step {code}").format(code=repr(step["code"]))
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise FloorError(_("{step} needs a text").format(step=label))
        return value.strip()
    if kind == "time":
        if not isinstance(value, str):
            raise FloorError(_("{step} needs a time").format(step=label))
        moment = _parse_iso(value, label)
        if step["code"] == "recovered":
            start = outage_start(incident)
            if moment < start:
                raise FloorError(_("{step}: recovery {end} is before the outage started "
                                   "({start})").format(step=label, end=f"{moment:%H:%M}",
                                                       start=f"{start:%H:%M}"))
        return value
    if kind == "scope":
        if value not in SCOPES:
            raise FloorError(_("{step}: scope is 'provincial' or 'local', got {value}").format(
                step=label, value=repr(value)))
        return value
    if kind == "seats":
        if not isinstance(value, dict) or not isinstance(value.get("staff"), list) \
                or not value["staff"]:
            raise FloorError(_("{step}: name at least one affected seat (staff id) or 'all'")
                             .format(step=label))
        return {"all_on_shift": bool(value.get("all_on_shift")),
                "staff": sorted(set(map(str, value["staff"])))}
    raise FloorError(_("{step}: unknown input kind {kind}").format(step=label, kind=repr(kind)))


def _parse_iso(text: str, label: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise FloorError(_("{step}: {text} is not a date-time").format(
            step=label, text=repr(text))) from None
    if moment.tzinfo is None:
        raise FloorError(_("{step}: {text} has no UTC offset").format(step=label,
                                                                     text=repr(text)))
    return moment


def parse_time_input(text: str, base: dt.datetime) -> dt.datetime:
    """What a supervisor types for a time: ``HH:MM`` (on ``base``'s day), ``YYYY-MM-DD HH:MM``
    or empty (= ``base``). Returned in ``base``'s time zone."""
    text = (text or "").strip()
    if not text:
        return base
    m = re.fullmatch(r"(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}):(\d{2})", text)
    if not m:
        raise FloorError(_("{text}: type a time as HH:MM or YYYY-MM-DD HH:MM").format(
            text=repr(text)))
    hour, minute = int(m.group(2)), int(m.group(3))
    if hour > 23 or minute > 59:
        raise FloorError(_("{text}: no such time of day").format(text=repr(text)))
    day = base.date()
    if m.group(1):
        try:
            day = dt.date.fromisoformat(m.group(1))
        except ValueError:
            raise FloorError(_("{text}: no such date").format(text=repr(m.group(1)))) from None
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=base.tzinfo)


# ------------------------------------------------------------------ outage windows
def outage_start(incident: dict[str, Any]) -> dt.datetime:
    """The outage started at the recorded start time, else when the incident was opened."""
    for step in incident["steps"]:
        if step["code"] == "start" and step["state"] == DONE and step.get("value"):
            return dt.datetime.fromisoformat(step["value"])
    return dt.datetime.fromisoformat(incident["started"])


def outage_window(incident: dict[str, Any], now: dt.datetime) -> tuple[dt.datetime,
                                                                       dt.datetime] | None:
    """(start, end) of an outage: end = the recovery time, else the closing time, else now
    (an open outage counts up to now). None for a cancelled one or another kind."""
    if incident["kind"] != "outage" or incident["status"] == CANCELLED:
        return None
    start = outage_start(incident)
    end = None
    for step in incident["steps"]:
        if step["code"] == "recovered" and step["state"] == DONE and step.get("value"):
            end = dt.datetime.fromisoformat(step["value"])
    if end is None:
        end = dt.datetime.fromisoformat(incident["closed"]) if incident.get("closed") else now
    # Only time that has passed is lost: an outage recorded ahead (09:00–10:00 typed at 02:30)
    # cuts nothing until its minutes happen.
    end = min(end, now)
    return (start, max(start, end))


def affected_staff(incident: dict[str, Any]) -> list[str]:
    for step in incident["steps"]:
        if step["code"] == "seats" and step["state"] == DONE and step.get("value"):
            return list(step["value"]["staff"])
    return []


def overlap_minutes(periods: list[tuple[dt.datetime, dt.datetime]],
                    windows: list[tuple[dt.datetime, dt.datetime]]) -> int:
    """Whole minutes of ``periods`` covered by the union of ``windows`` (overlapping outages
    are not counted twice)."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(windows):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    seconds = 0.0
    for p_start, p_end in periods:
        for w_start, w_end in merged:
            lo, hi = max(p_start, w_start), min(p_end, w_end)
            if hi > lo:
                seconds += (hi - lo).total_seconds()
    return int(seconds // 60)


def lost_minutes(periods_by_staff: dict[str, list[tuple[dt.datetime, dt.datetime]]],
                 outages: list[tuple[tuple[dt.datetime, dt.datetime], list[str]]]) -> dict[str,
                                                                                           int]:
    """Staff id → calling minutes lost to outages that affected them (only those > 0)."""
    windows: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for window, staff in outages:
        for sid in staff:
            windows.setdefault(sid, []).append(window)
    out = {}
    for sid, wins in windows.items():
        minutes = overlap_minutes(periods_by_staff.get(sid, []), wins)
        if minutes > 0:
            out[sid] = minutes
    return out


def index_entry(incident: dict[str, Any], day: str) -> dict[str, Any]:
    """The incident's line in the log index (ref): enough to list it and find its day."""
    entry = {"id": incident["id"], "day": day, "kind": incident["kind"],
             "checklist": incident["checklist"], "title": incident["title"],
             "title_zh": incident.get("title_zh") or "",
             "started": incident["started"], "closed": incident.get("closed"),
             "status": incident["status"], "window": None}
    if incident["kind"] == "outage" and incident["status"] != CANCELLED:
        start = outage_start(incident).isoformat()
        end = None
        for step in incident["steps"]:
            if step["code"] == "recovered" and step["state"] == DONE:
                end = step["value"]
        entry["window"] = [start, end or incident.get("closed")]
    return entry


def elapsed_text(started: dt.datetime, now: dt.datetime) -> str:
    seconds = max(0, int((now - started).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
