"""The database store: the Store API over PostgreSQL (issue #32, SPEC §12).

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

Selected by a libpq URI as the store address (``--store postgresql:///floor``); ``--site``
picks one floor of several in one database. The same partitions (``ref``, ``pay``,
``day/YYYY-MM-DD``, ``roster/YYYY-MM``) and the same versioned records as the file store, as
rows of ``floor.versions`` (pay: ``floor_pay.versions``, see store.pg_schema). Who made a
change is the database's ``session_user`` (peer authentication makes it the OS login), set by a
trigger; the audit is written by a trigger with the server's clock.

A transaction takes the site's advisory lock (writers of one site go one after another, as
under the file store's lock; readers never wait), reads the partitions it touches as they are
under that lock, and inserts its new versions at commit: all or nothing.

Reads are cached per partition under its change counter (``floor.changes``, bumped by a
trigger on every insert), the database store's file signature.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from store import shapes
from store.db import DAY_FILES_KEPT, RECORD_LISTS_KEPT, utc_now
from store.digests import _records_digest
from store.lru import _keep
from store.records import _current, _Reader
from store.errors import StoreError, StoreReadOnlyError
from store.pg_kept import KeptFigures
from store.pg_tx import IN_BULK, PgTx, versions_table
from store.watching import Watching
from store.migrations import SCHEMA_VERSION

ADDRESS = re.compile(r"^postgres(ql)?://", re.IGNORECASE)
_PARTITION = re.compile(r"^(ref|pay|day/\d{4}-\d{2}-\d{2}|roster/\d{4}-\d{2})$")
_SITE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
NOTIFY_CHANNEL = "floor_changes"


def is_address(text: object) -> bool:
    """Is a store address a database (a libpq URI) rather than a directory?"""
    return isinstance(text, str) and bool(ADDRESS.match(text))


def check_site(site: str) -> str:
    if not _SITE.match(site or ""):
        raise StoreError(f"not a site name: {site!r} (letters, digits, . _ -)")
    return site


def _psycopg():
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a dependency; said plainly if missing
        raise StoreError("the database store needs psycopg: pip install 'psycopg[binary]'") \
            from None
    return psycopg


def db_problem(exc: Exception, doing: str) -> StoreError:
    """A database refusal as a StoreError naming what was refused (never a traceback)."""
    psycopg = _psycopg()
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return StoreError(f"{doing}: the database refuses it ({_first_line(exc)})")
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"{doing}: cannot reach the database ({_first_line(exc)})")
    return StoreError(f"{doing}: {_first_line(exc)}")


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _doc(key: str, v: int, at: str, by: str, retired: bool, data: dict) -> dict[str, Any]:
    doc = {"key": key, "v": v, "at": at, "by": by, "data": data}
    if retired:
        doc["retired"] = True
    return doc


def connect(address: str, user: str | None = None):
    """An autocommit connection to ``address`` (as ``user`` when given)."""
    psycopg = _psycopg()
    extra = {"user": user} if user else {}
    try:
        conn = psycopg.connect(address, autocommit=True, **extra)
    except psycopg.Error as exc:
        raise db_problem(exc, f"{redact(address)}") from None
    import orjson
    from psycopg.types.json import set_json_loads

    set_json_loads(orjson.loads, conn)  # a month of day partitions is mostly jsonb to parse
    return conn


def redact(address: str) -> str:
    """The address without a password, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", address)


