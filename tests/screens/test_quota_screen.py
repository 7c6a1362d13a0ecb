"""The F5 quota screen: live seats, quick entry (+5 / full line), undo, behind filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from floorapp.app import FloorApp
from floorapp.rules.quota import Counts
from floorapp.services import Floor
from tests.palette import run_from_palette
from tests.cli.test_quota_cli import all_in_on_time

PART = "day/2026-11-20"


@pytest.fixture
def counted(staffed: Floor) -> Floor:
    quota = staffed.quota
    quota.record_counts("A001", Counts(40, 33, 30, 9), hour=9)
    quota.record_counts("A001", Counts(30, 25, 22, 6), hour=14)
    quota.record_counts("A002", Counts(20, 15, 12, 2), hour=9)
    quota._last.clear()
    all_in_on_time(staffed)
    return staffed


def row_text(table: DataTable, key: str) -> str:
    return " ".join(str(cell) for cell in table.get_row(key))


async def type_entry(app: FloorApp, pilot, text: str) -> None:  # noqa: ANN001
    """Finish typing a line quickly: the keys were pressed in test_plus_five_*."""
    entry = app.screen.query_one("#entry")
    assert entry.has_focus
    entry.value = text
    await pilot.press("enter")


async def open_quota(app: FloorApp, pilot) -> DataTable:  # noqa: ANN001
    await pilot.press("f5")
    await pilot.pause(0.1)
    return app.screen.query_one("#seats", DataTable)


async def test_seats_show_progress_pace_and_who_is_behind(counted: Floor) -> None:
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        assert table.row_count == 3
        a001 = row_text(table, "A001")
        assert "52/60" in a001 and "70" in a001 and "met" not in a001
        # 8 missing over the 90 calling minutes left (15:00–16:30, the Friday study is off
        # the phones): 5.3 an hour
        assert " 5.3 " in a001 and "behind" not in a001
        assert "12/60" in row_text(table, "A002") and "behind" in row_text(table, "A002")
        assert "0/60" in row_text(table, "A003")
        totals = str(app.screen.query_one("#totals", Static).content)
        assert "3 seats" in totals and "dial 90 " in totals and "behind 2" in totals


async def test_plus_five_on_the_selected_seat(counted: Floor) -> None:
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        await pilot.press("down", "plus", "5", "enter")
        await pilot.pause()
        record = counted.store.get(PART, "calls", "A002/h15/")
        assert record["completed"] == 5 and record["connected"] == 5
        assert "17/60" in row_text(table, "A002")
        assert table.has_focus and table.cursor_row == 1
        await pilot.press("u")
        await pilot.pause()
        assert counted.store.get(PART, "calls", "A002/h15/") is None
        assert "12/60" in row_text(table, "A002")


async def test_typed_seat_and_full_line(counted: Floor) -> None:
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        await pilot.press("slash")
        await type_entry(app, pilot, "王芳 20 18 15 4")
        await pilot.pause()
        record = counted.store.get(PART, "calls", "A003/h15/")
        assert (record["dialed"], record["connected"], record["completed"], record["orders"]) \
            == (20, 18, 15, 4)
        assert "15/60" in row_text(table, "A003")
        assert table.cursor_row == 2


async def test_bad_entry_is_refused_and_nothing_saved(counted: Floor) -> None:
    app = FloorApp(counted, backup=False)
    messages: list[str] = []  # a spy: a toast may time out before a loaded machine looks
    show = app.notify
    app.notify = lambda message, *a, **k: (messages.append(str(message)), show(message, *a, **k))[1]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_quota(app, pilot)
        before = counted.store.stamp()
        await pilot.press("equals_sign", "1", "0")
        await type_entry(app, pilot, "= 10 8 9 1")
        await pilot.pause()
        await pilot.press("escape", "slash")
        await type_entry(app, pilot, "A +5")
        await pilot.pause()
        assert any("completed 9 is more than connected 8" in m for m in messages)
        assert any("3 match 'A'" in m for m in messages)
        assert counted.store.stamp() == before


async def test_another_supervisors_entry_shows(counted: Floor, store_dir: Path) -> None:
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor
    from tests.conftest import NOW

    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        other = open_floor(store_dir, clock=fixed_clock(NOW), user="other")
        other.quota.add_completed("A002", 7)
        app.poll_store()
        await pilot.pause()
        assert "19/60" in row_text(table, "A002")


async def test_behind_only_filter(counted: Floor) -> None:
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        assert [k.value for k in table.rows] == ["A002", "A003"]
        await pilot.press("b")
        await pilot.pause()
        assert table.row_count == 3


async def test_the_filter_reuses_the_figures_and_a_new_count_is_shown_at_once(
        counted: Floor) -> None:
    """Issue #30: `b` and back reuse each seat's cells and the totals' figures (a key at 1,000
    seats costs the rows, not the day): what they show is what a refill from the floor shows,
    and a count typed behind the filter shows at once, in the row and the totals, and is
    still there when the filter is off (nothing kept goes stale)."""
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        screen = app.screen
        totals = screen.query_one("#totals", Static)

        def shown() -> tuple[list[str], str]:
            return [row_text(table, k.value) for k in table.rows], str(totals.content)

        every = shown()
        await pilot.press("b", "b", "b")  # in one burst: on, off, on
        await pilot.pause()
        behind = shown()
        assert [k.value for k in table.rows] == ["A002", "A003"]
        screen.refresh_data()  # the floor worked out again: the same figures
        await pilot.pause()
        assert shown() == behind
        await pilot.press("b")
        await pilot.pause()
        assert shown() == every
        await pilot.press("b", "plus", "5", "enter")  # A002, the first seat behind
        await pilot.pause()
        assert "17/60" in row_text(table, "A002")
        assert "done 64 " in every[1] and "done 69 " in shown()[1]
        assert "met target 0" in shown()[1]
        await pilot.press("b", "plus", "4", "3", "enter")  # A002 (the cursor kept) up to its 60
        await pilot.pause()
        assert "60/60" in row_text(table, "A002") and "met target 1" in shown()[1]
        await pilot.press("b")  # behind only: A002 has left it
        await pilot.pause()
        assert [k.value for k in table.rows] == ["A003"] and "met target 1" in shown()[1]
        await pilot.press("b")
        await pilot.pause()
        assert "60/60" in row_text(table, "A002") and table.row_count == 3
        assert "done 112 " in shown()[1] and "FILTER" not in shown()[1]


def test_quota_snapshot(snap_compare, counted: Floor) -> None:
    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.press("f5")
        await pilot.pause(0.2)

    assert snap_compare(FloorApp(counted, backup=False), terminal_size=(80, 24),
                        run_before=run_before)


async def test_palette_reaches_the_screen_actions(counted: Floor) -> None:
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        await run_from_palette(pilot, "behind")
        assert [k.value for k in table.rows] == ["A002", "A003"]


async def test_day_total_replaces_the_hours(counted: Floor) -> None:
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        await pilot.press("equals_sign", "9")
        assert app.screen.query_one("#entry").value == "= 9"
        await type_entry(app, pilot, "= 90 75 64 20")
        await pilot.pause()
        record = counted.store.get(PART, "calls", "A001/day/")
        assert (record["completed"], record["hour"]) == (64, None)
        assert "64/60" in row_text(table, "A001") and "met" in row_text(table, "A001")


async def test_a_correction_takes_completed_back_with_a_reason(counted: Floor) -> None:
    """Issue #16: when another supervisor changed the hour, u is refused; `A001 -5 why` is the
    way to take calls back. The line previews whom it is for; +5's meaning is on screen."""
    other = counted.quota.add_completed("A001", 5)  # the same calls entered twice
    counted.quota._last.clear()
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quota(app, pilot)
        hint = app.screen.query_one("#quota-hint", Static)
        assert "+5: 5 done (dial/conn follow)" in str(hint.render())
        assert "dial ↓<70 ↑>100" in str(hint.render())
        await pilot.press("slash", *"A001 -5")
        assert "say why" in str(hint.render())
        await pilot.press(*" typed twice")
        assert "→ A001 欧阳娜娜: take back 5 done: typed twice" in str(hint.render())
        await pilot.press("enter")
        await pilot.pause()
    record = counted.store.get(PART, "calls", other.key)
    assert record["completed"] == 0 and record["correction"] == "typed twice"
    assert record["dialed"] == 5  # dialed and connected stay (the +5 had raised them)
    assert len(counted.store.history(PART, "calls", other.key)) == 2  # the old one is kept


