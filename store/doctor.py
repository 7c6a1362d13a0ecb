"""`floor doctor`: read every store file and say which ones are unwell and why.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

It only reads: it never finishes a journal, never writes meta.json, never creates a store (a
mistyped path is reported, not made). It reads the way the app does: nothing followed, no
special file opened (a FIFO never hangs it), so it names a link, a FIFO, a directory where a
file belongs and a file where a directory belongs. Given the program's record shapes
(store.shapes), it checks every record as a reader does and names each damaged one (file,
table, key, field).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from store import atomic, files
from store import shapes as record_shapes
from store.errors import CorruptFileError
from store.migrations import migration_notes


@dataclass(frozen=True)
class Finding:
    path: str
    level: str  # "ok" | "warning" | "error"
    message: str


FOLLOW_TABLE = "pbx_follow"  # floorapp.services.cdr_follow.PBX_FOLLOW

# floor's own names beside the data: what each must be, and how bad it is when it is not
_OWN_NAMES = {
    files.LOCK: (False, "error", "every command refuses until it is removed"),
    files.LOCK_HOLDER: (False, "warning", "the next command replaces it"),
    files.STAMP: (False, "warning", "the next write replaces it"),
    files.JOURNAL_DIR: (True, "error", "every write refuses until it is removed"),
    files.DAMAGED_JOURNAL_DIR: (True, "warning", "damaged journals cannot be set aside"),
    files.CACHE_DIR: (True, "warning", "figures are worked out again, never read from it"),
    files.BACKUP_DIR: (True, "error", "the daily backup cannot be written"),
}


def examine(root: Path, schema_version: int,
            shapes: record_shapes.Shapes | None = None) -> list[Finding]:
    from store.records import partition_shape_problem
    from store.journal import damaged_journals, pending_journals

    root = Path(root)
    findings: list[Finding] = []
    if not root.is_dir():
        return [Finding(str(root), "error", "the store directory does not exist")]
    if not os.access(root, os.W_OK):
        findings.append(Finding(str(root), "warning", "not writable by this user: read-only"))
    meta = root / "meta.json"
    checked = 0
    followed: list[str] = []  # when `floor import cdr --follow` last applied a row, per day
    found, unusable = files.scan_store(root)
    for bad in unusable:
        findings.append(Finding(str(bad.path), "error", bad.reason))
    for path in found:
        if files.is_pay_path(root, path) and not os.access(path, os.R_OK,
                                                           follow_symlinks=False):
            findings.append(Finding(str(path), "ok", f"pay data: readable only by group "
                                                     f"{files.pay_group()}, not by this user"))
            continue
        checked += 1
        try:
            data = files.read_json(root, path.relative_to(root))
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
        followed.extend(_follow_times(data or {}))
        kind = record_shapes.kind_of_path(root, path)
        if shapes and kind and data:
            for damaged in record_shapes.damaged_records(kind, data, shapes):
                findings.append(Finding(damaged.where(path), "error", damaged.reason()))
    if not os.path.lexists(meta):
        findings.append(Finding(str(meta), "error", "missing: not a floor store?"))
    findings.extend(_own_names(root))
    for path, state in pending_journals(root):
        if state == "uncommitted":
            findings.append(Finding(str(path), "warning", "an interrupted write, never "
                                                          "committed: the next write discards it"))
        elif state == "committed":
            findings.append(Finding(str(path), "warning", "a committed change not yet finished "
                                                          "(e.g. the disk was full): the next "
                                                          "write finishes it"))
        elif state.startswith("is "):
            findings.append(Finding(str(path), "warning", f"{state}; the next write sets it "
                                                          f"aside, never following it"))
        else:
            findings.append(Finding(str(path), "error", f"a damaged committed journal ({state}):"
                                                        " it will not be applied; the next "
                                                        "write sets it aside"))
    for path, kind in damaged_journals(root):
        what = "a damaged journal" if kind == "a directory" else f"{kind} found in the journal"
        findings.append(Finding(str(path), "warning", f"{what} set aside (never applied, never "
                                                      f"followed); look at it, then remove it"))
    for tmp in atomic.stale_temps(root):
        findings.append(Finding(str(tmp), "warning", "leftover temporary file of a killed write "
                                                     "(the next command removes it)"))
    if followed:
        findings.append(Finding(str(root), "ok", f"the phone system's follow (floor import cdr "
                                                 f"--follow) last applied a row at "
                                                 f"{max(followed)}"))
    findings.append(Finding(str(root), "ok", f"{checked} files read"))
    return findings


def _follow_times(data: dict) -> list[str]:
    """The follow's last-applied time a day partition holds (table pbx_follow, key state)."""
    docs = [d for d in (data.get(FOLLOW_TABLE) or {}).values()
            if isinstance(d, dict) and d.get("key") == "state" and isinstance(d.get("data"), dict)]
    if not docs:
        return []
    latest = max(docs, key=lambda d: d.get("v", 0) if isinstance(d.get("v"), int) else 0)
    when = latest["data"].get("last_applied")
    return [when] if isinstance(when, str) else []


def _own_names(root: Path) -> list[Finding]:
    out = []
    for name, (directory, level, effect) in _OWN_NAMES.items():
        st = files.lstat_in_store(root, name)
        if st is None:
            continue
        if (stat.S_ISDIR if directory else stat.S_ISREG)(st.st_mode):
            continue
        expected = "a directory" if directory else "a file"
        out.append(Finding(str(root / name), level,
                           f"is {files.kind_of(st.st_mode)}, not {expected}; floor does not "
                           f"follow links or open special files inside the store: {effect}"))
    return out
