"""The Store API the services use. TinyDB stays behind it.

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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pwd
import re
import shutil
import stat
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from store import atomic, files, journal, locking, shapes
from store.files import CACHE_DIR, orjson_loads
from store.errors import CorruptFileError, StoreError, StoreReadOnlyError, os_problem
from store.migrations import (
    MIGRATIONS,
    SCHEMA_VERSION,
    STORE_MIGRATIONS,
    Migration,
    migration_notes,
)

AUDIT_TABLE = "_audit"
# Reading many day files (a month report) keeps what is asked of each, not the files: a day
# file's parsed tables stay in memory for the few most recently read (today's, the days a
# screen shows); its current records and digests stay for many more, and are small.
DAY_FILES_KEPT = 6
# ... and at most this much of them (their size on disk; parsed, about ten times as much in
# memory): a 1,000-seat day file is 3 MB, so two or three of those, six of a 300-seat floor's
DAY_BYTES_KEPT = 8_000_000
RECORD_LISTS_KEPT = 4096
DIGESTS_KEPT = 2048  # a month report holds ~500 (62 days × 8); an app open for weeks stays bounded
# A memo: a finished result (a report's text) kept under .cache/<uid>/ with the signature of
# every file and listing it was worked out from (``watching``); the name carries its format.
MEMO_DIR = "memo.v1"
# ... at most this much of them: a 1,000-seat floor's attendance day is ~150 KB, a month's
# report text ~1 MB; past this the memos written longest ago go at the daily prune
MEMO_BYTES_KEPT = 64 * 2**20


def _keep(kept: OrderedDict, key: Any, value: Any, most: int, lock: threading.Lock) -> None:
    """Put ``key`` last in an LRU of at most ``most`` entries. The app reads from a worker
    thread too (the month view), so the order and the evictions change under a lock."""
    with lock:
        kept[key] = value
        kept.move_to_end(key)
        while len(kept) > most:
            kept.popitem(last=False)


def _touch(kept: OrderedDict, key: Any, lock: threading.Lock) -> None:
    with lock:
        if key in kept:
            kept.move_to_end(key)
_PARTITION = re.compile(r"^(ref|pay|day/\d{4}-\d{2}-\d{2}|roster/\d{4}-\d{2})$")


def partition_shape_problem(data: dict[str, Any]) -> str | None:
    """Why parsed JSON is not a partition (a table that is not an object of versioned records,
    a record missing ``key``/``v``/``data``), or None. Such a file is corrupt (SPEC §3)."""
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"table {name!r} is not an object of records"
        if name == AUDIT_TABLE:
            for doc_id, doc in table.items():
                if not isinstance(doc, dict):
                    return f"table {name!r}: record {doc_id} is not an object"
                if type(doc.get("seq")) is not int:
                    return f"table {name!r}: entry {doc_id} has no sequence number"
            continue
        # one pass per table, the common case in C: every record an object with a str key,
        # an int version and an object of data; the loop below names the first one that is not
        if all(isinstance(doc, dict) and isinstance(doc.get("key"), str)
               and type(doc.get("v")) is int and isinstance(doc.get("data"), dict)
               for doc in table.values()):
            continue
        for doc_id, doc in table.items():
            if not isinstance(doc, dict):
                return f"table {name!r}: record {doc_id} is not an object"
            if not isinstance(doc.get("key"), str) or type(doc.get("v")) is not int \
                    or not isinstance(doc.get("data"), dict):
                return f"table {name!r}: record {doc_id} lacks a key, a version or its data"
    return None


def read_partition_file(root: Path, path: Path) -> dict[str, Any] | None:
    """A partition file's tables (None when absent); CorruptFileError when it is not one, or
    not a regular file reached without a link (SPEC §3 rev. 12-2026b)."""
    opened = files.read_in_store(root, Path(path).relative_to(root))
    if opened is None:
        return None
    return _partition_of_bytes(path, opened.data)


def _partition_of_bytes(path: Path, raw: bytes) -> dict[str, Any]:
    data = files.parse_json(path, raw)
    problem = partition_shape_problem(data)
    if problem:
        raise CorruptFileError(path, f"has the wrong shape ({problem})")
    return data


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    """Changes whenever a file is replaced or edited (the change time cannot be set back)."""
    return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)


def _memo_file(slot: str) -> str:
    """A memo's file: one per slot (a report, its month, format, language …), replaced
    when the slot is worked out again, so the cache does not grow day by day."""
    return hashlib.sha256(slot.encode("utf-8")).hexdigest()[:40] + ".json"


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


class _MemoryStorage(Storage):
    """TinyDB storage over a dict loaded once per read or transaction; never touches disk.

    Reading and writing files is done by the Store (locked, atomic); TinyDB only queries and
    inserts into the dict. A fresh TinyDB is made for every transaction, so neither its query
    cache nor its next-id counter outlives the lock.
    """

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = data if data is not None else {}
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = True


def _current(docs: Iterable[dict[str, Any]], include_retired: bool = False) -> list[dict]:
    latest: dict[str, dict[str, Any]] = {}
    for doc in docs:
        key = doc["key"]
        seen = latest.get(key)
        if seen is None or doc["v"] > seen["v"]:
            latest[key] = doc
    out = []
    for doc in latest.values():
        if doc.get("retired") and not include_retired:
            continue
        out.append(_as_record(doc))
    return out


def _records_digest(table: str) -> str:
    """The digest name of a table's current records (its format's version in the name)."""
    return f"records.v1.{table}"


def _versions_digest(table: str) -> str:
    """The digest name of every version of a table's records (``keep_versions``)."""
    return f"versions.v1.{table}"


