"""Issue #28: the console's charts — Summary (F6) and Quota (F5) draw the floor's completed per
calling hour against the pace, and the highlighted seat's beside it, from the same figures as
``floor report day --format json``; one line at 80×24, taller on a large terminal; both
languages."""

from __future__ import annotations

import json

import pytest
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.widgets import DataTable, Sparkline

from floorapp import i18n
from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.services import Floor
from screens.widgets.charts import ChartStrip, number
from tests.services.test_hourly_curve import counted

SIZES = [(80, 24), (120, 40)]


def report_json(floor: Floor, capsys) -> dict:
    assert run(["--store", str(floor.store.root), "report", "day", "--date", "2026-11-20",
                "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)["hourly"]


def strip(app: FloorApp, which: str) -> ChartStrip:
    return app.screen.query_one(f"#{which}-hours", ChartStrip)


def drawn(shown: ChartStrip) -> list[float]:
    """What the Sparkline draws, one value per point: each of its cells' bucket as the widget
    summarises it (the cells of a point show the same value)."""
    spark = shown.query_one(Sparkline)
    cells = [spark.summary_function(bucket) for bucket in
             SparklineRenderable._buckets(list(spark.data), spark.size.width)]
    per_point = len(cells) // max(1, len(shown.points))
    assert cells == [v for v in shown.points for _n in range(per_point)]
    # the bars stand on zero: the data's minimum is 0 whatever the figures
    assert min(spark.data) == 0
    return cells[::per_point]


def assert_strip_is(shown: ChartStrip, series: dict) -> None:
    """The strip draws the report's series: its Sparkline's bars are the completed per hour,
    read against the report's pace."""
    assert shown.points == series["completed"]
    assert drawn(shown) == series["completed"]
    assert shown.reference == series["pace"]
    assert max(shown.query_one(Sparkline).data) == max(series["completed"] + series["pace"])


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("key, table", [("f6", "#agents"), ("f5", "#seats")],
                         ids=["summary", "quota"])
async def test_the_charts_follow_the_day_report(staffed: Floor, capsys, lang: str,
                                                size: tuple[int, int], key: str,
                                                table: str) -> None:
    counted(staffed)
    hourly = report_json(staffed, capsys)
    assert hourly["completed"] == [4, 14, 8, 0, 6, 0, 0]  # the chart has something to show
    i18n.set_language(lang)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press(key)
        await pilot.pause(0.1)
        floor_strip, seat_strip = strip(app, "floor"), strip(app, "seat")
        assert_strip_is(floor_strip, hourly)
        assert floor_strip.label == ("全场/时" if lang == "zh" else "floor/h")
        # 15:00 on the pinned day: hour 14 is the last whole one, under its pace (red)
        pace_14 = number(hourly["pace"][hourly["hours"].index(14)])
        assert floor_strip.note_text == (f"14时 6/需 {pace_14}" if lang == "zh"
                                         else f"14h 6/pace {pace_14}")
        grid = app.screen.query_one(table, DataTable)
        first = grid.coordinate_to_cell_key(grid.cursor_coordinate).row_key.value
        assert seat_strip.label == first == "A001"
        assert_strip_is(seat_strip, hourly["agents"]["A001"])
        # moving the highlight charts the next seat
        await pilot.press("down")
        await pilot.pause()
        assert seat_strip.label == "A002"
        assert_strip_is(seat_strip, hourly["agents"]["A002"])
        assert seat_strip.points == [0, 5, 0, 0, 6, 0, 0]
        # one line at 80×24 (the tables keep their rows), three on a large terminal
        lines = 1 if size == (80, 24) else 3
        assert floor_strip.size.height == seat_strip.size.height == lines
        assert floor_strip.query_one(Sparkline).size.width == 7 * (1 if size[0] == 80 else 3)
        # both strips whole on the screen, side by side, the grid below them with every seat
        assert floor_strip.region.right <= seat_strip.region.x
        assert seat_strip.region.right <= size[0]
        assert grid.region.y >= floor_strip.region.bottom
        assert grid.row_count == 3 and grid.region.height >= 4  # header + the three seats
