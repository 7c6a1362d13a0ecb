"""The floor's hourly curve against the pace to target (floorapp.pace, issue #28): pure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from floorapp.pace import hourly_curve

T = dt.time
MORNING = [(T(8, 30), T(12, 0))]  # 210 calling minutes
SPLIT = [(T(8, 30), T(12, 0)), (T(14, 30), T(17, 30))]  # 210 + 180 = 390


@pytest.mark.parametrize(("by_hour", "seats", "expected"), [
    pytest.param({}, [(70, MORNING)],
                 [(8, 0, 0, Decimal(10)), (9, 0, 0, Decimal(30)), (10, 0, 0, Decimal(50)),
                  (11, 0, 0, Decimal(70))], id="nothing-yet-pace-from-half-past-eight"),
    pytest.param({8: 5, 9: 20, 11: 30}, [(70, MORNING)],
                 [(8, 5, 5, Decimal(10)), (9, 20, 25, Decimal(30)), (10, 0, 25, Decimal(50)),
                  (11, 30, 55, Decimal(70))], id="running-sum-and-an-empty-hour"),
    pytest.param({9: 4}, [(70, MORNING), (0, MORNING)],
                 [(8, 0, 0, Decimal(10)), (9, 4, 4, Decimal(30)), (10, 0, 4, Decimal(50)),
                  (11, 0, 4, Decimal(70))], id="a-seat-without-target-adds-no-pace"),
    pytest.param({19: 3}, [(70, MORNING)],
                 [(8, 0, 0, Decimal(10)), (9, 0, 0, Decimal(30)), (10, 0, 0, Decimal(50)),
                  (11, 0, 0, Decimal(70)), (19, 3, 3, Decimal(70))],
                 id="calls-outside-the-shift-still-plotted"),
])
def test_hourly_curve(by_hour, seats, expected) -> None:  # noqa: ANN001
    points = hourly_curve(by_hour, seats)
    assert [(p.hour, p.completed, p.cumulative, p.pace) for p in points] == expected


def test_split_shift_reaches_the_target_at_the_last_hour_and_waits_over_lunch() -> None:
    points = {p.hour: p.pace for p in hourly_curve({}, [(390, SPLIT)])}
    assert sorted(points) == [8, 9, 10, 11, 14, 15, 16, 17]
    assert points[11] == Decimal(210)  # the morning's share, one a calling minute
    assert points[14] == Decimal(240)  # 14:30–15:00
    assert points[17] == Decimal(390)


def test_late_night_hour_counts_to_the_end_of_the_day() -> None:
    points = hourly_curve({23: 1}, [(10, [(T(22, 0), T(23, 59))])])
    assert points[-1].hour == 23 and points[-1].pace == Decimal(10)
