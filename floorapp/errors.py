"""Errors meant for a user: the message says what is wrong and where."""

from __future__ import annotations


class FloorError(Exception):
    """A problem a user can fix (bad input, unknown id, …); shown as-is, never as a traceback."""


class ImportRejected(FloorError):
    """An import refused as a whole; ``errors`` are ``FILE:LINE: reason`` lines."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))
