"""The attendance screen (F3): quick entry by keys, corrections, month view, a snapshot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from textual.widgets import DataTable, Input

from floorapp.app import FloorApp
from screens.help import HelpScreen
from tests.palette import run_from_palette

TODAY = dt.date(2026, 11, 20)  # the fixtures' NOW: Friday 15:00, D period 2 running


@pytest.fixture
def morning(staffed):
    """A002 and A001 worked the morning; the store clock is pinned for stable audit stamps."""
    staffed.store.clock = lambda: "2026-11-20T06:30:00+00:00"
    att = staffed.attendance
    for staff_id in ("A001", "A002"):
        att.record_in(staff_id, TODAY, dt.time(7, 55))
        att.record_out(staff_id, TODAY, dt.time(12, 1))
    att.record_in("A001", TODAY, dt.time(14, 25))
    return staffed


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])


def status_of(app, staff_id: str) -> str:
    """The row's status in full (the cell shows the parts that fit, the line below all)."""
    assert staff_id in app.screen.query_one("#att-today", DataTable).rows
    return app.screen.status_text[staff_id]


async def test_late_arrival_in_a_few_keys(morning):
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        assert isinstance(app.focused, Input)
        await type_text(pilot, "a002 1442")
        await pilot.pause()
        assert "late 12 min" in str(app.screen.query_one("#att-hint").render())
        await pilot.press("enter")
        await pilot.pause()
        record = morning.store.get("day/2026-11-20", "punches", "A002/2")
        assert (record["in"], record["out"], record["_by"]) == ("14:42", "", "tester")
        assert status_of(app, "A002") == "late 12 min"
        assert isinstance(app.focused, DataTable)


async def test_arrival_now_by_default_and_by_name(morning):
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await type_text(pilot, "li")  # part of the name "Li Wei" and nobody else's id
        await pilot.press("enter")
        await pilot.pause()
        # 15:00 is 30 min after 14:30 with no reason: absenteeism (旷工)
        assert morning.store.get("day/2026-11-20", "punches", "A002/2")["in"] == "15:00"
        assert status_of(app, "A002") == "absent: late 30 min p2"
        await pilot.press("r")  # the cursor followed A002: the reason is for them unless named
        assert app.screen.query_one("#att-entry", Input).value == ""
        assert "A002 Li Wei (the highlighted row)" in str(app.screen.query_one("#att-hint")
                                                           .render())
        await type_text(pilot, "metro delay")
        await pilot.press("enter")
        await pilot.pause()
        assert morning.store.get("day/2026-11-20", "punches", "A002/2")["reason"] == \
            "metro delay"
        assert status_of(app, "A002") == "late 30 min"


async def test_bad_entry_stores_nothing(morning):
    app = FloorApp(morning, backup=False)
    before = morning.store.records("day/2026-11-20", "punches")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        messages = []
        for text in ("zzz", "a003 25:00", "out a001 14:00 p2", "a001 p3", "l"):
            await pilot.press("a")
            app.screen.query_one("#att-entry", Input).value = text  # typed; keys are slow here
            await pilot.press("enter")
            await pilot.pause()
            messages.append(str(app.screen.query_one("#att-hint").render()))
            assert app._notifications  # a toast too (they expire, so only the latest is kept)
        assert messages == [
            "Not saved: no staff member matches 'zzz'",
            "Not saved: 25:00 is not a time of day (00:00–23:59)",
            "Not saved: A001 p2: out 14:00 is before in 14:25",
            "Not saved: A001 has no period 3 on 2026-11-20 (shift has 2)",
            "Not saved: 'l' matches L001 赵敏, A002 Li Wei: type more or ↑/↓ to pick",
        ]
    assert morning.store.records("day/2026-11-20", "punches") == before


async def test_correction_is_a_new_version_with_who(morning):
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await type_text(pilot, "a001 1431")
        await pilot.press("enter")
        await pilot.pause()
        history = morning.store.history("day/2026-11-20", "punches", "A001/2")
        assert [h["in"] for h in history] == ["14:25", "14:31"]
        # said on the entry's own line, not in a toast over the grid (issue 26 item 4)
        assert "was 14:25" in str(app.screen.query_one("#att-hint").render())
        assert not app._notifications
        table = app.screen.query_one("#att-today", DataTable)
        assert str(table.get_cell("A001", "shift")) == "D✎"
        table.move_cursor(row=table.get_row_index("A001"))
        await pilot.pause()
        detail = str(app.screen.query_one("#att-detail").render())
        assert "p2 in 14:31 out --:-- · v2 tester 11-20 14:30" in detail


async def test_leave_and_in_now_on_the_row(morning):
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#att-today", DataTable)
        table.move_cursor(row=table.get_row_index("A003"))
        await pilot.press("l")
        assert app.screen.query_one("#att-entry", Input).value == ""
        await type_text(pilot, "s 0.5")
        await pilot.press("enter")
        await pilot.pause()
        leave = morning.store.get("day/2026-11-20", "leave", "A003")
        assert (leave["type"], leave["days"]) == ("sick", "0.5")
        table.move_cursor(row=table.get_row_index("A003"))
        await pilot.press("i")
        await pilot.pause()
        assert morning.store.get("day/2026-11-20", "punches", "A003/2")["in"] == "15:00"
        # the half day covers the unpunched morning; the afternoon is 30 min late
        assert status_of(app, "A003") == "absent: late 30 min p2, sick leave 0.5 day"


