"""Small DataTable helpers the section screens share.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

``FixedTable.add_keyed_rows`` and ``replace_keyed_rows`` fill Textual's DataTable through its
private state (``_data``, ``_row_locations``, its caches), and its ``_update_dimensions``
measures cells as DataTable's own formatter (``textual.widgets._data_table``) makes them, for
speed at 1,000 seats (issue #30): they hold for the Textual pyproject pins (8.2.8). Before
moving the pin, run tests/screens/test_tables.py (which compares them with DataTable's own
``add_row``), tests/screens/test_attendance_day_in_place.py and tests/services/test_attendance_day_memo.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from itertools import zip_longest

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual._two_way_dict import TwoWayDict
from textual.widgets import DataTable
from textual.render import measure
from textual.widgets._data_table import default_cell_formatter
from textual.widgets.data_table import CellType, ColumnKey, DuplicateKey, Row, RowKey


def highlighted_key(table: DataTable) -> str | None:
    """The row key under the cursor, or None (an empty table, or rows being rebuilt)."""
    if not table.row_count:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    except Exception:  # the cursor is outside the rows while they are rebuilt
        return None
    return str(key.value) if key.value is not None else None


Cells = Sequence[CellType] | Callable[[], Sequence[CellType]]


class LazyCells(MutableMapping):
    """A row's cells (column key -> value) made when something first reads them: drawn,
    measured, asked for with ``get_row``, or changed. A day change on a 1,139-row register
    makes the twenty rows on the screen, not all of them (issue #30); what is read is what
    a dict of the same cells would give."""

    __slots__ = ("_keys", "_make", "_cells")

    def __init__(self, keys: Sequence[ColumnKey], make: Callable[[], Sequence[CellType]]):
        self._keys, self._make = keys, make
        self._cells: dict[ColumnKey, CellType] | None = None

    def _filled(self) -> dict[ColumnKey, CellType]:
        if self._cells is None:
            cells = self._make()
            if len(cells) > len(self._keys):
                raise ValueError("More values provided than there are columns.")
            self._cells, self._make = dict(zip_longest(self._keys, cells)), None
        return self._cells

    def __getitem__(self, key: ColumnKey) -> CellType:
        return self._filled()[key]

    def __setitem__(self, key: ColumnKey, value: CellType) -> None:
        self._filled()[key] = value

    def __delitem__(self, key: ColumnKey) -> None:
        del self._filled()[key]

    def __iter__(self) -> Iterator[ColumnKey]:  # a row's keys are its columns', made or not
        return iter(self._keys if self._cells is None else self._cells)

    def __len__(self) -> int:
        return len(self._keys if self._cells is None else self._cells)


def _row_cells(keys: list[ColumnKey], cells: Cells) -> MutableMapping:
    """The table's mapping of a row's cells: a dict of them, or, given a function that makes
    them, a LazyCells that calls it when they are first read."""
    if callable(cells):
        return LazyCells(keys, cells)
    if len(cells) > len(keys):
        raise ValueError("More values provided than there are columns.")
    return dict(zip_longest(keys, cells))


class FixedTable(DataTable):
    """A DataTable that measures only the columns sized by their content: a register of 362
    rows was measured cell by cell (2,000 measurements) before the first screen showed, for
    widths that were set anyway (issue #18), and the Quota's 1,000 seats came back from
    "behind only" measured in all eight columns for the two that fit their content (issue
    #30). A row with a label, or of another height than 1, is measured as DataTable does it."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        new_rows = list(new_rows)
        if any(row.label is not None or row.auto_height or row.height != 1
               for row in (self.rows.get(key) for key in new_rows) if row is not None):
            super()._update_dimensions(new_rows)
            return
        # what DataTable's own method does for these rows, in the columns whose width is
        # their content's: the widest cell as DataTable formats it for a row of height 1
        sized = [column for column in self.ordered_columns if column.auto_width]
        if sized:
            console = self.app.console
            for row_key in new_rows:
                if self._row_locations.get(row_key) is None:
                    continue  # removed before this idle, as DataTable allows
                cells = self._data.get(row_key, {})
                for column in sized:
                    datum = cells.get(column.key)
                    if datum is None:
                        continue  # an empty cell: DataTable's empty text measures 0
                    width = _cell_width(console, datum)
                    if width > column.content_width:
                        column.content_width = width
        # what DataTable's own method ends with: the scrollable size
        width = sum(column.get_render_width(self) for column in self.ordered_columns)
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width,
                                 self._total_row_height + header)

    def add_keyed_rows(self, rows: Sequence[tuple[str, Cells]]) -> None:
        """Add ``(key, cells)`` rows of height 1 at the bottom, as ``add_row`` one by one
        would, in one step: ``add_row`` re-sets the cursor (a reactive with its watchers) and
        orders the columns for every row, a third of a 1,139-row register's day change
        (issue #30). The cursor, its highlight message and the dimensions come out the same.
        ``cells`` may be a function that makes them, called when they are first read (see
        ``LazyCells``): it must make what it would have made now."""
        if not rows:
            return
        first = self.row_count
        keys = [column.key for column in self.ordered_columns]
        for index, (key, cells) in enumerate(rows, start=first):
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            self._data[row_key] = _row_cells(keys, cells)  # type: ignore[assignment]
            self._row_locations[row_key] = index
            self.rows[row_key] = Row(row_key, 1, None, False)
            self._new_rows.add(row_key)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        # as add_row on the first row of an empty table: the cursor's row is highlighted
        if first == 0 and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    def replace_keyed_rows(self, order: Sequence[str],
                           rows: Sequence[tuple[str, Cells]]) -> None:
        """Make the table's rows those of ``order`` (keys, each once), as a clear and
        ``add_keyed_rows`` in that order would leave them, in one step: ``rows`` gives the cells
        of every new row and of each kept row that changed; a kept row not in ``rows`` keeps
        its cells; a row not in ``order`` goes. No kept row is made again, and when the
        order is the same, Textual's passes over every row (their order, their offsets) are
        not made again either, so a 1,139-row register's day change costs the rows that
        changed, not a clear and a refill (issue #30). Rows are of height 1, without labels;
        cells not given are empty, as in ``add_row``. The cursor stays at its index (within
        the rows); the view where it was (``scroll_home_to_cursor``)."""
        present = {str(key.value): key for key in self.rows}
        given = dict(rows)
        wanted = set(order)
        if len(wanted) != len(order) or len(given) != len(rows):
            raise DuplicateKey("A row key is given twice.")
        keys = [column.key for column in self.ordered_columns]
        if any(not callable(cells) and len(cells) > len(keys) for cells in given.values()):
            raise ValueError("More values provided than there are columns.")
        new = [key for key in order if key not in present]
        if any(key not in given for key in new) or not wanted.issuperset(given):
            raise ValueError("Every new row needs its cells, and only rows in the order.")
        same = len(order) == len(present) and all(
            str(self._row_locations.get_key(index).value) == key
            for index, key in enumerate(order))
        ordered = self._ordered_row_cache.get((self.row_count, self._update_count)) \
            if same else None
        offsets = self._offset_cache.get(self._update_count) if same else None
        for key in new:
            row_key = present[key] = RowKey(key)
            self._new_rows.add(row_key)
        for key, cells in rows:
            self._data[present[key]] = _row_cells(keys, cells)  # type: ignore[assignment]
        if not same:
            kept = self.rows
            self.rows = {present[key]: kept.get(present[key]) or Row(present[key], 1, None, False)
                         for key in order}
            for key, row_key in present.items():
                if key not in wanted:
                    del self._data[row_key]
            self._row_locations = TwoWayDict({present[key]: index
                                              for index, key in enumerate(order)})
            self._require_update_dimensions = True
        self._update_count += 1  # every cell and line rendered before is rendered again
        if ordered is not None:  # the same rows in the same order, of the same heights
            self._ordered_row_cache[(self.row_count, self._update_count)] = ordered
        if offsets is not None:
            self._offset_cache[self._update_count] = offsets
        if self.cursor_row >= self.row_count:
            self.cursor_coordinate = Coordinate(max(0, self.row_count - 1), self.cursor_column)
        self.refresh()

    def scroll_home_to_cursor(self) -> None:
        """The view where ``clear`` and the cursor put back on its row leave it: scrolled to
        the top left, then as far as the cursor's row needs."""
        self.hover_coordinate = Coordinate(0, 0)
        self.scroll_x = self.scroll_y = 0
        self.scroll_target_x = self.scroll_target_y = 0
        if self.row_count:
            self._scroll_cursor_into_view()


def _cell_width(console: Console, datum: object) -> int:
    """A cell's width as DataTable measures it in a row of height 1: a Text by its longest
    line; a str with no markup, emoji code or line break by its cells (the text DataTable's
    markup parse would make of it); anything else formatted and measured as DataTable does."""
    if isinstance(datum, Text):
        return max((cell_len(line) for line in datum.plain.splitlines()), default=0)
    if isinstance(datum, str) and "[" not in datum and ":" not in datum \
            and datum.isprintable():
        return cell_len(datum)
    return measure(console, default_cell_formatter(datum, wrap=False, height=1), 1)


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
