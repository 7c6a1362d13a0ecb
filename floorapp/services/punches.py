"""Importing the time clock's raw punches (SPEC §11): `floor import punches FILE`.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

FILE is a ZKTeco/中控 ``attlog.dat`` (tab-separated: user id padded with spaces, date and time,
verify, status, work code …) or a table ``clock_id,time`` (CSV in UTF-8 or GBK, or .xlsx).

Storage: every raw punch is kept in its day partition ``day/YYYY-MM-DD``, table ``clock``, key
``"<staff_id>/<HH:MM:SS>"``, data ``{"staff_id", "clock_id", "date", "time", "extra"}``. The
pairing (``floorapp.rules.punches``) of all the stored punches of a person's day fills the in/out of
the attendance ``punches`` records. Only what the new punches change is written: re-importing a
file changes nothing, and a time a supervisor corrected by hand stays unless the clock brings a
new punch for that very boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floorapp.formats import csvio, import_files
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.rules.punches import Pairing, pair_day, parse_attlog_line, parse_moment
from floorapp.rules.staff import Staff, clock_key

if TYPE_CHECKING:
    from floorapp.services.core import Floor

CLOCK = "clock"
PUNCHES = "punches"
PUNCH_COLUMNS = ["clock_id", "time"]


@dataclass
class _Read:
    """The file's punches by person and day, with what the summary must mention."""

    punches: dict[tuple[str, dt.date], dict[dt.datetime, list[str]]] = field(default_factory=dict)
    lines: dict[tuple[str, dt.datetime], list[int]] = field(default_factory=dict)
    unknown: dict[str, list[int]] = field(default_factory=dict)
    count: int = 0


