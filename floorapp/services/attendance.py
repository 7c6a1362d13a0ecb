"""Attendance use-cases (考勤): punches and leave in the day partitions, day statuses, the
month report for payroll, the CSV imports, and the quick entry of the attendance screen.

Storage (day partition ``day/YYYY-MM-DD``):
- table ``punches``, key ``"<staff_id>/<period>"``: ``{"staff_id", "date", "period", "in",
  "out", "reason"}`` (``in``/``out`` ``"HH:MM"`` or ``""``). A correction is a new version.
- table ``leave``, key ``"<staff_id>"``: ``{"staff_id", "date", "type", "days"}`` (days
  ``"0.5"``/``"1"``). Cancelling a leave retires it.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pendulum

from floorapp.formats import csvio, reports
from floorapp import i18n
from floorapp.rules.attendance import (
    LEAVE_TYPES,
    LEAVE_WORDS_ZH,
    DayResult,
    Leave,
    MonthResult,
    PeriodResult,
    Punch,
    day_text,
    evaluate_day,
    leave_name,
    leave_short,
    month_result,
    month_text,
)
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.money import money_text
from floorapp.services import leave as leave_store
from floorapp.rules.staff import Staff

if TYPE_CHECKING:
    from floorapp.policy import Policy
    from floorapp.services.core import Floor

PUNCHES = "punches"
LEAVE = "leave"
ATTENDANCE_COLUMNS = ["staff_id", "date", "period", "in", "out", "reason"]
LEAVE_COLUMNS = ["staff_id", "date", "type", "days"]
MONTH_FIELDS = ["id", "late_minutes", "late_deduction", "early_minutes", "early_deduction",
                "absent_days", "absent_deduction", "personal_leave_days",
                "personal_leave_deduction", "sick_leave_days", "sick_leave_deduction",
                "full_attendance_bonus", "total_deduction", "points"]
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


def _part(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


def _time_text(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


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


@dataclass(frozen=True)
class PersonDay:
    """One row of the attendance screen: a person's shift, punches and status on a day."""

    staff: Staff
    result: DayResult

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def text(self) -> str:
        return self.result.text

    @property
    def code(self) -> str:
        """The day's code as the roster grid shows it: the leave type over a whole day of
        leave, else the scheduled shift (or R)."""
        leave = self.result.leave
        if leave is not None and leave.days >= 1 and self.result.shift != "R":
            return leave.type
        return self.result.shift


class DayRow(NamedTuple):
    """A person's day as the attendance grid shows it, in words (the interface language):
    plain data, so a finished day's rows are kept whole (``day_rows``)."""

    staff_id: str
    name: str
    code: str  # PersonDay.code: the shift, R, or the type of a whole day's leave
    corrected: bool  # punches or leave corrected that day (✎)
    periods: list[str]  # the first two periods: "08:02–17:31", "--", "·", "leave", ""
    parts: list[str]  # DayResult.parts
    status: str  # DayResult.status
    status_now: str  # DayResult.status_now

    @property
    def text(self) -> str:
        return _(", ").join(self.parts)


# Finished days' grid rows kept in memory besides the memo: stepping back and forth a week
ROWS_KEPT = 8
# and the history lines of the people highlighted on them
HISTORY_KEPT = 64