def latest_items(docs: Iterable[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(key, data) of each live record's current version (the stored dicts themselves, not
    copies: for digests that only read them)."""
    latest: dict[str, dict[str, Any]] = {}
    for doc in docs:
        seen = latest.get(doc["key"])
        if seen is None or doc["v"] > seen["v"]:
            latest[doc["key"]] = doc
    return [(key, doc["data"]) for key, doc in latest.items() if not doc.get("retired")]


def latest_data(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The data of each live record's current version (see ``latest_items``)."""
    return [data for _key, data in latest_items(docs)]


def _as_record(doc: dict[str, Any]) -> dict[str, Any]:
    record = dict(doc["data"])
    record["_key"] = doc["key"]
    record["_v"] = doc["v"]
    record["_at"] = doc["at"]
    record["_by"] = doc["by"]
    if doc.get("retired"):
        record["_retired"] = True
    return record


class _Reader:
    """Read operations shared by the Store (from disk) and a Tx (from its own state)."""

    def _tables(self, partition: str) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _docs(self, partition: str, table: str) -> list[dict[str, Any]]:
        raw = self._tables(partition).get(table) or {}
        return list(raw.values())

    def records(
        self, partition: str, table: str, include_retired: bool = False
    ) -> list[dict[str, Any]]:
        """The current version of every live record of ``table`` (and of retired ones, marked
        ``_retired``, when asked)."""
        return _current(self._docs(partition, table), include_retired)

    def get(self, partition: str, table: str, key: str) -> dict[str, Any] | None:
        latest = None
        for doc in self._docs(partition, table):
            if doc["key"] == key and (latest is None or doc["v"] > latest["v"]):
                latest = doc
        if latest is None or latest.get("retired"):
            return None
        return _as_record(latest)

    def history(self, partition: str, table: str, key: str) -> list[dict[str, Any]]:
        """Every version of one record, oldest first, retired ones included."""
        docs = [d for d in self._docs(partition, table) if d["key"] == key]
        return [_as_record(d) for d in sorted(docs, key=lambda d: d["v"])]

    def audit(self, partition: str) -> list[dict[str, Any]]:
        docs = self._docs(partition, AUDIT_TABLE)
        return sorted(docs, key=lambda d: d["seq"])


class Store(_Reader):
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

    # ----------------------------------------------------------------- paths
    def path(self, partition: str) -> Path:
        known = self._paths.get(partition)
        if known is not None:
            return known
        path = self._path(partition)
        self._paths[partition] = path
        return path

    def _path(self, partition: str) -> Path:
        if not _PARTITION.match(partition):
            raise StoreError(f"not a store partition: {partition!r}")
        if partition == "ref":
            return self.root / "ref.json"
        if partition == "pay":
            return self.root / "pay.json"
        kind, name = partition.split("/")
        if kind == "day":
            return self.root / "days" / name[:4] / f"{name}.json"
        return self.root / "rosters" / f"{name}.json"

    def readable(self, partition: str) -> bool:
        """Can this process read the partition (pay: a member of the pay group)?"""
        path = self.path(partition)
        return not path.exists() or os.access(path, os.R_OK)

    def describe(self) -> str:
        return str(self.root)

    def day_partitions(self, start: dt.date | None = None, end: dt.date | None = None) -> list[str]:
        """Names of the day partitions that exist, between start and end inclusive."""
        out = []
        for year in self._listing(["days"], r"\d{4}", directories=True):
            for file in self._listing(["days", year], r"\d{4}-\d{2}-\d{2}\.json"):
                name = file[: -len(".json")]
                if start and name < start.isoformat():
                    continue
                if end and name > end.isoformat():
                    continue
                out.append(f"day/{name}")
        return out

    def _listing(self, rel: list[str], pattern: str, directories: bool = False) -> list[str]:
        """Names in ``root/rel`` matching ``pattern`` that are real directories (or regular
        files), sorted; a link or a wrong kind is noted in ``problems``, never followed."""
        try:
            fd = files.open_dir(self.root, rel)
        except FileNotFoundError:
            self._saw(("listing", tuple(rel), pattern, directories), ())
            return []
        except CorruptFileError as exc:
            self.problems[str(exc.path)] = exc.reason
            return []
        except OSError:
            self._saw(("listing", tuple(rel), pattern, directories), None)  # never matches
            return []
        try:
            entries = [(name, mode) for name, mode in files.entry_modes(fd)
                       if re.fullmatch(pattern, name)]
        finally:
            os.close(fd)
        out = []
        for name, mode in sorted(entries):
            if (stat.S_ISDIR if directories else stat.S_ISREG)(mode):
                out.append(name)
            else:
                expected = "a directory" if directories else "a file"
                self.problems[str(self.root.joinpath(*rel, name))] = (
                    f"is {files.kind_of(mode)}, not {expected}; floor does not follow links "
                    f"or open special files inside the store")
        self._saw(("listing", tuple(rel), pattern, directories), tuple(out))
        return out

    # ------------------------------------------------------------------ open
    def open(self) -> Store:
        """Create the store if new, finish pending journals, run migrations.

        A store that cannot be brought up to date (meta.json lost, a committed change that
        cannot be finished, e.g. on a full disk) opens read-only with the reason, so every
        command can still read and `floor doctor` can say what is wrong.
        """
        meta_path = self.root / "meta.json"
        new = not os.path.lexists(meta_path)  # a link there is a damaged meta.json, not none
        try:
            atomic.ensure_dir(self.root)
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot create the store ({exc.strerror})") from None
        if new and any(os.path.lexists(self.root / name)
                       for name in ("ref.json", "pay.json", "days", "rosters")):
            self.read_only_reason = (f"{meta_path} is missing but the store holds data; "
                                     f"restore it from a backup (see `floor doctor`)")
            return self
        if not os.access(self.root, os.W_OK):
            self.read_only_reason = f"{self.root} is not writable by {self.user}"
            return self
        if not new and self._settled():
            # nothing to finish or migrate: a reader never waits for a writer; the temp files
            # of killed writes go when the lock is free this instant, else at the next write
            try:
                with locking.locked(self.root, timeout=0):
                    atomic.remove_stale_temps(self.root)
            except (OSError, StoreError):
                pass
            return self
        with locking.locked(self.root):
            try:
                journal.recover_journals(self.root)
            except (OSError, StoreError) as exc:
                reason = f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) else exc
                self.read_only_reason = (f"a committed change could not be finished ({reason}); "
                                         f"it is kept and finished by the next command once "
                                         f"that is fixed")
                return self
            atomic.remove_stale_temps(self.root)
            if new:
                try:
                    atomic.write_in_store(self.root, "meta.json", files.dumps(
                        {"schema": self.schema_version, "created": self.clock()}))
                except OSError as exc:
                    raise os_problem(meta_path, exc, "cannot create the store") from None
                return self
            try:
                self._migrate()
            except OSError as exc:
                raise os_problem(self.root, exc, "cannot migrate the store") from None
        return self

    def _settled(self) -> bool:
        """No journal to finish and the schema current: opening needs no lock (issue #31,
        `report day` waited for a writer). Files are replaced whole, so a reader sees each
        one old or new; a change in flight is finished under the lock by its writer, or by
        the next opener that finds its journal."""
        try:
            if journal.pending_journals(self.root):
                return False
        except (OSError, StoreError):
            return False
        try:
            meta = files.read_json(self.root, "meta.json") or {}
        except (CorruptFileError, OSError, StoreError):
            return False
        return type(meta.get("schema")) is int and meta["schema"] == self.schema_version

    def meta(self) -> dict[str, Any]:
        return files.read_json(self.root, "meta.json") or {}

    def _migrate(self) -> None:
        meta_path = self.root / "meta.json"
        try:
            meta = files.read_json(self.root, "meta.json") or {}
        except CorruptFileError as exc:
            self.read_only_reason = str(exc)
            self.problems[str(meta_path)] = exc.reason
            return
        found = meta.get("schema")
        if type(found) is not int or found < 1:
            self.read_only_reason = f"{meta_path}: no valid schema version ({found!r})"
            self.problems[str(meta_path)] = f"no valid schema version ({found!r})"
            return
        if found > self.schema_version:
            self.read_only_reason = (
                f"{meta_path}: store schema {found} is newer than this floor "
                f"(schema {self.schema_version}); upgrade floor before writing"
            )
            return
        if found == self.schema_version:
            return
        contents: dict[Path, bytes] = {}
        partitions = ["ref", "pay"] + self.day_partitions() + self._roster_partitions()
        loaded: dict[Path, dict[str, Any]] = {}
        for partition in partitions:
            path = self.path(partition)
            data = read_partition_file(self.root, path)
            if data is not None:
                loaded[path] = data
        version = found
        by_partition = {self._partition_of(path): data for path, data in loaded.items()}
        while version < self.schema_version:
            step = self.migrations.get(version)
            whole = STORE_MIGRATIONS.get(version)
            if step is not None:
                by_partition = {name: step(name, data) for name, data in by_partition.items()}
            elif whole is not None:
                by_partition = whole(by_partition)
            else:
                self.read_only_reason = f"{meta_path}: no migration from store schema {version}"
                return
            version += 1
        for partition, data in by_partition.items():
            contents[self.path(partition)] = files.dumps(data)
        contents[meta_path] = files.dumps(dict(meta, schema=version, migrated=self.clock()))
        journal.commit_files(self.root, contents)
        self._cache.clear()
        # what a data-moving step did, said once by the process that migrated
        self.migration_notices = migration_notes(by_partition.get("ref") or {})
        if found < 3:
            # backups from before the pay split (schema 1) hold everyone's base pay: the pay
            # group's from now on (a store past 1 may still keep them in backups/)
            from store.backup import secure_pre_split_backups

            secured = secure_pre_split_backups(self.root)
            if secured:
                self.migration_notices.append(
                    f"{len(secured)} backup(s) from before pay had its own file hold base pay: "
                    f"now readable by the pay group only")

    def _roster_partitions(self) -> list[str]:
        return [f"roster/{name[: -len('.json')]}"
                for name in self._listing(["rosters"], r"\d{4}-\d{2}\.json")]

    def _partition_of(self, path: Path) -> str:
        rel = path.relative_to(self.root)
        if rel.name in ("ref.json", "pay.json"):
            return rel.stem
        if rel.parts[0] == "days":
            return f"day/{path.stem}"
        return f"roster/{path.stem}"

    # ------------------------------------------------------------------ read
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

    def add_digest(self, name: str, compute: Callable[[dict[str, Any]], Any],
                   stands_for: tuple[str, ...] = ()) -> None:
        """Register figures worked out from one day file's tables (its raw versioned tables
        in, JSON-able figures out). They are worked out when the file is read and kept, in
        memory and under ``.cache/``, for as long as the file is unchanged; ``stands_for``
        names tables whose records a month-long reader takes from these figures instead."""
        if not re.fullmatch(r"[a-z][a-z0-9._-]*", name):
            raise StoreError(f"not a digest name: {name!r}")
        self._digesters[name] = (compute, tuple(stands_for))

    def keep_versions(self, table: str) -> None:
        """Keep every version of a day-file table's records as a digest (``versions.<table>``):
        its history and its retired records are then read without parsing the day file (the
        detail of a person's punches on a past day of a 1,000-seat floor; issue #30)."""
        self.add_digest(_versions_digest(table),
                        lambda tables: list((tables.get(table) or {}).values()))

    def _docs(self, partition: str, table: str) -> list[dict[str, Any]]:
        if _versions_digest(table) in self._digesters and partition.startswith("day/"):
            return list(self.digest(partition, _versions_digest(table)))
        return super()._docs(partition, table)

    def keep_records(self, table: str) -> None:
        """Keep the current records of a day-file table as a digest (``records.<table>``), so a
        month-long reader of that table does not parse the day files again."""
        self.add_digest(_records_digest(table),
                        lambda tables: _current((tables.get(table) or {}).values()))

    def digest(self, partition: str, name: str) -> Any:
        """The figures ``add_digest(name, …)`` works out from a day partition, never stale:
        kept under the file's signature (a changed file is worked out again). A month report
        asks for a month of them; once worked out they are read from this user's own
        ``.cache/<uid>/`` without parsing the day files again (nobody else can write there; a
        cache file that is damaged, edited, or from another version of the day file is
        ignored and worked out again)."""
        path = self.path(partition)
        known = self._known_digest(partition, name, self.signature(partition))
        if known is not None:
            return known[0]
        data = self.read_partition(partition)  # works out and keeps every digest of the file
        cached = self._cache.get(path)
        signature = cached[0] if cached else None
        known = self._known_digest(partition, name, signature)
        if known is not None:
            return known[0]
        return self._work_out(partition, name, data, signature)

    def _known_digest(self, partition: str, name: str,
                      signature: tuple[int, ...] | None) -> tuple[Any] | None:
        """(the digest,) for this version of the file, from memory or the cache, else None."""
        if signature is None:
            return None
        key = (self.path(partition), name)
        hit = self._derived.get(key)
        if hit is not None and hit[0] == signature:
            _touch(self._derived, key, self._lru_lock)
            return (hit[1],)
        stored = self._cached_digest(partition, name, signature)
        if stored is not None:
            self._keep_digest(key, (signature, stored[0]))
        return stored

    def _work_out(self, partition: str, name: str, data: dict[str, Any],
                  signature: tuple[int, ...] | None) -> Any:
        compute, _stands_for = self._digesters[name]
        value = compute(data)
        path = self.path(partition)
        self._keep_digest((path, name), (signature, value))
        if signature is not None:
            self._store_digest(partition, name, signature, value)
        return value

    def prune_cache(self) -> list[str]:
        """Remove the ``.cache/`` figures of digests this program no longer registers (an
        older version's ``quota.campaign_sums.v1`` after its ``v2``) and the shared cache of
        versions before caches were kept per user: a cache only, never data, which otherwise
        grows by a copy a year on a shared disk. Returns their names; nothing is done in a
        read-only store. Nothing is followed: a ``.cache`` that is a link is left alone."""
        if self.read_only_reason:
            return []
        removed = []
        try:
            shared = files.open_dir(self.root, [CACHE_DIR])
        except (OSError, StoreError):
            return []
        try:
            for entry in sorted(os.scandir(shared), key=lambda e: e.name):
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if re.fullmatch(r"[a-z][a-z0-9._-]*", entry.name):  # the old shared layout
                    shutil.rmtree(entry.name, dir_fd=shared, ignore_errors=True)
                    removed.append(entry.name)
        finally:
            os.close(shared)
        mine = self._cache_dir()
        if mine is None:
            return removed
        try:
            if self._prune_memos(mine):
                removed.append(MEMO_DIR)
            for entry in sorted(os.scandir(mine), key=lambda e: e.name):
                if entry.name in self._digesters or entry.name == MEMO_DIR \
                        or not entry.is_dir(follow_symlinks=False):
                    continue
                if not re.fullmatch(r"[a-z][a-z0-9._-]*", entry.name):
                    continue  # not one of ours: left alone
                shutil.rmtree(entry.name, dir_fd=mine, ignore_errors=True)
                removed.append(entry.name)
        finally:
            os.close(mine)
        return sorted(set(removed))

    @staticmethod
    def _prune_memos(mine: int) -> int:
        """Keep this user's memos under MEMO_BYTES_KEPT, the newest written first: a memo is
        one file per slot, but a slot per past day visited adds up over a year. Returns how
        many went. Only regular files named as memos; nothing followed."""
        try:
            memos = os.open(MEMO_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=mine)
        except OSError:
            return 0
        gone = 0
        try:
            found = []
            for entry in os.scandir(memos):
                if not re.fullmatch(r"[0-9a-f]{40}\.json", entry.name):
                    continue
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    found.append((st.st_mtime_ns, entry.name, st.st_size))
            total = 0
            for _mtime, name, size in sorted(found, reverse=True):
                total += size
                if total > MEMO_BYTES_KEPT:
                    try:
                        os.unlink(name, dir_fd=memos)
                        gone += 1
                    except OSError:
                        pass
        finally:
            os.close(memos)
        return gone

    def _keep_digest(self, key: tuple[Path, str], hit: tuple[Any, Any]) -> None:
        _keep(self._derived, key, hit, DIGESTS_KEPT, self._lru_lock)

    def cache_dir(self) -> Path:
        """This OS user's own cache: ``.cache/<uid>/``, ``0700``; nobody else can put a figure
        in it, so a planted value can never change a report (SPEC §3 rev. 12-2026b)."""
        return self.root / CACHE_DIR / str(os.geteuid())

    def _cache_dir(self, create: bool = False) -> int | None:
        """A descriptor of ``cache_dir()`` when it is a real directory owned by this user and
        closed to everyone else; None otherwise (then no cache is read or written)."""
        uid = os.geteuid()
        try:
            shared = files.open_dir(self.root, [CACHE_DIR], create=create)
        except (OSError, StoreError):
            return None
        try:
            fd = files.open_dir(shared, [str(uid)], create=create, private=True)
        except (OSError, StoreError):
            return None
        finally:
            os.close(shared)
        st = os.fstat(fd)
        if st.st_uid != uid or stat.S_IMODE(st.st_mode) & 0o077:
            os.close(fd)
            return None
        return fd

    def _cached_digest(self, partition: str, name: str,
                       signature: tuple[int, ...]) -> tuple[Any] | None:
        """A digest from this user's cache, if it is whole, for this version of the file and
        matches its checksum; else None (worked out again: a cache problem is never an
        error)."""
        fd = self._cache_dir()
        if fd is None:
            return None
        try:
            opened = files.read_in_store(fd, f"{name}/{partition.split('/')[-1]}.json")
            data = orjson_loads(opened.data) if opened else None
        except (OSError, ValueError, StoreError):
            return None
        finally:
            os.close(fd)
        if not isinstance(data, dict) or data.get("signature") != list(signature) \
                or "value" not in data \
                or not isinstance(data.get("value"), (dict, list)):
            return None  # every digest is an object or a list: anything else is not ours
        try:
            check = hashlib.sha256(files.dumps(data["value"])).hexdigest()
        except StoreError:
            return None
        if data.get("check") != check:
            return None
        return (data["value"],)

    def _store_digest(self, partition: str, name: str, signature: tuple[int, ...],
                      value: Any) -> None:
        if self.read_only_reason or partition in ("ref", "pay") \
                or self.path(partition) in self._damaged:
            return  # a file with damaged records is read again, so each reader names them
        fd = self._cache_dir(create=True)
        if fd is None:
            return
        try:
            raw = files.dumps(value)
            atomic.write_in_store(fd, f"{name}/{partition.split('/')[-1]}.json", files.dumps(
                {"signature": list(signature), "check": hashlib.sha256(raw).hexdigest(),
                 "value": value}), fsync=False, mode=files.PRIVATE_FILE_MODE, private=True)
        except (OSError, StoreError):
            pass  # a cache: the next reader works the figures out again
        finally:
            os.close(fd)

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

    # ------------------------------------------------------------------ memo
    def _saw(self, what: tuple, found: Any) -> None:
        """Note for every ``watching`` block what a read found; a file that changed while
        the block read it (seen twice, different) makes the block's result unkeepable."""
        for seen in self._watchers:
            if seen.setdefault(what, found) != found:
                seen[("moved",)] = True

    @contextmanager
    def watching(self) -> Iterator[dict[tuple, Any]]:
        """Every file (its signature) and listing read inside the block, for ``keep_memo``.
        Every read goes through ``signature``, ``read_partition`` or ``_listing``, so a
        result worked out inside the block depends on the store through these only."""
        seen: dict[tuple, Any] = {}
        self._watchers.append(seen)
        try:
            yield seen
        finally:
            self._watchers.remove(seen)

    def _still(self, what: tuple, found: Any) -> bool:
        if what[0] == "file":
            return self.signature(what[1]) == found
        if what[0] == "listing":
            return found is not None and tuple(self._listing(list(what[1]), what[2],
                                                             what[3])) == found
        return False

    def memo(self, slot: str, key: list[Any]) -> Any:
        """What ``keep_memo(slot, key, …)`` kept, if every file and listing it was worked
        out from is as it was then (never stale, as the digests); else None. Read only from
        this user's own ``.cache/<uid>/`` and only when its checksum holds."""
        fd = self._cache_dir()
        if fd is None:
            return None
        try:
            opened = files.read_in_store(fd, f"{MEMO_DIR}/{_memo_file(slot)}")
            data = orjson_loads(opened.data) if opened else None
        except (OSError, ValueError, StoreError):
            return None
        finally:
            os.close(fd)
        if not isinstance(data, dict) or not isinstance(data.get("reads"), list) \
                or "value" not in data:
            return None
        try:
            body = files.dumps([key, data["reads"], data["value"]])
        except StoreError:
            return None
        if data.get("check") != hashlib.sha256(body).hexdigest() or data.get("key") != key:
            return None
        for entry in data["reads"]:
            if not (isinstance(entry, list) and len(entry) == 2
                    and isinstance(entry[0], list) and entry[0]):
                return None
            what = tuple(tuple(part) if isinstance(part, list) else part for part in entry[0])
            found = entry[1]
            found = tuple(found) if isinstance(found, list) else found
            if not self._still(what, found):
                return None
        return data["value"]

    def keep_memo(self, slot: str, key: list[Any], seen: dict[tuple, Any], value: Any) -> None:
        """Keep ``value`` (JSON-able) for ``memo(slot, key)`` while every read in ``seen``
        (a ``watching`` block's) finds the same. Not kept when a file moved during the
        reads, a record was damaged (each reader names it), or the store is read-only."""
        if self.read_only_reason or seen.get(("moved",)) or self._damaged or self.problems:
            return
        reads = [[list(what), list(found) if isinstance(found, tuple) else found]
                 for what, found in seen.items()]
        fd = self._cache_dir(create=True)
        if fd is None:
            return
        try:
            body = files.dumps([key, reads, value])
            atomic.write_in_store(fd, f"{MEMO_DIR}/{_memo_file(slot)}", files.dumps(
                {"key": key, "reads": reads, "check": hashlib.sha256(body).hexdigest(),
                 "value": value}), fsync=False, mode=files.PRIVATE_FILE_MODE, private=True)
        except (OSError, StoreError):
            pass  # a cache: worked out again next time
        finally:
            os.close(fd)

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


