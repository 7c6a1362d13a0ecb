"""FixedTable: a DataTable that measures only the columns sized by their content (issues #18,
#30) must lay out exactly as DataTable does, and measure as DataTable when it has to."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from screens.widgets.tables import FixedTable

ROWS = [(f"A{n:03d}", "欧阳娜娜" if n % 2 else "Li Wei", Text("late 12 min, a long reason"))
        for n in range(60)]
# cells DataTable formats before it measures: markup in a str (shown as its text), a Text of
# two spans, an empty cell, a wide name, a float id (shown to two places: 12345.50), emoji codes
ODD = [("[b]B001[/b]", "王", Text.assemble(("late ", "red"), "欧阳 3 min")),
       ("B002", None, "x"), (12345.5, "欧阳娜娜娜娜娜", "y"),
       ("B004", "x", ":thumbs_up::thumbs_up::thumbs_up::thumbs_up: ok")]  # shown as 👍👍👍👍 ok


class Pair(App):
    def __init__(self, widths: tuple[int | None, ...], label: bool = False) -> None:
        super().__init__()
        self.widths, self.label = widths, label

    def compose(self) -> ComposeResult:
        yield DataTable(id="plain")
        yield FixedTable(id="fixed")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            for name, width in zip(("id", "name", "status"), self.widths):
                table.add_column(name, key=name, width=width)
            for row in ROWS:
                table.add_row(*row, key=row[0], label=row[0][-2:] if self.label else None)


@pytest.mark.parametrize("widths, label", [
    ((5, 8, 20), False),       # all set: FixedTable skips the measuring
    ((5, None, 20), False),    # one sized by its content: measured as before
    ((5, 8, 20), True),        # labelled rows: measured as before
])
async def test_fixed_table_lays_out_as_datatable(widths, label) -> None:
    app = Pair(widths, label)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        plain, fixed = app.query_one("#plain", DataTable), app.query_one("#fixed", FixedTable)
        assert fixed.virtual_size == plain.virtual_size
        assert fixed.virtual_size.height == len(ROWS) + 1
        assert [c.get_render_width(fixed) for c in fixed.ordered_columns] == \
            [c.get_render_width(plain) for c in plain.ordered_columns]
        measured = [c.content_width for c in fixed.ordered_columns]
        if label:
            assert measured == [c.content_width for c in plain.ordered_columns]
        elif None in widths:  # the column sized by its content measured as DataTable does
            assert [c.content_width for c in fixed.ordered_columns if c.auto_width] == \
                [c.content_width for c in plain.ordered_columns if c.auto_width]
            # the columns of a set width kept their headers' widths: their cells not measured
            assert [m for m, c in zip(measured, fixed.ordered_columns) if not c.auto_width] \
                == [c.label.cell_len for c in fixed.ordered_columns if not c.auto_width]
        else:  # nothing measured: the widths were set
            assert max(measured) < max(c.content_width for c in plain.ordered_columns)
        # the same rows on the screen, line for line
        assert [fixed.render_line(y).text for y in range(6)] == \
            [plain.render_line(y).text for y in range(6)]


async def test_rows_added_later_grow_the_fixed_table() -> None:
    app = Pair((5, 8, 20))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        fixed = app.query_one("#fixed", FixedTable)
        fixed.add_row("Z999", "new", "x", key="Z999")
        await pilot.pause()
        assert fixed.virtual_size.height == len(ROWS) + 2
        fixed.move_cursor(row=fixed.get_row_index("Z999"))
        await pilot.pause()
        assert fixed.cursor_row == len(ROWS)


@pytest.mark.parametrize("widths", [(None, None, None), (5, None, 20), (None, 8, None)])
async def test_columns_sized_by_content_measure_as_datatable(widths) -> None:
    """Rows added in two goes, with markup, spans, empty cells, wide text and a float: every
    column sized by its content is as wide as DataTable makes it, and the screen the same."""
    app = Pair(widths)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        plain, fixed = app.query_one("#plain", DataTable), app.query_one("#fixed", FixedTable)
        for table in (plain, fixed):
            for row in ODD:
                table.add_row(*row, key=str(row[0]))
        await pilot.pause()
        assert [c.get_render_width(fixed) for c in fixed.ordered_columns] == \
            [c.get_render_width(plain) for c in plain.ordered_columns]
        assert fixed.virtual_size == plain.virtual_size
        for table in (plain, fixed):
            table.move_cursor(row=len(ROWS))
        await pilot.pause()
        assert [fixed.render_line(y).text for y in range(24)] == \
            [plain.render_line(y).text for y in range(24)]
        # the odd rows made the auto columns wider than the first sixty did
        assert fixed.render_line(fixed.size.height - 1).text.strip()


async def test_a_taller_row_is_measured_as_datatable() -> None:
    """A row of height 2 wraps: its cells are measured as DataTable measures them."""
    app = Pair((None, 8, None))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        plain, fixed = app.query_one("#plain", DataTable), app.query_one("#fixed", FixedTable)
        for table in (plain, fixed):
            table.add_row("C1", "two\nlines", "a status that wraps, and then some more words",
                          key="C1", height=2)
        await pilot.pause()
        assert [c.content_width for c in fixed.ordered_columns if c.auto_width] == \
            [c.content_width for c in plain.ordered_columns if c.auto_width]
        assert fixed.virtual_size == plain.virtual_size
