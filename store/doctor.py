"""`floor doctor`: read every store file and say which ones are unwell and why.

It only reads: it never finishes a journal, never writes meta.json, never creates a store (a
mistyped path is reported, not made). Given the program's record shapes (store.shapes), it
checks every record as a reader does and names each damaged one (file, table, key, field).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from store import files
from store import shapes as record_shapes
from store.db import partition_shape_problem
from store.errors import CorruptFileError
from store.migrations import migration_notes


@dataclass(frozen=True)
class Finding:
    path: str
    level: str  # "ok" | "warning" | "error"
    message: str


def examine(root: Path, schema_version: int,
            shapes: record_shapes.Shapes | None = None) -> list[Finding]:
    root = Path(root)
    findings: list[Finding] = []
    if not root.is_dir():
        return [Finding(str(root), "error", "the store directory does not exist")]
    if not os.access(root, os.W_OK):
        findings.append(Finding(str(root), "warning", "not writable by this user: read-only"))
    meta = root / "meta.json"
    checked = 0
    for path in files.data_files(root):
        if files.is_pay_path(root, path) and not os.access(path, os.R_OK):
            findings.append(Finding(str(path), "ok", f"pay data: readable only by group "
                                                     f"{files.PAY_GROUP}, not by this user"))
            continue
        checked += 1
        try:
            data = files.read_json(path)
        except CorruptFileError as exc:
            findings.append(Finding(str(path), "error", exc.reason))
            continue
        if path == meta:
            schema = (data or {}).get("schema")
            if type(schema) is not int or schema < 1:
                findings.append(Finding(str(path), "error",
                                        f"no valid schema version ({schema!r})"))
            elif schema > schema_version:
                findings.append(Finding(str(path), "error", (
                    f"schema {schema} is newer than this floor (schema {schema_version}): "
                    f"read-only until floor is upgraded")))
            elif schema < schema_version:
                findings.append(Finding(str(path), "warning", (
                    f"schema {schema}; the next command migrates it to {schema_version}")))
            continue
        problem = partition_shape_problem(data or {})
        if problem:
            findings.append(Finding(str(path), "error", f"has the wrong shape ({problem})"))
            continue
        if path == root / "ref.json":
            findings.extend(Finding(str(path), "warning" if "conflict" in line else "ok",
                                    line.strip()) for line in migration_notes(data or {}))
        kind = record_shapes.kind_of_path(root, path)
        if shapes and kind and data:
            for damaged in record_shapes.damaged_records(kind, data, shapes):
                findings.append(Finding(damaged.where(path), "error", damaged.reason()))
    if not meta.exists():
        findings.append(Finding(str(meta), "error", "missing: not a floor store?"))
    findings.extend(_journals(root))
    for tmp in root.rglob(".*.tmp"):
        findings.append(Finding(str(tmp), "warning", "leftover temporary file of a killed write"))
    findings.append(Finding(str(root), "ok", f"{checked} files read"))
    return findings


def _journals(root: Path) -> list[Finding]:
    out = []
    base = root / files.JOURNAL_DIR
    for journal in sorted(base.iterdir()) if base.is_dir() else []:
        if not journal.is_dir():
            continue
        if not (journal / "COMMITTED").exists():
            out.append(Finding(str(journal), "warning", "an interrupted write, never committed: "
                                                        "the next write discards it"))
            continue
        checked = files.check_journal(root, journal)
        if isinstance(checked, str):
            out.append(Finding(str(journal), "error", f"a damaged committed journal ({checked}):"
                                                      " it will not be applied"))
        else:
            out.append(Finding(str(journal), "warning", "a committed change not yet finished "
                                                        "(e.g. the disk was full): the next "
                                                        "write finishes it"))
    for journal in files.damaged_journals(root):
        out.append(Finding(str(journal), "warning", "a damaged journal set aside (never "
                                                    "applied); look at it, then remove it"))
    return out
