"""`floor doctor`: read every store file and say which ones are unwell and why."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from store import files
from store.errors import CorruptFileError


@dataclass(frozen=True)
class Finding:
    path: str
    level: str  # "ok" | "warning" | "error"
    message: str


def examine(root: Path, schema_version: int) -> list[Finding]:
    root = Path(root)
    findings: list[Finding] = []
    if not root.is_dir():
        return [Finding(str(root), "error", "the store directory does not exist")]
    if not os.access(root, os.W_OK):
        findings.append(Finding(str(root), "warning", "not writable by this user: read-only"))
    meta = root / "meta.json"
    checked = 0
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root)
        if rel.parts[0] in ("backups", files.JOURNAL_DIR):
            continue
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
            if schema != schema_version:
                findings.append(Finding(
                    str(path), "error",
                    f"schema {schema}, this floor expects {schema_version}",
                ))
    if not meta.exists():
        findings.append(Finding(str(meta), "error", "missing: not a floor store?"))
    journal = root / files.JOURNAL_DIR
    if journal.is_dir() and any(journal.iterdir()):
        findings.append(Finding(str(journal), "warning",
                                "an interrupted multi-file write is pending; the next write "
                                "finishes or discards it"))
    for tmp in root.rglob(".*.tmp"):
        findings.append(Finding(str(tmp), "warning", "leftover temporary file of a killed write"))
    findings.append(Finding(str(root), "ok", f"{checked} files read"))
    return findings