async def test_month_view_shows_deductions_and_why(morning):
    morning.attendance.record_leave("A002", dt.date(2026, 11, 19), "personal", Decimal(1))
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        month = app.screen.query_one("#att-month", DataTable)
        assert month.display
        assert str(month.get_cell("A002", "personal")) == "1"
        month.move_cursor(row=month.get_row_index("A002"))
        await pilot.pause()
        detail = str(app.screen.query_one("#att-detail").render())
        assert "11-19 personal leave 1 day" in detail
        await pilot.press("m")
        assert app.screen.query_one("#att-today", DataTable).display
        assert not month.display
        # every action by name: the command palette
        await run_from_palette(pilot, "att month")
        assert month.display


def test_attendance_snapshot(snap_compare, morning):
    morning.attendance.record_reason("A001", TODAY, "bus")
    app = FloorApp(morning, backup=False)

    async def before(pilot):
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)



async def test_typing_an_id_on_a_highlighted_row_is_for_that_id(morning):
    """Issue #16: `l` on A003's row then `a002 sick 0.5` was `A003 a002 sick 0.5`."""
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#att-today", DataTable)
        table.move_cursor(row=table.get_row_index("A003"))
        await pilot.press("l", *"a002 sick 0.5")
        assert "→ A002 Li Wei: sick leave 0.5 day" in str(app.screen.query_one("#att-hint")
                                                           .render())
        await pilot.press("enter")
        await pilot.pause()
        # A002 is already in (07:55): asked first, nothing saved until yes (issue #24)
        from screens.roster_forms import Confirm

        assert isinstance(app.screen, Confirm)
        assert "A002 is already at work" in app.screen.question
        assert morning.store.get("day/2026-11-20", "leave", "A002") is None
        await pilot.press("y")
        await pilot.pause()
        assert morning.store.get("day/2026-11-20", "leave", "A002")["type"] == "sick"
        assert morning.store.get("day/2026-11-20", "leave", "A003") is None


async def test_a_wrong_punch_is_removed_from_the_entry_line(morning):
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("a", *"a001 cancel")
        assert "remove in 14:25 (p2)" in str(app.screen.query_one("#att-hint").render())
        await pilot.press("enter")
        await pilot.pause()
        assert morning.store.get("day/2026-11-20", "punches", "A001/2") is None
        assert morning.store.history("day/2026-11-20", "punches", "A001/2")[-1]["_retired"]


async def test_end_keeps_the_id_column_and_the_footer_shows_the_day_keys(morning):
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(60, 24)) as pilot:  # narrower than the grid
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        table = app.screen.query_one("#att-today", DataTable)
        assert table.scroll_x > 0 and table.fixed_columns == 1
        assert "A001" in app.export_screenshot()
        shown = [k for k, a in app.screen.active_bindings.items() if a.binding.show]
        for key in ("a", "d", "r", "l", "i", "o"):  # the main keys in the footer …
            assert key in shown, key
        # … the day keys in the help (the footer has room for the main ones only at 80 columns)
        rows = HelpScreen.key_rows(app.screen)
        assert {"[", "]", "t", "m"} <= {key for key, _text in rows}


async def test_a_long_status_ends_with_an_ellipsis_and_leave_shows_as_on_the_roster(morning):
    """Issue #16 sweep: "absent: no punch p1, not in, la" was cut mid-word at the screen's
    edge, and a day of leave on the roster showed its code cut to "sic" in the shift column."""
    morning.roster.generate(2026, 11, seats=2)
    morning.roster.set_cell("A002", TODAY, "sick", confirmed=True)
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#att-today", DataTable)
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.scrollable_content_region.width  # nothing past the edge
        cell = table.get_cell("A003", "status")
        assert cell.overflow == "ellipsis" and cell.no_wrap
        # whole parts, the rest counted (issue 26): never "late" cut off at the edge
        assert str(cell) == "absent: no punch p1 +1"
        assert str(table.get_cell("A002", "shift")) == "病"


@pytest.mark.parametrize("width, lines", [(80, 1), (45, 1), (44, 2)],
                         ids=["fits-one-line", "just-fits", "one-cell-short"])
async def test_the_count_line_breaks_before_the_counts_never_inside_one(staffed, width,
                                                                        lines):
    """A 300-seat floor's line wrapped as `… absent` / `5 · leave 2`: the counts go whole onto
    the second line when the line does not fit."""
    from textual.widgets import Static

    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#att-title", Static).render()).splitlines()
        assert len(shown) == lines
        assert shown[0].startswith("2026-11-20 Fri (today)")
        assert shown[-1].rstrip().endswith("absent 8")  # the count with its figure
        if lines == 2:  # "… 8 on shift: absent 8" is 43 cells, 42 fit inside the padding
            assert shown[0].rstrip().endswith("on shift:")
