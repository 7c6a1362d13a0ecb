"""Record shapes: every current record of a table is checked against its shape when read.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

The program that owns the data registers a check per table (``Store.add_shape``; floor does it
in floorapp.services.shapes). A record whose check fails is *damaged*: it is left out of every
read, named in ``Store.problems`` (file, table, key, field, why) and kept on disk as it is, like
a corrupt file; the rest of the file and of the store stay usable (SPEC §3 rev. 12-2026b).
A write of a new version of the record repairs it (the damaged one stays in the history).
`floor doctor` runs the same checks over every file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# data of a record's current version → (field, why) when it is damaged, else None
Check = Callable[[dict[str, Any]], "tuple[str, str] | None"]
# (partition kind: "ref" | "pay" | "day" | "roster", table) → its check
Shapes = dict[tuple[str, str], Check]
AUDIT_TABLE = "_audit"


@dataclass(frozen=True)
class Damaged:
    """One record that does not have its table's shape."""

    table: str
    key: str
    field: str
    why: str

    def where(self, path: Path | str) -> str:
        return f"{path}: table {self.table}, record {self.key!r}"

    def reason(self) -> str:
        return f"field {self.field}: {self.why}; the record is left out until it is corrected"


def partition_kind(partition: str) -> str:
    """``ref``, ``pay``, ``day`` or ``roster`` of a partition name (``day/2026-11-20``)."""
    return partition.split("/", 1)[0]


def kind_of_path(root: Path, path: Path) -> str | None:
    """The partition kind of a store file (None: not a partition file, e.g. meta.json)."""
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return None
    if rel.parts == ("ref.json",):
        return "ref"
    if rel.parts == ("pay.json",):
        return "pay"
    if rel.parts and rel.parts[0] == "days":
        return "day"
    if rel.parts and rel.parts[0] == "rosters":
        return "roster"
    return None


def damaged_records(kind: str, tables: dict[str, Any], shapes: Shapes) -> list[Damaged]:
    """Every record of ``tables`` (a partition file's parsed tables, already of the versioned
    shape) whose current version fails its table's check."""
    out: list[Damaged] = []
    if not shapes:
        return out
    for table, docs in tables.items():
        check = shapes.get((kind, table))
        if check is None or table == AUDIT_TABLE:
            continue
        latest: dict[str, dict[str, Any]] = {}
        for doc in docs.values():
            seen = latest.get(doc["key"])
            if seen is None or doc["v"] > seen["v"]:
                latest[doc["key"]] = doc
        for key, doc in latest.items():
            try:
                found = check(doc["data"])
            except Exception as exc:  # a check that trips is a damaged record, never a crash
                found = ("?", f"cannot be checked ({type(exc).__name__})")
            if found is not None:
                out.append(Damaged(table, key, found[0], found[1]))
    return out


def without(tables: dict[str, Any], damaged: list[Damaged]) -> dict[str, Any]:
    """A copy of ``tables`` without any version of the damaged records (the tables they do not
    touch are shared, not copied)."""
    hidden: dict[str, set[str]] = {}
    for d in damaged:
        hidden.setdefault(d.table, set()).add(d.key)
    out = dict(tables)
    for table, keys in hidden.items():
        out[table] = {doc_id: doc for doc_id, doc in tables[table].items()
                      if doc["key"] not in keys}
    return out
