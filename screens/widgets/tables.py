"""Small DataTable helpers the section screens share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest

from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, DuplicateKey, Row, RowKey


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

    def add_keyed_rows(self, rows: Sequence[tuple[str, Sequence[CellType]]]) -> None:
        """Add ``(key, cells)`` rows of height 1 at the bottom, as ``add_row`` one by one
        would, in one step: ``add_row`` re-sets the cursor (a reactive with its watchers) and
        orders the columns for every row, a third of a 1,139-row register's day change
        (issue #30). The cursor, its highlight message and the dimensions come out the same."""
        if not rows:
            return
        first = self.row_count
        keys = [column.key for column in self.ordered_columns]
        for index, (key, cells) in enumerate(rows, start=first):
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            if len(cells) > len(keys):
                raise ValueError("More values provided than there are columns.")
            self._row_locations[row_key] = index
            self._data[row_key] = dict(zip_longest(keys, cells))
            self.rows[row_key] = Row(row_key, 1, None, False)
            self._new_rows.add(row_key)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        # as add_row on the first row of an empty table: the cursor's row is highlighted
        if first == 0 and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()


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
