"""Files of the store reached safely: no-follow opens and reads inside the store, the pay group,
the store's names and modes, JSON in and out, the walk over its data files.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

A store directory is shared ground (SPEC §3 rev. 12-2026b): every member of the floor group can
put any name in it, a link or a FIFO too. So every file of the store is opened relative to the
store directory's descriptor, one path component at a time, never following a link
(``O_NOFOLLOW``), and a read opens with ``O_NONBLOCK`` then refuses whatever ``fstat`` does not
call a regular file, so a FIFO never hangs and a link to a device is never read. Writes are
store.atomic's, the store lock store.locking's.

Permissions (SPEC §3): every directory the store creates is ``2770`` and every file ``0660``,
set explicitly so the creating user's umask never locks a second supervisor of the group out.
Pay files (``pay.json``, ``pay/…``) go to the pay group (``$FLOOR_PAY_GROUP``, default
``floor-pay``) before a byte is written; one found in another group, or open to others, is not
used (``pay_file_problem``).
"""

from __future__ import annotations

import errno
import grp
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from store.errors import CorruptFileError, StoreError

FILE_MODE = 0o660
DIR_MODE = 0o2770
PRIVATE_FILE_MODE = 0o600  # a user's own cache files
PRIVATE_DIR_MODE = 0o700
JOURNAL_DIR = ".journal"
DAMAGED_JOURNAL_DIR = ".journal-damaged"
# Pay-only data lives in files of its own, in this OS group when the host has it, so the rule
# "only those who may see pay" holds even for someone reading the files (SPEC §3, issue #19).
PAY_GROUP = "floor-pay"  # $FLOOR_PAY_GROUP overrides
PAY_NAMES = ("pay.json", "pay")  # first path component under the store root
LOCK = ".lock"
LOCK_HOLDER = ".lock.holder"
STAMP = ".stamp"
CACHE_DIR = ".cache"  # figures worked out from day files (store.db ``digest``): not data
BACKUP_DIR = "backups"
_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_OPEN_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_NOT_FOLLOWED = "floor does not follow links or open special files inside the store"



# ------------------------------------------------------------------------- pay group
def pay_group() -> str:
    """The OS group pay files belong to: ``$FLOOR_PAY_GROUP``, else ``floor-pay``."""
    return os.environ.get("FLOOR_PAY_GROUP") or PAY_GROUP


def pay_gid() -> int | None:
    """The gid of the pay group, or None when the host has no such group."""
    try:
        return grp.getgrnam(pay_group()).gr_gid
    except KeyError:
        return None


def is_pay_rel(rel: str | Path) -> bool:
    parts = Path(rel).parts
    return bool(parts) and parts[0] in PAY_NAMES


def is_pay_path(root: Path, path: Path) -> bool:
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return False
    return is_pay_rel(rel)


def group_for(root: Path, path: Path) -> int | None:
    """The group a store file must be created in: the pay group for pay files (if it exists)."""
    return pay_gid() if is_pay_path(root, path) else None


def pay_file_problem(st: os.stat_result) -> str | None:
    """Why a pay file (or a journal's copy of one) must not be used: it belongs to another
    group than the pay group (someone outside it wrote it), or others may read or write it.
    None when it is the pay group's."""
    mode = stat.S_IMODE(st.st_mode)
    gid = pay_gid()
    if gid is not None and st.st_gid != gid:
        try:
            found = grp.getgrgid(st.st_gid).gr_name
        except KeyError:
            found = str(st.st_gid)
        return (f"belongs to group {found}, not to the pay group {pay_group()}: not used, "
                f"only that group may write pay data (if it is right: chgrp {pay_group()} it)")
    if mode & 0o007:
        return (f"is open to everyone (mode {mode:04o}): not used, pay data is the pay "
                f"group's only (if it is right: chmod 660 it)")
    return None


