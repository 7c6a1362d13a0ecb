"""A finished day's attendance grid kept (issue #30): going back a day reads the rows worked
out before instead of every person's day again, and they are never stale — a corrected punch,
a policy, a roster or a register change, another language, today: worked out again."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from textual.widgets import DataTable

from floorapp import i18n
from floorapp.app import FloorApp
from floorapp.clock import fixed_clock
from floorapp.services import Floor, open_floor
from tests.conftest import NOW

pytestmark = pytest.mark.both_stores  # the file store and the database (issue #32)

TODAY = dt.date(2026, 11, 20)  # NOW: Friday 15:00
YESTERDAY = TODAY - dt.timedelta(days=1)  # Thursday: agents on D by the default week


@pytest.fixture
def worked(staffed: Floor) -> Floor:
    """Yesterday: A001 in at 08:12 (late 12 min in p1), A002 a full day on time."""
    att = staffed.attendance
    att.record_in("A001", YESTERDAY, dt.time(8, 12))
    att.record_out("A001", YESTERDAY, dt.time(12, 0))
    att.record_in("A001", YESTERDAY, dt.time(14, 30))
    att.record_out("A001", YESTERDAY, dt.time(17, 30))
    att.record_in("A002", YESTERDAY, dt.time(8, 0))
    att.record_out("A002", YESTERDAY, dt.time(12, 0))
    att.record_in("A002", YESTERDAY, dt.time(14, 30))
    att.record_out("A002", YESTERDAY, dt.time(17, 30))
    return staffed


def reopened(floor: Floor) -> Floor:
    """The same store as another process of the same user sees it (nothing in memory)."""
    return open_floor(floor.store.root, clock=fixed_clock(NOW), user="tester")


def never_worked_out(floor: Floor, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_day: dt.date) -> None:
        raise AssertionError("the day was worked out, not read from what was kept")

    monkeypatch.setattr(floor.attendance, "_work_out_rows", refuse)


def counted(floor: Floor, monkeypatch: pytest.MonkeyPatch) -> list[dt.date]:
    """The days ``floor`` works out from now on."""
    days: list[dt.date] = []
    work_out = floor.attendance._work_out_rows

    def count(day: dt.date):  # noqa: ANN202 - list[DayRow]
        days.append(day)
        return work_out(day)

    monkeypatch.setattr(floor.attendance, "_work_out_rows", count)
    return days


def texts(floor: Floor, day: dt.date) -> dict[str, str]:
    return {row.staff_id: row.text for row in floor.attendance.day_rows(day)}


def test_a_finished_day_is_read_back_as_it_was_worked_out(worked: Floor,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    first = worked.attendance.day_rows(YESTERDAY)
    assert {r.staff_id: r.text for r in first}["A001"] == "late 12 min"
    # the rows match what the rules say of each person's day
    results = {r.staff.id: r.result for r in worked.attendance.day_results(YESTERDAY)}
    assert {r.staff_id: (r.text, r.status, r.status_now) for r in first} == \
        {i: (r.text, r.status, r.status_now) for i, r in results.items()}
    other = reopened(worked)
    never_worked_out(other, monkeypatch)
    assert other.attendance.day_rows(YESTERDAY) == first  # from the memo, another process
    assert other.attendance.day_rows(YESTERDAY) == first  # from memory


def test_a_corrected_punch_on_a_past_day_is_seen_at_once(worked: Floor) -> None:
    assert texts(worked, YESTERDAY)["A002"] == "on time"
    other = reopened(worked)
    assert texts(other, YESTERDAY)["A002"] == "on time"
    worked.attendance.record_in("A002", YESTERDAY, dt.time(8, 20))  # a correction
    for floor in (worked, other, reopened(worked)):
        rows = {r.staff_id: r for r in floor.attendance.day_rows(YESTERDAY)}
        assert rows["A002"].text == "late 20 min"
        assert rows["A002"].corrected  # ✎: its in punch was changed


def test_a_policy_or_register_change_is_seen(worked: Floor) -> None:
    assert texts(worked, YESTERDAY)["A001"] == "late 12 min"
    worked.set_policy_value("absent_threshold_minutes", "10")  # 12 min now an absence
    assert texts(reopened(worked), YESTERDAY)["A001"] == "absent: late 12 min p1"
    assert texts(worked, YESTERDAY)["A001"] == "absent: late 12 min p1"
    worked.save_staff(dataclasses.replace(worked.get_staff("A002"), name="Li Wei-Ming"))
    for floor in (worked, reopened(worked)):
        assert {r.staff_id: r.name for r in floor.attendance.day_rows(YESTERDAY)}[
            "A002"] == "Li Wei-Ming"


def test_a_roster_change_is_seen(worked: Floor) -> None:
    worked.roster.generate(2026, 11, seats=2)
    before = {r.staff_id: r.code for r in worked.attendance.day_rows(YESTERDAY)}
    assert before["A001"] != "R"
    worked.roster.set_cell("A001", YESTERDAY, "R", confirmed=True)
    for floor in (worked, reopened(worked)):
        rows = {r.staff_id: r for r in floor.attendance.day_rows(YESTERDAY)}
        assert (rows["A001"].code, rows["A001"].status) == ("R", "rest")


def test_today_and_another_language_are_worked_out(worked: Floor,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    worked.attendance.day_rows(YESTERDAY)
    days = counted(worked, monkeypatch)
    worked.attendance.day_rows(TODAY)
    worked.attendance.day_rows(TODAY)
    assert days == [TODAY, TODAY]  # today follows the clock: never kept
    worked.attendance.day_rows(YESTERDAY)
    assert days == [TODAY, TODAY]  # kept
    i18n.set_language("zh")
    assert texts(worked, YESTERDAY)["A001"] == "迟到12分钟"
    assert days == [TODAY, TODAY, YESTERDAY]


def test_a_damaged_memo_is_worked_out_again(worked: Floor, store_kind: str) -> None:
    """A memo file changed behind the program's back, or on the database a kept row that
    is not this program's shape: the day is worked out again, never shown as kept."""
    first = worked.attendance.day_rows(YESTERDAY)
    if store_kind == "files":
        from store.memo import MEMO_DIR

        kept = [p for p in worked.store.root.joinpath(".cache").rglob("*")
                if p.is_file() and MEMO_DIR in p.parts]
        assert kept
        for path in kept:
            path.write_bytes(path.read_bytes().replace(b"late 12 min", b"on time!!!!"))
    else:
        import os

        from store.pg import connect
        from store.pg_kept import MEMO_PART

        with connect(os.environ["FLOOR_STORE"]) as conn:  # the tester's own rows
            damaged = conn.execute(
                "UPDATE floor.digests SET value = jsonb_set(value, '{value}', "
                "'[[\"A001\", 12, null]]') WHERE site = %s AND part = %s "
                "AND name LIKE 'attendance|day|%%' RETURNING 1",
                (os.environ["FLOOR_SITE"], MEMO_PART)).fetchall()
        assert damaged
    again = reopened(worked)
    assert again.attendance.day_rows(YESTERDAY) == first
    assert texts(again, YESTERDAY)["A001"] == "late 12 min"