class AttendanceService:
    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        self._day_memo: tuple[tuple, tuple[PersonDay, ...]] | None = None
        self._rows_kept: dict[tuple, list[DayRow]] = {}
        self._history_kept: dict[tuple, list[str]] = {}

    # -------------------------------------------------------------- reading
    def _local_now(self) -> dt.datetime:
        now = self.floor.now()
        return dt.datetime(now.year, now.month, now.day, now.hour, now.minute, now.second)

    def punches_on(self, day: dt.date) -> dict[str, dict[int, Punch]]:
        out: dict[str, dict[int, Punch]] = {}
        for record in self.floor.store.shared_records(_part(day), PUNCHES):
            out.setdefault(record["staff_id"], {})[int(record["period"])] = _punch(record)
        return out

    def leave_on(self, day: dt.date) -> dict[str, Leave]:
        return self.floor.leave_on(day)

    def _shifts(self, day: dt.date, people: list[Staff]) -> dict[str, str]:
        """Who is charged (SPEC §4 rev. 12-2026b): people scheduled that day and on the register
        that day by their dates (hired, left), never by when their entry was typed."""
        shifts = self.floor.scheduled_on(day)
        return {s.id: (shifts.get(s.id, "R") if s.on_register(day) else "R") for s in people}

    def day_results(self, day: dt.date) -> list[PersonDay]:
        """Every current staff member's day, evaluated at the floor's ``now``.

        The day report and the screens ask for one day's results several times in a row:
        they are kept for as long as ``now`` and every file they come from are the same."""
        store = self.floor.store
        state = (day, self._local_now(), store.stamp(), store.signature(_part(day)),
                 store.signature("ref"), store.signature("pay"),
                 store.signature(f"roster/{day:%Y-%m}"))
        if self._day_memo is not None and self._day_memo[0] == state:
            return list(self._day_memo[1])
        results = self._work_out_day(day)
        self._day_memo = (state, tuple(results))
        return results

    def _work_out_day(self, day: dt.date) -> list[PersonDay]:
        # Who was on the register that day by their dates: a leaver's past days stay theirs,
        # someone hired later is not on this day's list.
        people = [s for s in self.floor.staff(include_retired=True) if s.on_register(day)]
        punches = self.punches_on(day)
        leave = self.leave_on(day)
        shifts = self._shifts(day, people)
        now = self._local_now()
        policy = self.floor.policy  # once: each look is a file signature or a round trip
        out = []
        for person in people:
            result = evaluate_day(policy, day, shifts[person.id],
                                  punches.get(person.id, {}), leave.get(person.id), now)
            out.append(PersonDay(person, result))
        return out

    def day_rows(self, day: dt.date) -> list[DayRow]:
        """The attendance grid of a day, one row per person on the register that day.

        A finished day's rows (before today) do not follow the clock: they are kept in this
        user's memo (``report_memo.kept``) while every file they were worked out from is
        unchanged, and the last few in memory, so going back a day on a 1,000-seat floor is a
        look-up, not 1,139 people's day worked out again (issue #30). A changed punch, leave,
        register, policy or roster, another language or login: worked out again."""
        today = self.floor.today()
        if day >= today:
            return self._work_out_rows(day)
        store = self.floor.store
        language = i18n.language()
        roster = f"roster/{day:%Y-%m}"
        state = (day, today, language, store.stamp(), store.signature(_part(day)),
                 store.signature("ref"), store.signature("pay"), store.signature(roster))
        rows = self._rows_kept.get(state)
        if rows is not None:
            return list(rows)
        from floorapp.services import report_memo

        found = report_memo.kept(
            self.floor, f"attendance|day|{day.isoformat()}|{language}",
            lambda: [list(row) for row in self._work_out_rows(day)], list,
            reads=(_part(day), roster))
        if not all(isinstance(item, list) and len(item) == len(DayRow._fields)
                   for item in found):  # not rows of this program: worked out, not trusted
            found = [list(row) for row in self._work_out_rows(day)]
        rows = [DayRow._make(item) for item in found]
        self._rows_kept.pop(state, None)
        self._rows_kept[state] = rows
        while len(self._rows_kept) > ROWS_KEPT:
            del self._rows_kept[next(iter(self._rows_kept))]
        return list(rows)

    def _work_out_rows(self, day: dt.date) -> list[DayRow]:
        corrected = self.corrected_on(day)
        out = []
        for row in self.day_results(day):
            result = row.result
            periods = result.periods
            out.append(DayRow(
                row.staff.id, row.staff.name, row.code, row.staff.id in corrected,
                [period_text(periods[0] if periods else None, result),
                 period_text(periods[1] if len(periods) > 1 else None, result)],
                result.parts, result.status, result.status_now))
        return out

    def leave_periods(self, day: dt.date) -> dict[str, set[int]]:
        """{staff_id: the shift periods (1-based) their leave covers that day}: every period
        for a whole day, the half-day leave's period for 0.5 (the same rule as the pay)."""
        people = self.floor.staff_by_id()
        leave = self.leave_on(day)
        punches = self.punches_on(day)
        out: dict[str, set[int]] = {}
        for staff_id, item in leave.items():
            person = people.get(staff_id)
            if person is None:
                continue
            code = self._shifts(day, [person])[staff_id]
            result = evaluate_day(self.floor.policy, day, code, punches.get(staff_id, {}),
                                  item, self._local_now())
            out[staff_id] = {p.number for p in result.periods if p.covered}
        return out

    def floor_statuses(self, day: dt.date) -> dict[str, str]:
        """{staff_id: status as the floor sees it}: ``not_in`` until the first in punch
        (``DayResult.status_now``), and someone who came in but is an absence by the pay rule
        (late or early ≥ 30 min without a reason) is ``late`` / ``early``, not "not here"."""
        out = {}
        for row in self.day_results(day):
            result = row.result
            status = result.status_now
            if status == "absent" and result.punched_in:
                if any(p.absent_late is not None for p in result.periods):
                    status = "late"
                elif any(p.absent_early is not None for p in result.periods):
                    status = "early"
            out[row.staff.id] = status
        return out

    def day_statuses(self, day: dt.date) -> dict[str, str]:
        """{staff_id: on_time|late|early|absent|leave|rest} (SPEC §9).

        Today, a period that has not ended is not an absence yet: someone not in by its start
        is ``late`` (the minutes so far are shown, not charged), before its start ``on_time``.
        A future day shows everyone scheduled as ``on_time``.
        """
        return {row.staff.id: row.status for row in self.day_results(day)}

    def day_status_text(self, day: dt.date) -> dict[str, str]:
        """{staff_id: "late 12 min" | "left early 4 min" | "absent (…)" | "sick leave 0.5" |
        "rest" | "on time" | "not in yet" …}."""
        return {row.staff.id: row.text for row in self.day_results(day)}

    def punch_history(self, staff_id: str, day: dt.date) -> list[str]:
        """Every version of a person's punches and leave that day, newest first, with who/when.

        A past day's lines are kept as its grid is (``day_rows``): in memory and in this
        user's memo while the day's file, the register and the policy are unchanged, so the
        line under the grid after a day change is not a read of every punch of a 1,000-seat
        day (issue #30). Today's are kept in memory only, under the same rule: the screen's
        first refresh and its highlighted row ask for the same lines."""
        store = self.floor.store
        language = i18n.language()
        today = self.floor.today()
        state = (staff_id, day, today, language, store.stamp(),
                 store.signature(_part(day)), store.signature("ref"), store.signature("pay"))
        lines = self._history_kept.get(state)
        if lines is None:
            if day >= today:  # today's in memory only: the screen asks twice
                lines = self._work_out_history(staff_id, day)
            else:
                from floorapp.services import report_memo

                lines = report_memo.kept(
                    self.floor, f"attendance|history|{day.isoformat()}|{staff_id}|{language}",
                    lambda: self._work_out_history(staff_id, day), list, reads=(_part(day),))
                if not all(isinstance(line, str) for line in lines):  # not this program's
                    lines = self._work_out_history(staff_id, day)
            self._history_kept.pop(state, None)
            self._history_kept[state] = lines
            while len(self._history_kept) > HISTORY_KEPT:
                del self._history_kept[next(iter(self._history_kept))]
        return list(lines)

    def _work_out_history(self, staff_id: str, day: dt.date) -> list[str]:
        lines = []
        store = self.floor.store
        keys = sorted({r["_key"] for r in store.shared_records(_part(day), PUNCHES,
                                                               include_retired=True)
                       if r["staff_id"] == staff_id})
        entries = []
        for key in keys:
            for record in store.history(_part(day), PUNCHES, key):
                text = _("p{n} in {time_in} out {time_out}").format(
                    n=record["period"], time_in=record["in"] or "--:--",
                    time_out=record["out"] or "--:--")
                if record.get("reason"):
                    text += " " + _("reason: {reason}").format(reason=record["reason"])
                if record.get("_retired"):
                    text = _("p{n} punches removed").format(n=record["period"])
                entries.append((record["_at"], record["_v"], text, record["_by"]))
        for record in store.history(_part(day), LEAVE, staff_id):
            text = _("leave {type} {days}").format(type=leave_short(record["type"]),
                                                   days=record["days"])
            if record.get("_retired"):
                text = _("leave {type} {days} cancelled").format(
                    type=leave_short(record["type"]), days=record["days"])
            entries.append((record["_at"], record["_v"], text, record["_by"]))
        tz = self.floor.policy.timezone
        for at, version, text, by in sorted(entries, reverse=True):
            try:
                when = pendulum.parse(at).in_tz(tz).format("MM-DD HH:mm")
            except Exception:  # an odd stamp in an old file: show it as stored
                when = at
            lines.append(f"{text} · v{version} {by} {when}")
        return lines

    # ---------------------------------------------------------------- month
    def month_results(
        self, year: int, month: int
    ) -> list[tuple[Staff, MonthResult, list[DayResult]]]:
        """Every staff member scheduled (or on leave) in the month, with their month result.

        Days after today are not counted yet; today counts only its ended periods.
        """
        policy = self.floor.policy
        first = dt.date(year, month, 1)
        # Leavers who worked part of the month are still paid for it, deductions and all.
        # Pay unseen (issue #19) counts as 0: the report then leaves out what depends on it.
        people = [s if s.base_pay is not None else dataclasses.replace(s, base_pay=Decimal(0))
                  for s in self.floor.staff(include_retired=True)
                  if s.left is None or s.left > first]
        now = self._local_now()
        today = now.date()
        last = calendar.monthrange(year, month)[1]
        days: dict[str, list[DayResult]] = {s.id: [] for s in people}
        scheduled: set[str] = set()
        for number in range(1, last + 1):
            day = dt.date(year, month, number)
            works = _Works(policy, day)  # a code's periods asked once a day, not per person
            if day > today:
                shifts = self._shifts(day, people)
                scheduled.update(i for i, code in shifts.items() if works[code])
                continue
            punches = self.punches_on(day)
            leave = self.leave_on(day)
            shifts = self._shifts(day, people)
            scheduled.update(i for i, code in shifts.items() if works[code])
            for person in people:
                code = shifts[person.id]
                if not works[code] and person.id not in leave:
                    continue
                scheduled.add(person.id)
                days[person.id].append(evaluate_day(policy, day, code,
                                                    punches.get(person.id, {}),
                                                    leave.get(person.id), now))
        bases = self._month_bases(year, month, [s for s in people if s.id in scheduled])
        return [(s, month_result(policy, s, days[s.id], bases.get(s.id)), days[s.id])
                for s in people if s.id in scheduled]

    def _month_bases(self, year: int, month: int, people: list[Staff]) -> dict[str, Decimal]:
        """The month's base per person where it is not the register's (outbound agents: pay
        tier + seniority raise, SPEC §4 rev. / §10), from the pay service when present."""
        service = getattr(self.floor, "pay", None)
        if service is None or not hasattr(service, "month_bases") or not self.floor.pay_visible():
            return {}  # who may not see pay gets no money figures from base pay (issue #19)
        return service.month_bases(year, month, people)

    def month_report(self, year: int, month: int) -> reports.Report:
        """The payroll month report (SPEC §9 month JSON), extended by quota/QA sections."""
        results = self.month_results(year, month)
        pay = self.floor.pay_visible()
        staff_rows = [_without_pay(month_json(r), pay) for _s, r, _d in results]
        data: dict[str, Any] = {"month": f"{year:04d}-{month:02d}", "staff": staff_rows}
        headers = _without_pay_columns(
            [_("id"), _("name"), _("late"), _("late ¥"), _("early"), _("early ¥"),
             _("absent"), _("absent ¥"), _("pers."), _("pers. ¥"), _("sick"),
             _("sick ¥"), _("bonus"), _("total ¥"), _("points")], pay)
        rows = []
        totals = MonthResult("TOTAL")
        for person, r, _days in results:
            rows.append(_without_pay_columns([person.id, person.name, *_money_row(r)], pay))
            for name in _TOTALLED:
                setattr(totals, name, getattr(totals, name) + getattr(r, name))
        if rows:
            rows.append(_without_pay_columns([_("TOTAL"), _("{n} staff").format(n=len(rows)),
                                              *_money_row(totals)], pay))
        report = reports.Report(
            title=_("Attendance {month} (考勤扣款)").format(month=month_text(year, month)),
            data=data,
            tables=[reports.Table(headers, rows)],
            notes=[_("Minutes: late/early charged minutes; absent: absenteeism days (旷工); "
                     "pers./sick: leave days; bonus: full-attendance bonus paid (全勤奖)."),
                   _("Amounts exact, rounded half-up to 0.01 once (total rounded from the "
                     "exact sum).")]
            + ([] if pay else [_("Amounts that follow from base pay (absent, leave, total) "
                                 "are left out: only managers see pay.")]),
        )
        return reports.extend_month_report(self.floor, report, year, month)

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

    def corrected_on(self, day: dt.date) -> set[str]:
        """Staff whose punches or leave that day were corrected (a record with a later version)."""
        out = set()
        store = self.floor.store
        for table in (PUNCHES, LEAVE):
            for record in store.records(_part(day), table):
                if record["_v"] == 1 or record["staff_id"] in out:
                    continue
                versions = store.history(_part(day), table, record["_key"])
                # Filling in an empty field (the out punch, a reason) is not a correction.
                for old, new in zip(versions, versions[1:]):
                    if any(old.get(f) not in ("", None) and old.get(f) != new.get(f)
                           for f in ("in", "out", "reason", "type", "days")):
                        out.add(record["staff_id"])
                        break
        return out

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

    # --------------------------------------------------------------- imports
    def import_attendance(self, path: str | Path) -> str:
        """``staff_id,date,period,in,out,reason`` (SPEC §9); all-or-nothing."""
        self.floor.require("attendance.record")
        rows, errors = csvio.read_rows(path, ATTENDANCE_COLUMNS)
        people = self.floor.staff_by_id()
        seen: dict[tuple[str, str, int], int] = {}
        shift_cache: dict[dt.date, dict[str, str]] = {}
        items: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        policy = self.floor.policy
        for line, row in rows:
            try:
                staff_id = row["staff_id"]
                if staff_id not in people:
                    raise ValueError(_("unknown staff id {id!r}").format(id=staff_id))
                day = csvio.check_not_after(csvio.parse_date(row["date"]), self.floor.today())
                if not re.match(r"^\d+$", row["period"]):
                    raise ValueError(_("period {period!r} is not a number (1, 2, …)").format(
                        period=row["period"]))
                period = int(row["period"])
                time_in = csvio.parse_hhmm(row["in"], "in") if row["in"] else None
                time_out = csvio.parse_hhmm(row["out"], "out") if row["out"] else None
                if time_in and time_out and time_out < time_in:
                    raise ValueError(_("out {time_out} is before in {time_in}").format(
                        time_out=row["out"], time_in=row["in"]))
                if day not in shift_cache:
                    shift_cache[day] = self._shifts(day, list(people.values()))
                code = shift_cache[day].get(staff_id, "R")
                periods = policy.periods(code, day)
                if not periods:
                    raise ValueError(_("{id} is not on shift on {day} ({code})").format(
                        id=staff_id, day=day_text(day), code=code))
                if not 1 <= period <= len(periods):
                    raise ValueError(_("period {n} is not in {id}'s shift {code} on {day} "
                                       "(periods 1–{count})").format(
                        n=period, id=staff_id, code=code, day=day_text(day),
                        count=len(periods)))
                key = (staff_id, day.isoformat(), period)
                if key in seen:
                    raise ValueError(_("{id} {day} period {n} is also on line {line}").format(
                        id=staff_id, day=day_text(day), n=period, line=seen[key]))
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            seen[key] = line
            items.setdefault(_part(day), []).append((f"{staff_id}/{period}", {
                "staff_id": staff_id, "date": day.isoformat(), "period": period,
                "in": _time_text(time_in), "out": _time_text(time_out),
                "reason": row["reason"]}))
        errors.check()
        with self.floor.transaction() as tx:
            for part, part_items in sorted(items.items()):
                tx.put_many(part, PUNCHES, part_items, note=f"import attendance {path}")
        return _("{path}: {rows} punch row(s) imported over {days} day(s)").format(
            path=path, rows=len(seen), days=len(items))

    def import_leave(self, path: str | Path) -> str:
        """``staff_id,date,type,days`` (SPEC §9); all-or-nothing."""
        self.floor.require("attendance.record")
        rows, errors = csvio.read_rows(path, LEAVE_COLUMNS)
        people = self.floor.staff_by_id()
        units = self.floor.policy.leave_units
        seen: dict[tuple[str, str], int] = {}
        shift_cache: dict[dt.date, dict[str, str]] = {}
        items: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for line, row in rows:
            try:
                staff_id = row["staff_id"]
                if staff_id not in people:
                    raise ValueError(_("unknown staff id {id!r}").format(id=staff_id))
                day = csvio.parse_date(row["date"])
                if row["type"] not in LEAVE_TYPES:
                    raise ValueError(_("leave type {type!r} is not one of {types}").format(
                        type=row["type"], types=", ".join(LEAVE_TYPES)))
                try:
                    days = Decimal(row["days"])
                except InvalidOperation:
                    days = Decimal("-1")
                if not _is_leave_unit(units, days):
                    raise ValueError(_("days {days!r} must be {units}").format(
                        days=row["days"], units=_or(units)))
                key = (staff_id, day.isoformat())
                if key in seen:
                    raise ValueError(_("{id} has leave on {day} also on line {line}").format(
                        id=staff_id, day=day_text(day), line=seen[key]))
                if day not in shift_cache:
                    shift_cache[day] = self._shifts(day, list(people.values()))
                if shift_cache[day].get(staff_id) == "R":
                    raise ValueError(_("{id} rests on {day} (R): no leave to take").format(
                        id=staff_id, day=day_text(day)))
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            seen[key] = line
            items.setdefault(_part(day), []).append((staff_id, {
                "staff_id": staff_id, "date": day.isoformat(), "type": row["type"],
                "days": str(days.normalize())}))
        errors.check()
        with self.floor.transaction() as tx:
            for part, part_items in sorted(items.items()):
                tx.put_many(part, LEAVE, part_items, note=f"import leave {path}")
        return _("{path}: {rows} leave row(s) imported").format(path=path, rows=len(seen))


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


