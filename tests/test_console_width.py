"""Issue 26 round 3, the width: nothing meaningful cut at 80×24 (in English and Chinese), and
the wide columns (names, statuses, notes, reasons) grow into a wider terminal while the
80-column layout stays as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import DataTable

from floorapp import i18n
from floorapp.app import FloorApp
from floorapp.services import Floor

TODAY = dt.date(2026, 11, 20)


def row_line(table: DataTable, needle: str) -> str:
    """The line of ``table`` as the terminal shows it that holds ``needle`` (a row's id)."""
    width, height = table.size
    lines = [strip.text for strip in table.render_lines(Region(0, 0, width, height))]
    found = [line for line in lines if needle in line]
    assert found, lines
    return found[0]


# ------------------------------------------------------------------ attendance
@pytest.mark.parametrize(("language", "shown", "whole"), [
    ("en", "not in, late 30 min +1", "not in, late 30 min, no out punch p1"),
    ("zh", "未到岗，已迟到30分钟 +1", "未到岗，已迟到30分钟，第1段缺下班卡")])
async def test_a_long_attendance_status_shows_whole_parts_at_80(
        staffed: Floor, language: str, shown: str, whole: str) -> None:
    """"not in, late 30 min, no…" ended mid-part: the parts that fit are whole, the rest
    counted, and the line under the grid says it all."""
    staffed.attendance.record_in("A003", TODAY, dt.time(8, 0))  # p1 in, no out; p2 not in
    i18n.set_language(language)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.1)
        table = app.screen.query_one("#att-today", DataTable)
        line = row_line(table, "A003")
        assert line.rstrip().endswith(shown) and "…" not in line, line
        table.move_cursor(row=table.get_row_index("A003"))
        await pilot.pause()
        assert whole in str(app.screen.query_one("#att-detail").render())
