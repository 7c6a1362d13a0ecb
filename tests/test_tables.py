"""FixedTable: a DataTable that skips measuring rows when every column has a set width (issue
#18) must lay out exactly as DataTable does, and measure as before when it has to."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from screens.widgets.tables import FixedTable

ROWS = [(f"A{n:03d}", "欧阳娜娜" if n % 2 else "Li Wei", Text("late 12 min, a long reason")) for n in range(60)]


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
        if None in widths or label:
            assert measured == [c.content_width for c in plain.ordered_columns]
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