@functools.lru_cache(maxsize=4096)
def _clock_time(text: str) -> dt.time | None:
    """A stored punch time (a month report reads ~35,000 of a few hundred distinct ones)."""
    return dt.time.fromisoformat(text) if text else None


class _Works(dict):
    """{shift code: whether it has periods on the day}, filled as codes are asked for."""

    def __init__(self, policy: Policy, day: dt.date) -> None:
        super().__init__()
        self.policy, self.day = policy, day

    def __missing__(self, code: str) -> bool:
        self[code] = works = bool(self.policy.periods(code, self.day))
        return works


def period_text(period: PeriodResult | None, result: DayResult) -> str:
    """A period's cell in the attendance grid: its punches, "leave", "--" (none) or "·"
    (none yet)."""
    if period is None:
        return ""
    if period.covered and result.leave:
        return _("leave")
    punch = period.punch
    if punch is None or (punch.time_in is None and punch.time_out is None):
        return "--" if not period.pending else "·"
    time_in = punch.time_in.strftime("%H:%M") if punch.time_in else "--:--"
    time_out = punch.time_out.strftime("%H:%M") if punch.time_out else ""
    return f"{time_in}–{time_out}"


def _punch(record: dict[str, Any]) -> Punch:
    return Punch(int(record["period"]), _clock_time(record.get("in", "")),
                 _clock_time(record.get("out", "")), record.get("reason", ""))


