"""Issue #28: the Monitoring chart — the agent's QA scores over the last weeks against the pass
mark when one is set — from the service's figures, at 80×24 and 120×40, in both languages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from floorapp import i18n
from floorapp.app import FloorApp
from floorapp.services import Floor
from floorapp.services.qa_trend import agent_trend, weekly_means
from screens.widgets.charts import ChartStrip
from tests.screens.test_hour_charts import drawn
from tests.screens.test_monitoring_screen import open_monitoring

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

TODAY = dt.date(2026, 11, 20)  # a Friday; its week starts on the 16th
D = dt.date


def test_weekly_means_by_monday() -> None:
    mondays = [D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 16)]
    points = [(D(2026, 11, 3), Decimal(90)), (D(2026, 11, 16), Decimal(70)),
              (D(2026, 11, 20), Decimal(80)), (D(2026, 10, 30), Decimal(10))]  # before: out
    assert weekly_means(points, mondays) == ([Decimal(90), None, Decimal(75)], [1, 0, 2])


def scored_weeks(floor: Floor, staff_id: str, scores: list[tuple[str, str]]) -> None:
    """Evaluations on outbound-100 as they are stored (score out of 100)."""
    with floor.transaction() as tx:
        for n, (day, score) in enumerate(scores):
            tx.put(f"day/{day}", "qa_evaluations", f"T{staff_id}{n}", {
                "date": day, "time": "10:00", "monitor_id": "Q001", "staff_id": staff_id,
                "mode": "live", "template": "outbound-100", "marks": "", "score": score,
                "max": "100", "passed": int(score) >= 80, "critical": [], "call": "",
                "feedback_at": "", "feedback_note": "", "dispute": None, "revised": None})


@pytest.fixture
def evaluated(staffed: Floor) -> Floor:
    policy = staffed.policy
    policy.qa_pass_marks = {"outbound-100": 80, "recording-40": 32}
    staffed.save_policy(policy)
    scored_weeks(staffed, "A001", [("2026-10-27", "95"), ("2026-11-03", "90"),
                                   ("2026-11-17", "70"), ("2026-11-19", "80")])
    scored_weeks(staffed, "A002", [("2026-11-10", "85")])
    return staffed


def test_the_agent_trend_holds_weekly_means_and_the_pass_mark(evaluated: Floor) -> None:
    trend = agent_trend(evaluated, "A001", TODAY)
    assert trend.weeks[-1] == D(2026, 11, 16) and len(trend.weeks) == 8
    assert trend.means[-4:] == [Decimal(95), Decimal(90), None, Decimal(75)]
    assert trend.scored_means == [Decimal(95), Decimal(90), Decimal(75)]
    assert trend.pass_percent == Decimal(80)
    evaluated.policy.qa_pass_marks = {}
    evaluated.save_policy(evaluated.policy)
    assert agent_trend(evaluated, "A001", TODAY).pass_percent is None


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_monitoring_chart_follows_the_agent(evaluated: Floor, lang: str,
                                                      size: tuple[int, int]) -> None:
    i18n.set_language(lang)
    app = FloorApp(evaluated, backup=False)
    async with app.run_test(size=size) as pilot:
        await open_monitoring(pilot)
        await pilot.press(*"A001")
        await pilot.pause()
        trend = app.screen.query_one("#qa-trend", ChartStrip)
        assert trend.points == [95.0, 90.0, 75.0]
        assert drawn(trend) == trend.points
        assert trend.reference == [80.0] * 3
        assert trend.label == ("质检/周" if lang == "zh" else "QA/wk")
        assert trend.note_text == ("最近 75% · 合格 80%" if lang == "zh"
                                   else "last 75% · pass 80%")
        await pilot.press("ctrl+u", *"A002")
        await pilot.pause()
        assert trend.points == [85.0] and trend.reference == [80.0]
        # whole inside the left pane, one line at 80×24
        assert trend.size.height == (1 if size == (80, 24) else 3)
        pane = app.screen.query_one("#qa-entry")
        assert pane.region.contains_region(trend.region)


# ------------------------------------------------------------ Attendance month chart
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_attendance_month_chart_has_the_days_of_the_highlighted_person(
        staffed: Floor, capsys, lang: str, size: tuple[int, int]) -> None:
    """Late and early minutes per day of the month, equal to the month report's totals."""
    import json

    from textual.widgets import DataTable

    from floorapp.rules.attendance import minutes_by_day
    from floorapp.cli.main import run

    att = staffed.attendance

    def worked(staff_id: str, day: dt.date, arrived: dt.time = dt.time(7, 55),
               left: dt.time = dt.time(17, 30)) -> None:
        """A whole day punched (a period with no punch would make it an absence)."""
        att.record_in(staff_id, day, arrived, period=1)
        att.record_out(staff_id, day, dt.time(12, 0), period=1)
        att.record_in(staff_id, day, dt.time(14, 25), period=2)
        att.record_out(staff_id, day, left, period=2)

    worked("A001", D(2026, 11, 3), arrived=dt.time(8, 6))    # late 6
    worked("A001", D(2026, 11, 10), arrived=dt.time(8, 9))   # late 9
    worked("A001", D(2026, 11, 12), left=dt.time(17, 26))    # early 4
    worked("A002", D(2026, 11, 5), arrived=dt.time(8, 3))    # late 3
    assert run(["--store", str(staffed.store.root), "report", "month", "--month", "2026-11",
                "--format", "json"]) == 0
    month = {row["id"]: row for row in json.loads(capsys.readouterr().out)["staff"]}
    i18n.set_language(lang)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        chart = app.screen.query_one("#att-chart", ChartStrip)
        table = app.screen.query_one("#att-month", DataTable)
        table.move_cursor(row=table.get_row_index("A001"))
        await pilot.pause()
        assert len(chart.points) == 30  # November, the 1st first
        assert drawn(chart) == chart.points
        assert chart.points[2] == 6 and chart.points[9] == 9 and chart.points[11] == 4
        assert sum(chart.points) == month["A001"]["late_minutes"] + \
            month["A001"]["early_minutes"] == 19
        assert chart.label == ("A001 迟到/早退" if lang == "zh" else "A001 late/early")
        assert chart.note_text == ("迟到 15 · 早退 4 分钟" if lang == "zh"
                                   else "late 15 · early 4 min")
        table.move_cursor(row=table.get_row_index("A002"))
        await pilot.pause()
        assert chart.points[4] == 3 and sum(chart.points) == month["A002"]["late_minutes"]
        assert chart.size.height == (1 if size == (80, 24) else 3)
        assert chart.region.right <= size[0] and chart.region.y >= table.region.bottom
        await pilot.press("m")  # the day view: no month chart
        assert not chart.display


