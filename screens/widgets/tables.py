"""Small DataTable helpers the section screens share."""

from __future__ import annotations

from textual.widgets import DataTable


def highlighted_key(table: DataTable) -> str | None:
    """The row key under the cursor, or None (an empty table, or rows being rebuilt)."""
    if not table.row_count:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except Exception:  # the cursor is outside the rows while they are rebuilt
        return None
    return str(key.value) if key.value is not None else None
