"""Files on disk: atomic writes, the store lock, reading with corruption reported, journals.

Every write goes temp file → flush → fsync → ``os.replace`` → fsync of the directory, so a
process killed at any instant leaves the old file or the new one, never a torn one.

A change that touches several files (an import spanning a month of day files) is made
all-or-nothing by a redo journal: the new contents are written under ``.journal/<id>/``, a
``COMMITTED`` marker is written atomically, then the files are replaced one by one and the
journal is removed. Whoever takes the lock next finds a committed journal and finishes it, or an
uncommitted one and throws it away; either way each file is either all old or all new. A journal
is applied only when its manifest is whole, every target is a store partition file inside the
store, and every file matches the size and SHA-256 the manifest names; a damaged one is moved
aside to ``.journal-damaged/`` (kept for a person to look at), never applied.

Permissions (SPEC §3): every directory the store creates is ``2770`` and every file ``0660``,
set explicitly so the creating user's umask never locks a second supervisor of the group out.
"""

from __future__ import annotations

import datetime as dt
import getpass
import grp
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock
import orjson

from store.errors import CorruptFileError, StoreError, StoreLockedError, os_problem

FILE_MODE = 0o660
DIR_MODE = 0o2770
LOCK_TIMEOUT_SECONDS = 30.0  # $FLOOR_LOCK_TIMEOUT overrides (seconds)
JOURNAL_DIR = ".journal"
# Pay-only data lives in files of its own, in this OS group when the host has it, so the rule
# "only those who may see pay" holds even for someone reading the files (SPEC §3, issue #19).
PAY_GROUP = "floor-pay"
PAY_NAMES = ("pay.json", "pay")  # first path component under the store root
DAMAGED_JOURNAL_DIR = ".journal-damaged"
LOCK_HOLDER = ".lock.holder"
CACHE_DIR = ".cache"  # figures worked out from day files (store.db ``digest``): not data
# The files a journal may replace: the store's own partitions and meta.json, nothing else.
_JOURNAL_TARGET = re.compile(
    r"^(meta\.json|ref\.json|pay\.json|days/\d{4}/\d{4}-\d{2}-\d{2}\.json"
    r"|rosters/\d{4}-\d{2}\.json)$")


def pay_gid() -> int | None:
    """The gid of the ``floor-pay`` group, or None when the host has no such group."""
    try:
        return grp.getgrnam(PAY_GROUP).gr_gid
    except KeyError:
        return None


def is_pay_path(root: Path, path: Path) -> bool:
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return False
    return bool(rel.parts) and rel.parts[0] in PAY_NAMES


def group_for(root: Path, path: Path) -> int | None:
    """The group a store file must be created in: ``floor-pay`` for pay files (when it exists)."""
    return pay_gid() if is_pay_path(root, path) else None


def _chgrp(path: str | Path, gid: int) -> None:
    try:
        os.chown(path, -1, gid)
    except OSError:
        raise StoreError(
            f"{path}: cannot give the file to group {PAY_GROUP} (only its members may write "
            f"pay data)") from None


def ensure_dir(path: Path, group: int | None = None) -> None:
    """Create ``path`` and any missing parent, each group-shared (``2770``), whatever the umask;
    the directories it creates go to ``group`` when given (the pay group)."""
    path = Path(path)
    if path.is_dir():
        return
    missing = []
    level = path
    while not level.exists() and level != level.parent:
        missing.append(level)
        level = level.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            continue  # another process made it (and set its mode)
        if group is not None:
            _chgrp(directory, group)
        try:
            os.chmod(directory, DIR_MODE)
        except OSError:
            pass


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, group: int | None = None,
                       fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file.

    With ``group`` the file belongs to that group before it appears under its name. Without
    ``fsync`` (a cache) a reader still sees the old or the new file, but a crash may lose it.
    """
    path = Path(path)
    ensure_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if group is not None:
            _chgrp(tmp_name, group)  # before a byte is written: never readable by the rest
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp_name, FILE_MODE)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (names stay readable). orjson: a day file is written on every save.

    A value JSON cannot hold exactly (an integer past 64 bits) is refused, nothing written."""
    try:
        return orjson.dumps(data)
    except TypeError as exc:  # orjson.JSONEncodeError
        raise StoreError(f"a value cannot be stored ({exc}); nothing was written") from None