# ----------------------------------------------------------------------------- the screen
def status_of(app, staff_id: str) -> str:  # noqa: ANN001 - FloorApp
    assert staff_id in app.screen.query_one("#att-today", DataTable).rows
    return app.screen.status_text[staff_id]


def highlighted(app) -> str:  # noqa: ANN001 - FloorApp
    table = app.screen.query_one("#att-today", DataTable)
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


async def test_the_day_before_shows_a_punch_corrected_since(worked: Floor) -> None:
    app = FloorApp(worked, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert status_of(app, "A002") == "on time"
        await pilot.press("right_square_bracket")
        await pilot.pause()
        worked.attendance.record_in("A002", YESTERDAY, dt.time(8, 20))
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert status_of(app, "A002") == "late 20 min"
        table = app.screen.query_one("#att-today", DataTable)
        assert str(table.get_cell("A002", "shift")) == "D✎"
        assert str(table.get_cell("A002", "p1")) == "08:20–12:00"


async def test_the_cursor_stays_on_its_person_from_day_to_day(worked: Floor) -> None:
    app = FloorApp(worked, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down")  # the second row: A002
        await pilot.pause()
        assert highlighted(app) == "A002"
        for key in ("left_square_bracket", "left_square_bracket", "right_square_bracket"):
            await pilot.press(key)
            await pilot.pause()
            assert highlighted(app) == "A002"
        detail = str(app.screen.query_one("#att-detail").render())
        assert detail.startswith("A002 on time")
        assert "p1 in 08:00 out 12:00" in detail


async def test_a_resize_to_the_same_width_keeps_the_rows(worked: Floor,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are fit to the width: a taller terminal (and the resizes of the app's start)
    does not work the day out and refill the table again; a wider one does."""
    app = FloorApp(worked, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        days = counted(worked, monkeypatch)
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        assert days == []
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert days == [TODAY]
        assert app.screen.query_one("#att-today", DataTable).columns["status"].width == 44
