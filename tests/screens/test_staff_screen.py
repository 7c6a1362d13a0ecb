"""F7: the staff register — add, edit, retire by keyboard; bad input refused."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from floorapp.app import FloorApp
from floorapp.services import Floor
from screens.staff import StaffForm, StaffScreen


async def test_add_a_new_hire_with_a_bad_date_then_fixed(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, StaffScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, StaffForm)
        for text in ("A100", "上官婉儿"):
            await pilot.press(*text, "enter")
        await pilot.press("enter")  # role: agent (prefilled)
        for text in ("T02", "S100", "", "2026-13-01", "1200"):  # "": no login
            await pilot.press(*text, "enter")
        await pilot.press("enter", *"8100", "enter")  # clock id: the staff id; extension 8100
        await pilot.pause()
        assert isinstance(app.screen, StaffForm)  # refused, still open
        assert any("hired 2026-13-01 is not a real date" in n.message
                   for n in app._notifications)
        assert "A100" not in staffed.staff_by_id()
        await pilot.press("up", "up", "up", "ctrl+u", *"2026-11-01", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StaffScreen)
        person = staffed.get_staff("A100")
        assert (person.name, person.team, person.seat, str(person.base_pay)) == (
            "上官婉儿", "T02", "S100", "1200")
        assert (person.clock_id, person.extension) == ("", "8100")
        table = app.screen.query_one("#staff", DataTable)
        assert "A100" in [str(k.value) for k in table.rows]


async def test_filter_edit_and_retire(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("slash", *"娜娜", "enter")
        await pilot.pause()
        table = app.screen.query_one("#staff", DataTable)
        assert [str(k.value) for k in table.rows] == ["A001"]
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StaffForm)
        assert form.query_one("#id", Input).disabled  # the id of an existing person is fixed
        form.query_one("#seat", Input).value = "S050"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert staffed.get_staff("A001").seat == "S050"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter")  # no reason: refused
        await pilot.pause()
        assert "A001" in staffed.staff_by_id()
        await pilot.press(*"left the company", "enter", "enter")  # last day: yesterday
        await pilot.pause()
        assert "A001" not in staffed.staff_by_id()
        assert staffed.store.audit("ref")[-1]["reason"] == "left the company"
        # issue #16: leavers can be listed (l), with the day they left
        await pilot.press("l")
        await pilot.pause()
        assert [str(k.value) for k in table.rows] == ["A001"]
        assert "left 2026-11-20" in " ".join(str(c) for c in table.get_row("A001"))
        assert "with 1 leaver(s)" in str(app.screen.query_one("#counts").render())
        await pilot.press("l")
        await pilot.pause()
        assert table.row_count == 0


async def test_retire_with_the_last_day_worked_typed_late(staffed: Floor) -> None:
    """Issue #24: retiring someone on the 20th who left after the 13th charges nothing for
    the days between; a last day still to come is refused, the person kept."""
    import datetime as dt

    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("slash", *"A002", "enter")
        await pilot.pause()
        await pilot.press("r", *"moved away", "enter", *"2026-11-25", "enter")
        await pilot.pause()
        assert "A002" in staffed.staff_by_id()  # not over yet: refused
        await pilot.press("r", *"moved away", "enter", *"2026-11-13", "enter")
        await pilot.pause()
    assert "A002" not in staffed.staff_by_id()
    leaver = next(s for s in staffed.staff(include_retired=True) if s.id == "A002")
    assert leaver.left == dt.date(2026, 11, 14)
    assert "A002" not in staffed.attendance.day_statuses(dt.date(2026, 11, 16))
    month = {s.id: r for s, r, _d in staffed.attendance.month_results(2026, 11)}
    absent = [d.day for d in {s.id: d for s, _r, d in staffed.attendance.month_results(
        2026, 11)}["A002"] if d.absent]
    assert absent and max(absent) <= dt.date(2026, 11, 13)
    assert month["A002"].absent_days == len(absent)