def test_minutes_by_day_puts_each_day_in_its_place() -> None:
    from floorapp.rules.attendance import DayResult, PeriodResult, minutes_by_day

    p = PeriodResult(1, dt.time(8), dt.time(12), None, late=5, early=2)
    days = [DayResult(D(2026, 11, 30), "D", [p]), DayResult(D(2026, 11, 1), "D", [p, p])]
    assert minutes_by_day(days, 30) == ([10] + [0] * 28 + [5], [4] + [0] * 28 + [2])


# ------------------------------------------------------------ the monitor's scores given
def given(floor: Floor, monitor_id: str, scores: list[tuple[str, str]]) -> None:
    with floor.transaction() as tx:
        for n, (day, score) in enumerate(scores):
            tx.put(f"day/{day}", "qa_evaluations", f"G{monitor_id}{n}", {
                "date": day, "time": "11:00", "monitor_id": monitor_id, "staff_id": "A003",
                "mode": "live", "template": "outbound-100", "marks": "", "score": score,
                "max": "100", "passed": None, "critical": [], "call": "",
                "feedback_at": "", "feedback_note": "", "dispute": None, "revised": None})


@pytest.fixture
def two_monitors(evaluated: Floor) -> Floor:
    """Q001 gave 95, 90, 70/80 (A001) and 85 (A002); Q002, a lenient monitor, 100 twice."""
    import dataclasses

    evaluated.save_staff(dataclasses.replace(evaluated.get_staff("Q001"), id="Q002",
                                             name="宽松"))
    given(evaluated, "Q002", [("2026-11-11", "100"), ("2026-11-18", "100")])
    return evaluated


def test_the_monitor_trend_holds_their_weekly_means_beside_the_floors(
        two_monitors: Floor) -> None:
    from floorapp.services.qa_trend import monitor_trend

    trend = monitor_trend(two_monitors, "Q002", TODAY)
    assert trend.means[-3:] == [None, Decimal(100), Decimal(100)]
    # the floor's weeks: every monitor's scores (Q001's 85 and Q002's 100 in the week of the
    # 9th; 70, 80 and 100 in the week of the 16th)
    assert trend.floor_means[-2:] == [Decimal("92.5"), Decimal("250") / 3]
    assert trend.scored == [(Decimal(100), Decimal("92.5")), (Decimal(100), Decimal("250") / 3)]
    assert monitor_trend(two_monitors, "Q001", TODAY).means[-4:] == [
        Decimal(95), Decimal(90), Decimal(85), Decimal(75)]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_monitoring_screen_charts_the_monitors_scores_given(
        two_monitors: Floor, lang: str) -> None:
    """The By monitor's weekly scores given against the floor's; ^n to the next monitor
    follows, in both languages, one line inside the entry pane at 80×24."""
    i18n.set_language(lang)
    app = FloorApp(two_monitors, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_monitoring(pilot)
        strip = app.screen.query_one("#qa-by-trend", ChartStrip)
        assert app.screen.monitor_id == "Q001"
        assert strip.points == [95.0, 90.0, 85.0, 75.0]
        assert strip.reference == [95.0, 90.0, 92.5, 83.3]
        assert strip.note_text == ("Q001 75% · 全场 83%" if lang == "zh"
                                   else "Q001 75% · floor 83%")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.monitor_id == "Q002"
        assert strip.points == [100.0, 100.0] and strip.reference == [92.5, 83.3]
        assert strip.size.height == 1
        assert app.screen.query_one("#qa-entry").region.contains_region(strip.region)
