"""Files on disk: no-follow opens inside the store, atomic writes, the store lock, pay files.

A store directory is shared ground (SPEC §3 rev. 12-2026b): every member of the floor group can
put any name in it, a link or a FIFO too. So every file of the store is opened relative to the
store directory's descriptor, one path component at a time, never following a link
(``O_NOFOLLOW``), and a read opens with ``O_NONBLOCK`` then refuses whatever ``fstat`` does not
call a regular file, so a FIFO never hangs and a link to a device is never read. A write never
goes through a name: it makes a new file beside it and renames it into place, so a link planted
under that name is replaced, never written through, and nothing lands outside the store.

Every write goes temp file → flush → fsync → ``os.replace`` → fsync of the directory, so a
process killed at any instant leaves the old file or the new one, never a torn one. Temp files
are ``.NAME.<random>.tmp``; the next process that takes the lock removes those a killed write
left (``remove_stale_temps``).

Permissions (SPEC §3): every directory the store creates is ``2770`` and every file ``0660``,
set explicitly so the creating user's umask never locks a second supervisor of the group out.
Pay files (``pay.json``, ``pay/…``) go to the pay group (``$FLOOR_PAY_GROUP``, default
``floor-pay``) before a byte is written; one found in another group, or open to others, is not
used (``pay_file_problem``).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import grp
import json
import os
import pwd
import re
import socket
import stat
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from store.errors import CorruptFileError, StoreError, StoreLockedError, os_problem

FILE_MODE = 0o660
DIR_MODE = 0o2770
PRIVATE_FILE_MODE = 0o600  # a user's own cache files
PRIVATE_DIR_MODE = 0o700
LOCK_TIMEOUT_SECONDS = 30.0  # $FLOOR_LOCK_TIMEOUT overrides (seconds)
LOCK_POLL_SECONDS = 0.05  # how often a waiting process tries the lock again
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
_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8,32}\.tmp$")  # ours, and tempfile.mkstemp's
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


# ------------------------------------------------------------------------------ write
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


# ------------------------------------------------------------------------------- lock
def lock_timeout() -> float:
    try:
        return float(os.environ.get("FLOOR_LOCK_TIMEOUT", LOCK_TIMEOUT_SECONDS))
    except ValueError:
        return LOCK_TIMEOUT_SECONDS


_held: dict[tuple[str, int], list[int]] = {}  # (store, thread) → [lock fd, depth]
_held_guard = threading.Lock()


@contextmanager
def locked(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the store's OS lock (``flock`` on ``.lock``, opened without following a link).

    Taken again by the thread that holds it, it is simply still held. Leaves a holder note
    beside it (the OS account, process, since when), so a process that waits too long can say
    who holds it; a wait past the timeout raises StoreLockedError naming the holder."""
    root = Path(root)
    key = (os.path.abspath(root), threading.get_ident())
    with _held_guard:
        mine = _held.get(key)
        if mine is not None:
            mine[1] += 1
    if mine is not None:
        try:
            yield
        finally:
            with _held_guard:
                mine[1] -= 1
        return
    waited = lock_timeout() if timeout is None else timeout
    fd = _open_lock(root)
    try:
        deadline = time.monotonic() + waited
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreLockedError(root, waited, lock_holder(root)) from None
                time.sleep(LOCK_POLL_SECONDS)
            except OSError as exc:
                raise os_problem(root / LOCK, exc, "cannot take the store lock") from None
        with _held_guard:
            _held[key] = [fd, 1]
        try:
            _write_holder(root)
            yield
        finally:
            with _held_guard:
                _held.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _open_lock(root: Path) -> int:
    path = root / LOCK
    try:
        dir_fd = open_root(root)
    except OSError as exc:
        raise os_problem(root, exc, "cannot take the store lock") from None
    try:
        fd = os.open(LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     FILE_MODE, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR, errno.ENODEV):
            raise _describe(dir_fd, LOCK, path, "a file") from None
        raise os_problem(path, exc, "cannot take the store lock") from None
    finally:
        os.close(dir_fd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise _refused(path, st.st_mode, "a file")
    if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != FILE_MODE:
        try:
            os.fchmod(fd, FILE_MODE)  # the umask narrowed it: the group must share the lock
        except OSError:
            pass
    return fd


def os_account() -> str:
    """The OS account the process runs as (its effective uid), never ``$LOGNAME``/``$USER``."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def _write_holder(root: Path) -> None:
    command = " ".join(os.path.basename(a) for a in sys.argv[:3])
    note = {"user": os_account(), "pid": os.getpid(), "host": socket.gethostname(),
            "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": command}
    try:
        write_in_store(root, LOCK_HOLDER, json.dumps(note).encode(), fsync=False)
    except (OSError, StoreError):
        pass  # the note only helps a waiting process explain itself


def lock_holder(root: Path) -> dict[str, Any] | None:
    """The holder note of the store lock, if any (it may be stale when nobody holds it)."""
    try:
        opened = read_in_store(root, LOCK_HOLDER)
        note = json.loads(opened.data) if opened else None
    except (OSError, ValueError, StoreError):
        return None
    return note if isinstance(note, dict) else None


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
