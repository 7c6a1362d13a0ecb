"""Rosters and handovers (排班/交接班), SPEC §7: the use-cases the CLI and the roster screen call.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Store layout:
- partition ``roster/YYYY-MM``: table ``cells`` (key ``"<staff_id>/<YYYY-MM-DD>"``, data
  ``{"staff_id", "date", "code"}``, the format ``Floor.roster_cells`` reads), table ``meta``
  (key ``month``: the seats the month was generated for), tables ``swaps`` and ``callins``
  (who approved, why, what changed, the violations found right after);
- partition ``day/YYYY-MM-DD``: table ``handovers`` (交接班 entries of that day).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from floorapp.rules import roster as rules
from floorapp.errors import FloorError
from floorapp.i18n import _, fmt_date
from floorapp.formats.reports import Report, Table
from floorapp.services import leave as leave_store

if TYPE_CHECKING:
    from floorapp.services.core import Floor

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass
class Generated:
    year: int
    month: int
    cells: int
    seats: int
    replaced: bool
    violations: list[str]

    def summary(self) -> str:
        label = f"{self.year:04d}-{self.month:02d}"
        head = (_("roster {month} replaced: {cells} cells, {seats} agents needed on D each day")
                if self.replaced else
                _("roster {month} generated: {cells} cells, {seats} agents needed on D each day")
                ).format(month=label, cells=self.cells, seats=self.seats)
        if not self.violations:
            return head + _("; every rule met")
        lines = [head + _("; {n} rule(s) not met:").format(n=len(self.violations))]
        lines.extend(f"  - {rules.shown(v)}" for v in self.violations)
        return "\n".join(lines)


@dataclass(frozen=True)
class Handover:
    """One handover (交接班): who handed over to whom, when, with notes and open items."""

    key: str
    date: dt.date
    time: str
    from_id: str
    to_id: str
    notes: str
    open_items: tuple[str, ...]
    by: str


def partition(year: int, month: int) -> str:
    return f"roster/{year:04d}-{month:02d}"


def cell_key(staff_id: str, day: dt.date) -> str:
    return f"{staff_id}/{day.isoformat()}"


class RosterService:
    """``floor.roster``: month rosters, edits, swaps, call-ins and the handover log."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor

    # ------------------------------------------------------------------ reads
    def cells(self, year: int, month: int) -> rules.Month:
        """The month as the grid shows it: each stored cell, with the day's leave record over
        it where a whole day's leave is recorded (leave has one record: ``Floor.leave_on``)."""
        return _with_leave(self.floor.roster_cells(year, month),
                           self.floor.leave_in_month(year, month))

    def has_roster(self, year: int, month: int) -> bool:
        return bool(self.floor.store.records(partition(year, month), "cells"))

    def seats(self, year: int, month: int) -> int | None:
        """The agents needed on D the month was generated for (None: the policy's)."""
        meta = self.floor.store.get(partition(year, month), "meta", "month")
        return meta.get("seats") if meta else None

    def required_agents(self, year: int, month: int) -> int:
        agents = sum(1 for s in self.floor.staff() if s.role == "agent")
        return rules.required_agents(self.floor.policy, agents, self.seats(year, month))

    def check(self, year: int, month: int) -> list[str]:
        """Every rule of SPEC §7 the stored month breaks (empty when it has no roster)."""
        return self._check(self.floor.store, year, month)

    def _check(self, reader: Any, year: int, month: int) -> list[str]:
        """``check`` reading through ``reader``: the store, or a transaction (its changes)."""
        cells = _month_cells(reader, year, month)
        if not cells:
            return []
        meta = reader.get(partition(year, month), "meta", "month")
        previous = rules.previous_month(year, month)
        return rules.check_month(self.floor.staff(), year, month,
                                 _with_leave(cells, self.floor.leave_in_month(year, month)),
                                 self.floor.policy, meta.get("seats") if meta else None,
                                 _with_leave(_month_cells(reader, *previous),
                                             self.floor.leave_in_month(*previous)))

    def swaps(self, year: int, month: int) -> list[dict[str, Any]]:
        return sorted(self.floor.store.records(partition(year, month), "swaps"),
                      key=lambda r: r["_key"])

    def callins(self, year: int, month: int) -> list[dict[str, Any]]:
        return sorted(self.floor.store.records(partition(year, month), "callins"),
                      key=lambda r: r["_key"])

    def edited_cells(self, year: int, month: int) -> set[str]:
        """Keys of the cells changed one by one (edits, swaps, call-ins) since generation."""
        edited: set[str] = set()
        for entry in self.floor.store.audit(partition(year, month)):
            if entry.get("table") != "cells" or entry["op"] == "retire":
                continue
            if entry["op"] == "bulk":
                edited.clear()
            else:
                edited.add(entry["key"])
        return edited

    def day_line(self, day: dt.date) -> str:
        """The day's pre-shift meeting (班前会) and, on Fridays, the business study (业务学习)."""
        policy = self.floor.policy
        line = _("meeting {time}").format(time=rules.meeting_time(policy, day))
        if day.weekday() == 4:
            line += " · " + _("study {time}").format(time=policy.friday_study_time)
        return line

    # ------------------------------------------------------------- generation
    def generate(self, year: int, month: int, seats: int | None = None,
                 replace: bool = False) -> Generated:
        """Make the month's roster. A month that has one is kept unless ``replace``: then every
        cell gets a new version (audited); leave already entered in it is kept."""
        self.floor.require("roster.edit")
        if seats is not None and seats < 0:
            raise FloorError(_("--seats must be 0 or more, got {seats}").format(seats=seats))
        staff = self.floor.staff()
        if not staff:
            raise FloorError(_("no staff on the register: import staff first "
                               "(floor import staff FILE.csv)"))
        if seats is not None and seats > len(staff):
            raise FloorError(_("--seats {seats} is more than the {n} people on the register"
                               ).format(seats=seats, n=len(staff)))
        policy = self.floor.policy
        roles = {s.id: s.role for s in staff}
        part = partition(year, month)
        previous = self.cells(*rules.previous_month(year, month))
        with self.floor.transaction() as tx:
            # the month as it is under the lock (issue #31): a roster generated or a leave
            # cell entered by someone else a moment ago is seen, never silently replaced
            existing: dict[str, dict[str, str]] = {}
            for cell in tx.records(part, "cells"):
                existing.setdefault(cell["staff_id"], {})[cell["date"]] = cell["code"]
            if existing and not replace:
                self._refuse_existing(year, month)
            # Leave recorded for the month (from any section, imported ahead too) is fixed,
            # and counts against rest (假期抵当月公休, SPEC §7).
            fixed = {sid: {k: item.type for k, item in days.items() if item.days >= 1}
                     for sid, days in self.floor.leave_in_month(year, month).items()}
            month_cells = rules.generate_month(staff, year, month, policy, seats, fixed,
                                               previous)
            items = [(f"{sid}/{key}", {"staff_id": sid, "date": key,
                                       "code": _scheduled_code(code, roles.get(sid, "agent"))})
                     for sid, row in sorted(month_cells.items()) for key, code in row.items()]
            note = "roster replaced" if existing else "roster generated"
            tx.put_many(part, "cells", items, note=f"{note} ({len(staff)} staff)")
            if replace:
                for record in tx.records(part, "cells"):
                    if record["staff_id"] not in month_cells:
                        tx.retire(part, "cells", record["_key"], "not on the staff register")
            tx.put(part, "meta", "month", {"seats": seats, "generated": self.floor.now()
                                           .isoformat()})
        agents = sum(1 for s in staff if s.role == "agent")
        violations = rules.check_month(staff, year, month, month_cells, policy, seats, previous)
        return Generated(year, month, len(items), rules.required_agents(policy, agents, seats),
                         bool(existing), violations)

    def _refuse_existing(self, year: int, month: int) -> None:
        edited = len(self.edited_cells(year, month))
        leave = sum(len(days) for days in self.floor.leave_in_month(year, month).values())
        raise FloorError(_(
            "{month} already has a roster ({edited} cell(s) changed by hand, {swaps} swap(s), "
            "{callins} call-in(s), {leave} day(s) of leave, kept by a new one); use "
            "--replace to make a new one (the old cells stay in the history)").format(
                month=f"{year:04d}-{month:02d}", edited=edited,
                swaps=len(self.swaps(year, month)), callins=len(self.callins(year, month)),
                leave=leave))

    # ------------------------------------------------------------------ edits
    def _check_code(self, code: str) -> str:
        code = code.strip()
        lowered = {c.lower(): c for c in rules.allowed_codes(self.floor.policy)}
        if code.lower() not in lowered:
            raise FloorError(_("code {code!r} is not one of {codes}").format(
                code=code, codes=", ".join(rules.allowed_codes(self.floor.policy))))
        return lowered[code.lower()]

    def _need_roster(self, day: dt.date) -> None:
        if not self.has_roster(day.year, day.month):
            raise FloorError(_("{month} has no roster yet: generate it first "
                               "(floor roster generate --month {month})").format(
                                   month=f"{day:%Y-%m}"))

    def set_cell(self, staff_id: str, day: dt.date, code: str,
                 confirmed: bool = False) -> list[str]:
        """Change one person's code on a day (a new version, audited); returns the month's
        violations after the change.

        A leave type records (or changes) the person's one leave record for the day, a whole
        day; a shift or ``R`` over a day of leave cancels that leave. Someone who already
        punched in that day is asked about first (``AlreadyAtWork`` unless ``confirmed``)."""
        self.floor.require("roster.edit")
        code = self._check_code(code)
        person = self.floor.get_staff(staff_id)
        self._need_roster(day)
        if code in rules.LEAVE_TYPES:
            from floorapp.services.attendance_entry import Entry

            self.floor.attendance.apply(
                Entry("leave", person, day, leave_type=code, leave_days=Decimal(1)),
                confirmed=confirmed, right="roster.edit", where="in the roster")
            return self.check(day.year, day.month)
        leave = self.floor.leave_on(day).get(staff_id)
        becomes = _code_text(code)
        if code != self.floor.scheduled_on(day).get(staff_id) or leave is not None:
            leave_store.ask_if_at_work(self.floor, staff_id, day, becomes, confirmed)
        with self.floor.transaction() as tx:
            tx.put(partition(day.year, day.month), "cells", cell_key(staff_id, day),
                   {"staff_id": staff_id, "date": day.isoformat(), "code": code})
            if leave is not None and leave.days >= 1:
                leave_store.cancel(tx, staff_id, day, "in the roster")
        return self.check(day.year, day.month)

    def swap(self, staff_a: str, staff_b: str, day: dt.date, approver: str, reason: str,
             back_day: dt.date | None = None, confirmed: bool = False) -> list[str]:
        """Two people exchange their codes on ``day`` (调班) and, if given, back on
        ``back_day``; recorded with the approver; returns the violations found right after."""
        self.floor.require("roster.edit")
        if staff_a == staff_b:
            raise FloorError(_("a swap needs two different people"))
        approver, reason = _required(approver, _("the approver must be given")), reason.strip()
        for sid in (staff_a, staff_b):
            self.floor.get_staff(sid)
        days = [day] + ([back_day] if back_day else [])
        if back_day and (back_day.year, back_day.month) != (day.year, day.month):
            raise FloorError(_("a swap and its swap back must be in the same month"))
        if back_day == day:
            raise FloorError(_("the swap back must be on another day"))
        self._need_roster(day)
        part = partition(day.year, day.month)
        with self.floor.transaction() as tx:
            changes = []
            for when in days:
                a = tx.get(part, "cells", cell_key(staff_a, when))
                b = tx.get(part, "cells", cell_key(staff_b, when))
                if a is None or b is None:
                    missing = staff_a if a is None else staff_b
                    raise FloorError(_("{pid} has no roster cell on {day}").format(
                        pid=missing, day=when))
                if a["code"] == b["code"]:
                    raise FloorError(_("{a} and {b} are both on {code} on {day}: nothing to "
                                       "swap").format(a=staff_a, b=staff_b, code=a["code"],
                                                      day=when))
                for sid, code in ((staff_a, b["code"]), (staff_b, a["code"])):
                    leave_store.ask_if_at_work(self.floor, sid, when, _code_text(code),
                                               confirmed)
                tx.put(part, "cells", cell_key(staff_a, when),
                       {"staff_id": staff_a, "date": when.isoformat(), "code": b["code"]})
                tx.put(part, "cells", cell_key(staff_b, when),
                       {"staff_id": staff_b, "date": when.isoformat(), "code": a["code"]})
                changes.append({"date": when.isoformat(), staff_a: [a["code"], b["code"]],
                                staff_b: [b["code"], a["code"]]})
            violations = self._check(tx, day.year, day.month)
            key = f"{day.isoformat()}/{len(tx.records(part, 'swaps')) + 1:03d}"
            tx.put(part, "swaps", key, {"date": day.isoformat(), "staff": [staff_a, staff_b],
                                        "back_date": back_day.isoformat() if back_day else None,
                                        "approver": approver, "reason": reason,
                                        "changes": changes,
                                        "violations": [str(v) for v in violations],
                                        "at": self.floor.now().isoformat()})
        return violations

    def call_in(self, staff_id: str, day: dt.date, code: str, approver: str,
                reason: str, confirmed: bool = False) -> None:
        """A resting person is called in (SPEC §8, staff taken ill: the centre director
        approves): their rest becomes ``code``; recorded with the approver and re-checked."""
        self.floor.require("roster.edit")
        code = self._check_code(code)
        if code not in self.floor.policy.shifts:
            raise FloorError(_("a call-in is to a shift ({shifts}), not {code!r}").format(
                shifts=", ".join(self.floor.policy.shifts), code=code))
        approver = _required(approver, _("the approver must be given"))
        reason = _required(reason, _("the reason must be given"))
        self.floor.get_staff(staff_id)
        self._need_roster(day)
        part = partition(day.year, day.month)
        with self.floor.transaction() as tx:
            cell = tx.get(part, "cells", cell_key(staff_id, day))
            current = cell["code"] if cell else None
            if current != rules.REST:
                raise FloorError(_("{pid} is not resting on {day} (on {code}): only a rest day "
                                   "can be called in").format(
                                       pid=staff_id, day=day, code=current or _("no code")))
            leave_store.ask_if_at_work(self.floor, staff_id, day, _code_text(code), confirmed)
            tx.put(part, "cells", cell_key(staff_id, day),
                   {"staff_id": staff_id, "date": day.isoformat(), "code": code})
            violations = self._check(tx, day.year, day.month)
            key = f"{day.isoformat()}/{staff_id}/{len(tx.records(part, 'callins')) + 1:03d}"
            tx.put(part, "callins", key, {"date": day.isoformat(), "staff_id": staff_id,
                                          "code": code, "approver": approver,
                                          "reason": reason,
                                          "violations": [str(v) for v in violations],
                                          "at": self.floor.now().isoformat()})

    # -------------------------------------------------------------- handovers
    def add_handover(self, day: dt.date, time: str, from_id: str, to_id: str, notes: str,
                     open_items: list[str] | tuple[str, ...] = ()) -> str:
        """Record a handover (交接班); both people must be on the staff register."""
        self.floor.require("handover.record")
        time = time.strip()
        if not _HHMM.match(time):
            raise FloorError(_("time {time!r} is not HH:MM (00:00–23:59)").format(time=time))
        if from_id == to_id:
            raise FloorError(_("the one handing over and the one taking over must differ"))
        for sid in (from_id, to_id):
            self.floor.get_staff(sid)
        notes = notes.strip()
        items = [i.strip() for i in open_items if i.strip()]
        if not notes and not items:
            raise FloorError(_("a handover needs notes or open items"))
        part = f"day/{day.isoformat()}"
        with self.floor.transaction() as tx:
            key = f"{time.replace(':', '')}-{len(tx.records(part, 'handovers')) + 1:03d}"
            tx.put(part, "handovers", key, {"date": day.isoformat(), "time": time,
                                            "from_id": from_id, "to_id": to_id,
                                            "notes": notes, "open_items": items})
        return key

    def handovers(self, day: dt.date) -> list[Handover]:
        records = self.floor.store.records(f"day/{day.isoformat()}", "handovers")
        out = [Handover(key=r["_key"], date=day, time=r["time"], from_id=r["from_id"],
                        to_id=r["to_id"], notes=r.get("notes", ""),
                        open_items=tuple(r.get("open_items", [])), by=r["_by"])
               for r in records]
        return sorted(out, key=lambda h: (h.time, h.key))

    # ----------------------------------------------------------------- report
    def report(self, year: int, month: int) -> Report:
        """SPEC §9 roster report: {"month", "staff": {id: {date: code}}, "violations"}."""
        label = f"{year:04d}-{month:02d}"
        cells = self.cells(year, month)
        if not cells:
            raise FloorError(_("{month} has no roster (floor roster generate --month {month})")
                             .format(month=label))
        violations = self.check(year, month)
        people = self.floor.staff_by_id()
        days = rules.month_days(year, month)
        keys = [d.isoformat() for d in days]
        ids = sorted(cells)
        data = {"month": label,
                "staff": {sid: {k: cells[sid][k] for k in keys if k in cells[sid]}
                          for sid in ids},
                "violations": [str(v) for v in violations]}
        rows = []
        for sid in ids:
            person = people.get(sid)
            row = [cells[sid].get(k, "") for k in keys]
            rows.append([sid, person.name if person else "",
                         rules.shown(rules.role_word(person.role)) if person else "",
                         *row, row.count(rules.REST)])
        headers = [_("id"), _("name"), _("role"), *[f"{d.day:02d}" for d in days], _("rest")]
        cover = rules.coverage([p for p in people.values()], cells, days)
        need = self.required_agents(year, month)
        cover_rows = [[fmt_date(d), c["D"], need, c["C1"], c["C2"], c["A"], c[rules.REST]]
                      for d, c in zip(days, cover)]
        return Report(
            title=_("Roster {month}").format(month=label),
            data=data,
            tables=[Table(headers, rows),
                    Table([_("date"), _("agents on D"), _("needed"), "C1", "C2", "A",
                           _("resting")], cover_rows, title=_("Coverage per day"))],
            notes=[_("{n} rule(s) not met:").format(n=len(violations))]
            + [f"  - {rules.shown(v)}" for v in violations]
            if violations else [_("Every rule met.")],
        )


