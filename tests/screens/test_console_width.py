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


# ------------------------------------------------------------------ quota
@pytest.fixture
def big_floor(staffed: Floor, write_file) -> Floor:
    """A demo-like floor of 300 agents, all in on time, all but A002 with a day's calls so far:
    totals of 5 digits (dial 19,136), the pace fine (advice ok)."""
    staff = ["id,name,role,team,hired,base_pay"] + [
        f"A{n:03d},坐席{n},agent,T{n // 25:02d},2025-01-01,1200" for n in range(4, 301)]
    clock = staffed.store.clock
    staffed.store.clock = lambda: "2026-01-01T00:00:00+08:00"  # on the register since January
    try:
        staffed.import_staff(write_file("staff.csv", "\n".join(staff) + "\n"))
    finally:
        staffed.store.clock = clock
    ids = [f"A{n:03d}" for n in range(1, 301)]
    punches = ["staff_id,date,period,in,out,reason"] + [
        line for a in ids for line in (f"{a},{TODAY},1,07:55,12:00,", f"{a},{TODAY},2,14:25,,")]
    staffed.attendance.import_attendance(write_file("att.csv", "\n".join(punches) + "\n"))
    calls = ["staff_id,date,dialed,connected,completed,orders"] + [
        f"{a},{TODAY},64,56,52,12" for a in ids if a != "A002"]  # A002 behind: no calls
    staffed.quota.import_calls(write_file("calls.csv", "\n".join(calls) + "\n"))
    return staffed


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_quota_totals_of_a_300_seat_floor_are_whole_at_80(big_floor: Floor,
                                                                language: str) -> None:
    """"… · done 10469 · ord…": the totals line of a big floor ended in "…" at 80 columns."""
    from textual.widgets import Static

    i18n.set_language(language)
    app = FloorApp(big_floor, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.1)
        totals = app.screen.query_one("#totals", Static)
        lines = str(totals.render()).splitlines()
        assert "300" in lines[0] and "19136" in lines[0] and "15548" in lines[0], lines
        assert "3588" in lines[0]  # the orders, the last figure, whole
        assert all("…" not in line and cell_len(line) <= totals.content_region.width
                   for line in lines), lines
        # the average per seat where there is room: in its place, else on the second line
        assert ("（人均63.8）" in lines[0] or "人均外呼 63.8" in lines[1]) if language == "zh" \
            else "63.8 dial/seat" in lines[1], lines
    app = FloorApp(big_floor, backup=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.1)
        first = str(app.screen.query_one("#totals", Static).render()).splitlines()[0]
        assert ("（人均63.8）" if language == "zh" else "(63.8/seat)") in first  # room: as before


@pytest.mark.parametrize(("language", "note"), [("en", "behind !150m"),
                                                ("zh", "落后 故障150分")])
async def test_a_quota_note_is_whole_at_80(big_floor: Floor, language: str, note: str) -> None:
    """"behind outage 150" lost its m at 80 columns (300 seats: the seats scroll, the
    scrollbar takes two cells): the note is words when they fit, else signs whose meaning the
    line under the seats gives; at 120 columns words."""
    from textual.widgets import Static

    from tests.services.test_emergency_service import _outage

    _outage(big_floor, "08:30", "11:00", seats="A002")
    i18n.set_language(language)
    for size, shown in (((80, 24), note), ((120, 40), None)):
        app = FloorApp(big_floor, backup=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("f5")
            await pilot.pause(0.1)
            line = row_line(app.screen.query_one("#seats", DataTable), "A002")
            if shown is None:  # the width is there: words
                shown = "落后 故障150分" if language == "zh" else "behind outage 150m"
            assert line.rstrip().endswith(shown), (size, line)
            hint = str(app.screen.query_one("#quota-hint", Static).render())
            assert ("!N" in hint) is (shown == "behind !150m"), hint


# ------------------------------------------------------------------ monitoring
def table_text(table: DataTable) -> str:
    """Every line of ``table`` as shown, its words in one line (wrapped rows joined)."""
    width, height = table.size
    return " ".join(" ".join(strip.text.split())
                    for strip in table.render_lines(Region(0, 0, width, height)))


@pytest.mark.parametrize(("language", "item"), [("en", "⊕ answer recorded not as given"),
                                                ("zh", "⊕记录的问卷答案与客户所答不符")])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80", "120"])
async def test_the_codes_pane_shows_each_item_whole(
        staffed: Floor, language: str, item: str, size: tuple[int, int]) -> None:
    """"⊕ pitched without as" (outbound-100 v2's a3): an item's words wrap in the pane at 80
    columns (whole on one line at 120); v3's first item, as long, checks it now."""
    from tests.screens.test_monitoring_screen import open_monitoring

    i18n.set_language(language)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=size) as pilot:
        await open_monitoring(pilot)
        await pilot.press("ctrl+l")  # plan → the card's codes
        await pilot.pause()
        codes = app.screen.query_one("#qa-codes", DataTable)
        shown = table_text(codes)
        assert item in (shown.replace(" ", "") if language == "zh" else shown), shown
        if size == (120, 40):  # room for it on its own line
            assert item in row_line(codes, " a1 ")