def test_quick_entry_correction_parsing() -> None:
    from floorapp.rules.quota_entry import parse_quick_entry

    entry = parse_quick_entry("A001 -5 typed twice")
    assert (entry.who, entry.add_completed, entry.reason) == ("A001", -5, "typed twice")
    assert parse_quick_entry("-2 wrong seat").who is None
    with pytest.raises(ValueError, match="say why"):
        parse_quick_entry("A001 -5")


async def test_behind_filter_says_it_is_on_and_when_nobody_is_behind(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        totals = app.screen.query_one("#totals", Static)
        assert "FILTER behind only" in str(totals.render())
        # the filter pushes the advice past 80 columns: cut with "…", never onto a hidden line
        assert totals.styles.text_wrap == "nowrap" and totals.styles.text_overflow == "ellipsis"
        if not table.row_count:
            assert "Nobody is behind" in str(app.screen.query_one("#quota-hint",
                                                                  Static).render())


async def test_previews_say_what_plus_does_and_a_refused_undo_says_how_to_correct(
        counted: Floor) -> None:
    """Issue #16: "+5 also adds 5 dialed — say so"; "/ has no preview of the resolved person";
    u refused after another supervisor's change left no way forward."""
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_quota(app, pilot)
        hint = app.screen.query_one("#quota-hint", Static)
        await pilot.press("plus", "5")
        assert "+5 done this hour, dial/conn raised to match if below" in str(hint.render())
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("slash", *"a002 10 8 5 1")
        assert "→ A002 Li Wei: 10/8/5/1 added to this hour" in str(hint.render())
        await pilot.press("escape")
        counted.quota.__class__(counted).record_counts("A001", Counts(1, 1, 1, 0))  # another
        await pilot.press("u")
        await pilot.pause()
        assert any("not undone: correct it with A001 -N reason" in n.message
                   for n in app._notifications)


async def test_no_verdict_on_a_pace_before_there_is_one(staffed: Floor) -> None:
    """At 08:07 every seat showed `0↓` and the advice said "raise call volume": the pace is
    judged once the floor has called for live_judge_after_minutes (60: from 09:30)."""
    import datetime as dt

    from floorapp.clock import fixed_clock

    staffed._clock = fixed_clock("2026-11-20T08:07")
    staffed.attendance.record_in("A001", staffed.today(), dt.time(7, 55))
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_quota(app, pilot)
        assert "0↓" not in row_text(table, "A001")
        totals = str(app.screen.query_one("#totals", Static).content)
        assert "advice from 09:30" in totals and "raise" not in totals
        # 10:00: 90 calling minutes in, A001 dialed 10 — on pace for 42: below the band
        staffed._clock = fixed_clock("2026-11-20T10:00")
        staffed.quota.record_counts("A001", Counts(10, 8, 6, 1), hour=9)
        await pilot.press("f3", "f5")  # back to the section: it reads the floor again
        await pilot.pause()
        assert "10↓" in row_text(table, "A001")
        assert "raise call volume" in str(app.screen.query_one("#totals", Static).content)


async def test_the_totals_say_where_the_counts_come_from(counted: Floor) -> None:
    """Issue #27: typed in, or the PBX live with its last call's time."""
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quota(app, pilot)
        assert str(app.screen.query_one("#totals", Static).content).startswith("typed 15:00 ")
    with counted.transaction() as tx:  # what `floor import cdr --follow` keeps of its work
        tx.put("day/2026-11-20", "pbx_follow", "state",
               {"file": "/var/log/asterisk/cdr-csv/Master.csv",
                "last_applied": "2026-11-20T14:58:07+08:00"})
    assert counted.quota.counts_source(counted.today()) == ("live", "14:58:07")
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_quota(app, pilot)
        assert str(app.screen.query_one("#totals", Static).content).startswith(
            "PBX 14:58:07 ")


@pytest.mark.parametrize(
    ("text", "who", "counts", "reason"),
    [("A001 1 0 0 0 the PBX missed one", "A001", (1, 0, 0, 0), "the PBX missed one"),
     ("欧阳 80 66 61 19", "欧阳", (80, 66, 61, 19), ""),
     ("80 66 61 19 typed on paper", None, (80, 66, 61, 19), "typed on paper"),
     ("A001 = 80 66 61 19", "A001", (80, 66, 61, 19), "")],
    ids=["counts-then-reason", "name-then-counts", "selected-seat-with-reason", "day-total"],
)
def test_quick_entry_counts_with_a_reason(text, who, counts, reason) -> None:
    from floorapp.rules.quota_entry import parse_quick_entry

    entry = parse_quick_entry(text)
    assert entry.who == who and entry.reason == reason
    assert (entry.counts.dialed, entry.counts.connected, entry.counts.completed,
            entry.counts.orders) == counts


async def test_a_pbx_hour_is_corrected_from_the_entry_line_with_a_reason(counted: Floor
                                                                         ) -> None:
    """Issue #27: an hour the phone system counted refuses dialed typed by hand; the same line
    with a reason after it is the correction, kept and audited."""
    with counted.transaction() as tx:
        tx.put("day/2026-11-20", "calls", "A003/h15/",
               {"staff_id": "A003", "date": "2026-11-20", "hour": 15, "campaign": "",
                "dialed": 4, "connected": 2, "completed": 0, "orders": 0, "source": "pbx"})
    app = FloorApp(counted, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_quota(app, pilot)
        await pilot.press("slash", *"A003 1 0 0 0", "enter")
        await pilot.pause()
        record = counted.store.get("day/2026-11-20", "calls", "A003/h15/")
        assert record["dialed"] == 4
        assert any("come from the phone system" in n.message for n in app._notifications)
        await pilot.press("escape", "slash", *"A003 1 0 0 0 PBX missed one", "enter")
        await pilot.pause()
        record = counted.store.get("day/2026-11-20", "calls", "A003/h15/")
        assert (record["dialed"], record["correction"]) == (5, "PBX missed one")