# ------------------------------------------------------------------------ no-follow
def kind_of(mode: int) -> str:
    """What a non-regular entry is, in words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def _parts(rel: str | Path) -> list[str]:
    parts = [p for p in Path(rel).parts if p not in ("", ".")]
    if not parts or Path(rel).is_absolute() or ".." in parts:
        raise StoreError(f"{rel}: not a path inside the store")
    return parts


def _refused(path: Path, mode: int | None, expected: str) -> CorruptFileError:
    what = kind_of(mode) if mode is not None else "not usable"
    return CorruptFileError(path, f"is {what}, not {expected}; {_NOT_FOLLOWED}")


def _describe(dir_fd: int, name: str, path: Path, expected: str) -> CorruptFileError:
    try:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except OSError:
        mode = None
    return _refused(path, mode, expected)


Base = Path | int  # a directory by its path, or by an open descriptor of it


def open_root(root: Base) -> int:
    """A descriptor of the store directory itself (the path to it is the operator's choice
    and may go through links; nothing below it does); of a descriptor, a copy."""
    if isinstance(root, int):
        return os.dup(root)
    return os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def base_path(root: Base) -> Path:
    """The path of ``root`` for messages (a descriptor's, as the kernel names it)."""
    if not isinstance(root, int):
        return Path(root)
    try:
        return Path(os.readlink(f"/proc/self/fd/{root}"))
    except OSError:
        return Path(f"<directory {root}>")


def open_dir(root: Base, rel: str | Path | list[str] = (), *, create: bool = False,
             group: int | None = None, private: bool = False) -> int:
    """A descriptor of ``root/rel``, each component opened without following a link.

    FileNotFoundError when a component is missing (unless ``create``: made ``2770``, in
    ``group`` when given, or ``0700`` with ``private``); CorruptFileError naming the component
    when it is a link or not a directory."""
    parts = rel if isinstance(rel, list) else (_parts(rel) if str(rel) not in ("", ".") else [])
    fd = open_root(root)
    try:
        for index, part in enumerate(parts):
            here = base_path(root).joinpath(*parts[: index + 1])
            try:
                child = os.open(part, _OPEN_DIR, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                child = _make_dir(fd, part, group, private)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _describe(fd, part, here, "a directory") from None
                raise
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def _make_dir(parent_fd: int, name: str, group: int | None, private: bool) -> int:
    try:
        os.mkdir(name, PRIVATE_DIR_MODE, dir_fd=parent_fd)
        made = True
    except FileExistsError:
        made = False  # another process made it (and sets its mode)
    fd = os.open(name, _OPEN_DIR, dir_fd=parent_fd)
    if made:
        try:
            if group is not None:
                os.fchown(fd, -1, group)
            os.fchmod(fd, PRIVATE_DIR_MODE if private else DIR_MODE)
        except OSError:
            if group is not None:
                os.close(fd)
                raise StoreError(f"{name}: cannot give the directory to group {pay_group()} "
                                 f"(only its members may write pay data)") from None
    return fd


@dataclass
class Opened:
    """A regular file of the store, read whole, with its fstat."""

    data: bytes
    stat: os.stat_result


def read_in_store(root: Base, rel: str | Path) -> Opened | None:
    """The bytes and fstat of ``root/rel``; None when it does not exist.

    CorruptFileError naming the path when any component is a link, a directory stands where a
    file is expected (or a file where a directory is), the file is a FIFO, a device or a
    socket, it cannot be read, or it is a pay file that is not the pay group's."""
    parts = _parts(rel)
    path = base_path(root).joinpath(*parts)
    try:
        parent = open_dir(root, parts[:-1])
    except FileNotFoundError:
        return None
    except CorruptFileError:
        raise
    except OSError as exc:
        raise CorruptFileError(path, f"cannot be read ({exc.strerror})") from None
    try:
        try:
            fd = os.open(parts[-1], _OPEN_READ, dir_fd=parent)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENXIO, errno.ENODEV, errno.EISDIR):
                raise _describe(parent, parts[-1], path, "a file") from None
            raise CorruptFileError(path, f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(parent)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _refused(path, st.st_mode, "a file")
        if is_pay_rel(Path(*parts)):
            problem = pay_file_problem(st)
            if problem:
                raise CorruptFileError(path, problem)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return Opened(b"".join(chunks), st)
    except OSError as exc:
        raise CorruptFileError(path, f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)


def lstat_in_store(root: Path, rel: str | Path) -> os.stat_result | None:
    """The lstat of ``root/rel`` (None when absent or not reachable without a link)."""
    parts = _parts(rel)
    try:
        parent = open_dir(root, parts[:-1])
    except (OSError, StoreError):
        return None
    try:
        return os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
    except OSError:
        return None
    finally:
        os.close(parent)


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (names stay readable). orjson: a day file is written on every save.

    A value JSON cannot hold exactly (an integer past 64 bits) is refused, nothing written."""
    try:
        return orjson.dumps(data)
    except TypeError as exc:  # orjson.JSONEncodeError
        raise StoreError(f"a value cannot be stored ({exc}); nothing was written") from None


orjson_loads = orjson.loads


def parse_json(path: Path, raw: bytes) -> dict[str, Any]:
    """A store file's bytes as a JSON object; CorruptFileError naming the file and why not."""
    if not raw.strip():
        raise CorruptFileError(path, "is empty")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptFileError(path, f"is not UTF-8 text (byte {exc.start})") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CorruptFileError(
            path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise CorruptFileError(path, "does not hold a JSON object")
    return data


def read_json(root: Path, rel: str | Path) -> dict[str, Any] | None:
    """The parsed content of ``root/rel``; None when it does not exist.

    Raises CorruptFileError naming the file and the reason when it cannot be used."""
    opened = read_in_store(root, rel)
    return None if opened is None else parse_json(Path(root) / rel, opened.data)


# ------------------------------------------------------------------------ data files
@dataclass(frozen=True)
class Unusable:
    """A name in the store floor would read that it must not use, and why."""

    path: Path
    reason: str


def scan_store(root: Path) -> tuple[list[Path], list[Unusable]]:
    """Every data file of the store (``meta.json``, ``ref.json``, ``pay.json``, ``pay/``,
    ``days/YYYY/*.json``, ``rosters/*.json``), walked without following a link; and every
    name among them that is a link, a special file, or a file or directory where the other is
    expected. Backups, journals and caches are left out."""
    root = Path(root)
    found: list[Path] = []
    unusable: list[Unusable] = []
    expected_dirs = {"days", "rosters", "pay"}

    def walk(rel: list[str]) -> None:
        try:
            fd = open_dir(root, rel)
        except CorruptFileError as exc:
            unusable.append(Unusable(exc.path, exc.reason))
            return
        except OSError:
            return
        try:
            entries = sorted(entry_modes(fd))
        finally:
            os.close(fd)
        for name, mode in entries:
            here = root.joinpath(*rel, name)
            wanted_dir = (not rel and name in expected_dirs) or \
                (rel == ["days"] and re.fullmatch(r"\d{4}", name) is not None) or \
                (rel[:1] == ["pay"] and not name.endswith(".json"))
            wanted_file = name.endswith(".json") and not name.startswith(".") and \
                (bool(rel) or name in ("meta.json", "ref.json", "pay.json"))
            if wanted_dir:
                if stat.S_ISDIR(mode):
                    walk([*rel, name])
                else:
                    unusable.append(Unusable(here, f"is {kind_of(mode)}, not a directory; "
                                                   f"{_NOT_FOLLOWED}"))
            elif wanted_file:
                if stat.S_ISREG(mode):
                    found.append(here)
                else:
                    unusable.append(Unusable(here, f"is {kind_of(mode)}, not a file; "
                                                   f"{_NOT_FOLLOWED}"))

    walk([])
    return found, unusable


def entry_modes(dir_fd: int) -> list[tuple[str, int]]:
    """(name, lstat mode) of each entry of an open directory (one gone meanwhile is left out)."""
    out = []
    for entry in os.scandir(dir_fd):
        try:
            out.append((entry.name, entry.stat(follow_symlinks=False).st_mode))
        except OSError:
            continue
    return out


def data_files(root: Path) -> list[Path]:
    """Every data file of the store (see ``scan_store``), no link followed."""
    return scan_store(root)[0]