@pytest.mark.parametrize(("size", "title"), [
    ((80, 24), "Codes outbound-100 /x = each time"),
    ((120, 40), "Codes outbound-100 −points, /x per occurrence")], ids=["80", "120"])
async def test_the_codes_title_is_whole(staffed: Floor, size: tuple[int, int],
                                        title: str) -> None:
    """"Codes outbound-100 −points, /x per" at 80 columns: the short words where the pane is
    narrow, the long ones where it is wide."""
    from textual.widgets import Static

    from tests.screens.test_monitoring_screen import open_monitoring

    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=size) as pilot:
        await open_monitoring(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        line = app.screen.query_one("#qa-plan-title", Static)
        shown = [strip.text for strip in line.render_lines(Region(0, 0, line.size.width, 1))]
        assert shown[0].rstrip() == title, shown


@pytest.fixture
def overdue(staffed: Floor, write_file) -> Floor:
    """120 evaluations from Monday, none fed back: 3-digit overdue feedback on Friday."""
    rows = ["date,time,monitor_id,staff_id,mode,template,marks"] + [
        f"2026-11-16,{9 + n // 60:02d}:{n % 60:02d},Q001,A00{1 + n % 3},live,outbound-100,a1"
        for n in range(120)]
    staffed.monitoring.import_evaluations(write_file("qa.csv", "\n".join(rows) + "\n"))
    return staffed


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_overdue_feedback_never_ends_in_a_cut_command(overdue: Floor,
                                                            language: str) -> None:
    """"feedback overdue: 106 (floor qa" at 80 columns: the count alone when the command
    does not fit whole, the command too when it does (120 columns)."""
    from textual.widgets import Static

    from tests.screens.test_monitoring_screen import open_monitoring

    i18n.set_language(language)
    for size in ((80, 24), (120, 40)):
        app = FloorApp(overdue, backup=False)
        async with app.run_test(size=size) as pilot:
            await open_monitoring(pilot)
            status = app.screen.query_one("#qa-shortfall", Static)
            lines = [strip.text.rstrip() for strip in status.render_lines(
                Region(0, 0, status.size.width, status.size.height))]
            said = [line for line in lines if "120" in line]
            assert said, lines  # the overdue line is on the screen
            line = said[0]
            assert line.endswith(("(floor qa list)", "（floor qa list）")) or "floor" not in line
            assert ("floor qa list" in line) is (size == (120, 40) or language == "zh"), line


# ------------------------------------------------------------------ the width used at 120
LONG_NAME = "Maximilian Schmidt"  # 18 cells: more than the 8 of a name column at 80


@pytest.fixture
def long_named(staffed: Floor) -> Floor:
    """The test floor and an agent whose name is longer than the 80-column name cells."""
    import dataclasses

    clock = staffed.store.clock
    staffed.store.clock = lambda: "2026-01-01T00:00:00+08:00"
    try:
        staffed.save_staff(dataclasses.replace(staffed.get_staff("A002"), id="A004",
                                               name=LONG_NAME, seat="S004"))
    finally:
        staffed.store.clock = clock
    staffed.attendance.record_in("A003", TODAY, dt.time(8, 0))  # a status of two parts
    return staffed


async def test_attendance_name_and_status_grow_at_120(long_named: Floor) -> None:
    whole = "not in, late 30 min, no out punch p1"
    for size, grown in (((80, 24), False), ((120, 40), True)):
        app = FloorApp(long_named, backup=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("f3")
            await pilot.pause(0.1)
            table = app.screen.query_one("#att-today", DataTable)
            assert (LONG_NAME in row_line(table, "A004")) is grown, size
            assert (whole in row_line(table, "A003")) is grown, size
            assert "Maximili" in row_line(table, "A004")  # at 80 its first 8 cells, as before


async def test_quota_name_and_note_grow_at_120(long_named: Floor) -> None:
    from tests.services.test_emergency_service import _outage
    from tests.cli.test_quota_cli import all_in_on_time

    all_in_on_time(long_named)
    _outage(long_named, "08:30", "11:00", seats="A002")
    for size, grown in (((80, 24), False), ((120, 40), True)):
        app = FloorApp(long_named, backup=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("f5")
            await pilot.pause(0.1)
            table = app.screen.query_one("#seats", DataTable)
            assert (LONG_NAME in row_line(table, "A004")) is grown, size
            assert ("behind outage 150m" in row_line(table, "A002")) is grown, size


async def test_summary_name_grows_at_120_and_the_attendance_keeps_the_rest(
        wide_day: Floor) -> None:
    """"Maximilia" at 120 columns with 45 blank beside it: the name takes what it needs of
    the columns past 80 (at most half), the attendance column the rest; at 80 as before."""
    for size, whole in (((80, 24), False), ((120, 40), True)):
        app = FloorApp(wide_day, backup=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("f6")
            await pilot.pause(0.1)
            table = app.screen.query_one("#agents", DataTable)
            line = row_line(table, "A004")
            assert (LONG_NAME in line) is whole, (size, line)
            if whole:
                assert "no out punch p1" in line, line  # the attendance keeps its room
            else:
                assert "Maximili" in line

    # a resize refits both columns without leaving the screen
    app = FloorApp(wide_day, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.1)
        assert LONG_NAME in row_line(app.screen.query_one("#agents", DataTable), "A004")


async def test_roster_names_grow_at_120(long_named: Floor) -> None:
    from tests.screens.test_roster_screen import open_roster

    long_named.roster.generate(2026, 11, seats=2)
    for size, grown in (((80, 24), False), ((120, 40), True)):
        app = FloorApp(long_named, backup=False)
        async with app.run_test(size=size) as pilot:
            screen = await open_roster(pilot)
            grid = screen.query_one("#roster-grid", DataTable)
            line = row_line(grid, "A004")
            assert (f"A004 {LONG_NAME}" in line) is grown, (size, line)
            # the coverage rows keep lining up with the grid's days
            cover = screen.query_one("#roster-cover", DataTable)
            assert grid._row_label_column_width == cover._row_label_column_width


async def test_emergency_steps_grow_at_120(staffed: Floor) -> None:
    incident = staffed.emergency.start("outage")
    staffed.emergency.tick_text(incident["id"], "describe", "dialer down")
    step = "Describe the fault (outbound or complaint system) → dialer down"
    for size, grown in (((80, 24), False), ((120, 40), True)):
        app = FloorApp(staffed, backup=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("f9")
            await pilot.pause()
            table = app.screen.query_one("#em-steps", DataTable)
            assert (step in row_line(table, "Describe")) is grown, size


# ------------------------------------------------------------------ 120×40 snapshots
@pytest.fixture
def wide_day(long_named: Floor) -> Floor:
    """A day with something in every wide column: a long name, a two-part status, an outage
    note, the month's roster, today's plan and an open outage with a described step."""
    from tests.services.test_emergency_service import _outage
    from tests.cli.test_quota_cli import all_in_on_time

    long_named.roster.generate(2026, 11, seats=2)
    all_in_on_time(long_named)
    long_named.attendance.record_in("A004", TODAY, dt.time(8, 12), period=1)
    _outage(long_named, "08:30", "11:00", seats="A002")
    incident = long_named.emergency.start("outage")
    long_named.emergency.tick_text(incident["id"], "describe", "dialer down")
    long_named.monitoring.ensure_plan(TODAY)
    return long_named


# Monitoring: the cursor on the right pane (no blinking entry cursor), its card's codes shown
@pytest.mark.parametrize("keys", [("f2", "shift+tab", "ctrl+l"), ("f3",), ("f4",), ("f5",),
                                  ("f6",), ("f9",)],
                         ids=["monitoring", "attendance", "roster", "quota", "summary",
                              "emergency"])
def test_each_section_at_120x40(snap_compare, wide_day: Floor, keys: tuple[str, ...]) -> None:
    async def open_it(pilot) -> None:  # noqa: ANN001
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)
        await pilot.app.workers.wait_for_complete()
        pilot.app.clear_notifications()  # "open incident(s)" at start: not over the grid
        await pilot.pause()

    assert snap_compare(FloorApp(wide_day, backup=False), terminal_size=(120, 40),
                        run_before=open_it)


async def test_the_month_views_pay_key_is_not_split_over_two_lines(staffed: Floor) -> None:
    """"… (P marks it published) · p:" / "pay sheet" at 80 columns in the month view."""
    from textual.widgets import Static

    from floorapp.clock import fixed_clock

    staffed._clock = fixed_clock("2026-12-07T10:30")  # November's pay still to publish
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.1)
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        hint = app.screen.query_one("#att-hint", Static)
        lines = [strip.text.rstrip() for strip in hint.render_lines(
            Region(0, 0, hint.size.width, hint.size.height))]
        assert "to publish by the 10th" in lines[0], lines
        assert any(line.endswith("p: pay sheet") for line in lines), lines


async def test_a_summary_attendance_cell_is_never_an_ellipsis_alone(staffed: Floor) -> None:
    """At 18:00 in Chinese the Summary's attendance column showed "…" alone for "第2段缺下班卡"
    (no out punch p2): as much of it as fits."""
    from floorapp.clock import fixed_clock
    from tests.cli.test_quota_cli import all_in_on_time

    all_in_on_time(staffed)  # p2 in at 14:25, no out punch
    staffed._clock = fixed_clock("2026-11-20T18:00")
    i18n.set_language("zh")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        shown = str(app.screen.query_one("#agents", DataTable).get_cell("A001", "att"))
        assert shown.startswith("第2段缺") and shown.endswith("…"), shown


async def test_the_month_view_and_pay_sheet_names_grow_at_120(long_named: Floor) -> None:
    for size, grown in (((80, 24), False), ((120, 40), True)):
        app = FloorApp(long_named, backup=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("f3")
            await pilot.pause(0.1)
            await pilot.press("m")
            await app.workers.wait_for_complete()
            await pilot.pause()
            month = app.screen.query_one("#att-month", DataTable)
            assert (LONG_NAME in row_line(month, "A004")) is grown, size
            await pilot.press("p")
            await app.workers.wait_for_complete()
            await pilot.pause()
            sheet = app.screen.query_one("#pay-sheet", DataTable)
            assert (LONG_NAME in row_line(sheet, "A004")) is grown, size


async def test_the_header_is_whole_after_the_terminal_narrows(staffed: Floor) -> None:
    """Resized to 120 columns the header kept its 80-column shifts ("+1"); back to 80 it kept
    the section's name and cut the shifts ("Quota 外呼量 — … D/A 08:00–12:00…"): the header
    is made again for the new width."""
    from textual.widgets._header import HeaderTitle

    staffed.roster.generate(2026, 11, seats=2)  # D/A and C2 running at 15:00
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause(0.1)
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.1)
        wide = str(app.screen.query_one(HeaderTitle).render())
        assert "C2 14:30–20:00" in wide and "+1" not in wide, wide  # every shift: room
        assert "Emergency" in wide, wide  # and the section's name
        await pilot.press("f5")
        await pilot.pause(0.1)
        assert "Quota" in str(app.screen.query_one(HeaderTitle).render())  # room for it
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        shown = str(app.screen.query_one(HeaderTitle).render())
        assert app.sub_title in shown and "…" not in shown and "+1" in shown, shown
        assert "Quota" not in shown and cell_len(shown) <= 80 - 20, shown