def month_json(r: MonthResult) -> dict[str, Any]:
    """One staff entry of the SPEC §9 month JSON: money as strings with two decimals."""
    return {
        "id": r.staff_id,
        "late_minutes": r.late_minutes,
        "late_deduction": money_text(r.late_deduction),
        "early_minutes": r.early_minutes,
        "early_deduction": money_text(r.early_deduction),
        "absent_days": r.absent_days,
        "absent_deduction": money_text(r.absent_deduction),
        "personal_leave_days": _number(r.personal_leave_days),
        "personal_leave_deduction": money_text(r.personal_leave_deduction),
        "sick_leave_days": _number(r.sick_leave_days),
        "sick_leave_deduction": money_text(r.sick_leave_deduction),
        "full_attendance_bonus": money_text(r.full_attendance_bonus),
        "total_deduction": money_text(r.total_deduction),
        "points": _number(r.points),
    }


def _money_row(r: MonthResult) -> list[str]:
    return [str(r.late_minutes), money_text(r.late_deduction), str(r.early_minutes),
            money_text(r.early_deduction), str(r.absent_days), money_text(r.absent_deduction),
            str(_number(r.personal_leave_days)), money_text(r.personal_leave_deduction),
            str(_number(r.sick_leave_days)), money_text(r.sick_leave_deduction),
            money_text(r.full_attendance_bonus), money_text(r.total_deduction),
            str(_number(r.points))]


