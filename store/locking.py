"""The store lock: an OS ``flock`` on ``.lock``, taken again freely by the thread that holds it,
with a note of who holds it for those who wait.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import pwd
import socket
import stat
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from store.atomic import write_in_store
from store.errors import StoreError, StoreLockedError, os_problem
from store.files import (
    FILE_MODE,
    LOCK,
    LOCK_HOLDER,
    _describe,
    _refused,
    open_root,
    read_in_store,
)

LOCK_TIMEOUT_SECONDS = 30.0  # $FLOOR_LOCK_TIMEOUT overrides (seconds)
LOCK_POLL_SECONDS = 0.05  # how often a waiting process tries the lock again


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
