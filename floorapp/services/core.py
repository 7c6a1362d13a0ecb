"""The Floor: policy, staff registry, time, backup and health, over one store.

Feature services (attendance, quota, monitoring, roster, emergency) hang off the Floor as
attributes and use ``floor.store``, ``floor.policy`` and ``floor.now()`` like these do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pendulum

from floorapp import csvio
from floorapp.clock import Clock, system_clock
from floorapp.errors import FloorError, store_problem
from floorapp.i18n import _
from floorapp.policy import Policy
from floorapp.staff import ROLES, Staff, check_id, pick
from store import Store, StoreError, Tx, open_store
from store import backup as store_backup
from store import doctor as store_doctor

REF = "ref"
STAFF_COLUMNS = ["id", "name", "role", "team", "hired", "base_pay"]


class Floor:
    """One centre's floor, backed by a store. Cheap to make; holds no data of its own."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self._clock = clock
        # Records and audit entries are stamped with the floor's own time (its zone, and the
        # pinned clock of a demo or a test), not the host's.
        store.clock = lambda: self.now().isoformat()
        self._policy_cache: tuple[int, Policy] | None = None
        self._roster_cache: dict[str, tuple[object, dict[str, dict[str, str]]]] = {}
        # Feature services (imported here: they import this module's types).
        from floorapp.services.attendance import AttendanceService
        from floorapp.services.emergency import EmergencyService
        from floorapp.services.monitoring import MonitoringService
        from floorapp.services.quota import QuotaService
        from floorapp.services.roster import RosterService

        self.roster = RosterService(self)
        self.attendance = AttendanceService(self)
        self.emergency = EmergencyService(self)
        self.monitoring = MonitoringService(self)
        self.quota = QuotaService(self)

    # ----------------------------------------------------------------- write
    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """The store's locked, atomic transaction, its refusals turned into FloorError.

        Services write only through this, so a screen that catches FloorError also shows a
        read-only store, a corrupt file or a lock timeout as a message instead of crashing.
        """
        try:
            with self.store.transaction() as tx:
                yield tx
        except StoreError as exc:
            raise FloorError(store_problem(exc)) from None

    # ------------------------------------------------------------------ time
    def now(self) -> pendulum.DateTime:
        """The current moment in the centre's time zone."""
        if self._clock is None:
            self._clock = system_clock(self.policy.timezone)
        return self._clock()

    def today(self) -> dt.date:
        return self.now().date()

    # ---------------------------------------------------------------- policy
    @property
    def policy(self) -> Policy:
        record = self.store.get(REF, "policy", "policy")
        version = record["_v"] if record else 0
        if self._policy_cache and self._policy_cache[0] == version:
            return self._policy_cache[1]
        data = {k: v for k, v in (record or {}).items() if not k.startswith("_")}
        where = f"{self.store.path(REF)} (policy)"
        try:
            policy = Policy.from_dict(data, where=where)
        except FloorError:
            # A stored policy that no longer validates must not stop the floor: valid keys are
            # kept, the rest take their defaults, and the problem is shown until it is fixed.
            policy, refused = Policy.salvage(data, where)
            self.store.problems[where] = "; ".join(refused) + " (" + _(
                "the default is used until `floor policy set` fixes it") + ")"
        self._policy_cache = (version, policy)
        return policy

    def save_policy(self, policy: Policy) -> None:
        policy.validate()
        with self.transaction() as tx:
            tx.put(REF, "policy", "policy", policy.to_dict())

    def set_policy_value(self, key: str, text: str) -> Policy:
        policy = self.policy.with_value(key, text)
        self.save_policy(policy)
        return policy

    def load_policy_file(self, path: str | Path) -> Policy:
        data = csvio.load_json_file(path)
        if not isinstance(data, dict):
            raise FloorError(_("{path}: expected a JSON object of policy keys").format(
                path=path))
        policy = Policy.from_dict(data, where=str(path))
        self.save_policy(policy)
        return policy

    # ----------------------------------------------------------------- staff
    def staff(self, include_retired: bool = False) -> list[Staff]:
        """The register; with ``include_retired`` also leavers (``left`` = the day retired),
        whose past days still count in reports."""
        records = self.store.records(REF, "staff", include_retired=include_retired)
        tz = self.policy.timezone
        people = [Staff.from_record(r, pendulum.parse(r["_at"]).in_tz(tz).date()
                                    if r.get("_retired") else None) for r in records]
        return sorted(people, key=lambda s: s.id)

    def staff_by_id(self) -> dict[str, Staff]:
        return {s.id: s for s in self.staff()}

    def get_staff(self, staff_id: str) -> Staff:
        record = self.store.get(REF, "staff", staff_id)
        if record is None:
            raise FloorError(_("unknown staff id {id!r}").format(id=staff_id))
        return Staff.from_record(record)

    def find_staff(self, text: str, roles: tuple[str, ...] | None = None) -> list[Staff]:
        people = self.staff()
        if roles:
            people = [s for s in people if s.role in roles]
        return pick(people, text)

    def save_staff(self, person: Staff) -> None:
        problem = check_id(person.id)
        if problem:
            raise FloorError(problem)
        if person.role not in ROLES:
            raise FloorError(_("role {role!r} is not one of {roles}").format(
                role=person.role, roles=", ".join(ROLES)))
        with self.transaction() as tx:
            tx.put(REF, "staff", person.id, person.to_record())

    def retire_staff(self, staff_id: str, reason: str) -> None:
        """A leaver is retired, never deleted: their history stays in every report."""
        self.get_staff(staff_id)
        with self.transaction() as tx:
            tx.retire(REF, "staff", staff_id, reason)

    def parse_staff_csv(self, path: str | Path) -> list[Staff]:
        rows, errors = csvio.read_rows(path, STAFF_COLUMNS, ["seat"])
        people: list[Staff] = []
        seen: dict[str, int] = {}
        for line, row in rows:
            try:
                if row["id"] in seen:
                    raise ValueError(_("staff id {id} is also on line {line}").format(
                        id=row["id"], line=seen[row["id"]]))
                person = staff_from_row(row)
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            seen[person.id] = line
            people.append(person)
        errors.check()
        return people

    def import_staff(self, path: str | Path) -> tuple[int, int]:
        """Add or update staff from a CSV; all-or-nothing. Returns (added, changed)."""
        people = self.parse_staff_csv(path)
        added = changed = 0
        with self.transaction() as tx:
            for person in people:
                before = tx.get(REF, "staff", person.id)
                version = tx.put(REF, "staff", person.id, person.to_record())
                if before is None:
                    added += 1
                elif version != before["_v"]:
                    changed += 1
        return added, changed

    # ---------------------------------------------------------------- shifts
    def roster_cells(self, year: int, month: int) -> dict[str, dict[str, str]]:
        """The stored roster of a month: {staff_id: {"YYYY-MM-DD": code}}; empty if none.

        Cells live in partition ``roster/YYYY-MM``, table ``cells``, key ``"<id>/<date>"``,
        data ``{"staff_id", "date", "code"}`` (code: a shift code, ``R`` or a leave type).
        """
        return {staff_id: dict(days) for staff_id, days in self._roster(year, month).items()}

    def _roster(self, year: int, month: int) -> dict[str, dict[str, str]]:
        """roster_cells, kept while the month's file is unchanged (read once per day shown)."""
        partition = f"roster/{year:04d}-{month:02d}"
        signature = self.store.signature(partition)
        cached = self._roster_cache.get(partition)
        if cached is not None and cached[0] == signature and signature is not None:
            return cached[1]
        out: dict[str, dict[str, str]] = {}
        for cell in self.store.records(partition, "cells"):
            out.setdefault(cell["staff_id"], {})[cell["date"]] = cell["code"]
        self._roster_cache[partition] = (signature, out)
        return out

    def shifts_on(self, day: dt.date) -> dict[str, str]:
        """Every staff member's code on a day (leavers up to the day they left): the roster's
        when the month has one, else the policy's default week (Mon–Fri ``D``, weekend ``R``)."""
        roster = self._roster(day.year, day.month)
        default = self.policy.default_shift(day)
        key = day.isoformat()
        out = {}
        for person in self.staff(include_retired=True):
            if person.left is not None and day >= person.left:
                continue  # a leaver is on no shift from the day they left
            # Someone the month's roster does not name (a new hire) works the default week.
            out[person.id] = roster.get(person.id, {}).get(key, default)
        return out

    def shift_for(self, staff_id: str, day: dt.date) -> str:
        return self.shifts_on(day).get(staff_id, "R")

    # ------------------------------------------------------- backup / health
    def backup(self, dest: str | Path | None = None) -> Path:
        try:
            return store_backup.make_backup(self.store.root, self.today(),
                                            Path(dest) if dest else None)
        except OSError as exc:
            raise FloorError(_("backup failed: {reason}").format(reason=exc)) from None

    def ensure_daily_backup(self) -> Path | None:
        return store_backup.ensure_daily_backup(self.store.root, self.today())

    def doctor(self) -> list[store_doctor.Finding]:
        return store_doctor.examine(self.store.root, self.store.schema_version)

    def has_data(self) -> bool:
        return bool(self.store.records(REF, "staff"))


def open_floor(
    store_dir: str | Path | None = None,
    *,
    strict: bool = True,
    clock: Clock | None = None,
    user: str | None = None,
) -> Floor:
    return Floor(open_store(store_dir, strict=strict, user=user), clock)



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
    return Staff(id=row["id"], name=row["name"].strip(), role=role,
                 team=row.get("team", "").strip(), hired=hired, base_pay=base_pay,
                 seat=row.get("seat", "").strip())
