"""Errors the store raises; each says which file and why, never personal data.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Something about the store stops an operation; the message is meant for a user."""


class CorruptFileError(StoreError):
    """A store file cannot be read. It is reported and kept as it is, never overwritten."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason} (the file is kept as it is; see `floor doctor`)")


class StoreReadOnlyError(StoreError):
    """A write was refused because the store, or the file it touches, is read-only."""


class StoreWriteError(StoreError):
    """The operating system refused a read or write (disk full, read-only, no permission)."""

    def __init__(self, path: Path, reason: str, doing: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {doing}: {reason}")


class StoreLockedError(StoreError):
    """Another process held the store lock for longer than we were willing to wait."""

    def __init__(self, root: Path, waited: float, holder: dict | None) -> None:
        self.holder = holder
        if holder:
            who = (f"held by {holder.get('user', '?')} (process {holder.get('pid', '?')} on "
                   f"{holder.get('host', '?')}, `{holder.get('command', '')}`, since "
                   f"{holder.get('since', '?')})")
        else:
            who = "held by another process"
        super().__init__(f"{root}: the store is busy: its lock is {who}; waited {waited:g} s. "
                         f"Nothing was changed; try again when it is done")


def os_problem(path: Path, exc: OSError, doing: str) -> StoreWriteError:
    """An OSError as a user's message: the OS's own words (e.g. "No space left on device")."""
    import errno

    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason += " (free some space, then try again; nothing was torn)"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason += " (check the store's group and permissions)"
    return StoreWriteError(path, reason, doing)
