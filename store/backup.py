"""Dated backups of a store: a gzipped tar of every data file, written atomically; and restore.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

A backup never goes inside the store it copies (except the app's own ``backups/``), never
replaces an earlier one (a second one the same day is ``floor-YYYY-MM-DD-2.tar.gz``), and holds
only the regular data files floor reads itself: nothing is followed, a link or a special file in
the store is left out (``floor doctor`` names it). Pay files go to an archive of their own,
``pay-floor-….tar.gz``, in the pay group with no access for others.

A restore takes only the store's own files, and refuses an archive past a stated size before it
is expanded: ``MAX_MEMBER_BYTES`` a file, ``MAX_BACKUP_BYTES`` in all, ``MAX_MEMBERS`` files.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from store import atomic, files, locking
from store.doctor import Finding
from store.errors import CorruptFileError, StoreError

BACKUP_DIR = files.BACKUP_DIR
KEEP_DAILY = 30
# A store file is at most a few MB (a day of a 1,000-seat floor); a store a few hundred MB.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_BACKUP_BYTES = 1024 * 1024 * 1024
MAX_MEMBERS = 50_000  # a day file a day for a century, and the rest
# How many pay files the store held when the backup was made (a pax header of the archive):
# a restore that finds fewer says so.
PAY_HEADER = "floor.pay_files"
# What a backup may hold (and restore may write): the store's own files, nothing else.
_MEMBER = re.compile(
    r"^(meta\.json|ref\.json|pay\.json|days/\d{4}/\d{4}-\d{2}-\d{2}\.json"
    r"|rosters/\d{4}-\d{2}\.json)$")
_DAILY = re.compile(r"^(pay-)?floor-\d{4}-\d{2}-\d{2}\.tar\.gz$")


def backup_path(root: Path, day: dt.date) -> Path:
    return Path(root) / BACKUP_DIR / f"floor-{day.isoformat()}.tar.gz"


def _taken(root: Path, target: Path) -> bool:
    inside = _inside(root, target)
    if inside is not None:
        return files.lstat_in_store(root, inside) is not None
    return os.path.lexists(target)


def _inside(root: Path, target: Path) -> str | None:
    """``target`` relative to the store, when it is the store's own ``backups/``."""
    try:
        rel = Path(target).relative_to(root)
    except ValueError:
        return None
    return rel.as_posix() if rel.parts[:1] == (BACKUP_DIR,) else None


def _free_name(root: Path, target: Path) -> Path:
    """``target``, or ``…-2.tar.gz``, ``…-3.tar.gz`` when taken: a backup never replaces one."""
    if not _taken(root, target):
        return target
    stem = target.name[: -len(".tar.gz")] if target.name.endswith(".tar.gz") else target.stem
    suffix = ".tar.gz" if target.name.endswith(".tar.gz") else target.suffix
    number = 2
    while _taken(root, candidate := target.with_name(f"{stem}-{number}{suffix}")):
        number += 1
    return candidate


def _archive(root: Path, paths: list[Path], headers: dict[str, str]) -> bytes:
    """A gzipped tar of ``paths`` read without following a link (a file that turns out not
    to be a regular one, or cannot be read, is left out)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6,
                      format=tarfile.PAX_FORMAT, pax_headers=headers) as tar:
        for path in paths:
            rel = path.relative_to(root).as_posix()
            try:
                opened = files.read_in_store(root, rel)
            except CorruptFileError:
                continue
            if opened is None:
                continue
            info = tarfile.TarInfo(rel)
            info.size = len(opened.data)
            info.mtime = int(opened.stat.st_mtime)
            info.mode = files.FILE_MODE
            tar.addfile(info, io.BytesIO(opened.data))
    return buffer.getvalue()


def _write(root: Path, target: Path, data: bytes, group: int | None = None) -> None:
    inside = _inside(root, target)
    if inside is not None:
        atomic.write_in_store(root, inside, data, group)
    else:
        atomic.atomic_write_bytes(target, data, group)


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
    with locking.locked(root):
        found = files.data_files(root)
        pay = [p for p in found if files.is_pay_path(root, p)]
        data = _archive(root, [p for p in found if p not in pay],
                        {PAY_HEADER: str(len(pay))})
        # Pay files go to a backup of their own, in their group; someone who cannot read them
        # (not in the pay group) backs up the rest.
        readable = [p for p in pay if os.access(p, os.R_OK, follow_symlinks=False)]
        target = _free_name(root, target)
        _write(root, target, data)
        if readable:
            _write(root, target.with_name(f"pay-{target.name}"),
                   _archive(root, readable, {}), files.pay_gid())
    return target


def ensure_daily_backup(root: Path, day: dt.date) -> Path | None:
    """Make today's backup if there is none yet; keep the newest KEEP_DAILY. None if present."""
    root = Path(root)
    if _taken(root, backup_path(root, day)):
        return None
    path = make_backup(root, day)
    try:
        fd = files.open_dir(root, [BACKUP_DIR])
    except (OSError, StoreError):
        return path
    try:
        names = sorted(e.name for e in os.scandir(fd) if _DAILY.match(e.name))
        for pay in (False, True):
            olds = [n for n in names if n.startswith("pay-") == pay]
            for old in olds[:-KEEP_DAILY]:
                os.unlink(old, dir_fd=fd)  # a link is removed, never what it points to
    finally:
        os.close(fd)
    return path


@dataclass
class Restored:
    """What a restore wrote, and what it has to say about it (pay left out)."""

    count: int
    notes: list[Finding] = field(default_factory=list)


