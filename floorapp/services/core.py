"""The Floor: policy, staff registry, time, backup and health, over one store.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

The staff register's use-cases are in ``services/staff.py`` (``StaffRegister``, mixed in).

Feature services (attendance, quota, monitoring, roster, emergency) hang off the Floor as
attributes and use ``floor.store``, ``floor.policy`` and ``floor.now()`` like these do.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pendulum

from floorapp.formats import csvio
from floorapp.rules.attendance import LEAVE_TYPES, Leave
from floorapp.clock import Clock, system_clock
from floorapp.errors import FloorError, store_problem
from floorapp.i18n import _
from floorapp.policy import Policy
from floorapp.rules.rights import Access, Person, access_for
from floorapp.rules.roster import ROLE_CODES
from floorapp.services import digests, shapes
from floorapp.rules.staff import Staff
from floorapp.services.partitions import PAY, REF
from floorapp.services.staff import StaffRegister
from store import Store, StoreError, Tx, open_store
from store import backup as store_backup
from store import doctor as store_doctor

if TYPE_CHECKING:
    from floorapp.services.attendance import AttendanceService
    from floorapp.services.day import DayService
    from floorapp.services.emergency import EmergencyService
    from floorapp.services.monitoring import MonitoringService
    from floorapp.services.pay import PayService
    from floorapp.services.quota import QuotaService
    from floorapp.services.roster import RosterService


class Floor(StaffRegister):
    """One centre's floor, backed by a store. Cheap to make; holds no data of its own."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self._clock = clock
        # Records and audit entries are stamped with the floor's own time (its zone, and the
        # pinned clock of a demo or a test), not the host's.
        store.clock = lambda: self.now().isoformat()
        self._policy_cache: tuple[object, Policy, int] | None = None
        self._roster_cache: dict[str, tuple[object, dict[str, dict[str, str]]]] = {}
        self._access_cache: tuple[object, Access] | None = None
        # The register as read, per (files' signatures, pay visible, leavers too): the staff
        # list is asked for many times per screen or report and changes only with the files.
        self._staff_cache: dict[bool, tuple[object, tuple[Staff, ...]]] = {}
        digests.register(store)
        shapes.register(store)

    # Feature services, made when first used (each imports its module then: a report or the
    # first screen loads only the ones it needs; they import this module's types).
    @functools.cached_property
    def roster(self) -> RosterService:
        from floorapp.services.roster import RosterService

        return RosterService(self)

    @functools.cached_property
    def day(self) -> DayService:
        from floorapp.services.day import DayService

        return DayService(self)

    @functools.cached_property
    def attendance(self) -> AttendanceService:
        from floorapp.services.attendance import AttendanceService

        return AttendanceService(self)

    @functools.cached_property
    def emergency(self) -> EmergencyService:
        from floorapp.services.emergency import EmergencyService

        return EmergencyService(self)

    @functools.cached_property
    def monitoring(self) -> MonitoringService:
        from floorapp.services.monitoring import MonitoringService

        return MonitoringService(self)

    @functools.cached_property
    def quota(self) -> QuotaService:
        from floorapp.services.quota import QuotaService

        return QuotaService(self)

    @functools.cached_property
    def pay(self) -> PayService:
        from floorapp.services.pay import PayService

        return PayService(self)

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

    # ---------------------------------------------------------------- rights
    @property
    def access(self) -> Access:
        """What this process's OS login may do (see floorapp.rules.rights); the audit's "who"."""
        signature = self.store.signature(REF)
        if self._access_cache and self._access_cache[0] == signature and signature is not None:
            return self._access_cache[1]
        # the register's logins, read from its records: no person made of the 1,000 without
        people = sorted((Person(r["id"], r["name"], r["role"], r["login"])
                         for r in self.store.shared_records(REF, "staff") if r.get("login")),
                        key=lambda p: p.id)
        access = access_for(self.store.user, people, self.policy.role_rights)
        self._access_cache = (signature, access)
        return access

    def require(self, action: str) -> None:
        """Raise NotAllowed (a FloorError saying who may) unless this login may ``action``."""
        self.access.require(action)

    def may(self, action: str) -> bool:
        return self.access.may(action)

    def pay_visible(self) -> bool:
        """May this login see pay, and can the process read the pay file?"""
        if not self.access.may("pay.view"):
            return False
        return self.store.readable(PAY)

    def base_pays(self) -> dict[str, Decimal] | None:
        """Everyone's base pay by staff id (leavers too), or None when not visible."""
        if not self.pay_visible():
            return None
        return {r["_key"]: Decimal(r["base_pay"])
                for r in self.store.records(PAY, "base_pay", include_retired=True)}

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
        signature = self.store.signature(REF)
        if self._policy_cache and self._policy_cache[0] == signature and signature is not None:
            return self._policy_cache[1]
        record = self.store.get(REF, "policy", "policy")
        version = record["_v"] if record else 0
        if self._policy_cache and self._policy_cache[2] == version:
            self._policy_cache = (signature, self._policy_cache[1], version)
            return self._policy_cache[1]
        policy = self._policy_of(record)
        self._policy_cache = (signature, policy, version)
        return policy

    def _policy_of(self, record: dict | None) -> Policy:
        """The Policy of a stored policy record (None: the defaults)."""
        data = {k: v for k, v in (record or {}).items() if not k.startswith("_")}
        where = f"{self.store.path(REF)} (policy)"
        try:
            return Policy.from_dict(data, where=where)
        except FloorError:
            # A stored policy that no longer validates must not stop the floor: valid keys are
            # kept, the rest take their defaults, and the problem is shown until it is fixed.
            policy, refused = Policy.salvage(data, where)
            self.store.problems[where] = "; ".join(refused) + " (" + _(
                "the default is used until `floor policy set` fixes it") + ")"
            return policy

    def save_policy(self, policy: Policy) -> None:
        self.require("policy.change")
        policy.validate()
        with self.transaction() as tx:
            tx.put(REF, "policy", "policy", policy.to_dict())

    def set_policy_value(self, key: str, text: str) -> Policy:
        """Change one policy value. The policy is read under the store lock, so two
        supervisors setting two keys at once both keep their change (issue #31)."""
        self.require("policy.change")
        with self.transaction() as tx:
            policy = self._policy_of(tx.get(REF, "policy", "policy")).with_value(key, text)
            policy.validate()
            tx.put(REF, "policy", "policy", policy.to_dict())
        return policy

    def load_policy_file(self, path: str | Path) -> Policy:
        self.require("policy.change")
        data = csvio.load_json_file(path)
        if not isinstance(data, dict):
            raise FloorError(_("{path}: expected a JSON object of policy keys").format(
                path=path))
        policy = Policy.from_dict(data, where=str(path))
        self.save_policy(policy)
        return policy

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
        out = self.store.digest(partition, digests.ROSTER_CELLS)
        self._roster_cache[partition] = (signature, out)
        return out

    def scheduled_on(self, day: dt.date) -> dict[str, str]:
        """Every staff member's scheduled code on a day (leavers up to the day they left): the
        roster's cell when the month has one, else the policy's default week (Mon–Fri ``D``,
        weekend ``R``). Never a leave type: leave is its own record (``leave_on``)."""
        roster = self._roster(day.year, day.month)
        default = self.policy.default_shift(day)
        key = day.isoformat()
        out = {}
        for person in self.staff(include_retired=True):
            if not person.on_register(day):
                continue  # before the hire date and from the day a leaver left: no shift
            # Someone the month's roster does not name (a new hire) works the default week.
            code = roster.get(person.id, {}).get(key, default)
            if code in LEAVE_TYPES:  # a cell written before leave had one record (schema 2)
                code = ROLE_CODES.get(person.role, ("D",))[0]
            out[person.id] = code
        return out

    def leave_on(self, day: dt.date) -> dict[str, Leave]:
        """The day's leave, one record per person whoever entered it (attendance, roster,
        import): ``{staff_id: Leave}``. Stored in the day file, table ``leave``."""
        return {r["staff_id"]: Leave(r["type"], Decimal(r["days"]))
                for r in self.store.shared_records(f"day/{day.isoformat()}", "leave")}

    def leave_in_month(self, year: int, month: int) -> dict[str, dict[str, Leave]]:
        """{staff_id: {"YYYY-MM-DD": Leave}} of every day of a month."""
        out: dict[str, dict[str, Leave]] = {}
        days = calendar.monthrange(year, month)[1]
        for number in range(1, days + 1):
            day = dt.date(year, month, number)
            for staff_id, item in self.leave_on(day).items():
                out.setdefault(staff_id, {})[day.isoformat()] = item
        return out

    def shifts_on(self, day: dt.date) -> dict[str, str]:
        """Every staff member's code on a day as the roster grid shows it: the scheduled code
        (``scheduled_on``), or the leave type where a whole day's leave is recorded."""
        out = self.scheduled_on(day)
        for staff_id, item in self.leave_on(day).items():
            if staff_id in out and out[staff_id] != "R" and item.days >= 1:
                out[staff_id] = item.type
        return out

    def shift_for(self, staff_id: str, day: dt.date) -> str:
        """One person's code on a day as the grid shows it (``shifts_on``)."""
        return self.shifts_on(day).get(staff_id, "R")

    # ------------------------------------------------------- backup / health
    def backup(self, dest: str | Path | None = None) -> Path:
        if self.store.root is None:  # a database: pg_dump (issue #32)
            return self._dump(dest)
        try:
            return store_backup.make_backup(self.store.root, self.today(),
                                            Path(dest) if dest else None)
        except OSError as exc:
            raise FloorError(_("backup failed: {reason}").format(reason=exc)) from None

    def _dump(self, dest: str | Path | None) -> Path:
        from store import pg_admin

        if dest is None:
            raise FloorError(_("a database store's backup needs --to PATH"))
        target = Path(dest)
        if target.is_dir():
            target = target / f"floor-{self.today().isoformat()}.dump"
        if target.exists():
            raise FloorError(_("{path} exists: a backup never overwrites a file").format(
                path=target))
        pg_admin.dump(self.store.address, target)
        return target

    def ensure_daily_backup(self) -> Path | None:
        """The day's first backup, if not made yet; with it, figures cached by an older
        version of the program are cleared away (once a day, after the first screen). A
        database store has none: its backups are ``floor backup`` (pg_dump) or the
        database's own."""
        if self.store.root is None:
            return None
        path = store_backup.ensure_daily_backup(self.store.root, self.today())
        if path is not None:
            self.store.prune_cache()
        return path

    def doctor(self) -> list[store_doctor.Finding]:
        if self.store.root is None:
            from store import pg_admin

            return pg_admin.examine(self.store.address, self.store.site, self.store.shapes)
        return store_doctor.examine(self.store.root, self.store.schema_version,
                                    self.store.shapes)

    def has_data(self) -> bool:
        return bool(self.store.records(REF, "staff"))


def open_floor(
    store_dir: str | Path | None = None,
    *,
    strict: bool = True,
    clock: Clock | None = None,
    user: str | None = None,
    site: str | None = None,
) -> Floor:
    """The floor in ``store_dir`` (a directory, or a database URI and its ``site``)."""
    return Floor(open_store(store_dir, strict=strict, user=user, site=site), clock)
