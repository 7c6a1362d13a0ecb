"""Atomic writes into the store (temp file, fsync, rename, fsync of the directory), the
pay exports at the operator's path, and the temp files killed writes leave.

A write never goes through a name: it makes a new file beside it and renames it into place, so
a link planted under that name is replaced, never written through, and nothing lands outside
the store. Every write goes temp file → flush → fsync → ``os.replace`` → fsync of the
directory, so a process killed at any instant leaves the old file or the new one, never a torn
one. Temp files are ``.NAME.<random>.tmp``; the next process that takes the lock removes those
a killed write left (``remove_stale_temps``).

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from store.errors import StoreError
from store.files import (
    BACKUP_DIR,
    DIR_MODE,
    FILE_MODE,
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    Base,
    _parts,
    base_path,
    is_pay_rel,
    open_dir,
    pay_group,
)

_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8,32}\.tmp$")  # ours, and tempfile.mkstemp's


@dataclass
class Staged:
    """A new file written beside its target under a temp name, not yet renamed into place."""

    root: Base
    parent: list[str]  # the target's directory, relative to the root
    temp: str
    name: str
    path: Path


def _temp_name(name: str) -> str:
    return f".{name}.{uuid.uuid4().hex[:12]}.tmp"


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` (the one place the store's file contents are written)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def stage(root: Base, rel: str | Path, data: bytes, group: int | None = None, *,
          fsync: bool = True, mode: int = FILE_MODE, private: bool = False,
          best_effort_group: bool = False) -> Staged:
    """Write ``data`` to a new temp file beside ``root/rel`` (its directories made as
    needed, no link followed); ``install`` renames it into place. With ``group`` the file
    belongs to that group before a byte is written (with ``best_effort_group``, a refusal
    leaves it ``0600`` instead). OSError names the full path."""
    parts = _parts(rel)
    path = base_path(root).joinpath(*parts)
    dir_group = group if is_pay_rel(Path(*parts)) and len(parts) > 1 else None
    try:
        dir_fd = open_dir(root, parts[:-1], create=True, group=dir_group, private=private)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path.parent)) from None
    temp = _temp_name(parts[-1])
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     PRIVATE_FILE_MODE, dir_fd=dir_fd)
        try:
            if group is not None:
                try:
                    os.fchown(fd, -1, group)  # before a byte is written: never readable by the rest
                except OSError:
                    if not best_effort_group:
                        raise StoreError(f"{path}: cannot give the file to group {pay_group()} "
                                         f"(only its members may write pay data)") from None
                    mode = PRIVATE_FILE_MODE
            write_all(fd, data)
            if fsync:
                os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    except BaseException as exc:
        _unlink_quietly(dir_fd, temp)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    finally:
        os.close(dir_fd)
    return Staged(root, parts[:-1], temp, parts[-1], path)


def install(staged: Staged, fsync: bool = True) -> None:
    """Rename a staged file into place (a link under that name is replaced, never followed)."""
    try:
        dir_fd = open_dir(staged.root, staged.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(staged.path)) from None
    try:
        os.replace(staged.temp, staged.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        if fsync:
            os.fsync(dir_fd)
    except OSError as exc:
        _unlink_quietly(dir_fd, staged.temp)
        raise OSError(exc.errno, exc.strerror, str(staged.path)) from None
    finally:
        os.close(dir_fd)


def discard(staged: Staged) -> None:
    """Remove a staged file that will not be installed."""
    try:
        dir_fd = open_dir(staged.root, staged.parent)
    except (OSError, StoreError):
        return
    _unlink_quietly(dir_fd, staged.temp)
    os.close(dir_fd)


def _unlink_quietly(dir_fd: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        pass


def write_in_store(root: Base, rel: str | Path, data: bytes, group: int | None = None, *,
                   fsync: bool = True, mode: int = FILE_MODE, private: bool = False,
                   best_effort_group: bool = False) -> None:
    """Replace ``root/rel`` with ``data`` so that a crash leaves the old or the new file.

    Without ``fsync`` (a cache) a reader still sees the old or the new file, but a crash may
    lose it."""
    install(stage(root, rel, data, group, fsync=fsync, mode=mode, private=private,
                  best_effort_group=best_effort_group), fsync)


def ensure_dir(path: Path, group: int | None = None) -> None:
    """Create ``path`` (outside a store, or a store's own root) and any missing parent, each
    group-shared (``2770``), whatever the umask; new ones go to ``group`` when given."""
    path = Path(path)
    if path.is_dir():
        return
    missing = []
    level = path
    while not os.path.lexists(level) and level != level.parent:
        missing.append(level)
        level = level.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # another process made it (and set its mode)
        try:
            if group is not None:
                os.chown(directory, -1, group)
            os.chmod(directory, DIR_MODE)
        except OSError:
            pass


def atomic_write_bytes(path: Path, data: bytes, group: int | None = None,
                       fsync: bool = True) -> None:
    """Replace a file at a path of the operator's choosing (a backup ``--to`` a directory
    outside the store): its directory may be reached through links, its name is not."""
    path = Path(path)
    ensure_dir(path.parent)
    write_in_store(path.parent, path.name, data, group, fsync=fsync)


def write_private_export(path: Path, data: bytes, group: int | None) -> None:
    """An export of pay data at the operator's path, written whole: ``0660`` in ``group``
    (the pay group) when given and this user may, else ``0600``; never readable by others,
    whatever the umask."""
    path = Path(path)
    write_in_store(path.parent, path.name, data, group, best_effort_group=True,
                   mode=FILE_MODE if group is not None else PRIVATE_FILE_MODE)


def seal_pay_export(path: Path, group: int | None) -> None:
    """A pay export written by a library (xlsx, ``0600`` from its temp file): into the pay
    group with ``0660`` when given and possible, never opened to others."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if group is not None:
            try:
                os.fchown(fd, -1, group)
                os.fchmod(fd, FILE_MODE)
                return
            except OSError:
                pass
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)


def stale_temps(root: Path) -> list[Path]:
    """Temp files of killed writes in the store's data directories (doctor lists them)."""
    return _temps(root, remove=False)


def remove_stale_temps(root: Path) -> list[Path]:
    """Remove the temp files killed writes left in the store's data directories. Caller holds
    the lock, so no write of floor's is under way there (caches, written without the lock,
    are not looked at). Returns what was removed."""
    return _temps(root, remove=True)


def _temps(root: Path, remove: bool) -> list[Path]:
    found: list[Path] = []

    def sweep(rel: list[str]) -> None:
        try:
            fd = open_dir(root, rel)
        except (OSError, StoreError):
            return
        try:
            for entry in os.scandir(fd):
                if entry.is_dir(follow_symlinks=False):
                    if not rel and entry.name in ("days", "rosters", "pay", BACKUP_DIR) or \
                            rel == ["days"] and re.fullmatch(r"\d{4}", entry.name):
                        sweep([*rel, entry.name])
                elif _TEMP.match(entry.name):
                    try:
                        if remove:
                            os.unlink(entry.name, dir_fd=fd)
                        found.append(Path(root).joinpath(*rel, entry.name))
                    except OSError:
                        pass
        finally:
            os.close(fd)

    sweep([])
    return found
