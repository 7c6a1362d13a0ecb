"""Emergency checklists and incidents (突发事件, SPEC §8): checklists as data, pure rules.

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
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from floorapp.errors import FloorError

# What a step asks for when ticked: nothing, a text, a time, the outage scope, the seats.
INPUTS = ("none", "text", "time", "scope", "seats")
CUSTOM_INPUTS = ("none", "text", "time")
SCOPES = {"provincial": "provincial system 省级系统", "local": "local terminal 本地终端"}
MAX_STEPS = 9  # steps are ticked by the digits 1–9
# Keys the chooser uses for itself (add, log, cursor, quit); a centre's checklist takes another.
RESERVED_KEYS = set("aljkq")
BUILTIN_KEYS = {"fire": "f", "ill": "i", "outage": "o"}
FREE_KEYS = sorted(set("abcdefghijklmnopqrstuvwxyz") - RESERVED_KEYS - set(BUILTIN_KEYS.values()))
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")

OPEN, CLOSED, CANCELLED = "open", "closed", "cancelled"
DONE, SKIPPED, PENDING = "done", "skipped", "pending"


@dataclass(frozen=True)
class Step:
    code: str
    text: str
    mandatory: bool = True
    input: str = "none"


@dataclass(frozen=True)
class Checklist:
    id: str
    name: str
    key: str
    kind: str  # fire, ill, outage, custom
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        data["steps"] = [asdict(s) for s in self.steps]
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Checklist:
        return cls(id=data["id"], name=data["name"], key=data["key"], kind=data["kind"],
                   steps=tuple(Step(**{k: s[k] for k in ("code", "text", "mandatory", "input")})
                               for s in data["steps"]))


def builtin_checklists() -> list[Checklist]:
    """The three checklists of SPEC §8, step by step."""
    fire = Checklist("fire", "Fire 火警", "f", "fire", (
        Step("calm", "Stay calm, keep the floor calm 保持镇静"),
        Step("superior", "Report to the direct superior 报告直接上级"),
        Step("officer", "Report to the fire-safety officer 报告消防安全员"),
        Step("evacuate", "Evacuate by the safe exits after the team lead; stairs, not lifts "
                         "按安全通道疏散, 走楼梯不乘电梯"),
        Step("extinguish", "Small fire, only when safe: nearest extinguisher, call colleagues "
                           "就近灭火", mandatory=False),
        Step("call119", "Cannot be put out: call 119 — address, what burns, size, people, "
                        "own name and job number 拨打119"),
    ))
    ill = Checklist("ill", "Staff taken ill 员工突发疾病", "i", "ill", (
        Step("family", "Notify the family 通知家属"),
        Step("superior", "Notify the superior 报告上级"),
        Step("hospital", "Escort to hospital or call 120 送医或拨打120"),
        Step("roster", "Rearrange the roster; a resting agent may be called in (R), the centre "
                       "director approves 调整排班"),
    ))
    outage = Checklist("outage", "Terminal/system outage 系统故障", "o", "outage", (
        Step("start", "Record the start time 记录开始时间", input="time"),
        Step("describe", "Describe the fault (outbound or complaint system) 故障描述",
             input="text"),
        Step("scope", "Decide: provincial system or local terminal 省级系统/本地终端",
             input="scope"),
        Step("seats", "Record the affected seats 受影响坐席", input="seats"),
        Step("lead", "Notify the team lead 通知班长"),
        Step("steps", "Resolution steps taken 处理步骤", input="text"),
        Step("recovered", "Record the recovery time 记录恢复时间", input="time"),
    ))
    return [fire, ill, outage]


# ------------------------------------------------------------------ custom checklists
def parse_checklist(data: Any, taken_keys: dict[str, str], where: str) -> tuple[Checklist,
                                                                               list[str]]:
    """A centre's own checklist from its JSON object; returns (checklist, errors).

    ``taken_keys`` maps a selection key to the checklist id holding it. Every problem is
    listed as ``WHERE: path: reason`` so the supervisor can fix the file in one go.
    """
    errors: list[str] = []

    def bad(path: str, reason: str) -> None:
        errors.append(f"{where}: {path}: {reason}" if path else f"{where}: {reason}")

    if not isinstance(data, dict):
        bad("", 'expected a JSON object {"id", "name", "key", "steps": [...]}')
        return Checklist("", "", "", "custom"), errors
    unknown = sorted(set(data) - {"id", "name", "key", "steps"})
    if unknown:
        bad("", f"unknown field(s): {', '.join(unknown)}")
    cid = data.get("id")
    if not isinstance(cid, str) or not _ID.match(cid):
        bad("id", "must be lower-case letters, digits, - or _ (up to 30), e.g. \"gas-leak\"")
        cid = ""
    elif cid in BUILTIN_KEYS:
        bad("id", f"{cid!r} is a built-in checklist; choose another id")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("name", "is missing or empty")
        name = ""
    key = data.get("key")
    if not isinstance(key, str) or len(key) != 1 or key not in FREE_KEYS:
        bad("key", f"must be one of the free letters {' '.join(FREE_KEYS)} (others are taken "
                   "by the screen's own keys)")
        key = ""
    elif taken_keys.get(key, cid) != cid:
        bad("key", f"{key!r} already opens checklist {taken_keys[key]!r}")
    steps_data = data.get("steps")
    steps: list[Step] = []
    if not isinstance(steps_data, list) or not steps_data:
        bad("steps", "must be a non-empty list of steps")
        steps_data = []
    elif len(steps_data) > MAX_STEPS:
        bad("steps", f"at most {MAX_STEPS} steps (they are ticked with the keys 1-9), "
                     f"got {len(steps_data)}")
    codes: set[str] = set()
    for n, raw in enumerate(steps_data, start=1):
        path = f"steps[{n}]"
        if not isinstance(raw, dict):
            bad(path, 'expected {"code", "text", "mandatory", "input"}')
            continue
        extra = sorted(set(raw) - {"code", "text", "mandatory", "input"})
        if extra:
            bad(path, f"unknown field(s): {', '.join(extra)}")
        code = raw.get("code", f"s{n}")
        if not isinstance(code, str) or not _CODE.match(code):
            bad(f"{path}.code", "must be lower-case letters, digits, - or _")
            code = f"s{n}"
        elif code in codes:
            bad(f"{path}.code", f"{code!r} is used by an earlier step")
        codes.add(code)
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            bad(f"{path}.text", "is missing or empty")
            text = ""
        mandatory = raw.get("mandatory", True)
        if not isinstance(mandatory, bool):
            bad(f"{path}.mandatory", "must be true or false")
            mandatory = True
        kind = raw.get("input", "none")
        if kind not in CUSTOM_INPUTS:
            bad(f"{path}.input", f"must be one of {', '.join(CUSTOM_INPUTS)}")
            kind = "none"
        steps.append(Step(code, text.strip(), mandatory, kind))
    return Checklist(cid or "", (name or "").strip(), key or "", "custom", tuple(steps)), errors


def load_checklist_json(text: str, taken_keys: dict[str, str], where: str) -> Checklist:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FloorError(f"{where}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    checklist, errors = parse_checklist(data, taken_keys, where)
    if errors:
        from floorapp.errors import ImportRejected

        raise ImportRejected(errors)
    return checklist


# ------------------------------------------------------------------ incidents
def new_incident(incident_id: str, checklist: Checklist, at: str, by: str) -> dict[str, Any]:
    """A fresh incident: the checklist's steps copied (later edits of the checklist leave it)."""
    return {
        "id": incident_id,
        "kind": checklist.kind,
        "checklist": checklist.id,
        "title": checklist.name,
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
        raise FloorError(f"incident {incident['id']} is {incident['status']}; it cannot change")
    return copy.deepcopy(incident)


def find_step(incident: dict[str, Any], ref: str | int) -> dict[str, Any]:
    """A step by its code or its 1-based number."""
    steps = incident["steps"]
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        n = int(ref)
        if not 1 <= n <= len(steps):
            raise FloorError(f"no step {n}: this checklist has steps 1-{len(steps)}")
        return steps[n - 1]
    for step in steps:
        if step["code"] == ref:
            return step
    raise FloorError(f"no step {ref!r} in incident {incident['id']}")


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
        raise FloorError(f"step {step['code']!r}: a skipped step needs a reason")
    step.update(state=SKIPPED, at=at, by=by, reason=reason, value=None)
    out["events"].append({"at": at, "by": by, "action": "skipped", "step": step["code"],
                          "text": step["text"], "reason": reason})
    return out


def undo(incident: dict[str, Any], ref: str | int, at: str, by: str) -> dict[str, Any]:
    """Set a step back to pending (a tick by mistake); the timeline keeps both."""
    out = _editable(incident)
    step = find_step(out, ref)
    if step["state"] == PENDING:
        raise FloorError(f"step {step['code']!r} is not ticked or skipped")
    step.update(state=PENDING, at=None, by=None, reason=None, value=None)
    out["events"].append({"at": at, "by": by, "action": "undone", "step": step["code"],
                          "text": step["text"]})
    return out


def add_note(incident: dict[str, Any], text: str, at: str, by: str) -> dict[str, Any]:
    text = (text or "").strip()
    if not text:
        raise FloorError("the note is empty")
    out = _editable(incident)
    out["notes"].append({"at": at, "by": by, "text": text})
    out["events"].append({"at": at, "by": by, "action": "note", "text": text})
    return out


def add_call_in(incident: dict[str, Any], call_in: dict[str, Any], at: str, by: str,
                step_code: str = "roster") -> dict[str, Any]:
    """Record a resting agent called in (with the approver) and tick the roster step."""
    out = _editable(incident)
    if not (call_in.get("approver") or "").strip():
        raise FloorError("a call-in needs the approver (the centre director)")
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


def missing_steps(incident: dict[str, Any]) -> list[dict[str, Any]]:
    """Mandatory steps neither done nor skipped with a reason."""
    return [s for s in incident["steps"] if s["mandatory"] and not (
        s["state"] == DONE or (s["state"] == SKIPPED and (s.get("reason") or "").strip()))]


def close(incident: dict[str, Any], at: str, by: str) -> dict[str, Any]:
    """Close: every mandatory step done or skipped with a reason, else a message naming them."""
    out = _editable(incident)
    missing = missing_steps(out)
    if missing:
        names = "; ".join(f"{out['steps'].index(s) + 1} {s['code']} ({s['text']})"
                          for s in missing)
        raise FloorError(f"cannot close {out['id']}: mandatory step(s) not done or skipped "
                         f"with a reason: {names}")
    out.update(status=CLOSED, closed=at, closed_by=by)
    out["events"].append({"at": at, "by": by, "action": "close"})
    return out


def cancel(incident: dict[str, Any], reason: str, at: str, by: str) -> dict[str, Any]:
    """An incident opened by mistake: cancelled with a reason, kept in the log."""
    reason = (reason or "").strip()
    if not reason:
        raise FloorError("cancelling an incident needs a reason")
    out = _editable(incident)
    out.update(status=CANCELLED, closed=at, closed_by=by)
    out["events"].append({"at": at, "by": by, "action": "cancel", "reason": reason})
    return out


def check_value(step: dict[str, Any], value: Any, incident: dict[str, Any]) -> Any:
    kind = step.get("input", "none")
    if kind == "none":
        return None
    label = f"step {step['code']!r}"
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise FloorError(f"{label} needs a text")
        return value.strip()
    if kind == "time":
        if not isinstance(value, str):
            raise FloorError(f"{label} needs a time")
        moment = _parse_iso(value, label)
        if step["code"] == "recovered":
            start = outage_start(incident)
            if moment < start:
                raise FloorError(f"{label}: recovery {moment:%H:%M} is before the outage "
                                 f"started ({start:%H:%M})")
        return value
    if kind == "scope":
        if value not in SCOPES:
            raise FloorError(f"{label}: scope is 'provincial' or 'local', got {value!r}")
        return value
    if kind == "seats":
        if not isinstance(value, dict) or not isinstance(value.get("staff"), list) \
                or not value["staff"]:
            raise FloorError(f"{label}: name at least one affected seat (staff id) or 'all'")
        return {"all_on_shift": bool(value.get("all_on_shift")),
                "staff": sorted(set(map(str, value["staff"])))}
    raise FloorError(f"{label}: unknown input kind {kind!r}")


def _parse_iso(text: str, label: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise FloorError(f"{label}: {text!r} is not a date-time") from None
    if moment.tzinfo is None:
        raise FloorError(f"{label}: {text!r} has no UTC offset")
    return moment


def parse_time_input(text: str, base: dt.datetime) -> dt.datetime:
    """What a supervisor types for a time: ``HH:MM`` (on ``base``'s day), ``YYYY-MM-DD HH:MM``
    or empty (= ``base``). Returned in ``base``'s time zone."""
    text = (text or "").strip()
    if not text:
        return base
    m = re.fullmatch(r"(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}):(\d{2})", text)
    if not m:
        raise FloorError(f"{text!r}: type a time as HH:MM or YYYY-MM-DD HH:MM")
    hour, minute = int(m.group(2)), int(m.group(3))
    if hour > 23 or minute > 59:
        raise FloorError(f"{text!r}: no such time of day")
    day = base.date()
    if m.group(1):
        try:
            day = dt.date.fromisoformat(m.group(1))
        except ValueError:
            raise FloorError(f"{m.group(1)!r}: no such date") from None
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
