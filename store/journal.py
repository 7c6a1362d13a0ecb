"""Changes that touch several files at once, all-or-nothing, by a redo journal.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.

The new contents are written under ``.journal/<id>/``, a ``COMMITTED`` marker is written
atomically, then the change is applied in two steps: every new file is first written beside its
target under a temp name (the step that needs disk space: a full disk stops it before any
target is touched), then all are renamed into place (no space needed), and the journal is
removed. So a reader sees every file of the change old or every file new, also when the disk
fills between two files; a process killed among the renames leaves a committed journal that the
next one to take the lock finishes.

A journal is applied only when its manifest is whole, every target is a store partition file,
every file in it matches the size and SHA-256 the manifest names, and a copy of a pay file is
the pay group's like pay.json itself. A damaged one, or anything in ``.journal/`` that is not a
journal directory (a link, a file), is moved aside to ``.journal-damaged/`` (kept for a person
to look at), never applied.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import uuid
from pathlib import Path

from store import atomic, files
from store.errors import CorruptFileError, StoreError, StoreWriteError

JOURNAL_DIR = files.JOURNAL_DIR
DAMAGED_JOURNAL_DIR = files.DAMAGED_JOURNAL_DIR
COMMITTED = "COMMITTED"
# The files a journal may replace: the store's own partitions and meta.json, nothing else.
_JOURNAL_TARGET = re.compile(
    r"^(meta\.json|ref\.json|pay\.json|days/\d{4}/\d{4}-\d{2}-\d{2}\.json"
    r"|rosters/\d{4}-\d{2}\.json)$")


class CommittedNotFinished(StoreWriteError):
    """The change is committed in its journal but could not be put in place (a full disk):
    nothing of it shows yet, and the next command that takes the lock finishes it."""


def _rel(root: Path, path: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def commit_files(root: Path, contents: dict[Path, bytes]) -> None:
    """Replace every file in ``contents`` all-or-nothing. Caller holds the store lock."""
    root = Path(root)
    if not contents:
        return
    if len(contents) == 1:
        ((path, data),) = contents.items()
        atomic.write_in_store(root, _rel(root, path), data, files.group_for(root, path))
        return
    name = uuid.uuid4().hex
    base = f"{JOURNAL_DIR}/{name}"
    try:
        manifest = []
        for index, (path, data) in enumerate(contents.items()):
            file = f"{index}.json"
            atomic.write_in_store(root, f"{base}/{file}", data, files.group_for(root, path))
            manifest.append({"target": _rel(root, path), "file": file, "size": len(data),
                             "sha256": hashlib.sha256(data).hexdigest()})
        atomic.write_in_store(root, f"{base}/manifest.json", files.dumps(manifest))
        atomic.write_in_store(root, f"{base}/{COMMITTED}", b"1")
    except BaseException:
        # Not committed: nothing was changed. Throw the half-written journal away.
        _remove(root, name)
        raise
    checked = check_journal(root, root / JOURNAL_DIR / name)
    if isinstance(checked, str):
        raise StoreError(f"{root / base}: damaged journal: {checked}")
    try:
        _apply(root, name, checked)
    except OSError as exc:
        raise CommittedNotFinished(
            exc.filename or root, f"{exc.strerror or exc} (the change is kept, committed, in "
                                  f"{root / base}; nothing of it shows yet, and the next "
                                  f"command finishes it once that is fixed)",
            "cannot finish the change") from None


def check_journal(root: Path, journal: Path) -> list[tuple[str, bytes]] | str:
    """The (target, content) pairs of a committed journal, or why it must not be applied."""
    root = Path(root)
    base = f"{JOURNAL_DIR}/{Path(journal).name}"
    try:
        opened = files.read_in_store(root, f"{base}/manifest.json")
        if opened is None:
            return "no manifest"
        manifest = json.loads(opened.data)
    except (StoreError, ValueError) as exc:
        return f"unreadable manifest ({exc})"
    if not isinstance(manifest, list) or not manifest:
        return "the manifest is not a list of files"
    out = []
    for entry in manifest:
        if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), t) for k, t in
                (("target", str), ("file", str), ("size", int), ("sha256", str))):
            return "a manifest entry lacks target, file, size or sha256"
        target = entry["target"]
        if not _JOURNAL_TARGET.match(target) or "/" in entry["file"] or \
                entry["file"].startswith(".") or entry["file"] in ("", ".."):
            return f"a manifest path is not a store file: {target!r}"
        try:
            opened = files.read_in_store(root, f"{base}/{entry['file']}")
        except CorruptFileError as exc:
            return f"{entry['file']} {exc.reason}"
        if opened is None:
            return f"{entry['file']} is missing"
        data = opened.data
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            return f"{entry['file']} is incomplete (size or checksum differs)"
        if files.is_pay_rel(target):
            problem = files.pay_file_problem(opened.stat)
            if problem:
                return f"{entry['file']}, a new {target}, {problem}"
        out.append((target, data))
    return out


def _apply(root: Path, name: str, checked: list[tuple[str, bytes]]) -> None:
    """Every new file beside its target first, then every rename, then the journal goes."""
    staged: list[atomic.Staged] = []
    try:
        for target, data in checked:
            staged.append(atomic.stage(root, target, data, files.group_for(root, root / target)))
    except BaseException:
        for done in staged:
            atomic.discard(done)
        raise
    for index, done in enumerate(staged):
        try:
            atomic.install(done)
        except BaseException:
            for rest in staged[index + 1:]:
                atomic.discard(rest)
            raise
    # Un-commit before removing: a kill during the removal must not leave a "committed"
    # journal with some of its files gone.
    fd = files.open_dir(root, [JOURNAL_DIR, name])
    try:
        os.unlink(COMMITTED, dir_fd=fd)
        os.fsync(fd)
    finally:
        os.close(fd)
    _remove(root, name)


def _remove(root: Path, name: str) -> None:
    """Remove one journal directory (no link inside it followed)."""
    try:
        fd = files.open_dir(root, [JOURNAL_DIR])
    except (OSError, StoreError):
        return
    try:
        try:
            if stat.S_ISDIR(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                shutil.rmtree(name, dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)
        except FileNotFoundError:
            pass
        os.fsync(fd)
    finally:
        os.close(fd)


def recover_journals(root: Path) -> int:
    """Finish committed journals, discard uncommitted ones, set aside damaged ones and
    whatever else is in ``.journal/``. Caller holds the store lock.

    Returns how many committed journals were finished."""
    root = Path(root)
    try:
        fd = files.open_dir(root, [JOURNAL_DIR])
    except FileNotFoundError:
        return 0
    try:
        entries = sorted(files.entry_modes(fd))
    finally:
        os.close(fd)
    finished = 0
    for name, mode in entries:
        if atomic._TEMP.match(name):
            _remove(root, name)  # a temp file of a killed write
            continue
        if not stat.S_ISDIR(mode):
            set_aside(root, name)
            continue
        if files.lstat_in_store(root, f"{JOURNAL_DIR}/{name}/{COMMITTED}") is None:
            _remove(root, name)
            continue
        checked = check_journal(root, root / JOURNAL_DIR / name)
        if isinstance(checked, str):
            set_aside(root, name)
            continue
        _apply(root, name, checked)
        finished += 1
    return finished


def set_aside(root: Path, name: str | Path) -> Path:
    """Move a damaged journal (or a stranger in ``.journal/``) out of the way: kept, never
    applied, never followed; doctor names it."""
    root = Path(root)
    name = Path(name).name
    source = files.open_dir(root, [JOURNAL_DIR])
    try:
        aside = files.open_dir(root, [DAMAGED_JOURNAL_DIR], create=True)
        try:
            target = name
            while os.path.lexists(root / DAMAGED_JOURNAL_DIR / target):
                target = f"{name}.{uuid.uuid4().hex[:6]}"
            os.replace(name, target, src_dir_fd=source, dst_dir_fd=aside)
            os.fsync(source)
        finally:
            os.close(aside)
    finally:
        os.close(source)
    return root / DAMAGED_JOURNAL_DIR / target


def pending_journals(root: Path) -> list[tuple[Path, str]]:
    """Each entry of ``.journal/`` and what it is: ``uncommitted``, ``committed``, or why it
    will not be applied (doctor reports them; nothing is changed)."""
    root = Path(root)
    try:
        fd = files.open_dir(root, [JOURNAL_DIR])
    except (OSError, CorruptFileError):
        return []  # none, or not a directory: doctor says so of .journal itself
    try:
        entries = sorted(files.entry_modes(fd))
    finally:
        os.close(fd)
    out = []
    for name, mode in entries:
        path = root / JOURNAL_DIR / name
        if not stat.S_ISDIR(mode):
            out.append((path, f"is {files.kind_of(mode)}, not a journal"))
        elif files.lstat_in_store(root, f"{JOURNAL_DIR}/{name}/{COMMITTED}") is None:
            out.append((path, "uncommitted"))
        else:
            checked = check_journal(root, path)
            out.append((path, checked if isinstance(checked, str) else "committed"))
    return out


def damaged_journals(root: Path) -> list[tuple[Path, str]]:
    """What was set aside in ``.journal-damaged/``, each with what it is."""
    try:
        fd = files.open_dir(root, [DAMAGED_JOURNAL_DIR])
    except (OSError, StoreError):
        return []
    try:
        return sorted((Path(root) / DAMAGED_JOURNAL_DIR / name, files.kind_of(mode))
                      for name, mode in files.entry_modes(fd))
    finally:
        os.close(fd)