orjson_loads = orjson.loads


def write_cache_file(path: Path, data: Any) -> None:
    """Replace a cache file (figures the store can always work out again): atomic, so a reader
    sees the old or the new one, but without fsync: a cache lost in a crash is only redone."""
    atomic_write_bytes(path, dumps(data), fsync=False)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, dumps(data))


def read_json(path: Path) -> Any | None:
    """The parsed content of ``path``; None when it does not exist.

    Raises CorruptFileError naming the file and the reason when it cannot be parsed.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptFileError(path, f"cannot be read ({exc.strerror})") from None
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


def lock_timeout() -> float:
    try:
        return float(os.environ.get("FLOOR_LOCK_TIMEOUT", LOCK_TIMEOUT_SECONDS))
    except ValueError:
        return LOCK_TIMEOUT_SECONDS


def store_lock(root: Path, timeout: float | None = None) -> filelock.FileLock:
    """The OS lock every read-modify-write of the store holds (take it with ``locked``)."""
    return filelock.FileLock(str(Path(root) / ".lock"),
                             timeout=lock_timeout() if timeout is None else timeout,
                             mode=FILE_MODE)


@contextmanager
def locked(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the store lock. Leaves a holder note beside it (who, process, since when), so a
    process that waits too long can say who holds it; a wait past the timeout raises
    StoreLockedError naming the holder instead of a bare timeout."""
    root = Path(root)
    lock = store_lock(root, timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise StoreLockedError(root, lock.timeout, lock_holder(root)) from None
    except OSError as exc:
        raise os_problem(root / ".lock", exc, "cannot take the store lock") from None
    try:
        _share(root / ".lock", FILE_MODE)
        _write_holder(root)
        yield
    finally:
        lock.release()


def _share(path: Path, mode: int) -> None:
    """Give a file we own its shared mode (a file made by filelock takes the umask)."""
    try:
        if path.stat().st_uid == os.geteuid() and path.stat().st_mode & 0o7777 != mode:
            os.chmod(path, mode)
    except OSError:
        pass


def _write_holder(root: Path) -> None:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid{os.getuid()}"
    command = " ".join(os.path.basename(a) for a in sys.argv[:3])
    note = {"user": user, "pid": os.getpid(), "host": socket.gethostname(),
            "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": command}
    path = root / LOCK_HOLDER
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(note, handle)
        _share(path, FILE_MODE)
    except OSError:
        pass  # the note only helps a waiting process explain itself


def lock_holder(root: Path) -> dict[str, Any] | None:
    """The holder note of the store lock, if any (it may be stale when nobody holds it)."""
    try:
        note = json.loads((Path(root) / LOCK_HOLDER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) else None


def commit_files(root: Path, contents: dict[Path, bytes]) -> None:
    """Replace every file in ``contents`` all-or-nothing. Caller holds the store lock."""
    if not contents:
        return
    if len(contents) == 1:
        ((path, data),) = contents.items()
        _ensure_parent(root, path)
        atomic_write_bytes(path, data, group_for(root, path))
        return
    journal = Path(root) / JOURNAL_DIR / uuid.uuid4().hex
    try:
        ensure_dir(journal)
        manifest = []
        for index, (path, data) in enumerate(contents.items()):
            name = f"{index}.json"
            atomic_write_bytes(journal / name, data, group_for(root, path))
            manifest.append({"target": Path(path).relative_to(root).as_posix(), "file": name,
                             "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        atomic_write_json(journal / "manifest.json", manifest)
        atomic_write_bytes(journal / "COMMITTED", b"1")
    except BaseException:
        # Not committed: nothing was changed. Throw the half-written journal away.
        shutil.rmtree(journal, ignore_errors=True)
        raise
    _apply_journal(Path(root), journal)


def check_journal(root: Path, journal: Path) -> list[tuple[Path, bytes]] | str:
    """The (target, content) pairs of a committed journal, or why it must not be applied."""
    try:
        manifest = json.loads((journal / "manifest.json").read_text("utf-8"))
    except FileNotFoundError:
        return "no manifest"
    except (OSError, ValueError) as exc:
        return f"unreadable manifest ({exc})"
    if not isinstance(manifest, list) or not manifest:
        return "the manifest is not a list of files"
    out = []
    base = Path(root).resolve()
    for entry in manifest:
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), t) for k, t in
                (("target", str), ("file", str), ("size", int), ("sha256", str))):
            return "a manifest entry lacks target, file, size or sha256"
        target = entry["target"]
        if not _JOURNAL_TARGET.match(target) or "/" in entry["file"] or \
                entry["file"].startswith("."):
            return f"a manifest path is not a store file: {target!r}"
        path = Path(root) / target
        if not path.resolve().is_relative_to(base):
            return f"a manifest path leads outside the store: {target!r}"
        try:
            data = (journal / entry["file"]).read_bytes()
        except OSError as exc:
            return f"{entry['file']} cannot be read ({exc.strerror})"
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            return f"{entry['file']} is incomplete (size or checksum differs)"
        out.append((path, data))
    return out


def _apply_journal(root: Path, journal: Path) -> None:
    checked = check_journal(root, journal)
    if isinstance(checked, str):
        raise StoreError(f"{journal}: damaged journal: {checked}")
    for path, data in checked:
        _ensure_parent(root, path)
        atomic_write_bytes(path, data, group_for(root, path))
    # Un-commit before removing: a kill during the removal must not leave a "committed"
    # journal with some of its files gone.
    (journal / "COMMITTED").unlink()
    fsync_dir(journal)
    shutil.rmtree(journal)
    fsync_dir(journal.parent)


def _ensure_parent(root: Path, path: Path) -> None:
    """A pay directory (``pay/…``) is created in the pay group, like the files in it."""
    parent = Path(path).parent
    if parent != Path(root) and not parent.is_dir():
        ensure_dir(parent, group_for(root, parent))


def recover_journals(root: Path) -> int:
    """Finish committed journals, discard uncommitted ones. Caller holds the store lock.

    Returns how many committed journals were finished.
    """
    base = Path(root) / JOURNAL_DIR
    if not base.is_dir():
        return 0
    finished = 0
    for journal in sorted(base.iterdir()):
        if not journal.is_dir():
            continue
        if not (journal / "COMMITTED").exists():
            shutil.rmtree(journal)
            continue
        if isinstance(check_journal(Path(root), journal), str):
            set_aside(Path(root), journal)
            continue
        _apply_journal(Path(root), journal)
        finished += 1
    return finished


def set_aside(root: Path, journal: Path) -> Path:
    """Move a damaged journal out of the way (kept, never applied; doctor names it)."""
    aside = Path(root) / DAMAGED_JOURNAL_DIR
    ensure_dir(aside)
    target = aside / journal.name
    os.replace(journal, target)
    fsync_dir(journal.parent)
    return target


def damaged_journals(root: Path) -> list[Path]:
    aside = Path(root) / DAMAGED_JOURNAL_DIR
    return sorted(p for p in aside.iterdir() if p.is_dir()) if aside.is_dir() else []


def data_files(root: Path) -> list[Path]:
    """Every ``*.json`` of the store (symlinked directories followed), backups, journals and
    the digest cache left out."""
    root = Path(root)
    out = []
    skip = {"backups", JOURNAL_DIR, DAMAGED_JOURNAL_DIR, CACHE_DIR}
    for directory, dirnames, filenames in os.walk(root, followlinks=True):
        if Path(directory) == root:
            dirnames[:] = [d for d in dirnames if d not in skip]
        dirnames.sort()
        out.extend(Path(directory) / name for name in sorted(filenames)
                   if name.endswith(".json") and not name.startswith("."))
    return out
