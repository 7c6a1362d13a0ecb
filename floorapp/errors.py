"""Errors meant for a user: the message says what is wrong and where.

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.
"""

from __future__ import annotations


class FloorError(Exception):
    """A problem a user can fix (bad input, unknown id, …); shown as-is, never as a traceback."""


class ImportRejected(FloorError):
    """An import refused as a whole; ``errors`` are ``FILE:LINE: reason`` lines."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


def store_problem(exc: Exception) -> str:
    """A store refusal for a user. The store's own words stay English (it knows nothing of
    floorapp); in another language a translated lead-in says what they are about."""
    from floorapp.i18n import _, language

    if language() == "en":
        return str(exc)
    return _("store problem: {detail}").format(detail=exc)
