"""Schema versions of the store and the migrations between them.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

``MIGRATIONS[n]`` turns a partition written under schema ``n`` into schema ``n + 1``. They run on
open, under the store lock, all files in one journalled commit, so a crash mid-migration leaves
the store wholly at the old schema or wholly at the new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

Migration = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(partition name, raw tables) -> raw tables at the next schema."""

StoreMigration = Callable[[dict[str, dict[str, Any]]], dict[str, dict[str, Any]]]
"""{partition: raw tables} -> the same at the next schema: for a step that moves data between
files (``STORE_MIGRATIONS[n]``, used when ``MIGRATIONS`` has no step ``n``)."""

SCHEMA_VERSION = 3


def move_pay_out_of_ref(partitions: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """1 → 2 (issue #19): base pay leaves the register (``ref``) for the pay file (``pay``),
    every version and audit entry of it, so nothing of pay stays readable by the whole floor."""
    ref = partitions.get("ref")
    if not ref:
        return partitions
    pay = partitions.setdefault("pay", {})
    pay_docs = pay.setdefault("base_pay", {})
    pay_audit = pay.setdefault("_audit", {})
    for doc_id, doc in (ref.get("staff") or {}).items():
        data = doc.get("data") or {}
        if "base_pay" not in data:
            continue
        moved = {k: v for k, v in doc.items() if k != "data"}
        moved["data"] = {"id": doc["key"], "base_pay": data.pop("base_pay")}
        pay_docs[str(len(pay_docs) + 1)] = moved
    for entry in (ref.get("_audit") or {}).values():
        if entry.get("table") != "staff":
            continue
        new = entry.get("new") or {}
        changes = entry.get("changes") or {}
        if "base_pay" not in new and "base_pay" not in changes:
            continue
        moved = {k: v for k, v in entry.items() if k not in ("new", "changes", "seq")}
        moved["table"] = "base_pay"
        if "base_pay" in new:
            moved["new"] = {"id": entry.get("key"), "base_pay": new.pop("base_pay")}
        if "base_pay" in changes:
            moved["changes"] = {"base_pay": changes.pop("base_pay")}
        moved["seq"] = len(pay_audit) + 1
        pay_audit[str(moved["seq"])] = moved
    if not pay_docs:
        del partitions["pay"]
    return partitions


# Frozen for the 2 → 3 step: the leave types a roster cell could hold, and the shift a role
# works (what a moved cell keeps underneath its leave), as they were at schema 2.
_LEAVE_TYPES_V2 = ("personal", "sick", "annual", "comp")
_ROLE_SHIFT_V2 = {"agent": "D", "complaint": "C1", "monitor": "D", "lead": "D", "manager": "A"}
MIGRATION_TABLE = "migrations"  # in ref: what a step did and the conflicts it found
MIGRATED_BY = "floor migration"


def _latest(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for doc in table.values():
        seen = latest.get(doc["key"])
        if seen is None or doc["v"] > seen["v"]:
            latest[doc["key"]] = doc
    return latest


def _append(tables: dict[str, Any], table: str, doc: dict[str, Any]) -> None:
    docs = tables.setdefault(table, {})
    docs[str(max((int(k) for k in docs if str(k).isdigit()), default=0) + 1)] = doc


def _audit(tables: dict[str, Any], at: str, entry: dict[str, Any]) -> None:
    audit = tables.setdefault("_audit", {})
    seq = max((d.get("seq", 0) for d in audit.values()), default=0) + 1
    _append(tables, "_audit", {"seq": seq, "at": at, "by": MIGRATED_BY, **entry})


def leave_out_of_roster_cells(partitions: dict[str, dict[str, Any]]
                              ) -> dict[str, dict[str, Any]]:
    """2 → 3 (issue #24): leave has one record per person and day, in the day file.

    A roster cell holding a leave type becomes the person's shift again (the role's) and the
    leave moves to the day file's ``leave`` table. Where the day file already has leave for that
    person and day that says something else, the day file's is kept (it is what payroll read),
    the cell's old version stays in the roster's history, and the conflict is listed in ref's
    ``migrations`` table (shown by the migration's message and by ``floor doctor``)."""
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    roles = {key: (doc.get("data") or {}).get("role")
             for key, doc in _latest((partitions.get("ref") or {}).get("staff") or {}).items()}
    moved = 0
    conflicts: list[str] = []
    for name in sorted(p for p in partitions if p.startswith("roster/")):
        roster = partitions[name]
        for key, doc in sorted(_latest(roster.get("cells") or {}).items()):
            data = doc.get("data") or {}
            code = data.get("code")
            if doc.get("retired") or code not in _LEAVE_TYPES_V2:
                continue
            staff_id, day = data.get("staff_id", ""), data.get("date", "")
            shift = _ROLE_SHIFT_V2.get(roles.get(staff_id) or "", "D")
            _append(roster, "cells", {"key": key, "v": doc["v"] + 1, "at": at,
                                      "by": MIGRATED_BY, "data": dict(data, code=shift)})
            _audit(roster, at, {"op": "change", "table": "cells", "key": key,
                                "v": doc["v"] + 1, "changes": {"code": [code, shift]},
                                "note": "schema 3: the leave moved to its one record"})
            part = partitions.setdefault(f"day/{day}", {})
            current = _latest(part.get("leave") or {}).get(staff_id)
            live = current is not None and not current.get("retired")
            if live:
                had = current.get("data") or {}
                if had.get("type") != code or str(had.get("days")) != "1":
                    conflicts.append(
                        f"{day} {staff_id}: the roster said {code} (1 day), the attendance "
                        f"record says {had.get('type')} ({had.get('days')} day); the "
                        f"attendance record is kept, the roster's is in its history")
                continue
            version = 1 if current is None else current["v"] + 1
            leave = {"staff_id": staff_id, "date": day, "type": code, "days": "1"}
            _append(part, "leave", {"key": staff_id, "v": version, "at": at, "by": MIGRATED_BY,
                                    "data": leave})
            _audit(part, at, {"op": "add", "table": "leave", "key": staff_id, "v": version,
                              "new": leave, "note": "schema 3: moved from the roster"})
            moved += 1
    if moved or conflicts:
        ref = partitions.setdefault("ref", {})
        note = {"step": "2-3", "moved": moved, "conflicts": conflicts}
        _append(ref, MIGRATION_TABLE, {"key": "2-3", "v": 1, "at": at, "by": MIGRATED_BY,
                                       "data": note})
    return partitions


def migration_notes(partitions_ref: dict[str, Any]) -> list[str]:
    """What the data-moving steps recorded in ref (``migrations``): one line each, and one per
    conflict; for the migration's message and ``floor doctor``."""
    out = []
    for doc in sorted(_latest(partitions_ref.get(MIGRATION_TABLE) or {}).values(),
                      key=lambda d: d["key"]):
        data = doc.get("data") or {}
        if data.get("step") == "2-3":
            out.append(f"schema 3: {data.get('moved', 0)} day(s) of leave moved from roster "
                       f"cells to their one leave record; {len(data.get('conflicts') or [])} "
                       f"conflict(s)")
            out.extend(f"  conflict: {line}" for line in data.get("conflicts") or [])
    return out


MIGRATIONS: dict[int, Migration] = {}
STORE_MIGRATIONS: dict[int, StoreMigration] = {1: move_pay_out_of_ref,
                                               2: leave_out_of_roster_cells}
