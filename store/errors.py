"""Errors the store raises; each says which file and why, never personal data."""

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