class PgStore(KeptFigures, Watching, _Reader):
    """One site of a floor database. Same API as store.db.Store."""

    kind = "database"

    def __init__(self, address: str, *, site: str = "main", user: str | None = None,
                 strict: bool = True, clock: Callable[[], str] = utc_now,
                 audit_clock: Callable[[], str] = utc_now) -> None:
        self.address = address
        self.site = check_site(site)
        self.root = None  # no directory: backups, exports and doctor go through the database
        self.login = user
        self.user = user or ""
        self.strict = strict
        self.clock = clock
        self.audit_clock = audit_clock
        self.schema_version = SCHEMA_VERSION
        self.read_only_reason: str | None = None
        self.problems: dict[str, str] = {}
        self.migration_notices: list[str] = []
        self.shapes: shapes.Shapes = {}
        self._digesters: dict[str, tuple[Callable[[dict[str, Any]], Any], tuple[str, ...]]] = {}
        self._lru_lock = threading.Lock()
        self._conn_lock = threading.RLock()
        self._cache: OrderedDict[str, tuple[Any, dict[str, Any]]] = OrderedDict()
        self._records_cache: OrderedDict[tuple[str, str, bool], tuple[Any, list]] = (
            OrderedDict())
        self._derived: OrderedDict[tuple[str, str], tuple[Any, Any]] = OrderedDict()
        self._conn = None
        self._listener = None
        self._damaged_parts: set[str] = set()
        self._watchers: list[dict[tuple, Any]] = []  # what ``watching`` blocks have read

    def __repr__(self) -> str:
        return f"PgStore({redact(self.address)!r}, site={self.site!r})"

    def describe(self) -> str:
        return f"{redact(self.address)} (site {self.site})"

    # ------------------------------------------------------------------ open
    def open(self) -> PgStore:
        self._conn = connect(self.address, self.login)
        try:  # one round trip: who we are and the store's versions
            self.user, meta = self._one(
                "SELECT session_user, (SELECT jsonb_object_agg(name, value) FROM floor.meta)")
            meta = meta or {}
        except StoreError:
            raise StoreError(f"{self.describe()}: no floor schema in this database; "
                             f"its owner runs `floor --store {redact(self.address)} db init`") \
                from None
        found = meta.get("data_schema")
        if type(found) is not int or found < 1:
            self.read_only_reason = (f"{self.describe()}: store schema {found!r} is not one "
                                     f"this floor knows (schema {self.schema_version})")
        elif found > self.schema_version:
            self.read_only_reason = (f"{self.describe()}: store schema {found} is newer than "
                                     f"this floor (schema {self.schema_version}); upgrade "
                                     f"floor before writing")
        elif found < self.schema_version:
            self.read_only_reason = (f"{self.describe()}: store schema {found} is older than "
                                     f"this floor's ({self.schema_version}); run `floor db "
                                     f"migrate`")
        return self

    def close(self) -> None:
        for conn in (self._conn, self._listener):
            if conn is not None:
                conn.close()
        self._conn = self._listener = None

    def wait_for_change(self, timeout: float) -> bool:
        """Block until another connection commits a change to this site (LISTEN/NOTIFY), or
        ``timeout`` seconds pass; True when one did. The app's listener thread calls this so
        other supervisors' changes reach an open console at once, without polling the
        database. A lost connection is a StoreError (the app goes on polling)."""
        psycopg = _psycopg()
        try:
            if self._listener is None:
                self._listener = connect(self.address, self.login)
                self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            for note in self._listener.notifies(timeout=timeout):
                if note.payload == self.site:
                    return True
        except psycopg.Error as exc:
            self._listener = None
            raise db_problem(exc, f"{self.describe()}: cannot listen for changes") from None
        return False

    def meta(self) -> dict[str, Any]:
        meta = dict(self._rows("SELECT name, value FROM floor.meta"))
        return {"schema": meta.get("data_schema"), "db_schema": meta.get("schema")}

    def _execute(self, sql: str, params: tuple = ()):
        psycopg = _psycopg()
        with self._conn_lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except psycopg.Error as exc:
                raise db_problem(exc, f"{self.describe()}: cannot read") from None

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._execute(sql, params)

    def _one(self, sql: str, params: tuple = ()) -> tuple | None:
        rows = self._execute(sql, params)
        return rows[0] if rows else None

    # ----------------------------------------------------------------- paths
    def path(self, partition: str) -> str:
        """Where a partition is, for messages (the file store's is its file)."""
        if not _PARTITION.match(partition):
            raise StoreError(f"not a store partition: {partition!r}")
        return f"{self.describe()} {partition}"

    def readable(self, partition: str) -> bool:
        """May this login read the partition (pay: a member of floor_pay)?"""
        if partition != "pay":
            return True
        row = self._one("SELECT has_schema_privilege('floor_pay', 'USAGE') "
                        "AND has_table_privilege('floor_pay.versions', 'SELECT')")
        return bool(row and row[0])

    def day_partitions(self, start=None, end=None) -> list[str]:
        first, last = (start.isoformat() if start else None), (end.isoformat() if end else None)
        rows = self._rows(
            "SELECT part FROM floor.changes WHERE site = %s AND part LIKE 'day/%%' "
            "AND (%s::text IS NULL OR part >= 'day/' || %s) "
            "AND (%s::text IS NULL OR part <= 'day/' || %s) ORDER BY part",
            (self.site, first, first, last, last))
        found = [row[0] for row in rows]
        if self._watchers:
            self._saw(("days", first, last), found)
        return found

    def roster_partitions(self) -> list[str]:
        rows = self._rows("SELECT part FROM floor.changes WHERE site = %s "
                          "AND part LIKE 'roster/%%' ORDER BY part", (self.site,))
        found = [row[0] for row in rows]
        if self._watchers:
            self._saw(("rosters",), found)
        return found

    def signature(self, partition: str) -> int | None:
        """The partition's change counter; None when it has no record yet."""
        if not _PARTITION.match(partition):
            raise StoreError(f"not a store partition: {partition!r}")
        row = self._one("SELECT changes FROM floor.changes WHERE site = %s AND part = %s",
                        (self.site, partition))
        signature = row[0] if row else None
        if self._watchers:
            self._saw(("part", partition), signature)
        return signature

    def stamp(self) -> str:
        """Changes whenever anyone commits a change to this site."""
        row = self._one("SELECT coalesce(sum(changes), 0), count(*) FROM floor.changes "
                        "WHERE site = %s", (self.site,))
        return f"{row[0]}:{row[1]}" if row else ""

    # ------------------------------------------------------------------ read
    def fetch(self, partition: str, conn=None, table: str | None = None) -> dict[str, Any]:
        """The raw tables of a partition as the file store holds them (audit apart); only
        ``table`` when given."""
        if not _PARTITION.match(partition):
            raise StoreError(f"not a store partition: {partition!r}")
        sql = (f"SELECT tbl, key, v, at, by, retired, data FROM {versions_table(partition)} "
               f"WHERE site = %s AND part = %s"
               + (" AND tbl = %s" if table is not None else "") + " ORDER BY tbl, key, v")
        params = (self.site, partition) + ((table,) if table is not None else ())
        if conn is None:
            rows = self._rows(sql, params)
        else:
            rows = conn.execute(sql, params).fetchall()
        tables: dict[str, dict[str, Any]] = {}
        for tbl, key, v, at, by, retired, data in rows:
            tables.setdefault(tbl, {})[f"{key}\x00{v}"] = _doc(key, v, at, by, retired, data)
        return tables

    def read_partition(self, partition: str) -> dict[str, Any]:
        return self._read(partition, self.signature(partition))

    def _read(self, partition: str, signature: int | None) -> dict[str, Any]:
        """The partition as it is at ``signature`` (just read: one round trip less)."""
        if signature is None:
            return {}
        cached = self._cache.get(partition)
        if cached is not None and cached[0] == signature:
            return cached[1]
        data = self._checked(partition, self.fetch(partition))
        _keep(self._cache, partition, (signature, data), DAY_FILES_KEPT + 2, self._lru_lock)
        return data

    def _tables(self, partition: str) -> dict[str, Any]:
        return self.read_partition(partition)

    def add_shape(self, kind: str, table: str, check: shapes.Check) -> None:
        self.shapes[(kind, table)] = check

    def _checked(self, partition: str, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` without its damaged records (a psql edit), named in ``problems``."""
        where = self.path(partition)
        for name in [p for p in self.problems if p.startswith(where + ":")]:
            self.problems.pop(name)
        damaged = shapes.damaged_records(shapes.partition_kind(partition), data, self.shapes)
        for d in damaged:
            self.problems[d.where(where)] = d.reason()
        if damaged:
            self._damaged_parts.add(partition)
        else:
            self._damaged_parts.discard(partition)
        return shapes.without(data, damaged) if damaged else data

    def get(self, partition: str, table: str, key: str) -> dict[str, Any] | None:
        for record in self.shared_records(partition, table):
            if record["_key"] == key:
                return dict(record)
        return None

    def records(self, partition: str, table: str,
                include_retired: bool = False) -> list[dict[str, Any]]:
        return [dict(r) for r in self.shared_records(partition, table, include_retired)]

    def shared_records(self, partition: str, table: str,
                       include_retired: bool = False) -> list[dict[str, Any]]:
        if not include_retired and _records_digest(table) in self._digesters \
                and partition.startswith("day/"):
            return self.digest(partition, _records_digest(table))
        signature = self.signature(partition)
        key = (partition, table, include_retired)
        hit = self._records_cache.get(key)
        if hit is not None and hit[0] == signature and signature is not None:
            return hit[1]
        data = self._read(partition, signature)
        out = _current((data.get(table) or {}).values(), include_retired)
        _keep(self._records_cache, key, (signature, out), RECORD_LISTS_KEPT, self._lru_lock)
        return out

    def add_digest(self, name: str, compute: Callable[[dict[str, Any]], Any],
                   stands_for: tuple[str, ...] = ()) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9._-]*", name):
            raise StoreError(f"not a digest name: {name!r}")
        self._digesters[name] = (compute, tuple(stands_for))

    def keep_versions(self, table: str) -> None:
        """(The file store keeps a day table's versions as a digest, issue #30; here every
        version is one query away: nothing to keep.)"""

    def keep_records(self, table: str) -> None:
        self.add_digest(_records_digest(table),
                        lambda tables: _current((tables.get(table) or {}).values()))

    def forget(self) -> None:
        """Let go of the figures kept in memory (a long writer such as the demo)."""
        with self._lru_lock:
            self._cache.clear()
            self._records_cache.clear()
            self._derived.clear()

    def audit(self, partition: str) -> list[dict[str, Any]]:
        """The audit as floor writes it (op, table, key, changes …), each entry's who and when
        as the database's trigger recorded them. A version added outside floor (psql) shows as
        op ``sql``."""
        schema = "floor_pay" if partition == "pay" else "floor"
        if self._watchers:
            self.signature(partition)  # the audit moves with the partition's versions
        rows = self._rows(
            f"SELECT tbl, key, v, entry, by, "
            f"to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"') "
            f"FROM {schema}.audit WHERE site = %s AND part = %s ORDER BY id",
            (self.site, partition))
        out = []
        for tbl, key, v, entry, by, at in rows:
            if entry == IN_BULK:
                continue
            if entry is None:
                entry = {"op": "sql", "table": tbl, "key": key, "v": v}
            out.append({**entry, "seq": len(out) + 1, "at": at, "by": by})
        return out

    # ----------------------------------------------------------------- write
    @contextmanager
    def transaction(self) -> Iterator[PgTx]:
        """One database transaction under the site's lock; an exception writes nothing."""
        if self.read_only_reason:
            raise StoreReadOnlyError(f"the store is read-only: {self.read_only_reason}")
        psycopg = _psycopg()
        with self._conn_lock:
            try:
                with self._conn.transaction():
                    self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                                       ("floor site " + self.site,))
                    tx = PgTx(self, self._conn)
                    yield tx
                    tx._commit()
            except psycopg.Error as exc:
                raise db_problem(exc, f"{self.describe()}: cannot write") from None
