"""Typed ahead is typed: keys arriving in one burst land where they were meant (issue #16).

Pilot waits for the app to go idle after every key; over a laggy SSH link keys arrive together.
The ``burst`` fixture makes one ``pilot.press(...)`` deliver its keys back to back, as the
terminal does, so a key that lands before the screen is ready for it is caught here.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import textual.app

from floorapp.app import FloorApp
from floorapp.services import Floor

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def burst():
    """Within ``with burst():`` pilot.press sends its keys without waiting in between."""

    async def no_wait(*args: object, **kwargs: object) -> None:
        await asyncio.sleep(0)

    class Burst:
        # a patch of its own: undoing the test's monkeypatch would also undo the suite's
        # environment (FLOOR_NOW, the pay group, HOME) set on it by the conftest
        patch = pytest.MonkeyPatch()

        def __enter__(self) -> None:
            self.patch.setattr(textual.app, "wait_for_idle", no_wait)

        def __exit__(self, *exc: object) -> None:
            self.patch.undo()

    return Burst


async def settle(pilot) -> None:
    """Wait until every typed-ahead key has been handed out and handled."""
    app = pilot.app
    for _ in range(100):
        if not app._typed_ahead and not app._key_in_flight:
            break
        await pilot.pause(0.05)
    assert not app._typed_ahead, "keys still held"
    await pilot.pause()


async def test_monitoring_burst_saves_both_evaluations(staffed: Floor, burst) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f2")
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        with burst():
            await pilot.press(*"a001", "enter", *"a1", "enter", *"a002", "enter", *"b1", "enter")
        await settle(pilot)
        saved = staffed.monitoring.evaluations(TODAY)
        assert [(r["staff_id"], r["marks"]) for r in saved] == [("A001", "a1"), ("A002", "b1")]


async def test_handover_form_burst_lands_in_each_field(staffed: Floor, burst) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause(0.1)
        with burst():
            await pilot.press("h", "n", "tab", *"L001", "tab", *"Q001", "tab", *"up", "tab",
                              *"a;b", "enter")
        await settle(pilot)
        (entry,) = staffed.roster.handovers(TODAY)
        assert (entry.from_id, entry.to_id, entry.notes, entry.open_items) == (
            "L001", "Q001", "up", ("a", "b"))


async def test_a_question_typed_ahead_is_answered_by_the_next_key(staffed: Floor,
                                                                   burst) -> None:
    """Issue #24: `l` on someone already at work asks y/n; `l` `y` arriving together over SSH
    answer it (the y never lands in the grid as the rest key's neighbour), and `a` then works
    the grid again."""
    staffed.roster.generate(2026, 11, seats=2)
    with staffed.transaction() as tx:
        tx.put("roster/2026-11", "cells", f"A001/{TODAY}",
               {"staff_id": "A001", "date": TODAY.isoformat(), "code": "D"})
    staffed.attendance.record_in("A001", TODAY, dt.time(7, 55))
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause(0.1)
        screen = app.screen
        grid = screen.query_one("#roster-grid")
        grid.move_cursor(row=[p.id for p in screen._people].index("A001"), column=TODAY.day - 1)
        await pilot.pause()
        with burst():
            await pilot.press("l", "y")
        await settle(pilot)
        assert staffed.leave_on(TODAY)["A001"].type == "personal"
        with burst():
            await pilot.press("d", "n")  # a shift over the leave: asked, and declined
        await settle(pilot)
        assert staffed.leave_on(TODAY)["A001"].type == "personal"


def _attendance_grid(app) -> tuple:  # noqa: ANN001 - FloorApp
    from textual.widgets import DataTable

    table = app.screen.query_one("#att-today", DataTable)
    rows = tuple((str(key.value), tuple(str(c) for c in table.get_row(key)))
                 for key in (row.key for row in table.ordered_rows))
    cursor = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    return app.screen.day, rows, cursor


async def test_attendance_day_keys_in_a_burst_land_on_the_day_meant(staffed: Floor,
                                                                     burst) -> None:
    """`[ [ ] ↓ [` typed at once on Attendance shows what the same keys one by one show: the
    day two before, its rows whole (rows changed in place, issue #30), the cursor on A002."""
    att = staffed.attendance
    for back in (1, 2):
        day = TODAY - dt.timedelta(days=back)
        att.record_in("A001", day, dt.time(8, 10 * back))
        att.record_in("A002", day, dt.time(8, 0))
    keys = ("left_square_bracket", "left_square_bracket", "right_square_bracket", "down",
            "left_square_bracket")
    slow = FloorApp(staffed, backup=False)
    async with slow.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        # refilled whole (another width clears the table and adds every row again): what
        # the day's rows are, whatever the in-place change of rows leaves
        await pilot.resize_terminal(100, 24)
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        expected = _attendance_grid(slow)
    assert expected[0] == TODAY - dt.timedelta(days=2) and expected[2] == "A002"
    fast = FloorApp(staffed, backup=False)
    async with fast.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        with burst():
            await pilot.press(*keys)
        await settle(pilot)
        assert _attendance_grid(fast) == expected
