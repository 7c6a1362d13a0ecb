"""The roster screen (F4) driven by keys at 80x24: edits, coverage, swaps, call-ins, generation,
the handover log; and one snapshot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from textual.widgets import DataTable, Input, Static

from floorapp.app import FloorApp
from floorapp.rules.staff import Staff
from screens.roster import RosterScreen
from screens.roster_forms import RosterForm
from screens.roster_handover import HandoverScreen
from tests.palette import run_from_palette

NOV = (2026, 11)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def rostered(staffed):
    staffed.save_staff(Staff("C003", "林雪", "complaint", "complaint", dt.date(2023, 4, 1),
                             Decimal("2400")))
    staffed.roster.generate(*NOV, seats=2)
    return staffed


async def open_roster(pilot) -> RosterScreen:
    await pilot.press("f4")
    await pilot.pause(0.1)
    screen = pilot.app.screen
    assert isinstance(screen, RosterScreen)
    return screen


def grid(screen) -> DataTable:
    return screen.query_one("#roster-grid", DataTable)


def cover_value(screen, code: str, day: dt.date) -> str:
    return screen.query_one("#roster-cover", DataTable).get_cell(code, day.isoformat()).plain


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def test_grid_opens_on_today_with_meeting_and_study(rostered):
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        table = grid(screen)
        assert table.row_count == len(rostered.staff())
        assert len(table.columns) == 30
        assert table.cursor_coordinate.column == TODAY.day - 1
        info = text_of(screen, "#roster-info")
        assert "2026-11" in info and "meeting 08:30" in info and "study 16:30" in info
        assert "every rule met" in text_of(screen, "#roster-problems")
        await pilot.press("right", "right", "right")  # Mon 23rd: Mon–Tue meet at 08:00
        info = text_of(screen, "#roster-info")
        assert "Mon 23" in info and "meeting 08:00" in info and "study" not in info


async def test_edit_cell_by_key_stores_version_and_updates_coverage(rostered):
    cells = rostered.roster.cells(*NOV)
    day = next(dt.date.fromisoformat(k) for k, c in sorted(cells["A001"].items())
               if c == "D" and k >= "2026-11-20")
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        table = grid(screen)
        table.move_cursor(row=0, column=day.day - 1)  # A001 is the first row
        await pilot.pause()
        before = int(cover_value(screen, "D", day))
        await pilot.press("r")
        await pilot.pause()
        assert rostered.roster.cells(*NOV)["A001"][day.isoformat()] == "R"
        history = rostered.store.history("roster/2026-11", "cells", f"A001/{day}")
        assert [h["code"] for h in history][-2:] == ["D", "R"]
        assert table.get_cell("A001", day.isoformat()).plain == "R"
        assert int(cover_value(screen, "D", day)) == before - 1
        assert "A001 (agent) has 4 rest day(s)" in text_of(screen, "#roster-problems")
        await pilot.press("d")
        await pilot.pause()
        assert int(cover_value(screen, "D", day)) == before
        await pilot.press("l")  # leave cycles through the leave types
        await pilot.press("l")
        await pilot.pause()
        assert rostered.roster.cells(*NOV)["A001"][day.isoformat()] == "sick"
        assert table.get_cell("A001", day.isoformat()).plain == "病"


async def test_coverage_turns_red_when_short(rostered):
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        table = grid(screen)
        for row in range(3):  # all three agents rest on the 20th; 2 are needed
            table.move_cursor(row=row, column=TODAY.day - 1)
            await pilot.press("r")
        await pilot.pause()
        cell = screen.query_one("#roster-cover", DataTable).get_cell("D", TODAY.isoformat())
        assert cell.plain == "0" and "red" in str(cell.style)
        assert "needs 2" in " ".join(rostered.roster.check(*NOV))


async def test_swap_and_call_in_recorded_with_approver(rostered):
    cells = rostered.roster.cells(*NOV)
    rest = next(dt.date.fromisoformat(k) for k, c in sorted(cells["A001"].items())
                if c == "R" and cells["A002"][k] == "D")
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        table = grid(screen)
        table.move_cursor(row=0, column=rest.day - 1)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RosterForm)
        await type_text(pilot, "A002")
        await pilot.press("tab", "tab")
        await type_text(pilot, "M001")
        await pilot.press("tab")
        await type_text(pilot, "x")
        await pilot.press("enter")
        await pilot.pause()
        (swap,) = rostered.roster.swaps(*NOV)
        assert swap["approver"] == "M001" and swap["staff"] == ["A001", "A002"]
        assert rostered.roster.cells(*NOV)["A002"][rest.isoformat()] == "R"
        assert "✗ 2 not met" in text_of(screen, "#roster-problems")

        # A002 now rests that day: call them in again
        table.move_cursor(row=1, column=rest.day - 1)
        await pilot.press("i")
        await pilot.pause()
        assert pilot.app.screen.query_one("#field-code", Input).value == "D"
        await pilot.press("tab")
        await type_text(pilot, "Dir")
        await pilot.press("tab")
        await type_text(pilot, "ill")
        await pilot.press("enter")
        await pilot.pause()
        (callin,) = rostered.roster.callins(*NOV)
        assert callin["approver"] == "Dir" and callin["staff_id"] == "A002"
        assert table.get_cell("A002", rest.isoformat()).plain == "D"


async def test_bad_key_input_leaves_data_as_it_was(rostered):
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24),
                                                         notifications=True) as pilot:
        screen = await open_roster(pilot)
        before = rostered.roster.cells(*NOV)
        await pilot.press("i")  # A001 works on the 20th: no call-in
        await pilot.pause()
        await pilot.press("tab")
        await type_text(pilot, "M001")
        await pilot.press("tab")
        await type_text(pilot, "x")
        await pilot.press("enter")
        await pilot.pause()
        assert rostered.roster.cells(*NOV) == before and rostered.roster.callins(*NOV) == []
        # the form stays open with what was typed and the reason it was refused
        form = pilot.app.screen
        assert isinstance(form, RosterForm)
        assert "is not resting" in str(form.query_one("#form-error", Static).render())
        assert form.query_one("#field-approver", Input).value == "M001"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("right_square_bracket")  # December has no roster yet
        await pilot.pause()
        assert "no roster yet" in text_of(screen, "#roster-info")
        await pilot.press("r")
        await pilot.pause()
        assert rostered.roster.cells(2026, 12) == {}
        assert any("has no roster yet" in n.message for n in pilot.app._notifications)


async def test_generate_from_the_screen_in_a_worker(rostered):
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        await pilot.press("g")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert rostered.roster.has_roster(2026, 12)
        assert grid(screen).get_cell("A001", "2026-12-01").plain in ("D", "R")
        # generating again asks before replacing
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert len(rostered.store.history("roster/2026-12", "cells", "A001/2026-12-01")) == 1
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("y")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert len(rostered.store.history("roster/2026-12", "cells", "A001/2026-12-01")) == 2


async def test_handover_log_from_the_roster_screen(rostered):
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        await open_roster(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HandoverScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("tab")
        await type_text(pilot, "L001")
        await pilot.press("tab")
        await type_text(pilot, "刘洋")  # by name
        await pilot.press("tab")
        await type_text(pilot, "up")
        await pilot.press("tab")
        await type_text(pilot, "a;b")
        await pilot.press("enter")
        await pilot.pause()
        (entry,) = rostered.roster.handovers(TODAY)
        assert (entry.time, entry.from_id, entry.to_id) == ("15:00", "L001", "Q001")
        assert entry.notes == "up" and entry.open_items == ("a", "b")
        table = pilot.app.screen.query_one("#handover-list", DataTable)
        assert table.row_count == 1
        assert "Q001 刘洋" in str(table.get_row_at(0)[2])
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RosterScreen)


def test_roster_snapshot(snap_compare, rostered):
    async def open_it(pilot):
        await pilot.press("f4")
        await pilot.pause(0.2)

    assert snap_compare(FloorApp(rostered, backup=False), terminal_size=(80, 24),
                        run_before=open_it)


async def test_palette_reaches_roster_actions_by_name(rostered):
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        await run_from_palette(pilot, "roster violations")
        assert type(pilot.app.screen).__name__ == "TextPanel"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen


async def test_three_digit_coverage_counts_do_not_run_together(staffed):
    """On 300 seats the coverage row ran three-digit counts together (`2702702702…`)."""
    for n in range(4, 121):
        staffed.save_staff(Staff(f"A{n:03d}", f"坐席{n}", "agent", "T02", dt.date(2025, 1, 1),
                                 Decimal("1200")))
    staffed.roster.generate(*NOV, seats=100)
    async with FloorApp(staffed, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        cover = screen.query_one("#roster-cover", DataTable)
        widths = {c.width for c in cover.columns.values()}
        assert widths == {4} and {c.width for c in grid(screen).columns.values()} == {4}
        value = cover_value(screen, "D", TODAY)
        assert int(value) >= 100
        assert len(value) < 4  # a blank cell is left between neighbours


async def test_leave_is_said_in_words_and_the_rule_line_ends_with_an_ellipsis(rostered):
    """Issue #16 sweep: the swap title and the toast said "(personal)" / "→ sick" (codes), and
    the first rule not met was cut mid-word at 80 columns."""
    app = FloorApp(rostered, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_roster(pilot)
        await pilot.press("l")
        await pilot.pause()
        assert any("→ personal leave" in n.message for n in app._notifications), [
            n.message for n in app._notifications]
        await pilot.press("s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RosterForm)
        assert form.form_title.endswith("(personal leave)"), form.form_title
        await pilot.press("escape")
        await pilot.pause()
        problems = screen.query_one("#roster-problems", Static)
        assert problems.styles.text_overflow == "ellipsis" and problems.styles.text_wrap == \
            "nowrap"


async def test_the_handover_form_shows_its_keys_line_at_80x24(rostered):
    """Issue #16 sweep: five fields pushed "Enter saves · Tab next field · Esc cancels" out of
    the form at 24 rows."""
    app = FloorApp(rostered, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_roster(pilot)
        await pilot.press("h", "n")
        await pilot.pause()
        form = app.screen.query_one("#roster-form")
        keys = app.screen.query_one(".form-keys", Static)
        assert keys.region.height == 1 and form.region.contains_region(keys.region)
        assert "Enter&#160;saves" in app.export_screenshot()  # drawn, not scrolled away




async def test_the_coverage_rows_width_is_asked_for_once(staffed) -> None:
    """When the layout did not give the coverage rows the grid's width, the roster asked again
    after every refresh, for good: the event loop spun at full CPU (a suite run hung under
    load). Here the layout cannot give it (a maximum width): one look after the refresh."""
    from floorapp.app import FloorApp

    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        roster = app.screen
        roster.query_one("#roster-cover").styles.max_width = 10
        await pilot.pause()
        asked = []
        call_after_refresh = roster.call_after_refresh

        def counted(callback, *args):  # noqa: ANN001, ANN002
            asked.append(args)
            if len(asked) > 5:  # a loop: stop it here so the test fails instead of hanging
                return True
            return call_after_refresh(callback, *args)

        roster.call_after_refresh = counted
        roster._cover_width = None
        roster._sync_cover(0.0)
        for _ in range(5):
            await pilot.pause()
        assert len(asked) == 1  # one look after the refresh, then no more
        await pilot.press("right", "right")  # the roster still answers
        await pilot.pause()


async def test_leave_on_someone_at_work_asks_and_a_burst_answers(rostered):
    """Issue #24: `l` on a cell of someone already in today asks first (y/n); typed in one
    burst with the answer, the y lands on the question; n changes nothing."""
    with rostered.transaction() as tx:
        tx.put("roster/2026-11", "cells", f"A001/{TODAY}",
               {"staff_id": "A001", "date": TODAY.isoformat(), "code": "D"})
    rostered.attendance.record_in("A001", TODAY, dt.time(7, 55))
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        table = grid(screen)
        table.move_cursor(row=[p.id for p in screen._people].index("A001"),
                          column=TODAY.day - 1)
        await pilot.press("l", "n")
        await pilot.pause()
        assert "A001" not in rostered.leave_on(TODAY)
        await pilot.press("l", "y")
        await pilot.pause()
        assert rostered.leave_on(TODAY)["A001"].type == "personal"
        assert screen._cells["A001"][TODAY.isoformat()] == "personal"
        await pilot.press("d", "y")  # a shift over the leave cancels it, asked again
        await pilot.pause()
        assert "A001" not in rostered.leave_on(TODAY)
        assert rostered.roster_cells(*NOV)["A001"][TODAY.isoformat()] == "D"


async def test_a_swap_form_for_someone_at_work_asks_once_closed(rostered):
    """Issue #24: the swap form saves as typed; when it touches someone already in, the y/n
    question comes after the form, and n leaves both days as they were."""
    with rostered.transaction() as tx:
        for sid, code in (("A001", "D"), ("A002", "R")):
            tx.put("roster/2026-11", "cells", f"{sid}/{TODAY}",
                   {"staff_id": sid, "date": TODAY.isoformat(), "code": code})
    rostered.attendance.record_in("A001", TODAY, dt.time(7, 55))
    async with FloorApp(rostered, backup=False).run_test(size=(80, 24)) as pilot:
        screen = await open_roster(pilot)
        grid(screen).move_cursor(row=[p.id for p in screen._people].index("A001"),
                                 column=TODAY.day - 1)
        for answer, expected in (("n", "D"), ("y", "R")):
            await pilot.press("s", *"A002", "tab", "tab", *"M001", "tab", *"ill", "enter")
            await pilot.pause()
            from screens.roster_forms import Confirm

            assert isinstance(pilot.app.screen, Confirm)
            await pilot.press(answer)
            await pilot.pause()
            assert rostered.roster_cells(*NOV)["A001"][TODAY.isoformat()] == expected
