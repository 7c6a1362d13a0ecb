"""The Attendance grid's day change in place (issue #30): the rows of the day before are put in
order and only the people whose day differs get new cells, no clear and refill. The table must
come out as a clear and refill makes it: no stale cell, a person who is not on the register
that day gone, the cursor where a refill leaves it."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.text import Text
from textual.widgets import DataTable

from floorapp.app import FloorApp
from floorapp.services import Floor
from floorapp.rules.staff import Staff
from screens.widgets.tables import FixedTable

TODAY = dt.date(2026, 11, 20)  # NOW: Friday 15:00
YESTERDAY = TODAY - dt.timedelta(days=1)  # Thursday
BEFORE = TODAY - dt.timedelta(days=2)  # Wednesday: agents on D as on Thursday


def full_day(floor: Floor, staff_id: str, day: dt.date, first_in: dt.time) -> None:
    att = floor.attendance
    att.record_in(staff_id, day, first_in)
    att.record_out(staff_id, day, dt.time(12, 0))
    att.record_in(staff_id, day, dt.time(14, 30))
    att.record_out(staff_id, day, dt.time(17, 30))


@pytest.fixture
def two_days(staffed: Floor) -> Floor:
    """Thursday and Wednesday alike but for A001: late 12 min on Thursday, on time on
    Wednesday; A002 on time both days."""
    for day in (YESTERDAY, BEFORE):
        full_day(staffed, "A002", day, dt.time(8, 0))
    full_day(staffed, "A001", YESTERDAY, dt.time(8, 12))
    full_day(staffed, "A001", BEFORE, dt.time(8, 0))
    return staffed


def grid(app: FloorApp) -> list[tuple[str, list]]:
    """The day's table as shown: its rows in order, each cell's text (and a status's style)."""
    table = app.screen.query_one("#att-today", DataTable)
    return [(str(row.key.value),
             [(cell.plain, str(cell.style)) if isinstance(cell, Text) else cell
              for cell in table.get_row(row.key)]) for row in table.ordered_rows]


def refilled(app: FloorApp) -> tuple[list, int, str]:
    """The table, cursor row and line under it as a clear and refill of the same day gives."""
    screen = app.screen
    screen._shown = None  # nothing shown to update: the table is cleared and filled
    screen.refresh_today()
    table = screen.query_one("#att-today", DataTable)
    return grid(app), table.cursor_row, str(screen.query_one("#att-detail").render())


def replaced(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The keys of the rows each in-place day change gave new cells."""
    calls: list[list[str]] = []
    replace = FixedTable.replace_keyed_rows

    def spy(self: FixedTable, order, rows) -> None:  # noqa: ANN001
        calls.append([key for key, _cells in rows])
        replace(self, order, rows)

    monkeypatch.setattr(FixedTable, "replace_keyed_rows", spy)
    return calls


async def test_a_day_where_one_person_differs_updates_only_that_row(
        two_days: Floor, monkeypatch: pytest.MonkeyPatch) -> None:
    app = FloorApp(two_days, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("left_square_bracket")  # Thursday
        await pilot.pause()
        table = app.screen.query_one("#att-today", DataTable)
        assert app.screen.status_text["A001"] == "late 12 min"
        calls = replaced(monkeypatch)
        await pilot.press("left_square_bracket")  # Wednesday: only A001's day differs
        await pilot.pause()
        assert calls == [["A001"]]
        assert app.screen.status_text["A001"] == "on time"
        assert table.get_cell("A001", "p1") == "08:00–12:00"
        assert table.get_cell("A001", "status").plain == "on time"  # not Thursday's late
        shown = (grid(app), table.cursor_row, str(app.screen.query_one("#att-detail").render()))
        assert shown == refilled(app)
        await pilot.press("right_square_bracket")  # Thursday again
        await pilot.pause()
        assert table.get_cell("A001", "p1") == "08:12–12:00"
        assert table.get_cell("A001", "status").plain == "late 12 min"
        assert table.get_cell("A001", "status").style == "yellow"
        assert calls[-1] == ["A001"]
        shown = (grid(app), table.cursor_row, str(app.screen.query_one("#att-detail").render()))
        assert shown == refilled(app)


@pytest.mark.parametrize("width", [80, 100])
async def test_a_day_with_another_register_drops_and_adds_rows(
        two_days: Floor, monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    """Someone hired on Thursday is not on Wednesday's grid: their row goes and comes back,
    and the cursor that was on them is on the first row, as after a clear. At 100 columns
    their long name widens the name column on Thursday only: the rows are refilled."""
    two_days.save_staff(Staff("A009", "Alexandra Newhire", "agent", "T01", YESTERDAY, None,
                              "S009"))
    app = FloorApp(two_days, backup=False)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        await pilot.press("left_square_bracket")  # Thursday
        await pilot.pause()
        table = app.screen.query_one("#att-today", DataTable)
        assert "A009" in app.screen.status_text
        table.move_cursor(row=table.get_row_index("A009"))
        await pilot.pause()
        calls = replaced(monkeypatch)
        await pilot.press("left_square_bracket")  # Wednesday: before A009 was hired
        await pilot.pause()
        assert len(calls) == (1 if width == 80 else 0)  # in place unless the widths change
        assert "A009" not in table.rows and "A009" not in app.screen.status_text
        assert table.row_count == len(app.screen.status_text)
        assert table.cursor_row == 0
        shown = (grid(app), table.cursor_row, str(app.screen.query_one("#att-detail").render()))
        assert shown == refilled(app)
        await pilot.press("right_square_bracket")  # Thursday: A009 back, with their cells
        await pilot.pause()
        assert len(calls) == (2 if width == 80 else 0)
        assert width == 100 or "A009" in calls[-1]
        assert str(table.get_cell("A009", "name")) == "Alexandra Newhire"
        assert table.columns["name"].width == (8 if width == 80 else 17)
        shown = (grid(app), table.cursor_row, str(app.screen.query_one("#att-detail").render()))
        assert shown == refilled(app)
        assert [str(key.value) for key in table.rows] == [key for key, _cells in grid(app)]


def test_a_past_days_punch_history_is_kept_and_never_stale(two_days: Floor) -> None:
    """The line under the grid (every version of the highlighted person's punches) of a past
    day is kept as the grid is; a correction since, another language: read again."""
    from floorapp import i18n
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor
    from tests.conftest import NOW

    def reopened() -> Floor:
        return open_floor(two_days.store.root, clock=fixed_clock(NOW), user="tester")

    first = two_days.attendance.punch_history("A002", YESTERDAY)
    assert first[0].startswith("p2 in 14:30 out 17:30")
    other = reopened()

    def refuse(_staff_id: str, _day: dt.date) -> None:
        raise AssertionError("the history was read again, not kept")

    # a patch of its own: undoing the test's monkeypatch would undo the suite's environment
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(other.attendance, "_work_out_history", refuse)
        assert other.attendance.punch_history("A002", YESTERDAY) == first  # from the memo
        assert other.attendance.punch_history("A002", YESTERDAY) == first  # from memory
    two_days.attendance.record_in("A002", YESTERDAY, dt.time(8, 20))  # a correction
    for floor in (two_days, other, reopened()):
        lines = floor.attendance.punch_history("A002", YESTERDAY)
        assert len(lines) == len(first) + 1
        assert lines[0].startswith("p1 in 08:20 out 12:00")
    i18n.set_language("zh")
    assert two_days.attendance.punch_history("A002", YESTERDAY)[0].startswith(
        "第1段 上班 08:20 下班 12:00")


def test_todays_punch_history_is_read_once_and_follows_every_punch(two_days: Floor) -> None:
    """Today's lines are kept in memory only (the screen's refresh and its highlighted row
    ask for the same ones), under the same rule as a past day's: a punch typed here or by
    another supervisor's process is in the next answer."""
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor
    from tests.conftest import NOW

    att = two_days.attendance
    att.record_in("A002", TODAY, dt.time(8, 0))
    first = att.punch_history("A002", TODAY)
    assert first[0].startswith("p1 in 08:00 out --:--")

    def refuse(_staff_id: str, _day: dt.date) -> None:
        raise AssertionError("today's history was read again, not kept")

    with pytest.MonkeyPatch.context() as patch:  # not the test's: that holds its environment
        patch.setattr(att, "_work_out_history", refuse)
        assert att.punch_history("A002", TODAY) == first
    att.record_out("A002", TODAY, dt.time(12, 0))  # typed here
    assert att.punch_history("A002", TODAY)[0].startswith("p1 in 08:00 out 12:00")
    other = open_floor(two_days.store.root, clock=fixed_clock(NOW), user="other")
    other.attendance.record_in("A002", TODAY, dt.time(14, 30))  # another process's punch
    lines = att.punch_history("A002", TODAY)
    assert len(lines) == 3 and any(line.startswith("p2 in 14:30 out --:--") for line in lines)


async def test_a_big_registers_rows_are_made_as_they_are_drawn(
        two_days: Floor, write_file, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #30: at the start and on a day change, the grid makes the cells of the rows on
    the screen (and the highlighted one), not of the whole register; scrolling makes the rest,
    and what shows is what a refill shows."""
    import screens.attendance as attendance_screen

    staff = ["id,name,role,team,hired,base_pay"] + [
        f"A{n:03d},坐席{n},agent,T01,2025-01-01,1200" for n in range(10, 130)]
    clock = two_days.store.clock
    two_days.store.clock = lambda: "2026-01-01T00:00:00+08:00"
    try:
        two_days.import_staff(write_file("staff.csv", "\n".join(staff) + "\n"))
    finally:
        two_days.store.clock = clock
    made: list[str] = []
    cells = attendance_screen._cells

    def counted(row, status_cells: int, comma: str) -> tuple:  # noqa: ANN001
        made.append(row.staff_id)
        return cells(row, status_cells, comma)

    monkeypatch.setattr(attendance_screen, "_cells", counted)
    app = FloorApp(two_days, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#att-today", DataTable)
        assert table.row_count > 120
        assert 0 < len(made) < 30  # the rows on the screen, of 128
        made.clear()
        await pilot.press("left_square_bracket", "left_square_bracket")  # to Wednesday
        await pilot.pause()
        assert 0 < len(made) < 60
        made.clear()
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        assert 0 < len(made) < 30  # the rows at the bottom, drawn now
        assert table.row_count - 1 - table.scroll_offset.y < 24
        shown = (grid(app), table.cursor_row, str(app.screen.query_one("#att-detail").render()))
        assert shown == refilled(app)  # (reading every row makes every row)
