"""User text in a screen: shown as text, never as Textual markup or terminal controls.

Wrap every name, note or reason that goes into a markup string, a ``Static``, a ``notify``
message or a ``DataTable`` string cell: ``markup_safe(person.name)``.
"""

from __future__ import annotations

from rich.text import Text

from floorapp.text import terminal_safe


def markup_safe(text: object) -> str:
    """``text`` with controls shown as escapes and markup brackets escaped."""
    # every "[" escaped, not only tag-like ones (a bracket left open swallows the markup after
    # it); Textual reads "\\[" as a bracket whatever precedes it, and a backslash at the end
    # would escape the markup that follows, so it is followed by a zero-width space.
    safe = terminal_safe(str(text), keep="").replace("[", "\\[")
    if safe.endswith("\\"):
        safe += "\u200b"
    return safe


def plain(text: object) -> Text:
    """A ``DataTable`` cell (or any renderable) of user text: a Rich ``Text`` is never parsed
    as markup (a ``str`` cell is), and its controls are shown as escapes."""
    return Text(terminal_safe(str(text), keep=""))
