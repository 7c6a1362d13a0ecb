"""Dated backups of a store: a gzipped tar of every data file, written atomically."""

from __future__ import annotations

import datetime as dt
import io
import os
import tarfile
from pathlib import Path

from store import files

BACKUP_DIR = "backups"
KEEP_DAILY = 30


def _data_files(root: Path, pay: bool = False) -> list[Path]:
    """The store's data files; with ``pay`` only the pay files, else everything but them."""
    out = []
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root)
        if rel.parts[0] in (BACKUP_DIR, files.JOURNAL_DIR):
            continue
        if files.is_pay_path(root, path) == pay:
            out.append(path)
    return out


def backup_path(root: Path, day: dt.date) -> Path:
    return Path(root) / BACKUP_DIR / f"floor-{day.isoformat()}.tar.gz"


def make_backup(root: Path, day: dt.date, dest: Path | None = None) -> Path:
    """Write a dated copy of the store; returns its path. Holds the lock so the copy is whole."""
    root = Path(root)
    target = Path(dest) if dest else backup_path(root, day)
    if target.is_dir():
        target = target / f"floor-{day.isoformat()}.tar.gz"
    buffer = io.BytesIO()
    pay_buffer = io.BytesIO()
    with files.store_lock(root):
        with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
            for path in _data_files(root):
                tar.add(path, arcname=str(path.relative_to(root)))
        # Pay files go to a backup of their own, in their group; someone who cannot read them
        # (not in floor-pay) backs up the rest.
        pay_files = [p for p in _data_files(root, pay=True) if os.access(p, os.R_OK)]
        if pay_files:
            with tarfile.open(fileobj=pay_buffer, mode="w:gz", compresslevel=6) as tar:
                for path in pay_files:
                    tar.add(path, arcname=str(path.relative_to(root)))
    files.atomic_write_bytes(target, buffer.getvalue())
    if pay_files:
        pay_target = target.with_name(f"pay-{target.name}")
        files.atomic_write_bytes(pay_target, pay_buffer.getvalue(), files.pay_gid())
    return target


def ensure_daily_backup(root: Path, day: dt.date) -> Path | None:
    """Make today's backup if there is none yet; keep the newest KEEP_DAILY. None if present."""
    target = backup_path(root, day)
    if target.exists():
        return None
    path = make_backup(root, day)
    for pattern in ("floor-????-??-??.tar.gz", "pay-floor-????-??-??.tar.gz"):
        olds = sorted((Path(root) / BACKUP_DIR).glob(pattern))
        for old in olds[:-KEEP_DAILY]:
            old.unlink()
    return path
