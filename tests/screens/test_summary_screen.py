"""The F6 summary screen: the day's summary, moving the date, CSV export."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, Static

from floorapp.app import FloorApp
from floorapp.rules.quota import Counts
from floorapp.services import Floor
from tests.cli.test_quota_cli import FakeAttendance, FakeEmergency, FakeMonitoring, all_in_on_time


def cells(table: DataTable, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


async def test_summary_of_today_and_yesterday(staffed: Floor) -> None:
    staffed.quota.record_counts("A001", Counts(80, 66, 61, 19), daily_total=True)
    staffed.quota.record_counts("A002", Counts(70, 50, 45, 5), day=dt.date(2026, 11, 19))
    staffed.attendance = FakeAttendance(staffed.attendance)
    staffed.monitoring = FakeMonitoring(getattr(staffed, "monitoring", None))
    staffed.emergency = FakeEmergency({}, staffed.emergency)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        table = app.screen.query_one("#agents", DataTable)
        # 15:00, the D shift on till 17:30: the points wait for the day's end ("…")
        assert cells(table, "A001")[:9] == ["A001", "欧阳娜娜", "D", "late 12 min", "80", "66",
                                            "61/60", "19", "…"]
        assert cells(table, "A001")[9] == "2 88%"
        assert cells(table, "A003")[3] == "absent" and cells(table, "A003")[8] == "…"
        head = str(app.screen.query_one("#head", Static).content)
        assert "Fri 2026-11-20" in head and "done 61" in head
        incidents = str(app.screen.query_one("#incidents", Static).content)
        assert "I1 外呼系统故障 since 14:10" in incidents and "outage" not in incidents  # no code
        await pilot.press("left_square_bracket")
        await pilot.pause()
        head = str(app.screen.query_one("#head", Static).content)
        assert "Thu 2026-11-19" in head
        assert cells(table, "A002")[4:9] == ["70", "50", "45/0", "5", "0"]  # on leave: no target
        await pilot.press("t")
        await pilot.pause()
        assert "Fri 2026-11-20" in str(app.screen.query_one("#head", Static).content)


async def test_export_writes_csv_and_says_where(staffed: Floor, tmp_path: Path) -> None:
    staffed.quota.record_counts("A001", Counts(80, 66, 61, 19), daily_total=True)
    all_in_on_time(staffed)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        await pilot.press("x")
        await pilot.pause()
        path = tmp_path / "home" / "floor-exports" / "floor-day-2026-11-20.csv"
        assert any(str(path) in n.message for n in app._notifications)
        rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
        assert rows[0][:4] == ["id", "name", "shift", "attendance"]
        assert rows[1][:8] == ["A001", "欧阳娜娜", "D", "on time", "80", "66", "61", "19"]


async def test_go_to_a_typed_date(staffed: Floor) -> None:
    staffed.quota.record_counts("A002", Counts(70, 50, 45, 5), day=dt.date(2026, 11, 3))
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        await pilot.press("g")
        entry = app.screen.query_one("#date")
        assert entry.display and entry.has_focus and entry.value == "2026-11-20"
        entry.value = "2026-11-31"
        await pilot.press("enter")
        await pilot.pause()
        assert any("not a real date" in n.message for n in app._notifications)
        entry.value = "2026-11-03"
        await pilot.press("enter")
        await pilot.pause()
        assert "Tue 2026-11-03" in str(app.screen.query_one("#head", Static).content)
        assert not entry.display
        table = app.screen.query_one("#agents", DataTable)
        assert cells(table, "A002")[6] == "45/60"


import pytest  # noqa: E402

from screens.summary import ATT_WIDTH, fit_text  # noqa: E402


@pytest.mark.parametrize(
    ("text", "shown"),
    [("late 12 min", "late 12 min"),
     ("旷工：迟到65分钟 p1", "旷工…"),
     ("absent: late 65 min p1", "absent…"),
     ("迟到12分钟，早退4分钟", "迟到12分钟…"),
     ("not in, late 12 min", "not in…"),
     ("病假 0.5", "病假 0.5"),
     ("12345678901234", "…"),
     ("旷工：迟到65分钟（第1段）", "旷工…"),
     ("未到岗，已迟到12分钟", "未到岗…")],
    ids=["fits", "issue-13-zh-absent-not-cut-to-迟到6", "en-absent", "zh-two-parts-first-whole",
         "not-in-late", "zh-leave-fits", "no-separator-no-digit-shown",
         "zh-catalogue-absent-text", "zh-not-in-late"],
)
def test_attendance_text_is_never_cut_inside_a_figure(text, shown):
    """Chinese Summary cut `旷工：迟到65分钟` to `旷工：迟到6`, a false figure."""
    fitted = fit_text(text, ATT_WIDTH)
    assert fitted == shown
    from rich.cells import cell_len

    assert cell_len(fitted) <= ATT_WIDTH


async def test_a_day_still_on_is_not_judged_on_its_counts_so_far(staffed: Floor) -> None:
    """At 10:00 the summary marked every agent zero-score and advised raising call volume: a
    day is judged on its whole counts [004 每天进行统计], once its shifts end (D: 17:30)."""
    from floorapp.clock import fixed_clock

    all_in_on_time(staffed)  # in at 07:55 and 14:25 (the store's clock is 15:00)
    staffed.quota.record_counts("A001", Counts(20, 15, 12, 3), daily_total=True)
    staffed.quota.record_counts("A002", Counts(30, 20, 14, 2), daily_total=True)
    staffed._clock = fixed_clock("2026-11-20T15:00")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        table = app.screen.query_one("#agents", DataTable)
        head = str(app.screen.query_one("#head", Static).content)
        assert "advice after 17:30" in head and "raise call volume" not in head
        assert "to go 3" in head and "short" not in head
        assert cells(table, "A001")[6] == "12/60" and cells(table, "A001")[10] == ""  # no 0 or <
        assert cells(table, "A001")[8] == "…"  # the points are the day's, when it is over
        detail = str(app.screen.query_one("#detail", Static).content)
        assert "judged when the shift ends" in detail
        # the shift over, the same counts are the day's: judged
        staffed._clock = fixed_clock("2026-11-20T17:30")
        await pilot.press("t")
        await pilot.pause()
        head = str(app.screen.query_one("#head", Static).content)
        assert "raise call volume" in head and "short 3" in head
        assert set(cells(table, "A001")[10]) == {"<", "0"}  # no talk time entered: no t
        assert cells(table, "A001")[8] == "-48"


def test_the_month_ranking_counts_today_once_the_shift_is_over(staffed: Floor) -> None:
    from floorapp.clock import fixed_clock

    for day in (dt.date(2026, 11, 19), dt.date(2026, 11, 20)):
        staffed.quota.record_counts("A001", Counts(40, 30, 20, 1), daily_total=True, day=day)
    staffed._clock = fixed_clock("2026-11-20T15:00")
    ranking = {r["id"]: r for r in staffed.quota.month_extension(2026, 11)[0]["quota_ranking"]}
    assert ranking["A001"]["zero_score_days"] == 1  # the 19th; the 20th is still on
    staffed._clock = fixed_clock("2026-11-20T17:30")
    ranking = {r["id"]: r for r in staffed.quota.month_extension(2026, 11)[0]["quota_ranking"]}
    assert ranking["A001"]["zero_score_days"] == 2


async def test_the_head_counts_the_rows_the_pbx_feed_skipped(staffed: Floor) -> None:
    """Issue #27: a bad row of the live PBX feed is skipped with a count on the Summary."""
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        assert "PBX bad rows" not in str(app.screen.query_one("#head", Static).content)
    with staffed.transaction() as tx:  # as `floor import cdr --follow` keeps a bad row
        tx.put("day/2026-11-20", "pbx_bad", "a1", {"file": "Master.csv", "line": 812,
                                                  "reason": "billsec 'x' is not a number"})
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        assert "PBX bad rows 1" in str(app.screen.query_one("#head", Static).content)