def _part(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


class PunchService:
    def __init__(self, floor: Floor) -> None:
        self.floor = floor

    def import_punches(self, path: str | Path, skip_unknown: bool = False) -> str:
        """Read, pair and store a clock export; all-or-nothing. Returns the summary."""
        self.floor.require("attendance.record")
        people = {s.clock_key: s for s in self.floor.staff(include_retired=True)
                  if s.left is None}
        people.update({s.clock_key: s for s in self.floor.staff()})
        read = self._read(path, people, skip_unknown)
        policy = self.floor.policy
        attendance = self.floor.attendance
        staff = {s.id: s for s in people.values()}
        days = sorted({day for _id, day in read.punches})
        shifts = {day: attendance._shifts(day, list(staff.values())) for day in days}
        strays: list[str] = []
        repeats: list[str] = []
        problems: list[str] = []
        set_fields = 0
        touched: set[tuple[str, dt.date]] = set()
        new_total = 0
        with self.floor.transaction() as tx:
            for day in days:
                part = _part(day)
                stored: dict[str, set[dt.datetime]] = {}
                for record in tx.records(part, CLOCK):
                    stored.setdefault(record["staff_id"], set()).add(
                        dt.datetime.combine(day, dt.time.fromisoformat(record["time"])))
                raw_items: list[tuple[str, dict[str, Any]]] = []
                for (staff_id, punch_day), moments in sorted(read.punches.items()):
                    if punch_day != day:
                        continue
                    person = staff[staff_id]
                    code = shifts[day].get(staff_id, "R")
                    periods = policy.periods(code, day)
                    before = stored.get(staff_id, set())
                    after = before | set(moments)
                    fresh = sorted(set(moments) - before)
                    new_total += len(fresh)
                    for moment in fresh:
                        raw_items.append((f"{staff_id}/{moment:%H:%M:%S}", {
                            "staff_id": staff_id, "clock_id": person.clock_id or staff_id,
                            "date": day.isoformat(), "time": f"{moment:%H:%M:%S}",
                            "extra": moments[moment]}))
                    new = pair_day(policy, periods, sorted(after))
                    for moment in new.strays:
                        if moment in moments:
                            why = (_("no period starts or ends near it") if periods
                                   else _("not on shift ({code})").format(code=code))
                            strays.append(self._where(read, person, moment) + " · " + why)
                    for moment in new.repeats:
                        if moment in moments:
                            repeats.append(self._where(read, person, moment))
                    if not fresh:
                        continue
                    old = pair_day(policy, periods, sorted(before))
                    changed = self._apply(tx, part, person, day, old, new, problems)
                    if changed:
                        set_fields += changed
                        touched.add((staff_id, day))
                if raw_items:
                    tx.put_many(part, CLOCK, raw_items, note=f"import punches {Path(path).name}")
            for (clock_id, moment), lines in sorted(read.lines.items()):
                if len(lines) > 1:
                    repeats.append(_("clock id {id} {moment} on lines {lines} (kept once)").format(
                        id=clock_id, moment=f"{moment:%Y-%m-%d %H:%M:%S}",
                        lines=", ".join(map(str, lines))))
            if problems:
                raise FloorError("\n".join(problems))
        out = [_("{path}: {count} punch(es) read, {new} new; {fields} in/out time(s) set for "
                 "{people} person-day(s)").format(path=path, count=read.count, new=new_total,
                                                  fields=set_fields, people=len(touched))]
        if strays:
            out.append(_("{n} stray punch(es), kept but not paired:").format(n=len(strays)))
            out.extend("  " + line for line in strays)
        if repeats:
            out.append(_("{n} repeated punch(es), kept but not paired:").format(n=len(repeats)))
            out.extend("  " + line for line in repeats)
        if read.unknown:
            out.append(_("skipped the punches of {n} unknown clock id(s):").format(
                n=len(read.unknown)))
            out.extend("  " + _("clock id {id}: line(s) {lines}").format(
                id=clock_id, lines=_line_list(lines)) for clock_id, lines in
                sorted(read.unknown.items()))
        return "\n".join(out)

    @staticmethod
    def _where(read: _Read, person: Staff, moment: dt.datetime) -> str:
        lines = read.lines.get((person.clock_id or person.id, moment)) or \
            read.lines.get((person.id, moment)) or []
        where = _("line {line}").format(line=lines[0]) if lines else ""
        return f"{person.id} {moment:%Y-%m-%d %H:%M:%S} {where}".rstrip()

    def _apply(self, tx: Any, part: str, person: Staff, day: dt.date, old: Pairing,
               new: Pairing, problems: list[str]) -> int:
        """Write the in/out times the new punches changed; returns how many."""
        changed = 0
        for number in sorted(set(new.ins) | set(new.outs)):
            updates = {}
            if number in new.ins and new.ins[number] != old.ins.get(number):
                updates["in"] = f"{new.ins[number]:%H:%M}"
            if number in new.outs and new.outs[number] != old.outs.get(number):
                updates["out"] = f"{new.outs[number]:%H:%M}"
            if not updates:
                continue
            key = f"{person.id}/{number}"
            current = tx.get(part, PUNCHES, key) or {}
            data = {"staff_id": person.id, "date": day.isoformat(), "period": number,
                    "in": current.get("in", ""), "out": current.get("out", ""),
                    "reason": current.get("reason", "")}
            data.update(updates)
            if data["in"] and data["out"] and data["out"] < data["in"]:
                problems.append(_("{id} {day} p{n}: out {time_out} would be before in "
                                  "{time_in}; correct the period by hand first").format(
                    id=person.id, day=day.isoformat(), n=number, time_out=data["out"],
                    time_in=data["in"]))
                continue
            before = {k: v for k, v in current.items() if not k.startswith("_")}
            if before != data:
                tx.put(part, PUNCHES, key, data)
                changed += len(updates)
        return changed

    # ---------------------------------------------------------------- reading
    def _read(self, path: str | Path, people: dict[str, Staff], skip_unknown: bool) -> _Read:
        rows, errors = self._rows(path)
        read = _Read()
        now = self.floor.now()
        latest = dt.datetime(now.year, now.month, now.day, now.hour, now.minute, now.second)
        for line, clock_id, text, extra in rows:
            try:
                if not clock_id.isprintable():
                    raise ValueError(_("clock id {id!r} holds characters that are not "
                                       "text").format(id=clock_id))
                moment = parse_moment(text) if isinstance(text, str) else text
                if moment > latest:
                    raise ValueError(_("time {moment} is in the future (the clock's time "
                                       "is wrong?)").format(moment=f"{moment:%Y-%m-%d %H:%M:%S}"))
                person = people.get(clock_key(clock_id))
                if person is None:
                    if skip_unknown:
                        read.unknown.setdefault(clock_id, []).append(line)
                        continue
                    raise ValueError(_("clock id {id!r} is no one's: set it as a staff "
                                       "member's clock_id, or use --skip-unknown").format(
                        id=clock_id))
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            read.count += 1
            read.lines.setdefault((person.clock_id or person.id, moment), []).append(line)
            read.punches.setdefault((person.id, moment.date()), {})[moment] = extra
        errors.check()
        return read

    def _rows(self, path: str | Path) -> tuple[list[tuple[int, str, Any, list[str]]],
                                                csvio.Errors]:
        """(line, clock id, time text or moment, extra fields) of an attlog.dat or a table."""
        source = import_files.read_source(path)
        if source.text is not None and _is_attlog(source.text):
            errors = csvio.Errors(path)
            rows = []
            for number, line in enumerate(source.text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    clock_id, moment, extra = parse_attlog_line(line)
                except ValueError as exc:
                    errors.add(number, str(exc))
                    continue
                rows.append((number, clock_id, moment, extra))
            if not rows and not errors:
                errors.add(1, _("no punches in the file"))
            return rows, errors
        table, errors = csvio.read_rows(path, PUNCH_COLUMNS)
        return [(line, row["clock_id"], row["time"], []) for line, row in table], errors


def _is_attlog(text: str) -> bool:
    """An attlog.dat has no header: its first line is already a tab-separated punch."""
    for line in text.splitlines():
        if line.strip():
            return "\t" in line and not line.lower().startswith("clock_id")
    return False


def _line_list(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:10]))
    return shown + (_(" and {n} more").format(n=len(lines) - 10) if len(lines) > 10 else "")