def _with_leave(cells: rules.Month, leave: dict[str, dict[str, Any]]) -> rules.Month:
    """``cells`` with each whole day of leave shown over the scheduled code (never over R)."""
    out = {sid: dict(row) for sid, row in cells.items()}
    for sid, days in leave.items():
        row = out.get(sid)
        if row is None:
            continue
        for key, item in days.items():
            if item.days >= 1 and key in row and row[key] != rules.REST:
                row[key] = item.type
    return out


def _code_text(code: str) -> str:
    """What a day becomes, for the "already at work" question."""
    return _("rest (R)") if code == rules.REST else _("shift {code}").format(code=code)


def _scheduled_code(code: str, role: str) -> str:
    """What a generated cell stores: a day of leave keeps the role's shift underneath (the
    leave is its own record), so cancelling the leave gives the day back its shift."""
    if code in rules.LEAVE_TYPES:
        return rules.ROLE_CODES.get(role, ("D",))[0]
    return code


def _month_cells(reader: Any, year: int, month: int) -> rules.Month:
    out: rules.Month = {}
    for cell in reader.records(partition(year, month), "cells"):
        out.setdefault(cell["staff_id"], {})[cell["date"]] = cell["code"]
    return out


def _required(text: str, error: str) -> str:
    text = (text or "").strip()
    if not text:
        raise FloorError(error)
    return text


