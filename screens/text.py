"""User text in a screen: shown as text, never as Textual markup or terminal controls.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Wrap every name, note or reason that goes into a markup string, a ``Static``, a ``notify``
message or a ``DataTable`` string cell: ``markup_safe(person.name)``.
"""

from __future__ import annotations

from rich.cells import cell_len
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


def fit_parts(parts: list[str], width: int, separator: str = ", ") -> str:
    """As many of ``parts`` as fit whole in ``width`` cells, the rest counted ("+2"), as the
    header counts the shifts it has no room for: never a part cut in the middle ("no…"). With
    no room for the count, the first part whole then "…"; only a first part longer than the
    cell is cut (the line under the grid has it all)."""
    whole = separator.join(parts)
    if cell_len(whole) <= width or not parts:
        return whole
    for shown in range(len(parts) - 1, 0, -1):
        text = f"{separator.join(parts[:shown])} +{len(parts) - shown}"
        if cell_len(text) <= width:
            return text
    if len(parts) > 1 and cell_len(parts[0]) + 1 <= width:
        return f"{parts[0]}…"  # the first part whole; "…" says more follows
    head = parts[0]
    while head and cell_len(head) + 1 > width:
        head = head[:-1]
    return f"{head}…"