def restore(archive: Path, dest: Path) -> Restored:
    """Unpack a backup into ``dest`` (new or empty).

    Only the store's own files are taken; a member with another name (an absolute path,
    ``..``, a link) or past the size limits refuses the whole archive before anything is
    written. A backup whose pay archive is missing, or not readable by this user, is restored
    without pay, and the result says so."""
    archive, dest = Path(archive), Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise StoreError(f"{dest}: not an empty directory; restore into a new one")
    if not archive.is_file():
        raise StoreError(f"{archive}: no such file")
    names, headers = _members(archive, lambda name: _MEMBER.match(name) is not None,
                              "is not a store file")
    if "meta.json" not in names:
        raise StoreError(f"{archive}: holds no meta.json: not a floor backup")
    notes = []
    pay_archive = archive.with_name(f"pay-{archive.name}")
    pay_names: list[str] = []
    expected = headers.get(PAY_HEADER)
    if os.path.isfile(pay_archive) and os.access(pay_archive, os.R_OK):
        pay_names, _headers = _members(
            pay_archive, lambda name: files.is_pay_rel(name) and _MEMBER.match(name) is not None,
            "is not a pay file")
    elif expected != "0" and "pay.json" not in names:
        why = ("cannot be read by this user (only the pay group may)"
               if os.path.isfile(pay_archive) else "is missing")
        held = "" if expected is None else f" (the store held {expected} pay files)"
        notes.append(Finding(str(pay_archive), "warning",
                             f"{why}: pay (base pay, the pay sheet's own data) is not "
                             f"restored{held}; to restore it, put the pay archive beside the "
                             f"backup and restore again as a member of the pay group"))
    atomic.ensure_dir(dest)
    count = _extract(archive, names, dest)
    if pay_names:
        count += _extract(pay_archive, pay_names, dest)
    return Restored(count, notes)


def _members(archive: Path, allowed, why: str) -> tuple[list[str], dict[str, str]]:
    """The file names of a backup, checked before anything is expanded: each a store file,
    none past ``MAX_MEMBER_BYTES``, all together within ``MAX_BACKUP_BYTES``."""
    names: list[str] = []
    total = 0
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            while (member := tar.next()) is not None:
                if member.isdir():
                    continue
                if not member.isfile() or not allowed(member.name):
                    raise StoreError(f"{archive}: {member.name!r} {why}; nothing restored")
                total += member.size
                if member.size > MAX_MEMBER_BYTES or total > MAX_BACKUP_BYTES \
                        or len(names) >= MAX_MEMBERS:
                    raise StoreError(
                        f"{archive}: too big to be a floor backup ({member.name!r} is "
                        f"{member.size:,} bytes; a backup may hold {MAX_MEMBERS:,} files of "
                        f"at most {MAX_MEMBER_BYTES:,} bytes, {MAX_BACKUP_BYTES:,} in all); "
                        f"nothing restored")
                names.append(member.name)
            headers = dict(tar.pax_headers)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise StoreError(f"{archive}: not a readable backup ({exc})") from None
    return names, headers


def _extract(archive: Path, names: list[str], dest: Path) -> int:
    wanted = set(names)
    count = 0
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            while (member := tar.next()) is not None:
                if member.name not in wanted or not member.isfile():
                    continue
                handle = tar.extractfile(member)
                data = handle.read(MAX_MEMBER_BYTES + 1) if handle else b""
                if len(data) != member.size:
                    raise StoreError(f"{archive}: {member.name!r} is not what its header says")
                atomic.write_in_store(dest, member.name, data,
                                     files.group_for(dest, dest / member.name))
                count += 1
    except (tarfile.TarError, EOFError) as exc:
        raise StoreError(f"{archive}: not a readable backup ({exc})") from None
    except OSError as exc:
        raise StoreError(f"{dest}: the restore stopped ({exc.strerror}); what was written "
                         f"there is incomplete, remove it") from None
    return count


_ANY_BACKUP = re.compile(r"^floor-\d{4}-\d{2}-\d{2}(-\d+)?\.tar\.gz$")


def secure_pre_split_backups(root: Path) -> list[Path]:
    """Backups made before pay had a file of its own (store schema 1) hold everyone's base pay
    in their ``ref.json``: each such archive in ``backups/`` is handed to the pay group with no
    access for others (``0660`` there, ``0600`` where the host has no pay group), like a pay
    archive. Nothing is followed or read past its size; an archive this user does not own is
    left as it is. Returns the archives secured."""
    root = Path(root)
    try:
        fd = files.open_dir(root, [BACKUP_DIR])
    except (OSError, StoreError):
        return []
    gid = files.pay_gid()
    secured: list[Path] = []
    try:
        for entry in sorted(os.scandir(fd), key=lambda e: e.name):
            if not _ANY_BACKUP.match(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                handle = os.open(entry.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
                                 dir_fd=fd)
            except OSError:
                continue
            try:
                with os.fdopen(os.dup(handle), "rb") as raw:
                    holds_pay = _holds_base_pay(raw)
                if not holds_pay:
                    continue
                try:
                    if gid is not None:
                        os.fchown(handle, -1, gid)
                        os.fchmod(handle, 0o660)
                    else:
                        os.fchmod(handle, 0o600)
                except OSError:
                    continue  # another user's archive: theirs to secure
                secured.append(root / BACKUP_DIR / entry.name)
            finally:
                os.close(handle)
    finally:
        os.close(fd)
    return secured


def _holds_base_pay(raw) -> bool:  # noqa: ANN001 - a binary file
    """Does the archive's ``ref.json`` hold base pay (a backup from before the pay split)?"""
    try:
        with tarfile.open(fileobj=raw, mode="r:gz") as archive:
            for member in archive:
                if member.name != "ref.json":
                    continue
                if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                    return False
                body = archive.extractfile(member)
                return body is not None and b'"base_pay"' in body.read()
    except (tarfile.TarError, OSError, EOFError):
        return False
    return False
