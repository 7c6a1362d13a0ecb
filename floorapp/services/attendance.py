"""Attendance use-cases (考勤): the composed attendance service, and the day as the attendance
screen and the other features see it: each person's day status, the grid's rows (kept for a
finished day), the floor's statuses and a person's punch history.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

The concepts live beside it: the records as stored (``attendance_records``), recording punches
and leave and the quick entry (``attendance_entry``), the month report for payroll
(``attendance_month``), the CSV imports (``attendance_import``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import pendulum

from floorapp import i18n
from floorapp.rules.attendance import (
    DayResult,
    Leave,
    PeriodResult,
    Punch,
    evaluate_day,
    leave_short,
)
from floorapp.i18n import _
from floorapp.services.attendance_entry import AttendanceEntry
from floorapp.services.attendance_import import AttendanceImport
from floorapp.services.attendance_month import AttendanceMonth
from floorapp.services.attendance_records import LEAVE, PUNCHES, _part, _punch
from floorapp.rules.staff import Staff

if TYPE_CHECKING:
    from floorapp.services.core import Floor


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


class AttendanceService(AttendanceEntry, AttendanceMonth, AttendanceImport):
    """Attendance for the floor: the day read here, the concepts composed from their modules."""

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
