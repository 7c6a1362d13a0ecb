"""Issue #28: the day by calling hour — completed per hour against the even pace to target —
as the rules give it, as the service assembles it, and as ``floor report day`` prints it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from floorapp.rules import quota as rules
from floorapp.cli.main import run
from floorapp.rules.quota import Counts
from floorapp.rules.schedule import calling_periods
from floorapp.services import Floor
from floorapp.services.hourly import day_curves, pace_figure

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

T = dt.time
WINTER_D = [(T(8, 30), T(12, 0)), (T(14, 30), T(17, 30))]  # 390 calling minutes


@pytest.mark.parametrize("periods, hour, minutes", [
    (WINTER_D, 8, 30),                                       # "half-hour-after-the-meeting"
    (WINTER_D, 9, 60),                                       # "whole-hour"
    (WINTER_D, 12, 0),                                       # "lunch-end-is-exclusive"
    (WINTER_D, 14, 30),                                      # "afternoon-starts-14-30"
    (WINTER_D, 17, 30),                                      # "last-half-hour"
    ([(T(9, 10), T(9, 20)), (T(9, 40), T(9, 50))], 9, 20),   # "two-spans-in-one-hour"
], ids=["after-meeting-30", "whole-hour", "lunch-0", "afternoon-30", "last-30", "two-spans"])
def test_hour_minutes(periods, hour, minutes) -> None:
    assert rules.hour_minutes(periods, hour) == minutes


def test_even_pace_shares_the_target_over_calling_minutes() -> None:
    hours = rules.calling_hours(WINTER_D)
    assert hours == [8, 9, 10, 11, 14, 15, 16, 17]
    pace = rules.even_pace(60, WINTER_D, hours)
    assert round(sum(pace), 9) == 60  # the whole target, hour by hour
    assert pace[1] == Decimal(60) * 60 / 390 and round(pace[0] * 2 - pace[1], 9) == 0


@pytest.mark.parametrize("target, periods", [(0, WINTER_D), (60, [])],
                         ids=["no-target", "no-calling-time"])
def test_even_pace_is_zero_without_target_or_time(target, periods) -> None:
    assert rules.even_pace(target, periods, [9, 10]) == [0, 0]


def test_by_hour_series_fills_the_quiet_hours() -> None:
    assert rules.by_hour_series({9: 7, 11: 2}, [8, 9, 10, 11]) == [0, 7, 0, 2]


def counted(floor: Floor) -> None:
    """A001 and A002 hour by hour on Friday 2026-11-20 (D shift, Friday study from 16:30),
    A003 as a day total (no hours)."""
    for hour, done in [(8, 4), (9, 9), (10, 8)]:
        floor.quota.record_counts("A001", Counts(done + 3, done + 1, done, 1), hour=hour)
    for hour, done in [(9, 5), (14, 6)]:
        floor.quota.record_counts("A002", Counts(done + 3, done + 1, done, 1), hour=hour)
    floor.quota.record_counts("A003", Counts(30, 20, 12, 2), daily_total=True)


def test_the_floor_and_each_seat_by_hour(staffed: Floor) -> None:
    counted(staffed)
    curves = day_curves(staffed, dt.date(2026, 11, 20))
    # Friday: the study (16:30–17:30) leaves 16:00–16:30 and takes hour 17 away
    assert curves.hours == [8, 9, 10, 11, 14, 15, 16]
    assert curves.seats["A001"].completed == [4, 9, 8, 0, 0, 0, 0]
    assert curves.seats["A002"].completed == [0, 5, 0, 0, 6, 0, 0]
    assert curves.seats["A003"].completed == [0] * 7  # a day total has no hours
    assert curves.floor.completed == [4, 14, 8, 0, 6, 0, 0]
    seats = staffed.quota.floor_day(dt.date(2026, 11, 20))
    working = [a for a in seats.agents if a.working and a.target]
    # the pace adds up to the floor's target: the working seats' targets
    assert round(sum(curves.floor.pace), 9) == sum(a.target for a in working) > 0
    # 08:30–12:00 and 14:40–16:30 by the policy: 320 calling minutes, 20 of them in hour 14
    assert rules.calling_minutes(calling_periods(staffed.policy, "D", dt.date(2026, 11, 20))) \
        == 320
    assert curves.seats["A001"].pace[1] == Decimal(60) * 60 / 320
    assert curves.seats["A001"].pace[4] == Decimal(60) * 20 / 320


def test_the_day_report_json_carries_the_same_curve(staffed: Floor, capsys) -> None:
    counted(staffed)
    assert run(["--store", str(staffed.store.root), "report", "day", "--date", "2026-11-20",
                "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    curves = day_curves(staffed, dt.date(2026, 11, 20))
    assert data["hourly"]["hours"] == curves.hours
    assert data["hourly"]["completed"] == curves.floor.completed == [4, 14, 8, 0, 6, 0, 0]
    assert data["hourly"]["pace"] == [pace_figure(p) for p in curves.floor.pace]
    assert data["hourly"]["agents"]["A001"] == {
        "completed": [4, 9, 8, 0, 0, 0, 0],
        "pace": [pace_figure(p) for p in curves.seats["A001"].pace]}
    # the hours hold what the agents' rows hold, where the counts came by the hour
    by_id = {a["id"]: a for a in data["agents"]}
    for sid in ("A001", "A002"):
        assert sum(data["hourly"]["agents"][sid]["completed"]) == by_id[sid]["completed"]


def test_the_wall_and_the_workbook_draw_the_same_curve(staffed: Floor, capsys) -> None:
    """One fact, one source: the wallboard's curve (and the day workbook's Hours sheet, made
    from it) is the day report's ``hourly``, its pace summed hour by hour."""
    from floorapp.services import board

    counted(staffed)
    assert run(["--store", str(staffed.store.root), "report", "day", "--date", "2026-11-20",
                "--format", "json"]) == 0
    hourly = json.loads(capsys.readouterr().out)["hourly"]
    fd = staffed.quota.floor_day(dt.date(2026, 11, 20))
    points, unhoured = board.curve(staffed, fd)
    assert [p["hour"] for p in points] == hourly["hours"]
    assert [p["completed"] for p in points] == hourly["completed"]
    running = [sum(hourly["completed"][:n + 1]) for n in range(len(points))]
    assert [p["cumulative"] for p in points] == running
    paces = day_curves(staffed, dt.date(2026, 11, 20)).floor.pace
    assert [p["pace"] for p in points] == [pace_figure(sum(paces[:n + 1], Decimal(0)))
                                           for n in range(len(points))]
    assert points[-1]["pace"] == pace_figure(sum(paces, Decimal(0)))
    assert unhoured == fd.totals.completed - sum(hourly["completed"])  # A003's day total
    assert unhoured > 0
