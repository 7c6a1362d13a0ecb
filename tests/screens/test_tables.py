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


class Lazy(App):
    """The same 200 rows given as cells (``eager``) and as functions that make them."""

    def __init__(self) -> None:
        super().__init__()
        self.made: list[str] = []

    def compose(self) -> ComposeResult:
        yield FixedTable(id="eager")
        yield FixedTable(id="lazy")

    def on_mount(self) -> None:
        for table in self.query(FixedTable):
            for name, width in (("id", 5), ("name", 8), ("status", 20)):
                table.add_column(name, key=name, width=width)
            table.styles.height = 12

    def maker(self, key: str, cells: tuple):  # noqa: ANN201 - a function making a row
        def make() -> tuple:
            self.made.append(key)
            return cells
        return make


BIG = [(f"K{n:03d}", (f"K{n:03d}", f"name {n}", Text(f"status {n}", style="red")))
       for n in range(200)]


async def test_rows_given_as_functions_are_made_when_first_read() -> None:
    """Issue #30: a row given as a function is made when it is drawn, measured or read, and
    the table shows and answers what a table given the cells does."""
    app = Lazy()
    async with app.run_test(size=(80, 30)) as pilot:
        eager, lazy = app.query_one("#eager", FixedTable), app.query_one("#lazy", FixedTable)
        eager.add_keyed_rows(BIG)
        lazy.add_keyed_rows([(key, app.maker(key, cells)) for key, cells in BIG])
        await pilot.pause()
        # only the rows on the screen were made: 11 under the header, not 200
        assert 0 < len(app.made) <= 12 and set(app.made) <= {key for key, _ in BIG[:12]}
        assert [lazy.render_line(y).text for y in range(12)] == \
            [eager.render_line(y).text for y in range(12)]
        assert lazy.get_row("K150") == eager.get_row("K150") and "K150" in app.made
        # a cell changed before its row was made keeps the change when the row is made
        for table in (eager, lazy):
            table.update_cell("K170", "name", "changed")
        assert lazy.get_row("K170") == eager.get_row("K170")
        assert lazy.get_row("K170")[1] == "changed"
        # a row never made goes as any row goes
        for table in (eager, lazy):
            table.remove_row("K180")
        await pilot.pause()
        assert "K180" not in app.made and lazy.row_count == eager.row_count == 199
        for table in (eager, lazy):
            table.move_cursor(row=190)
        await pilot.pause()
        assert [lazy.render_line(y).text for y in range(12)] == \
            [eager.render_line(y).text for y in range(12)]
        assert len(app.made) < 40  # the rows scrolled past were never drawn


async def test_replaced_rows_given_as_functions_show_as_a_refill() -> None:
    """replace_keyed_rows takes functions too: kept rows keep theirs, new ones are made when
    drawn, and what shows is what a clear and a fill with the cells show."""
    app = Lazy()
    async with app.run_test(size=(80, 30)) as pilot:
        eager, lazy = app.query_one("#eager", FixedTable), app.query_one("#lazy", FixedTable)
        lazy.add_keyed_rows([(key, app.maker(key, cells)) for key, cells in BIG])
        await pilot.pause()
        changed = [(f"K{n:03d}", (f"K{n:03d}", "new", Text("late"))) for n in range(0, 200, 2)]
        order = [key for key, _ in BIG][::-1]
        lazy.replace_keyed_rows(order, [(key, app.maker(key, cells)) for key, cells in changed])
        kept = dict(BIG) | dict(changed)
        eager.add_keyed_rows([(key, kept[key]) for key in order])
        await pilot.pause()
        assert [lazy.render_line(y).text for y in range(12)] == \
            [eager.render_line(y).text for y in range(12)]
        assert [lazy.get_row(key) for key in order] == [eager.get_row(key) for key in order]


async def test_a_function_making_too_many_cells_is_refused_when_read() -> None:
    app = Lazy()
    async with app.run_test(size=(80, 30)) as pilot:
        lazy = app.query_one("#lazy", FixedTable)
        lazy.add_keyed_rows([("K0", lambda: ("a", "b")), ("K1", lambda: ("a", "b", "c", "d"))])
        with pytest.raises(ValueError, match="More values"):
            lazy.get_row("K1")
        lazy.remove_row("K1")  # the table is left usable
        await pilot.pause()
        assert lazy.row_count == 1 and lazy.get_row("K0") == ["a", "b", None]


class Two(App):
    """Two FixedTables of columns x and y (3 cells each), and the highlights they post."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__()
        self.ids = first, second
        self.highlights: list[tuple[str | None, int]] = []

    def compose(self) -> ComposeResult:
        for name in self.ids:
            yield FixedTable(id=name, cursor_type="row")

    def on_mount(self) -> None:
        for table in self.query(FixedTable):
            table.add_column("x", key="x", width=3)
            table.add_column("y", key="y", width=3)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.highlights.append((event.data_table.id, event.cursor_row))


async def test_rows_added_at_once_are_the_rows_added_one_by_one() -> None:
    rows = [("k1", ("a", "b")), ("k2", ("c",)), ("k3", ("e", "f"))]
    app = Two("one", "all")
    async with app.run_test(size=(40, 12)) as pilot:
        one, every = app.query_one("#one", FixedTable), app.query_one("#all", FixedTable)
        for key, cells in rows:
            one.add_row(*cells, key=key)
        every.add_keyed_rows(rows)
        await pilot.pause()
        for table in (one, every):
            assert [str(k.value) for k in table.rows] == ["k1", "k2", "k3"]
            assert table.get_row("k2") == ["c", None]
            assert table.cursor_coordinate == (0, 0)
            assert table.virtual_size == one.virtual_size
        assert sorted(app.highlights) == [("all", 0), ("one", 0)]
        with pytest.raises(Exception, match="already exists"):
            every.add_keyed_rows([("k1", ("x",))])
        assert every.row_count == 3


async def test_rows_replaced_are_the_rows_a_refill_gives() -> None:
    app = Two("refill", "replace")
    async with app.run_test(size=(40, 12)) as pilot:
        refill, replace = app.query_one("#refill", FixedTable), app.query_one("#replace", FixedTable)
        replace.add_keyed_rows([("k1", ("a", "b")), ("k2", ("c", "d")), ("k3", ("e", "f"))])
        await pilot.pause()
        replace.move_cursor(row=2)
        # k2 goes, k3 keeps its cells, k1 gets new ones, k4 is new
        replace.replace_keyed_rows(["k3", "k1", "k4"], [("k1", ("A",)), ("k4", ("g", "h"))])
        refill.add_keyed_rows([("k3", ("e", "f")), ("k1", ("A",)), ("k4", ("g", "h"))])
        await pilot.pause()
        for table in (refill, replace):
            assert [str(row.key.value) for row in table.ordered_rows] == ["k3", "k1", "k4"]
            assert [table.get_row_at(i) for i in range(3)] == [["e", "f"], ["A", None],
                                                               ["g", "h"]]
        assert replace.virtual_size == refill.virtual_size
        assert replace.cursor_row == 2
        with pytest.raises(ValueError):
            replace.replace_keyed_rows(["k3", "k5"], [])  # a new row without its cells
        assert replace.get_row_at(1) == ["A", None]
