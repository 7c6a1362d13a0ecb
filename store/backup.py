"""Dated backups of a store: a gzipped tar of every data file, written atomically; and restore.

A backup never goes inside the store it copies (except the app's own ``backups/``), never
replaces an earlier one (a second one the same day is ``floor-YYYY-MM-DD-2.tar.gz``), and
follows symlinked directories (a ``days/2025`` moved to another disk is still copied).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tarfile
from pathlib import Path

from store import files
from store.errors import StoreError

BACKUP_DIR = "backups"
KEEP_DAILY = 30
# What a backup may hold (and restore may write): the store's own files, nothing else.
_MEMBER = re.compile(
    r"^(meta\.json|ref\.json|pay\.json|days/\d{4}/\d{4}-\d{2}-\d{2}\.json"
    r"|rosters/\d{4}-\d{2}\.json)$")


def _data_files(root: Path, pay: bool = False) -> list[Path]:
    """The store's data files; with ``pay`` only the pay files, else everything but them."""
    return [path for path in files.data_files(root) if files.is_pay_path(root, path) == pay]


def backup_path(root: Path, day: dt.date) -> Path:
    return Path(root) / BACKUP_DIR / f"floor-{day.isoformat()}.tar.gz"


def _free_name(target: Path) -> Path:
    """``target``, or ``…-2.tar.gz``, ``…-3.tar.gz`` when taken: a backup never replaces one."""
    if not target.exists():
        return target
    stem = target.name[: -len(".tar.gz")] if target.name.endswith(".tar.gz") else target.stem
    suffix = ".tar.gz" if target.name.endswith(".tar.gz") else target.suffix
    number = 2
    while (candidate := target.with_name(f"{stem}-{number}{suffix}")).exists():
        number += 1
    return candidate


def make_backup(root: Path, day: dt.date, dest: Path | None = None) -> Path:
    """Write a dated copy of the store; returns its path. Holds the lock so the copy is whole."""
    root = Path(root)
    if dest is not None:
        inside = Path(dest).expanduser().resolve()
        if inside == root.resolve() or inside.is_relative_to(root.resolve()):
            raise StoreError(f"{dest}: is inside the store {root}; write the backup elsewhere "
                             f"(or use the default, {root / BACKUP_DIR})")
    target = Path(dest) if dest else backup_path(root, day)
    if target.is_dir():
        target = target / f"floor-{day.isoformat()}.tar.gz"
    buffer = io.BytesIO()
    pay_buffer = io.BytesIO()
    with files.locked(root):
        with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
            for path in _data_files(root):
                tar.add(path, arcname=path.relative_to(root).as_posix())
        # Pay files go to a backup of their own, in their group; someone who cannot read them
        # (not in floor-pay) backs up the rest.
        pay_files = [p for p in _data_files(root, pay=True) if os.access(p, os.R_OK)]
        if pay_files:
            with tarfile.open(fileobj=pay_buffer, mode="w:gz", compresslevel=6) as tar:
                for path in pay_files:
                    tar.add(path, arcname=path.relative_to(root).as_posix())
        target = _free_name(target)
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


def restore(archive: Path, dest: Path) -> int:
    """Unpack a backup into ``dest`` (new or empty); returns how many files were written.

    Only the store's own files are taken; a member with another name (an absolute path,
    ``..``, a link) refuses the whole archive before anything is written.
    """
    archive, dest = Path(archive), Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise StoreError(f"{dest}: not an empty directory; restore into a new one")
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            members = tar.getmembers()
            contents = []
            for member in members:
                if member.isdir():
                    continue
                if not member.isfile() or not _MEMBER.match(member.name):
                    raise StoreError(f"{archive}: {member.name!r} is not a store file; "
                                     f"nothing restored")
                handle = tar.extractfile(member)
                contents.append((member.name, handle.read() if handle else b""))
    except FileNotFoundError:
        raise StoreError(f"{archive}: no such file") from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise StoreError(f"{archive}: not a readable backup ({exc})") from None
    if not any(name == "meta.json" for name, _data in contents):
        raise StoreError(f"{archive}: holds no meta.json: not a floor backup")
    contents += _pay_contents(archive)
    files.ensure_dir(dest)
    for name, data in contents:
        files.atomic_write_bytes(dest / name, data, files.group_for(dest, dest / name))
    return len(contents)


def _pay_contents(archive: Path) -> list[tuple[str, bytes]]:
    """The pay files of the backup beside ``archive`` (``pay-<name>``), made the same time in
    the pay group; none when it is absent or this user may not read it (issue #19)."""
    pay_archive = archive.with_name(f"pay-{archive.name}")
    if not pay_archive.is_file() or not os.access(pay_archive, os.R_OK):
        return []
    out = []
    try:
        with tarfile.open(pay_archive, mode="r:*") as tar:
            for member in tar.getmembers():
                if member.isdir():
                    continue
                if not member.isfile() or not files.is_pay_path(Path("."), Path(member.name)) \
                        or not _MEMBER.match(member.name):
                    raise StoreError(f"{pay_archive}: {member.name!r} is not a pay file; "
                                     f"nothing restored")
                handle = tar.extractfile(member)
                out.append((member.name, handle.read() if handle else b""))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise StoreError(f"{pay_archive}: not a readable backup ({exc})") from None
    return out