# What follows from a person's base pay (day pay × days): shown only to those who may see pay.
_PAY_FIELDS = ("absent_deduction", "personal_leave_deduction", "sick_leave_deduction",
               "total_deduction")
_PAY_COLUMNS = (7, 9, 11, 13)  # their columns in the month table (id, name, then _money_row)


def _without_pay(entry: dict[str, Any], pay: bool) -> dict[str, Any]:
    return entry if pay else {k: v for k, v in entry.items() if k not in _PAY_FIELDS}


def _without_pay_columns(row: list[str], pay: bool) -> list[str]:
    return row if pay else [cell for i, cell in enumerate(row) if i not in _PAY_COLUMNS]


_TOTALLED = ("late_minutes", "late_deduction", "early_minutes", "early_deduction",
             "absent_days", "absent_deduction", "personal_leave_days",
             "personal_leave_deduction", "sick_leave_days", "sick_leave_deduction",
             "full_attendance_bonus", "points")


def demo_step(ctx: Any) -> None:  # ctx: floorapp.services.demo.DemoContext (avoids an import cycle)
    """Realistic punches and leave for every scheduled person on every demo day: most on time,
    some a few minutes late, rarely 30+ minutes, some early leaves, reasons sometimes; personal
    and sick leave of 0.5 and 1 day. One transaction per day (issue #30: bounded memory)."""
    rng, floor = ctx.rng, ctx.floor
    policy = floor.policy
    people = list(ctx.staff)
    reasons = ("traffic jam", "bus late", "doctor", "family matter", "approved by lead",
               "metro delay")
    punches_total = leave_total = 0
    now = floor.now()
    today, clock = now.date(), dt.time(now.hour, now.minute)
    months = ctx.months()
    if ctx.days:  # today so far, so the live screen opens on a realistic morning
        if (today.year, today.month) == (ctx.days[-1].year, ctx.days[-1].month):
            months[-1] = months[-1] + [today]
        else:
            months.append([today])
    for month_days in months:
        for day in month_days:
            with floor.transaction() as tx:  # a day at a time: memory holds one day file
                shifts = floor.shifts_on(day)
                punch_items: list[tuple[str, dict[str, Any]]] = []
                leave_items: list[tuple[str, dict[str, Any]]] = []
                day_periods = {code: [(s.hour * 60 + s.minute, e.hour * 60 + e.minute)
                                      for s, e in policy.periods(code, day)]
                               for code in set(shifts.values())}
                limit = clock.hour * 60 + clock.minute if day == today else 24 * 60
                for person in people:
                    periods = day_periods.get(shifts.get(person.id, "R"), [])
                    if not periods or day < person.hired:
                        continue
                    skip: set[int] = set()
                    roll = rng.random()
                    if roll < 0.025:
                        kind = "sick" if rng.random() < 0.55 else "personal"
                        days = "1" if rng.random() < 0.5 or len(periods) == 1 else "0.5"
                        leave_items.append((person.id, {"staff_id": person.id,
                                                        "date": day.isoformat(),
                                                        "type": kind, "days": days}))
                        if days == "1":
                            continue
                        skip.add(len(periods))  # afternoon off
                    elif roll < 0.028:
                        continue  # absent, no punch (旷工)
                    for number, (start, end) in enumerate(periods, start=1):
                        if number in skip:
                            continue
                        reason = ""
                        chance = rng.random()
                        if chance < 0.07:
                            late = rng.randint(1, 12)
                        elif chance < 0.076:
                            late = rng.randint(30, 55)
                        else:
                            late = -rng.randint(0, policy.clock_in_window_minutes)
                        chance = rng.random()
                        if chance < 0.035:
                            early = rng.randint(1, 15)
                        elif chance < 0.037:
                            early = rng.randint(30, 60)
                        else:
                            early = -rng.randint(0, 8)
                        if (late > 0 or early > 0) and rng.random() < 0.3:
                            reason = rng.choice(reasons)
                        if start + late > limit:
                            continue
                        time_in = _hhmm(start + late)
                        time_out = _hhmm(end - early) if end - early <= limit else ""
                        punch_items.append((f"{person.id}/{number}", {
                            "staff_id": person.id, "date": day.isoformat(), "period": number,
                            "in": time_in, "out": time_out, "reason": reason}))
                tx.put_many(_part(day), PUNCHES, punch_items, note="demo punches")
                tx.put_many(_part(day), LEAVE, leave_items, note="demo leave")
                punches_total += len(punch_items)
                leave_total += len(leave_items)
    ctx.summary.append(f"attendance: {punches_total} punches, {leave_total} leave days")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
