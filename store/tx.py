"""A transaction of the file store: one locked read-modify-write of partition files, whose new
versions and audit entries land with one atomic commit. TinyDB queries and inserts here.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.storages import Storage

from store import files, shapes
from store.errors import StoreError
from store.records import AUDIT_TABLE, _as_record, _Reader, read_partition_file

if TYPE_CHECKING:
    from store.db import Store


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
