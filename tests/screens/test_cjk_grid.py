"""CJK names take two cells: the columns after a name line up in Textual grids too."""

from __future__ import annotations

from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import DataTable

from floorapp import i18n
from floorapp.app import FloorApp
from floorapp.services import Floor


def grid_lines(table: DataTable) -> list[str]:
    width, height = table.size
    return [strip.text for strip in table.render_lines(Region(0, 0, width, height))]


async def test_staff_grid_aligns_chinese_and_latin_names(staffed: Floor) -> None:
    for language in ("en", "zh"):
        i18n.set_language(language)
        app = FloorApp(staffed, backup=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f7")
            await pilot.pause()
            lines = grid_lines(app.screen.query_one("#staff", DataTable))
            rows = [line for line in lines if "欧阳娜娜" in line or "Li Wei" in line]
            assert len(rows) == 2, lines
            # the role column starts at the same terminal cell on both rows
            role = "坐席" if language == "zh" else "agent"  # the role in the screen's language
            starts = {cell_len(line[: line.index(role)]) for line in rows}
            assert len(starts) == 1, rows
    i18n.set_language("en")
