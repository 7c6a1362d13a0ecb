"""Schema versions of the store and the migrations between them.

``MIGRATIONS[n]`` turns a partition written under schema ``n`` into schema ``n + 1``. They run on
open, under the store lock, all files in one journalled commit, so a crash mid-migration leaves
the store wholly at the old schema or wholly at the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Migration = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(partition name, raw tables) -> raw tables at the next schema."""

StoreMigration = Callable[[dict[str, dict[str, Any]]], dict[str, dict[str, Any]]]
"""{partition: raw tables} -> the same at the next schema: for a step that moves data between
files (``STORE_MIGRATIONS[n]``, used when ``MIGRATIONS`` has no step ``n``)."""

SCHEMA_VERSION = 2


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


MIGRATIONS: dict[int, Migration] = {}
STORE_MIGRATIONS: dict[int, StoreMigration] = {1: move_pay_out_of_ref}
