"""The attendance CSV imports (SPEC §9): punches and leave, each file all-or-nothing.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floorapp.formats import csvio
from floorapp.rules.attendance import LEAVE_TYPES, day_text
from floorapp.i18n import _
from floorapp.services.attendance_entry import _is_leave_unit, _or
from floorapp.services.attendance_records import LEAVE, PUNCHES, _part, _time_text

if TYPE_CHECKING:
    from floorapp.services.core import Floor

ATTENDANCE_COLUMNS = ["staff_id", "date", "period", "in", "out", "reason"]
LEAVE_COLUMNS = ["staff_id", "date", "type", "days"]


class AttendanceImport:
    """Bringing a month of punches or leave in from a spreadsheet: every row checked against
    the register and the roster, nothing saved unless every row is right.

    A part of ``AttendanceService`` (floorapp/services/attendance.py), which holds ``floor`` and
    the day's reading the parts share."""

    floor: Floor

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
