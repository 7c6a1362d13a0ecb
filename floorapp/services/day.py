"""The floor-day: who works on a day, the one answer every section asks (issue #24).

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Who works — scheduled (the roster, else the default week), on the register that day by the
dates (hired, left), not on a whole day's leave, and present or not yet in — is worked out
here from the facts each has one source for: the scheduled code (``Floor.scheduled_on``), the
leave record (``Floor.leave_on``) and the day's punches (the attendance status as the floor
sees it). The header, Attendance's counts, Quota's seats and "behind", the Summary, the QA plan
and its re-plan, the emergency call-in and the reports ask ``floor.day.roll(day)``; none works
out its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from floorapp.rules.attendance import Leave
from floorapp.rules.staff import Staff

if TYPE_CHECKING:
    from floorapp.services.core import Floor

# Statuses of someone expected at a seat: in, or not in yet (SPEC §4: nobody is present
# before their first punch, but a person not in yet is still on the day's roll).
AT_WORK = ("not_in", "on_time", "late", "early")


@dataclass(frozen=True)
class OnDay:
    """One person's day as every section sees it."""

    staff: Staff
    scheduled: str  # the roster's code (or the default week's): a shift or R, never leave
    leave: Leave | None
    status: str  # not_in, on_time, late, early, absent, leave, rest (the floor's status)
    shifts: tuple[str, ...]  # the policy's shift codes
    # Someone on the floor has punched in that day: attendance is kept at the console, so a
    # person with no punch when their period is over is known to be absent. A centre that
    # loads the time clock's export at night has no punch during the day: nobody is struck off
    # the roll before their punches are in.
    attendance_kept: bool = True

    @property
    def whole_day_leave(self) -> bool:
        return self.leave is not None and self.leave.days >= 1

    @property
    def code(self) -> str:
        """The code the roster grid shows: the leave type over a day of leave, else the
        scheduled code."""
        if self.whole_day_leave and self.scheduled != "R":
            return self.leave.type  # type: ignore[union-attr]
        return self.scheduled

    @property
    def on_shift(self) -> bool:
        """Scheduled to work and not on a whole day's leave."""
        return self.scheduled in self.shifts and not self.whole_day_leave

    @property
    def working(self) -> bool:
        """On shift, and in or not in yet: not absent (where attendance is kept that day),
        not on leave."""
        if not self.on_shift:
            return False
        return self.status in AT_WORK or (self.status == "absent" and not self.attendance_kept)


@dataclass(frozen=True)
class Roll:
    """Everyone on the register on a day, by staff id."""

    day: dt.date
    people: dict[str, OnDay]

    def working(self, roles: tuple[str, ...] | None = None) -> list[OnDay]:
        return [p for p in self.people.values()
                if p.working and (roles is None or p.staff.role in roles)]

    def working_ids(self, roles: tuple[str, ...] | None = None) -> set[str]:
        return {p.staff.id for p in self.working(roles)}

    def is_working(self, staff_id: str) -> bool:
        person = self.people.get(staff_id)
        return person is not None and person.working


class DayService:
    """``floor.day``: the floor-day model."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor

    def shift_codes(self, day: dt.date) -> list[str]:
        """The shift codes someone is on that day (scheduled, on the register, not on a whole
        day's leave): the header's running period. Reads no punches, so it is cheap."""
        shifts = self.floor.policy.shifts
        leave = self.floor.leave_on(day)
        return sorted({code for sid, code in self.floor.scheduled_on(day).items()
                       if code in shifts and not (sid in leave and leave[sid].days >= 1)})

    def roll(self, day: dt.date) -> Roll:
        floor = self.floor
        scheduled = floor.scheduled_on(day)
        leave = floor.leave_on(day)
        statuses = floor.attendance.floor_statuses(day)
        shifts = tuple(floor.policy.shifts)
        kept = any(r.get("in") for r in floor.store.shared_records(f"day/{day.isoformat()}",
                                                                   "punches"))
        people = {}
        for person in floor.staff(include_retired=True):
            if not person.on_register(day):
                continue
            code = scheduled.get(person.id, "R")
            status = statuses.get(person.id) or ("rest" if code not in shifts else "not_in")
            people[person.id] = OnDay(person, code, leave.get(person.id), status, shifts, kept)
        return Roll(day, people)
