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

import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import filelock
import orjson

from store.errors import CorruptFileError

FILE_MODE = 0o660
DIR_MODE = 0o2770
LOCK_TIMEOUT_SECONDS = 30.0
JOURNAL_DIR = ".journal"


def ensure_dir(path: Path) -> None:
    """Create ``path`` (group-shared, setgid) if it does not exist."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file."""
    path = Path(path)
    ensure_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
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
        atomic_write_bytes(path, data)
        return
    journal = Path(root) / JOURNAL_DIR / uuid.uuid4().hex
    ensure_dir(journal)
    manifest = []
    for index, (path, data) in enumerate(contents.items()):
        name = f"{index}.json"
        atomic_write_bytes(journal / name, data)
        manifest.append({"target": str(Path(path).relative_to(root)), "file": name})
    atomic_write_json(journal / "manifest.json", manifest)
    atomic_write_bytes(journal / "COMMITTED", b"1")
    _apply_journal(Path(root), journal)


def _apply_journal(root: Path, journal: Path) -> None:
    manifest = json.loads((journal / "manifest.json").read_text("utf-8"))
    for entry in manifest:
        atomic_write_bytes(root / entry["target"], (journal / entry["file"]).read_bytes())
    # Un-commit before removing: a kill during the removal must not leave a "committed"
    # journal with some of its files gone.
    (journal / "COMMITTED").unlink()
    fsync_dir(journal)
    shutil.rmtree(journal)
    fsync_dir(journal.parent)


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
