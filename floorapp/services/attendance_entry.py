"""Recording punches and leave: an entry typed at the quick entry or given by the CLI, saved.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.

The entry is parsed from what a supervisor typed, checked, previewed and saved as a new version
of the record.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from floorapp.rules.attendance import (
    LEAVE_TYPES,
    LEAVE_WORDS_ZH,
    DayResult,
    Punch,
    day_text,
    evaluate_day,
    leave_name,
)
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services import leave as leave_store
from floorapp.services.attendance_records import PUNCHES, _part, _time_text
from floorapp.rules.staff import Staff

if TYPE_CHECKING:
    from floorapp.services.core import Floor

ACTIONS = ("in", "out", "reason", "leave")
_ACTION_WORDS = {"in": "in", "i": "in", "arrive": "in", "arrival": "in",
                 "out": "out", "o": "out", "leave-now": "out", "departure": "out",
                 "reason": "reason", "r": "reason",
                 "leave": "leave", "l": "leave",
                 "上班": "in", "到": "in", "下班": "out", "走": "out",
                 "理由": "reason", "原因": "reason", "请假": "leave", "假": "leave"}
_CANCEL_WORDS = ("cancel", "x", "none", "取消", "销假")
_CLEAR_WORDS = (*_CANCEL_WORDS, "clear", "remove", "清除", "删除")  # takes a wrong punch back
_TIME = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")
_PERIOD = re.compile(r"^p(\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """A parsed quick entry, ready to apply: what the screen previews and saves."""

    action: str  # in, out, reason, leave
    staff: Staff
    day: dt.date
    period: int = 0
    time: dt.time | None = None
    reason: str = ""
    leave_type: str = ""
    leave_days: Decimal = Decimal("0")
    cancel: bool = False

    def describe(self) -> str:
        who = f"{self.staff.id} {self.staff.name}"
        if self.cancel and self.action in ("in", "out"):
            return _("{who}: remove {action} {time} (p{n})").format(
                who=who, action=_("in") if self.action == "in" else _("out"),
                time=_time_text(self.time), n=self.period)
        if self.action == "in":
            return _("{who}: in {time} (p{n})").format(who=who, time=_time_text(self.time),
                                                        n=self.period)
        if self.action == "out":
            return _("{who}: out {time} (p{n})").format(who=who, time=_time_text(self.time),
                                                         n=self.period)
        if self.action == "reason":
            return _("{who}: reason for p{n}: {reason}").format(who=who, n=self.period,
                                                                 reason=self.reason)
        if self.cancel:
            return _("{who}: cancel leave of {day}").format(who=who, day=day_text(self.day))
        return _("{who}: {leave} {days} day on {day}").format(
            who=who, leave=leave_name(self.leave_type), days=self.leave_days.normalize(),
            day=day_text(self.day))


class AttendanceEntry:
    """Recording a person's day: an in or out punch, a reason, leave or its cancelling, typed
    as one line at the attendance screen (parsed, previewed, saved) or given by the CLI.

    A part of ``AttendanceService`` (floorapp/services/attendance.py), which holds ``floor`` and
    the day's reading the parts share."""

    floor: Floor

    # -------------------------------------------------------------- writing
    def record_in(self, staff_id: str, day: dt.date, at: dt.time, period: int = 0) -> str:
        return self.apply(Entry("in", self.floor.get_staff(staff_id), day,
                                period or self._period_for(staff_id, day, at, "in"), at))

    def record_out(self, staff_id: str, day: dt.date, at: dt.time, period: int = 0) -> str:
        return self.apply(Entry("out", self.floor.get_staff(staff_id), day,
                                period or self._period_for(staff_id, day, at, "out"), at))

    def record_reason(self, staff_id: str, day: dt.date, reason: str, period: int = 0) -> str:
        return self.apply(Entry("reason", self.floor.get_staff(staff_id), day,
                                period or self._reason_period(staff_id, day), reason=reason))

    def record_leave(self, staff_id: str, day: dt.date, leave_type: str, days: Decimal,
                     confirmed: bool = False) -> str:
        return self.apply(Entry("leave", self.floor.get_staff(staff_id), day,
                                leave_type=leave_type, leave_days=Decimal(days)),
                          confirmed=confirmed)

    def cancel_leave(self, staff_id: str, day: dt.date) -> str:
        return self.apply(Entry("leave", self.floor.get_staff(staff_id), day, cancel=True))

    def apply(self, entry: Entry, confirmed: bool = False,
              right: str = "attendance.record", where: str = "at the attendance screen") -> str:
        """Save a checked entry (a new version of the record); returns a message saying what.

        Leave for someone who already punched in that day raises ``AlreadyAtWork`` unless
        ``confirmed`` (the screen asks; the CLI's ``--yes``)."""
        self.floor.require(right)
        self._check_entry(entry)
        key = entry.staff.id
        part = _part(entry.day)
        if entry.action == "leave" and not entry.cancel:
            leave_store.ask_if_at_work(
                self.floor, key, entry.day,
                leave_store.leave_text(entry.leave_type, entry.leave_days), confirmed)
        with self.floor.transaction() as tx:
            if entry.action == "leave":
                if entry.cancel:
                    if not leave_store.cancel(tx, key, entry.day, where):
                        raise FloorError(_("{id} has no leave on {day}").format(
                            id=key, day=day_text(entry.day)))
                    return _("{id}: leave on {day} cancelled").format(
                        id=key, day=day_text(entry.day))
                leave_store.put(tx, key, entry.day, entry.leave_type, entry.leave_days)
                return _("saved {entry}").format(entry=entry.describe())
            pkey = f"{key}/{entry.period}"
            old = tx.get(part, PUNCHES, pkey) or {}
            if entry.cancel:
                return self._remove_punch(tx, entry, pkey, old)
            data = {"staff_id": key, "date": entry.day.isoformat(), "period": entry.period,
                    "in": old.get("in", ""), "out": old.get("out", ""),
                    "reason": old.get("reason", "")}
            field = {"in": "in", "out": "out", "reason": "reason"}[entry.action]
            value = entry.reason if entry.action == "reason" else _time_text(entry.time)
            data[field] = value
            if data["in"] and data["out"] and data["out"] < data["in"]:
                raise FloorError(_("{id} p{n}: out {time_out} is before in {time_in}; "
                                   "nothing saved").format(id=key, n=entry.period,
                                                           time_out=data["out"],
                                                           time_in=data["in"]))
            tx.put(part, PUNCHES, pkey, data)
        was = old.get(field)
        if was and was != value:
            return _("corrected {entry} (was {was})").format(entry=entry.describe(), was=was)
        return _("saved {entry}").format(entry=entry.describe())

    def _remove_punch(self, tx: Any, entry: Entry, pkey: str, old: dict[str, Any]) -> str:
        """A wrong in/out punch taken back: a new version without it (audited), and the record
        retired when nothing is left in it. Nothing is deleted; the history shows both."""
        field = entry.action
        if not old.get(field):
            raise FloorError(_("{id} has no {action} punch in p{n} on {day}").format(
                id=entry.staff.id, action=_("in") if field == "in" else _("out"),
                n=entry.period, day=day_text(entry.day)))
        data = {**{k: v for k, v in old.items() if not k.startswith("_")}, field: ""}
        if not (data.get("in") or data.get("out") or data.get("reason")):
            tx.retire(_part(entry.day), PUNCHES, pkey, "punch removed at the attendance screen")
        else:
            tx.put(_part(entry.day), PUNCHES, pkey, data)
        return _("removed {entry}").format(entry=entry.describe())

    def _check_entry(self, entry: Entry) -> None:
        if entry.action == "leave":
            if entry.cancel:
                return
            if entry.leave_type not in LEAVE_TYPES:
                raise FloorError(_("leave type {type!r} is not one of {types}").format(
                    type=entry.leave_type, types=_leave_choices()))
            if not _is_leave_unit(self.floor.policy.leave_units, entry.leave_days):
                raise FloorError(_("leave days {days} must be {units}").format(
                    days=entry.leave_days, units=_or(self.floor.policy.leave_units)))
            if self._shifts(entry.day, [entry.staff])[entry.staff.id] == "R":
                raise FloorError(_("{id} rests on {day} (R): no leave to take").format(
                    id=entry.staff.id, day=day_text(entry.day)))
            return
        periods = self._periods(entry.staff.id, entry.day)
        if not periods:
            code = self.floor.shift_for(entry.staff.id, entry.day)
            raise FloorError(_("{id} is not on shift on {day} ({code})").format(
                id=entry.staff.id, day=day_text(entry.day), code=code))
        if not 1 <= entry.period <= len(periods):
            raise FloorError(_("{id} has no period {n} on {day} (shift has {count})").format(
                id=entry.staff.id, n=entry.period, day=day_text(entry.day),
                count=len(periods)))
        if entry.action == "reason" and not entry.reason.strip():
            raise FloorError(_("type the reason after the name"))
        if entry.action in ("in", "out") and entry.time is not None:
            now = self._local_now()
            clock = dt.time(now.hour, now.minute)
            if entry.day > now.date() or (entry.day == now.date() and entry.time > clock):
                raise FloorError(_("{id}: {time} on {day} is still to come (now {now})").format(
                    id=entry.staff.id, time=_time_text(entry.time), day=day_text(entry.day),
                    now=f"{clock:%H:%M}"))

    def _periods(self, staff_id: str, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        return self.floor.policy.periods(self.floor.scheduled_on(day).get(staff_id, "R"), day)

    def _period_for(self, staff_id: str, day: dt.date, at: dt.time, action: str) -> int:
        """An arrival belongs to the first period not ended at that time; a departure to the
        last period started by then."""
        periods = self._periods(staff_id, day)
        if not periods:
            code = self.floor.shift_for(staff_id, day)
            raise FloorError(_("{id} is not on shift on {day} ({code})").format(
                id=staff_id, day=day_text(day), code=code))
        if action == "in":
            for number, (_start, end) in enumerate(periods, start=1):
                if at < end:
                    return number
            return len(periods)
        started = [n for n, (start, _e) in enumerate(periods, start=1) if start <= at]
        return started[-1] if started else 1

    def _reason_period(self, staff_id: str, day: dt.date) -> int:
        """A reason goes with the latest period that has a punch, else the current one."""
        punched = sorted(self.punches_on(day).get(staff_id, {}))
        if punched:
            return punched[-1]
        now = self._local_now()
        return self._period_for(staff_id, day, now.time() if now.date() == day
                                else dt.time(0, 0), "in")


    # ----------------------------------------------------------- quick entry
    def parse_entry(self, text: str, action: str = "in", day: dt.date | None = None,
                    pick: int | None = None) -> Entry:
        """Read what a supervisor typed: ``[in|out|reason|leave] WHO [HH:MM|now] [pN] [...]``.

        WHO is a staff id or part of a name. ``in``/``out``: the time (default now). ``reason``:
        the rest of the line. ``leave``: ``personal|sick|annual|comp`` (or p/s/a/c) and ``0.5``
        or ``1`` (default 1); ``leave WHO cancel`` cancels. Raises FloorError saying what is
        wrong; nothing is saved by parsing. ``pick``: which of several people WHO matches
        (↑/↓ on the screen), counted round; without it a name matching several is refused.
        """
        day = day or self.floor.today()
        words = text.split()
        if words and words[0].lower() in _ACTION_WORDS and len(words) > 1:
            action = _ACTION_WORDS[words.pop(0).lower()]
        if action not in ACTIONS:
            raise FloorError(_("unknown action {action!r}").format(action=action))
        if not words:
            raise FloorError(_("type a staff id or part of a name"))
        person = self._one_person(words.pop(0), pick)
        if action == "reason":
            period = 0
            # the period first or last: "a003 p2 doctor" and "a003 doctor appointment p2"
            for at in (0, -1):
                if len(words) > 1 and not period and _PERIOD.match(words[at]):
                    period = int(_PERIOD.match(words.pop(at)).group(1))  # type: ignore[union-attr]
            reason = " ".join(words).strip()
            if not reason:
                raise FloorError(_("{id}: type the reason after the name").format(id=person.id))
            return Entry("reason", person, day, period or self._reason_period(person.id, day),
                         reason=reason)
        if action == "leave":
            if words and words[0].lower() in _CANCEL_WORDS:
                return Entry("leave", person, day, cancel=True)
            kind, days = "", Decimal("1")
            for word in words:
                lowered = word.lower()
                if lowered.endswith("天") and len(lowered) > 1:  # 0.5天
                    lowered = word = lowered[:-1]
                matches = [t for t in LEAVE_TYPES if t.startswith(lowered)]
                if lowered in LEAVE_WORDS_ZH:
                    matches = [LEAVE_WORDS_ZH[lowered]]
                if len(matches) == 1:
                    kind = matches[0]
                    continue
                try:
                    days = Decimal(word)
                except InvalidOperation:
                    raise FloorError(_("{word!r}: expected a leave type ({types}) or days "
                                       "(0.5 or 1)").format(word=word, types=_leave_choices())
                                     ) from None
            if not kind:
                raise FloorError(_("{id}: which leave? {types}").format(
                    id=person.id, types=_leave_choices()))
            entry = Entry("leave", person, day, leave_type=kind, leave_days=days)
            self._check_entry(entry)
            return entry
        if any(word.lower() in _CLEAR_WORDS for word in words):
            return self._removal(person, day, action, words)
        at: dt.time | None = None
        period = 0
        for word in words:
            if word.lower() in ("now", "现在"):
                continue
            if _PERIOD.match(word):
                period = int(_PERIOD.match(word).group(1))  # type: ignore[union-attr]
                continue
            at = _parse_time(word)
        if at is None:
            now = self._local_now()
            at = dt.time(now.hour, now.minute)
        entry = Entry(action, person, day,
                      period or self._period_for(person.id, day, at, action), at)
        self._check_entry(entry)
        existing = self.punches_on(day).get(person.id, {}).get(entry.period)
        if existing:
            time_in = at if action == "in" else existing.time_in
            time_out = at if action == "out" else existing.time_out
            if time_in and time_out and time_out < time_in:
                raise FloorError(_("{id} p{n}: out {time_out} is before in {time_in}").format(
                    id=person.id, n=entry.period, time_out=_time_text(time_out),
                    time_in=_time_text(time_in)))
        return entry

    def _removal(self, person: Staff, day: dt.date, action: str, words: list[str]) -> Entry:
        """``a008 cancel`` (or clear, pN): the latest period's in/out punch, to take back."""
        punches = self.punches_on(day).get(person.id, {})
        wanted = [int(m.group(1)) for m in map(_PERIOD.match, words) if m]
        periods = wanted or sorted(punches, reverse=True)
        for number in periods:
            punch = punches.get(number)
            at = (punch.time_in if action == "in" else punch.time_out) if punch else None
            if at is not None:
                return Entry(action, person, day, number, at, cancel=True)
        raise FloorError(_("{id} has no {action} punch on {day} to remove").format(
            id=person.id, action=_("in") if action == "in" else _("out"), day=day_text(day)))

    def preview(self, entry: Entry) -> str:
        """What saving ``entry`` would record: the person's day as the row will show it once
        saved (the same rules, so "late 42 min" is never previewed for a saved absence)."""
        text = entry.describe()
        if entry.action in ("in", "out") and entry.time is not None and not entry.cancel:
            text += " · " + self.day_after(entry).text
        return text

    def day_after(self, entry: Entry) -> DayResult:
        """The person's day evaluated as if ``entry`` were saved (nothing is written)."""
        punches = dict(self.punches_on(entry.day).get(entry.staff.id, {}))
        old = punches.get(entry.period) or Punch(entry.period)
        if entry.action == "in":
            new = Punch(entry.period, entry.time, old.time_out, old.reason)
        elif entry.action == "out":
            new = Punch(entry.period, old.time_in, entry.time, old.reason)
        else:
            new = Punch(entry.period, old.time_in, old.time_out, entry.reason)
        punches[entry.period] = new
        leave = self.leave_on(entry.day).get(entry.staff.id)
        code = self._shifts(entry.day, [entry.staff])[entry.staff.id]
        return evaluate_day(self.floor.policy, entry.day, code, punches, leave,
                            self._local_now())

    @staticmethod
    def entry_who(text: str) -> str:
        """The WHO of a typed line: its first word after an action word ("" for none)."""
        words = text.split()
        if words and words[0].lower() in _ACTION_WORDS and len(words) > 1:
            words.pop(0)
        return words[0] if words else ""

    def entry_matches(self, text: str) -> list[Staff]:
        """Everyone the WHO of a typed line matches."""
        who = self.entry_who(text)
        return self.floor.find_staff(who) if who else []

    def _one_person(self, text: str, pick: int | None = None) -> Staff:
        found = self.floor.find_staff(text)
        if not found:
            raise FloorError(_("no staff member matches {text!r}").format(text=text))
        if len(found) > 1 and pick is not None:
            return found[pick % len(found)]
        if len(found) > 1:
            shown = _(", ").join(f"{s.id} {s.name}" for s in found[:3])
            more = (_(" and {n} more").format(n=len(found) - 3) if len(found) > 3 else "")
            raise FloorError(_("{text!r} matches {shown}{more}: type more or ↑/↓ to pick").format(
                text=text, shown=shown, more=more))
        return found[0]


def _leave_choices() -> str:
    """'personal, sick, annual, comp' (Chinese: the words the quick entry also accepts)."""
    return _("personal, sick, annual, comp")


def _or(units: list[str]) -> str:
    return _(" or ").join(units)


def _is_leave_unit(units: list[str], days: Decimal) -> bool:
    try:
        return days.is_finite() and any(days == Decimal(u) for u in units)
    except InvalidOperation:
        return False


def _parse_time(word: str) -> dt.time:
    match = _TIME.match(word)
    if not match:
        raise FloorError(_("{word!r} is not a time (HH:MM, HHMM or now)").format(word=word))
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise FloorError(_("{word} is not a time of day (00:00–23:59)").format(word=word))
    return dt.time(hours, minutes)
