"""Small DataTable helpers the section screens share."""

from __future__ import annotations

from collections.abc import Iterable

from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


def highlighted_key(table: DataTable) -> str | None:
    """The row key under the cursor, or None (an empty table, or rows being rebuilt)."""
    if not table.row_count:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except Exception:  # the cursor is outside the rows while they are rebuilt
        return None
    return str(key.value) if key.value is not None else None


class FixedTable(DataTable):
    """A DataTable that does not measure the rows it is given when every column has a set
    width: a register of 362 rows was measured cell by cell (2,000 measurements) before the
    first screen showed, for widths that were set anyway (issue #18). A table with any column
    sized by its content, or a row with a label or its own height, is measured as before."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        new_rows = list(new_rows)
        if any(column.auto_width for column in self.columns.values()) or any(
                row.label is not None or row.auto_height
                for row in (self.rows.get(key) for key in new_rows) if row is not None):
            super()._update_dimensions(new_rows)
            return
        # what DataTable's own method ends with: the scrollable size
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width,
                                 self._total_row_height + header)


def set_column_width(table: DataTable, key: str, cells: int) -> None:
    """Give column ``key`` ``cells`` cells (a wider terminal grows its wide columns; the
    80-column widths stay as they were). Nothing happens when it has them already."""
    column = table.columns.get(key)  # type: ignore[call-overload] - a ColumnKey equals its str
    if column is None or (column.width == cells and not column.auto_width):
        return
    column.width = cells
    column.auto_width = False
    table._clear_caches()
    table._require_update_dimensions = True
    table.refresh()


def grown(base: int, room: int, wanted: int) -> int:
    """A column's width: ``base`` cells at 80 columns, growing toward ``wanted`` (its longest
    text) by at most ``room`` more cells."""
    return base + max(0, min(room, wanted - base))