# -------------------------------------------------------------------- demo
HANDOVER_NOTES = (
    ("外呼系统下午卡顿已报修, 工单号已记录", ["跟进系统恢复时间"]),
    ("新员工两名今日上线, 已安排旁听", ["明日复查其质检结果"]),
    ("投诉单三件未结, 已交接", ["回访客户 (两件)", "联系业务部门确认退费"]),
    ("话术更新已在班前会宣讲", []),
    ("空调故障已通知后勤", ["确认维修完成"]),
)


def demo_step(ctx: Any) -> None:
    """Rosters for every month the demo touches (and the current one), a few handovers."""
    import time

    started = time.perf_counter()
    floor = ctx.floor
    months = sorted({(d.year, d.month) for d in ctx.days} | {(floor.today().year,
                                                              floor.today().month)})
    policy = floor.policy
    previous: rules.Month = {}
    cells_written = 0
    for year, month in months:
        month_cells = rules.generate_month(ctx.staff, year, month, policy, None, None, previous)
        items = [(f"{sid}/{key}", {"staff_id": sid, "date": key, "code": code})
                 for sid, row in sorted(month_cells.items()) for key, code in row.items()]
        with floor.transaction() as tx:
            part = partition(year, month)
            tx.put_many(part, "cells", items, note="demo roster")
            tx.put(part, "meta", "month", {"seats": None, "generated": floor.now().isoformat()})
        cells_written += len(items)
        previous = month_cells
    leads = [s.id for s in ctx.by_role("lead")]
    handovers = 0
    if len(leads) >= 2:
        for day in ctx.days[-5:]:
            working = [sid for sid in leads
                       if floor.roster_cells(day.year, day.month).get(sid, {})
                       .get(day.isoformat()) == "D"] or leads
            giver, taker = working[0], working[1 % len(working)]
            if giver == taker:
                giver, taker = leads[0], leads[1]
            notes, items = HANDOVER_NOTES[ctx.rng.randrange(len(HANDOVER_NOTES))]
            with floor.transaction() as tx:
                tx.put(f"day/{day.isoformat()}", "handovers", "1200-001",
                       {"date": day.isoformat(), "time": "12:00", "from_id": giver,
                        "to_id": taker, "notes": notes, "open_items": list(items)})
            handovers += 1
    ctx.summary.append(_("rosters: {months} month(s), {cells} cells, {handovers} handovers "
                         "({seconds:.1f} s)").format(months=len(months), cells=cells_written,
                                                     handovers=handovers,
                                                     seconds=time.perf_counter() - started))
