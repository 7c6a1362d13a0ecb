"""A transaction of the database store (store.pg): the file store's Tx, reading the
partitions it touches from the database under the site's lock and inserting its new versions
at commit, each carrying floor's description of the change for the audit trigger.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

from typing import Any

from store import shapes
from store.tx import Tx
from store.errors import StoreError

# An import of a year (a store copy: ~700k versions) goes in statements of this many rows, so
# neither side holds the whole of it as one JSON text.
ROWS_PER_STATEMENT = 5000
IN_BULK = {"in": "bulk"}  # a version named by its bulk entry's keys, not an entry of its own


def versions_table(partition: str) -> str:
    return "floor_pay.versions" if partition == "pay" else "floor.versions"


class PgTx(Tx):
    """One database transaction. Reads see the transaction's own changes."""

    def __init__(self, store: Any, conn) -> None:
        super().__init__(store)  # type: ignore[arg-type]
        self.conn = conn
        self._loaded: dict[str, dict[str, Any]] = {}
        self._tables_read: dict[tuple[str, str], dict[str, Any]] = {}
        self._order = 0

    def _insert(self, partition: str, table: str, doc: dict[str, Any]) -> None:
        self._order += 1
        doc["_order"] = self._order  # the audit keeps the order of the changes
        super()._insert(partition, table, doc)

    def _tables(self, partition: str) -> dict[str, Any]:
        """Every table of a partition (what a reader of a whole partition asks)."""
        if partition not in self._loaded:
            data = self.store.fetch(partition, self.conn)  # type: ignore[attr-defined]
            for table, docs in data.items():
                data[table] = self._table(partition, table, docs)
            self._loaded[partition] = data
        return self._loaded[partition]

    def _table(self, partition: str, table: str,
               docs: dict[str, Any] | None = None) -> dict[str, Any]:
        """One table's versions under the lock, fetched alone (a save reads the table it
        writes, not the whole day: issue #32's ≤ 20 ms), its damaged records hidden."""
        if partition in self._loaded:
            return self._loaded[partition].get(table) or {}
        key = (partition, table)
        if key not in self._tables_read:
            if docs is None:
                docs = self.store.fetch(partition, self.conn, table).get(table) or {}
            damaged = shapes.damaged_records(shapes.partition_kind(partition), {table: docs},
                                             self.store.shapes)
            hidden = self._hidden.setdefault(partition, {})
            for d in damaged:
                hidden.setdefault(d.table, set()).add(d.key)
            self._tables_read[key] = docs
        return self._tables_read[key]

    def _all_docs(self, partition: str, table: str) -> list[dict[str, Any]]:
        return list(self._table(partition, table).values()) + \
            self._pending.get((partition, table), [])

    def _hidden_keys(self, partition: str, table: str) -> set[str]:
        self._table(partition, table)
        return self._hidden.get(partition, {}).setdefault(table, set())

    def _audit(self, partition: str, entry: dict[str, Any]) -> None:
        """floor's description of a change rides on its version; the trigger writes it into
        the audit with who and when."""
        pending = self._pending.get((partition, entry["table"]), [])
        if entry["op"] == "bulk":  # the versions it names, since the table's last entry
            for doc in reversed(pending[:-1]):
                if "_why" in doc:
                    break
                doc["_why"] = IN_BULK
        pending[-1]["_why"] = entry

    def _commit(self) -> None:
        """Every new version in as few statements as may be (COPY is refused under row-level
        security), in the order they were made, so the audit keeps that order."""
        by_table: dict[str, list[dict[str, Any]]] = {}
        for (partition, table), docs in self._pending.items():
            for doc in docs:
                by_table.setdefault(versions_table(partition), []).append({
                    "n": doc["_order"],
                    "site": self.store.site, "part": partition, "tbl": table,
                    "key": doc["key"], "v": doc["v"], "at": doc["at"], "by": doc["by"],
                    "retired": bool(doc.get("retired")), "data": doc["data"],
                    "why": doc.get("_why")})
        for table, every_row in by_table.items():
            every_row.sort(key=lambda row: row["n"])
            for start in range(0, len(every_row), ROWS_PER_STATEMENT):
                self._insert_rows(table, every_row[start:start + ROWS_PER_STATEMENT])
        self._pending = {}
        self._latest = {}

    def _insert_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        from psycopg.types.json import Jsonb

        self.conn.execute(
            f"INSERT INTO {table} (site, part, tbl, key, v, at, by, retired, data, why) "
            f"SELECT site, part, tbl, key, v, at, by, retired, data, why "
            f"FROM jsonb_to_recordset(%s) AS r(site text, part text, tbl text, key text, "
            f"v integer, at text, by text, retired boolean, data jsonb, why jsonb, n integer) "
            f"ORDER BY n", (Jsonb(rows),))

    def _contents(self):  # pragma: no cover - the file store's commit, never called here
        raise StoreError("a database transaction has no files")
