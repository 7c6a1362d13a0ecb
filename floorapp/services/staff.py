"""The staff register: who works on the floor, added, changed, retired and imported from CSV.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pendulum

from floorapp.errors import FloorError
from floorapp.formats import csvio
from floorapp.i18n import _
from floorapp.roles import ROLES
from floorapp.rules.staff import (
    Staff,
    check_device_id,
    check_id,
    check_login,
    device_conflicts,
    pick,
)
from floorapp.services.partitions import PAY, REF
from store import Tx

STAFF_COLUMNS = ["id", "name", "role", "team", "hired", "base_pay"]
STAFF_OPTIONAL = ["seat", "clock_id", "extension", "login"]


class StaffRegister:
    """The staff register's use-cases, for a supervisor who keeps the list of people: read it
    (with pay for those who may see it), save or retire a person, import a staff CSV. Mixed
    into ``Floor`` (uses its store, policy, rights and transaction)."""

    def staff(self, include_retired: bool = False) -> list[Staff]:
        """The register; with ``include_retired`` also leavers (``left`` = the day retired),
        whose past days still count in reports."""
        signature = (self.store.signature(REF), self.store.signature(PAY), self.pay_visible())
        cached = self._staff_cache.get(include_retired)
        if cached is not None and cached[0] == signature and None not in signature[:1]:
            return list(cached[1])
        # read once for both: the register is everyone without a day they left (one pass
        # over a 1,000-seat register at the app's start, not two; issue #30)
        # pay comes from the pay file, for those who may see it
        everyone = self._register(include_retired=True, pays=self.base_pays())
        self._staff_cache[True] = (signature, tuple(everyone))
        self._staff_cache[False] = (signature, tuple(s for s in everyone if s.left is None))
        return list(self._staff_cache[include_retired][1])

    def _register(self, include_retired: bool = False,
                  pays: dict[str, Decimal] | None = None) -> list[Staff]:
        """The register as stored, with ``pays`` (the pay file's) or without pay (None)."""
        records = self.store.shared_records(REF, "staff", include_retired=include_retired)
        tz = self.policy.timezone
        # a leaver's first day off the register: the one given when retiring them, else the
        # day the retirement was typed
        def pay(record: dict) -> Decimal | None:  # the pay file's, else a record's own
            if pays is None:
                return None
            if record["id"] in pays:
                return pays[record["id"]]
            own = record.get("base_pay")  # written before pay had its own file
            return Decimal(own) if own is not None else None

        people = [Staff.from_record(r, (dt.date.fromisoformat(r["left"]) if r.get("left")
                                        else pendulum.parse(r["_at"]).in_tz(tz).date())
                                    if r.get("_retired") else None, base_pay=pay(r))
                  for r in records]
        return sorted(people, key=lambda s: s.id)

    def staff_by_id(self) -> dict[str, Staff]:
        return {s.id: s for s in self.staff()}

    def get_staff(self, staff_id: str) -> Staff:
        record = self.store.get(REF, "staff", staff_id)
        if record is None:
            raise FloorError(_("unknown staff id {id!r}").format(id=staff_id))
        person = Staff.from_record(record)
        pays = self.base_pays()
        base_pay = pays.get(person.id, person.base_pay) if pays is not None else None
        return dataclasses.replace(person, base_pay=base_pay)

    def find_staff(self, text: str, roles: tuple[str, ...] | None = None) -> list[Staff]:
        people = self.staff()
        if roles:
            people = [s for s in people if s.role in roles]
        return pick(people, text)

    def save_staff(self, person: Staff) -> None:
        self.require("staff.change")
        problem = check_id(person.id) or check_login(person.login)
        if problem:
            raise FloorError(problem)
        if person.role not in ROLES:
            raise FloorError(_("role {role!r} is not one of {roles}").format(
                role=person.role, roles=", ".join(ROLES)))
        with self.transaction() as tx:
            # checked against the register as it is under the lock (issue #31): two people
            # saved at once cannot both take one clock id, extension or login
            register = _stored_register(tx)
            problems = device_conflicts([s for s in register if s.id != person.id] + [person])
            if problems:
                raise FloorError("; ".join(problems))
            _check_logins([person], register)
            _put_staff(tx, person)

    def retire_staff(self, staff_id: str, reason: str,
                     last_day: dt.date | None = None) -> None:
        """A leaver is retired, never deleted: their history stays in every report.

        ``last_day`` is their last day on the register (default: the day before today): from
        the day after, they are on no shift and charged nothing, whenever the retirement is
        typed (figures follow the dates of what happened, issue #24)."""
        self.require("staff.change")
        person = self.get_staff(staff_id)
        today = self.today()
        if last_day is not None:
            if last_day < person.hired - dt.timedelta(days=1):
                raise FloorError(_("{id}'s last day {day} is before their hire date {hired}")
                                 .format(id=staff_id, day=last_day, hired=person.hired))
            if last_day >= today:
                raise FloorError(_("{id}'s last day {day} is not over yet: retire them from "
                                   "the day after").format(id=staff_id, day=last_day))
        with self.transaction() as tx:
            record = tx.get(REF, "staff", staff_id)
            if record is None:
                raise FloorError(_("unknown staff id {id!r}").format(id=staff_id))
            if last_day is not None:
                data = {k: v for k, v in record.items() if not k.startswith("_")}
                tx.put(REF, "staff", staff_id,
                       dict(data, left=(last_day + dt.timedelta(days=1)).isoformat()))
            tx.retire(REF, "staff", staff_id, reason)

    def parse_staff_csv(self, path: str | Path) -> list[Staff]:
        return self._read_staff_csv(path)[0]

    def _read_staff_csv(self, path: str | Path) -> tuple[list[Staff], dict[str, int], str]:
        """The people of a staff CSV, the line each came from, and the file's name."""
        rows, errors = csvio.read_rows(path, STAFF_COLUMNS, STAFF_OPTIONAL)
        people: list[Staff] = []
        seen: dict[str, int] = {}
        devices: dict[tuple[str, str], int] = {}  # (column, value) → its first line
        for line, row in rows:
            try:
                if row["id"] in seen:
                    raise ValueError(_("staff id {id} is also on line {line}").format(
                        id=row["id"], line=seen[row["id"]]))
                person = staff_from_row(row)
                for column, value in (("clock_id", person.clock_key if person.clock_id
                                       else ""), ("extension", person.extension)):
                    if value and (column, value) in devices:
                        raise ValueError(_("{column} {value} is also on line {line}").format(
                            column=column, value=value, line=devices[(column, value)]))
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            seen[person.id] = line
            for column, value in (("clock_id", person.clock_key if person.clock_id else ""),
                                  ("extension", person.extension)):
                if value:
                    devices.setdefault((column, value), line)
            people.append(person)
        errors.check()
        return people, seen, errors.name

    def import_staff(self, path: str | Path) -> tuple[int, int]:
        """Add or update staff from a CSV; all-or-nothing. Returns (added, changed)."""
        self.require("staff.change")
        people, lines, name = self._read_staff_csv(path)
        new_ids = {p.id for p in people}
        added = changed = 0
        with self.transaction() as tx:
            stored = _stored_register(tx)  # under the lock (issue #31)
            _check_against_register(people, lines, csvio.Errors(name),
                                    [s for s in stored if s.id not in new_ids])
            for person in people:
                before = tx.get(REF, "staff", person.id)
                if _put_staff(tx, person):
                    if before is None:
                        added += 1
                    else:
                        changed += 1
        return added, changed


def _stored_register(tx: Tx) -> list[Staff]:
    """The register (without pay) as a transaction reads it, under the store lock."""
    return [Staff.from_record(r) for r in tx.records(REF, "staff")]


def _check_logins(people: list[Staff], register: list[Staff]) -> None:
    """A login gives one person's role: two people on one login are refused."""
    saving = {p.id for p in people}
    owners = {s.login: s.id for s in register if s.login and s.id not in saving}
    for person in people:
        if person.login and owners.setdefault(person.login, person.id) != person.id:
            raise FloorError(_("login {login} is already {id}'s").format(
                login=person.login, id=owners[person.login]))


def _check_against_register(people: list[Staff], lines: dict[str, int],
                            errors: csvio.Errors, others: list[Staff]) -> None:
    """An imported row whose clock id, extension or login is already someone else's on the
    register is refused with its ``FILE:LINE`` (a clash among the register's own records is
    doctor's to name, not this file's)."""
    already = set(device_conflicts(others))
    logins = {s.login: s.id for s in others if s.login}
    for person in people:
        for problem in device_conflicts(others + [person]):
            if problem not in already:
                errors.add(lines[person.id], problem)
        if person.login and logins.setdefault(person.login, person.id) != person.id:
            errors.add(lines[person.id], _("login {login} is already {id}'s").format(
                login=person.login, id=logins[person.login]))
    errors.check()


def _put_staff(tx: Tx, person: Staff) -> bool:
    """Store a register record and, apart, its pay; True when anything changed."""
    before = tx.get(REF, "staff", person.id)
    version = tx.put(REF, "staff", person.id, person.to_record())
    changed = before is None or version != before["_v"]
    if person.base_pay is not None:
        pay_before = tx.get(PAY, "base_pay", person.id)
        pay_version = tx.put(PAY, "base_pay", person.id, person.pay_record())
        changed = changed or pay_before is None or pay_version != pay_before["_v"]
    return changed


def staff_from_row(row: dict[str, str]) -> Staff:
    """A Staff from text fields (a CSV row or the staff form); ValueError says what is wrong."""
    problem = check_id(row.get("id", ""))
    if problem:
        raise ValueError(problem)
    if not row.get("name", "").strip():
        raise ValueError(_("name is empty"))
    role = row.get("role", "").strip()
    if role not in ROLES:
        raise ValueError(_("role {role!r} is not one of {roles}").format(
            role=role, roles=", ".join(ROLES)))
    hired = csvio.parse_date(row.get("hired", "").strip(), "hired")
    base_pay = csvio.parse_money(row.get("base_pay", "").strip(), "base_pay")
    devices = {name: row.get(name, "").strip() for name in ("clock_id", "extension")}
    for name, value in devices.items():
        problem = check_device_id(value, name)
        if problem:
            raise ValueError(problem)
    login = row.get("login", "").strip()
    problem = check_login(login)
    if problem:
        raise ValueError(problem)
    return Staff(id=row["id"], name=row["name"].strip(), role=role,
                 team=row.get("team", "").strip(), hired=hired, base_pay=base_pay,
                 seat=row.get("seat", "").strip(), login=login, **devices)
