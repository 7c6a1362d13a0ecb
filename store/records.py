"""Versioned records of a partition's tables: the shape a partition file must have, each record's
current version, and the read API (records, get, history, audit) shared by the file store, a
transaction and the database store.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from store import files
from store.errors import CorruptFileError

AUDIT_TABLE = "_audit"


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
