"""The week's common problems on screen (共性问题 [000 §7]): from Monitoring by ctrl+g, the week
moved by ←/→, fed back by f; the rows are those of `floor qa common` (the same service call)."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Static

from floorapp.app import FloorApp
from floorapp.cli.qa import common_report
from floorapp.services import Floor
from screens.common_problems import CommonProblemsScreen
from screens.monitoring import MonitoringScreen
from tests.palette import run_from_palette
from tests.services.test_monitoring_service import at

TODAY = dt.date(2026, 11, 20)  # a Friday: the week runs 11-16 to 11-22
LAST_WEEK = dt.date(2026, 11, 9)


def _marked(floor: Floor) -> Floor:
    """This week: b3 on three agents (one twice), a1 on one; last week: c1 on one."""
    m = floor.monitoring
    m.save_evaluation("A001", "Q001", "live", "outbound-100", "b3 a1")
    m.save_evaluation("A002", "Q001", "live", "outbound-100", "b3x2")
    m.save_evaluation("C001", "Q001", "recording", "outbound-100", "b3")
    at(floor, "2026-11-12T10:00:00").monitoring.save_evaluation(
        "A003", "Q001", "live", "outbound-100", "c1")
    return floor


def text_of(app: FloorApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def cells(app: FloorApp) -> list[list[str]]:
    table = app.screen.query_one("#cp-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_common(pilot) -> None:
    await pilot.press("f2")
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.press("ctrl+g")
    await pilot.pause()


async def test_the_weeks_items_counts_and_agents(staffed: Floor) -> None:
    _marked(staffed)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_common(pilot)
        assert isinstance(app.screen, CommonProblemsScreen)
        assert "2026-11-16 – 2026-11-22" in text_of(app, "#cp-title")
        assert "due within the week, by 2026-11-22" in text_of(app, "#cp-state")
        # the CLI's rows, in the same order
        cli = [(p["code"], p["occurrences"], len(p["agents"]))
               for p in common_report(staffed, TODAY).data["problems"]]
        assert [(r[1], int(r[2]), int(r[3])) for r in cells(app)] == cli == [
            ("b3", 4, 3), ("a1", 1, 1)]
        detail = text_of(app, "#cp-detail")
        assert "4 times in 3 evaluations" in detail and "A001 欧阳娜娜" in detail
        assert "C001 张强" in detail
        await pilot.press("down")
        assert "A001 欧阳娜娜" in text_of(app, "#cp-detail")
        assert "1 times in 1 evaluations" in text_of(app, "#cp-detail")
        await pilot.press("escape")
        assert isinstance(app.screen, MonitoringScreen)


async def test_a_burst_moves_the_week_and_records_feedback(staffed: Floor) -> None:
    """One burst from Monitoring: open, two weeks back, one forward (last week), fed back."""
    _marked(staffed)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f2")
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+g", "left", "left", "right", "f")
        await pilot.pause()
        assert isinstance(app.screen, CommonProblemsScreen)
        assert "2026-11-09 – 2026-11-15" in text_of(app, "#cp-title")
        assert [r[1] for r in cells(app)] == ["c1"]
        assert staffed.monitoring.common_fed_back(LAST_WEEK).startswith("2026-11-20T15:00")
        assert staffed.monitoring.common_fed_back(dt.date(2026, 11, 16)) == ""
        assert "fed back 2026-11-20 15:00" in text_of(app, "#cp-state")
        await pilot.press("t")
        assert "this week" in text_of(app, "#cp-title")
        assert "due within the week" in text_of(app, "#cp-state")


async def test_overdue_and_a_week_not_begun(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_common(pilot)
        assert "No deductions marked this week." in text_of(app, "#cp-detail")
        await pilot.press("left")
        assert "OVERDUE: due within the week, by 2026-11-15" in text_of(app, "#cp-state")
        await pilot.press("right", "right", "f")
        await pilot.pause()
        assert staffed.monitoring.common_fed_back(dt.date(2026, 11, 23)) == ""
        assert any("has not begun" in n.message for n in app._notifications)


async def test_reachable_by_name_and_listed_in_help(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        keys = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "Common problems" in keys
        await run_from_palette(pilot, "Common problems")
        assert isinstance(app.screen, CommonProblemsScreen)


def test_common_problems_snapshot(snap_compare, staffed: Floor) -> None:
    _marked(staffed)
    staffed.monitoring.ensure_plan(TODAY)
    app = FloorApp(staffed, backup=False)

    async def before(pilot) -> None:
        await pilot.press("f2")
        await pilot.pause(0.1)
        await pilot.press("ctrl+g")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