class Tx(_Reader):
    """One locked read-modify-write. Reads see the transaction's own changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.at = store.clock()
        self.audit_at = store.audit_clock()
        self._dbs: dict[str, tuple[TinyDB, _MemoryStorage]] = {}
        # New versions wait here until commit, with an index of each key's latest version, so
        # a transaction of n changes costs O(n) (an import of 16k staff takes seconds).
        self._pending: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._latest: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        # partition → table → keys of damaged records (store.shapes): kept in the file as they
        # are, hidden from the transaction's reads until a new version replaces them
        self._hidden: dict[str, dict[str, set[str]]] = {}

    def _db(self, partition: str) -> TinyDB:
        if partition not in self._dbs:
            path = self.store.path(partition)
            data = read_partition_file(self.store.root, path)  # corrupt: raises, never overwritten
            storage_data = data if data is not None else {}
            damaged = shapes.damaged_records(shapes.partition_kind(partition), storage_data,
                                             self.store.shapes)
            self.store._note_damaged(path, damaged)
            hidden = self._hidden.setdefault(partition, {})
            for d in damaged:
                hidden.setdefault(d.table, set()).add(d.key)
            db = TinyDB(storage=_MemoryStorage, data=storage_data)
            self._dbs[partition] = (db, db.storage)  # type: ignore[arg-type]
        return self._dbs[partition][0]

    def _tables(self, partition: str) -> dict[str, Any]:
        self._db(partition)
        return self._dbs[partition][1].data

    def _all_docs(self, partition: str, table: str) -> list[dict[str, Any]]:
        return super()._docs(partition, table) + self._pending.get((partition, table), [])

    def _docs(self, partition: str, table: str) -> list[dict[str, Any]]:
        docs = self._all_docs(partition, table)
        hidden = self._hidden_keys(partition, table)
        return [d for d in docs if d["key"] not in hidden] if hidden else docs

    def _hidden_keys(self, partition: str, table: str) -> set[str]:
        self._db(partition)
        return self._hidden.get(partition, {}).get(table, set())

    def _index(self, partition: str, table: str) -> dict[str, dict[str, Any]]:
        """Each key's latest version, damaged ones too (a new version numbers after them)."""
        index = self._latest.get((partition, table))
        if index is None:
            index = {}
            for doc in self._all_docs(partition, table):
                seen = index.get(doc["key"])
                if seen is None or doc["v"] > seen["v"]:
                    index[doc["key"]] = doc
            self._latest[(partition, table)] = index
        return index

    def _insert(self, partition: str, table: str, doc: dict[str, Any]) -> None:
        if table != AUDIT_TABLE:
            self._index(partition, table)[doc["key"]] = doc
            self._hidden_keys(partition, table).discard(doc["key"])  # replaced: readable again
        self._pending.setdefault((partition, table), []).append(doc)

    def get(self, partition: str, table: str, key: str) -> dict[str, Any] | None:
        latest = self._index(partition, table).get(key)
        if latest is None or latest.get("retired") or key in self._hidden_keys(partition, table):
            return None
        return _as_record(latest)

    def _next_version(self, partition: str, table: str, key: str) -> tuple[int, dict | None]:
        latest = self._index(partition, table).get(key)
        if latest is None:
            return 1, None
        return latest["v"] + 1, latest

    def _audit(self, partition: str, entry: dict[str, Any]) -> None:
        stored = len(self._tables(partition).get(AUDIT_TABLE) or {})
        seq = stored + len(self._pending.get((partition, AUDIT_TABLE), [])) + 1
        self._insert(partition, AUDIT_TABLE,
                     {"seq": seq, "at": self.audit_at, "by": self.store.user, **entry})

    def put(self, partition: str, table: str, key: str, data: dict[str, Any]) -> int:
        """Store ``data`` as the new version of ``key``; returns its version number.

        Storing what is already current changes nothing and writes nothing.
        """
        version, latest = self._next_version(partition, table, key)
        if latest is not None and not latest.get("retired") and latest["data"] == data:
            return latest["v"]
        old = None if latest is None or latest.get("retired") else latest["data"]
        self._insert(partition, table,
                     {"key": key, "v": version, "at": self.at, "by": self.store.user,
                      "data": data})
        if old is None:
            self._audit(partition, {"op": "add", "table": table, "key": key, "v": version,
                                    "new": data})
        else:
            changed = {
                field: [old.get(field), data.get(field)]
                for field in sorted(set(old) | set(data))
                if old.get(field) != data.get(field)
            }
            self._audit(partition, {"op": "change", "table": table, "key": key, "v": version,
                                    "changes": changed})
        return version

    def put_many(
        self, partition: str, table: str, items: Iterable[tuple[str, dict[str, Any]]], note: str
    ) -> int:
        """Add many new records in one go (imports, demo). One audit entry names them all.

        Keys that already exist get a new version, like ``put``. Returns how many were stored.
        """
        keys = []
        for key, data in items:
            version, _latest = self._next_version(partition, table, key)
            self._insert(partition, table, {"key": key, "v": version, "at": self.at,
                                            "by": self.store.user, "data": data})
            keys.append(key)
        if not keys:
            return 0
        self._audit(partition, {"op": "bulk", "table": table, "keys": keys, "note": note})
        return len(keys)

    def retire(self, partition: str, table: str, key: str, reason: str) -> int:
        """Retire a record: a new version marked retired. Nothing is ever hard-deleted."""
        version, latest = self._next_version(partition, table, key)
        if latest is None or latest.get("retired") or key in self._hidden_keys(partition, table):
            raise StoreError(f"{partition}/{table}: no record {key!r} to retire")
        self._insert(partition, table,
                     {"key": key, "v": version, "at": self.at, "by": self.store.user,
                      "data": latest["data"], "retired": True})
        self._audit(partition, {"op": "retire", "table": table, "key": key, "v": version,
                                "reason": reason})
        return version

    def _contents(self) -> dict[Path, bytes]:
        for (partition, table), docs in self._pending.items():
            if docs:
                self._db(partition).table(table).insert_multiple(docs)
        self._pending = {}
        self._latest = {}
        return {
            self.store.path(partition): files.dumps(storage.data)
            for partition, (_db, storage) in self._dbs.items()
            if storage.dirty
        }


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
