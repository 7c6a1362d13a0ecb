"""The Store API the services use. TinyDB stays behind it.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

Layout of a store directory (SPEC §3):

    meta.json                 schema version
    ref.json                  reference data: staff, policy, templates, campaigns, checklists
    pay.json                  pay-only data: base pay, special circumstances, published
                              months, base scores (group ``floor-pay`` when it exists)
    days/YYYY/YYYY-MM-DD.json one file per floor-day: attendance, calls, evaluations, incidents …
    rosters/YYYY-MM.json      one file per roster month
    backups/                  dated backups
    .lock  .stamp  .journal/  the write lock, the change stamp, pending multi-file commits

A partition is named ``ref``, ``pay``, ``day/2026-11-27`` or ``roster/2026-11``. Each partition file is a
TinyDB database whose tables hold *versions*: a record is never changed in place; a change
appends a new version with the same key, and retiring a record appends a retired version. The
``_audit`` table of the same file says who changed what, when, from what to what, so a change
and its audit entry land in one atomic write.

The Store is composed of one class per concept, each in its own module of store/: opening
(store.opening), partitions and their listings (store.partitions), digests (store.digests),
the memo of finished reports (store.memo), this user's cache (store.user_cache), what a
``watching`` block read (store.watching) and the record reads (store.records); this module
holds what it reads and keeps of the files, damaged records, and the transaction (a Tx,
store.tx).
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from store import atomic, files, journal, locking, shapes
from store.digests import Digests, _records_digest, _versions_digest
from store.errors import CorruptFileError, StoreError, StoreReadOnlyError, os_problem
from store.lru import _keep, _touch
from store.memo import Memo
from store.migrations import MIGRATIONS, SCHEMA_VERSION, Migration
from store.opening import Opening
from store.partitions import Partitions
from store.records import AUDIT_TABLE, _current, _partition_of_bytes, _Reader
from store.tx import Tx
from store.user_cache import UserCache
from store.watching import Watching

# Reading many day files (a month report) keeps what is asked of each, not the files: a day
# file's parsed tables stay in memory for the few most recently read (today's, the days a
# screen shows); its current records and digests stay for many more, and are small.
DAY_FILES_KEPT = 6
# ... and at most this much of them (their size on disk; parsed, about ten times as much in
# memory): a 1,000-seat day file is 3 MB, so two or three of those, six of a 300-seat floor's
DAY_BYTES_KEPT = 8_000_000
RECORD_LISTS_KEPT = 4096


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    """Changes whenever a file is replaced or edited (the change time cannot be set back)."""
    return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)


def current_user() -> str:
    """Who is making a change: the OS account the process runs as (its real uid in the
    password database). ``$LOGNAME``/``$USER`` never change it; ``$SUDO_USER`` names the login
    behind sudo only when the process runs as root (SPEC §3 rev. 12-2026)."""
    uid = os.getuid()
    if uid == 0:
        sudo = os.environ.get("SUDO_USER", "")
        try:
            if sudo and pwd.getpwnam(sudo):
                return sudo
        except KeyError:
            pass
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def utc_now() -> str:
    """The real time (never ``$FLOOR_NOW``): the audit's "when"."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Store(Opening, Partitions, Digests, Memo, UserCache, Watching, _Reader):
    """A floor store directory. Reads parse files (cached by mtime); writes go through Tx."""

    def __init__(
        self,
        root: Path,
        *,
        user: str | None = None,
        strict: bool = True,
        clock: Callable[[], str] = utc_now,
        audit_clock: Callable[[], str] = utc_now,
        migrations: dict[int, Migration] | None = None,
        schema_version: int = SCHEMA_VERSION,
    ) -> None:
        self.root = Path(root).expanduser()
        self.user = user or current_user()
        self.strict = strict
        self.clock = clock  # the stamp of a record's version (the floor's time, may be pinned)
        self.audit_clock = audit_clock  # the audit's "when": the real time, never pinned
        self.migrations = MIGRATIONS if migrations is None else migrations
        self.schema_version = schema_version
        self.read_only_reason: str | None = None
        self.problems: dict[str, str] = {}
        self.migration_notices: list[str] = []  # what opening the store migrated, once
        self._cache: OrderedDict[Path, tuple[tuple[int, ...], dict[str, Any]]] = (
            OrderedDict())
        self._records_cache: OrderedDict[tuple[Path, str, bool], tuple[Any, list[dict]]] = (
            OrderedDict())
        self._paths: dict[str, Path] = {}  # partition name → its file (asked very often)
        self._lru_lock = threading.Lock()
        self._derived: OrderedDict[tuple[Path, str], tuple[Any, Any]] = OrderedDict()
        # name → (figures of one day file's tables, tables those figures stand in for)
        self._digesters: dict[str, tuple[Callable[[dict[str, Any]], Any], tuple[str, ...]]] = {}
        self.shapes: shapes.Shapes = {}  # (partition kind, table) → its records' check
        self._damaged: dict[Path, list[str]] = {}  # file → its damaged records' problem keys
        self._watchers: list[dict[tuple, Any]] = []  # what ``watching`` blocks have read

    def _tables(self, partition: str) -> dict[str, Any]:
        return self.read_partition(partition)

    def get(self, partition: str, table: str, key: str) -> dict[str, Any] | None:
        for record in self.shared_records(partition, table):
            if record["_key"] == key:
                return dict(record)
        return None

    def records(
        self, partition: str, table: str, include_retired: bool = False
    ) -> list[dict[str, Any]]:
        """The current version of every live record of ``table`` (fresh dicts, yours to keep).

        Computing current versions of a big table (a month's roster) is cached for as long as
        the file is unchanged, so screens and reports can ask often.
        """
        return [dict(record) for record in self.shared_records(partition, table, include_retired)]

    def shared_records(
        self, partition: str, table: str, include_retired: bool = False
    ) -> list[dict[str, Any]]:
        """``records`` without the copies: the cached dicts themselves, for readers that only
        read (reports over a month of day files). Never change what this returns."""
        if not include_retired and _records_digest(table) in self._digesters \
                and partition.startswith("day/"):
            return self.digest(partition, _records_digest(table))
        if include_retired and _versions_digest(table) in self._digesters \
                and partition.startswith("day/"):
            return _current(self._docs(partition, table), include_retired=True)
        path = self.path(partition)
        key = (path, table, include_retired)
        hit = self._records_cache.get(key)
        if hit is not None and hit[0] is not None and hit[0] == self.signature(partition):
            _touch(self._records_cache, key, self._lru_lock)
            return hit[1]
        data = self.read_partition(partition)
        cached = self._cache.get(path)
        signature = cached[0] if cached else None
        hit = self._records_cache.get(key)
        if hit is None or hit[0] != signature or signature is None:
            hit = (signature, _current((data.get(table) or {}).values(), include_retired))
            self._keep_records(key, hit)
        return hit[1]

    def _keep_records(self, key: tuple[Path, str, bool], hit: tuple[Any, list[dict]]) -> None:
        _keep(self._records_cache, key, hit, RECORD_LISTS_KEPT, self._lru_lock)

    def _docs(self, partition: str, table: str) -> list[dict[str, Any]]:
        if _versions_digest(table) in self._digesters and partition.startswith("day/"):
            return list(self.digest(partition, _versions_digest(table)))
        return super()._docs(partition, table)

    def read_partition(self, partition: str) -> dict[str, Any]:
        """The raw tables of one partition (empty when it does not exist).

        A corrupt file raises CorruptFileError in a strict store; otherwise it is recorded in
        ``problems`` and read as empty, so the rest of the store stays usable.

        Of the day files only the last few read are kept whole; reading one works out its
        registered digests and the current records of its tables (but those the digests stand
        for) at once, so a reader going through a month parses each file once.
        """
        path = self.path(partition)
        try:
            signature: tuple[int, ...] | None = _signature(os.lstat(path))
        except FileNotFoundError:
            signature = None
        except OSError:
            signature = ()  # a component is not a directory: the read below says which
        cached = self._cache.get(path)
        if cached and cached[0] == signature:
            _touch(self._cache, path, self._lru_lock)
            self._saw(("file", partition), signature)
            return cached[1]
        try:
            opened = files.read_in_store(self.root, path.relative_to(self.root))
            if opened is None:
                self._saw(("file", partition), None)
                return {}
            data = _partition_of_bytes(path, opened.data)
        except CorruptFileError as exc:
            self.problems[str(path)] = exc.reason
            if self.strict:
                raise
            return {}
        signature = _signature(opened.stat)
        self._saw(("file", partition), signature)
        self.problems.pop(str(path), None)
        data = self._checked(partition, path, data)
        with self._lru_lock:
            self._cache[path] = (signature, data)
            self._cache.move_to_end(path)
        if partition.startswith("day/"):
            self._read_whole_day(partition, path, signature, data)
            with self._lru_lock:
                days = [p for p in self._cache if p.parent.parent.name == "days"]
                size = 0
                for kept, old in enumerate(reversed(days)):  # the most recent first
                    size += self._cache[old][0][2]
                    if kept and (kept >= DAY_FILES_KEPT or size > DAY_BYTES_KEPT):
                        self._cache.pop(old, None)
        return data

    def forget(self) -> None:
        """Let go of every file, record list and digest kept in memory (all are read again,
        from the files or the cache, when asked): a long writer such as the demo, whose
        reads of one stage are not those of the next, stays in bounded memory."""
        with self._lru_lock:
            self._cache.clear()
            self._records_cache.clear()
            self._derived.clear()

    def add_shape(self, kind: str, table: str, check: shapes.Check) -> None:
        """Register the check of a table's records (store.shapes): ``kind`` is the partition
        kind (ref, pay, day, roster). A record that fails it is left out of reads and named
        in ``problems``; the file is kept as it is."""
        self.shapes[(kind, table)] = check

    def _checked(self, partition: str, path: Path, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` without its damaged records, which are named in ``problems``."""
        damaged = shapes.damaged_records(shapes.partition_kind(partition), data, self.shapes)
        self._note_damaged(path, damaged)
        return shapes.without(data, damaged) if damaged else data

    def _note_damaged(self, path: Path, damaged: list[shapes.Damaged]) -> None:
        for where in self._damaged.pop(path, ()):
            self.problems.pop(where, None)
        if damaged:
            self._damaged[path] = [d.where(path) for d in damaged]
            for d in damaged:
                self.problems[d.where(path)] = d.reason()

    def _read_whole_day(self, partition: str, path: Path, signature: tuple[int, ...],
                        data: dict[str, Any]) -> None:
        skipped = {AUDIT_TABLE}
        for name, (compute, stands_for) in self._digesters.items():
            skipped.update(stands_for)
            hit = self._derived.get((path, name))
            if hit is not None and hit[0] == signature:
                continue
            if self._cached_digest(partition, name, signature) is not None:
                continue  # read from the cache when asked
            if name.startswith(("records.", "versions.")) and not self.read_only_reason:
                # a month of records is big: written to the cache, read back when asked
                self._store_digest(partition, name, signature, compute(data))
            else:
                self._work_out(partition, name, data, signature)
        for table, docs in data.items():
            if table not in skipped and _records_digest(table) not in self._digesters:
                self._keep_records((path, table, False), (signature, _current(docs.values())))

    def signature(self, partition: str) -> tuple[int, ...] | None:
        """Changes whenever the partition's file is replaced; None when it does not exist."""
        try:
            signature: tuple[int, ...] | None = _signature(os.lstat(self.path(partition)))
        except FileNotFoundError:
            signature = None
        except OSError:
            signature = ()
        if self._watchers:
            self._saw(("file", partition), signature)
        return signature

    def stamp(self) -> str:
        """Changes whenever any process commits a change: poll it to refresh a screen."""
        try:
            st = os.lstat(self.root / files.STAMP)
        except OSError:
            return ""
        return f"{st.st_mtime_ns}:{st.st_ino}:{st.st_size}"

    # ----------------------------------------------------------------- write
    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Hold the store lock, yield a Tx, commit everything it changed atomically.

        An exception inside the block writes nothing.
        """
        if self.read_only_reason:
            raise StoreReadOnlyError(f"the store is read-only: {self.read_only_reason}")
        with locking.locked(self.root):
            try:
                journal.recover_journals(self.root)
            except OSError as exc:
                raise os_problem(exc.filename or self.root, exc,
                                 "cannot finish an earlier change") from None
            tx = Tx(self)
            yield tx
            contents = tx._contents()
            if contents:
                try:
                    journal.commit_files(self.root, contents)
                except OSError as exc:
                    raise os_problem(exc.filename or self.root, exc,
                                     "cannot write") from None
                try:
                    atomic.write_in_store(self.root, files.STAMP, uuid.uuid4().hex.encode())
                except (OSError, StoreError):
                    pass  # the change is saved; other screens see it at their next poll


def resolve_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--store DIR``, else ``$FLOOR_STORE``, else the user data dir (SPEC §3)."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("FLOOR_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("floor", appauthor=False))


def store_address(explicit: str | os.PathLike[str] | None = None) -> str | Path:
    """The store's address: a database URI (``postgresql://…``, SPEC §12) as it is, else the
    directory of ``resolve_root``."""
    from store.pg import is_address

    for given in (explicit, os.environ.get("FLOOR_STORE")):
        if given:
            return given if is_address(given) else resolve_root(given)
    return resolve_root()


def open_store(
    root: str | os.PathLike[str] | None = None, *, strict: bool = True, user: str | None = None,
    site: str | None = None,
) -> Store:
    """The store at ``root`` (a directory, or a database URI with its ``site``, default
    ``$FLOOR_SITE`` else ``main``)."""
    address = store_address(root)
    if isinstance(address, str):
        from store.pg import PgStore

        return PgStore(address, site=site or os.environ.get("FLOOR_SITE") or "main",
                       strict=strict, user=user).open()  # type: ignore[return-value]
    return Store(address, strict=strict, user=user).open()
