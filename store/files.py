"""Files on disk: atomic writes, the store lock, reading with corruption reported, journals.

Every write goes temp file → flush → fsync → ``os.replace`` → fsync of the directory, so a
process killed at any instant leaves the old file or the new one, never a torn one.

A change that touches several files (an import spanning a month of day files) is made
all-or-nothing by a redo journal: the new contents are written under ``.journal/<id>/``, a
``COMMITTED`` marker is written atomically, then the files are replaced one by one and the
journal is removed. Whoever takes the lock next finds a committed journal and finishes it, or an
uncommitted one and throws it away; either way each file is either all old or all new.
"""

from __future__ import annotations

import grp
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import filelock
import orjson

from store.errors import CorruptFileError, StoreError

FILE_MODE = 0o660
DIR_MODE = 0o2770
LOCK_TIMEOUT_SECONDS = 30.0
JOURNAL_DIR = ".journal"
# Pay-only data lives in files of its own, in this OS group when the host has it, so the rule
# "only those who may see pay" holds even for someone reading the files (SPEC §3, issue #19).
PAY_GROUP = "floor-pay"
PAY_NAMES = ("pay.json", "pay")  # first path component under the store root


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
    """Create ``path`` (group-shared, setgid) if it does not exist; in ``group`` when given."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        if group is not None:
            _chgrp(path, group)
        try:
            os.chmod(path, DIR_MODE)
        except OSError:
            pass


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, group: int | None = None) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file.

    With ``group`` the file belongs to that group before it appears under its name.
    """
    path = Path(path)
    ensure_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if group is not None:
            _chgrp(tmp_name, group)  # before a byte is written: never readable by the rest
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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
    """Compact UTF-8 JSON (names stay readable). orjson: a day file is written on every save."""
    return orjson.dumps(data)


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


def store_lock(root: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> filelock.FileLock:
    """The OS lock every read-modify-write of the store holds."""
    return filelock.FileLock(str(Path(root) / ".lock"), timeout=timeout, mode=FILE_MODE)


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
    ensure_dir(journal)
    manifest = []
    for index, (path, data) in enumerate(contents.items()):
        name = f"{index}.json"
        atomic_write_bytes(journal / name, data, group_for(root, path))
        manifest.append({"target": str(Path(path).relative_to(root)), "file": name})
    atomic_write_json(journal / "manifest.json", manifest)
    atomic_write_bytes(journal / "COMMITTED", b"1")
    _apply_journal(Path(root), journal)


def _apply_journal(root: Path, journal: Path) -> None:
    manifest = json.loads((journal / "manifest.json").read_text("utf-8"))
    for entry in manifest:
        target = root / entry["target"]
        _ensure_parent(root, target)
        atomic_write_bytes(target, (journal / entry["file"]).read_bytes(),
                           group_for(root, target))
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
        if (journal / "COMMITTED").exists() and (journal / "manifest.json").exists():
            _apply_journal(Path(root), journal)
            finished += 1
        else:
            shutil.rmtree(journal)
    return finished
