"""Policy, staff registry and shifts: the foundation's services and pure helpers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from floorapp.errors import FloorError
from floorapp.policy import Policy
from floorapp.rules.schedule import shift_line
from floorapp.services import Floor
from floorapp.rules.staff import Staff, pick
from tests.conftest import STAFF

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)


def test_policy_round_trips_through_the_store(floor: Floor) -> None:
    changed = dataclasses.replace(Policy(), late_mode="all", late_per_minute=Decimal("1.5"),
                                  default_week=["D", "D", "D", "D", "D", "D", "R"])
    floor.save_policy(changed)
    assert floor.policy == changed
    assert isinstance(floor.policy.late_per_minute, Decimal)
    assert floor.store.audit("ref")[-1]["by"] == "tester"


def test_the_spec_defaults() -> None:
    policy = Policy()
    assert policy.late_allowance_minutes == 10 and policy.late_mode == "excess"
    assert policy.early_leave_per_minute == Decimal("2")
    assert policy.pay_days_per_month == Decimal("21.75")
    assert policy.full_attendance_bonus == Decimal("100")
    assert policy.daily_min_completed == 60 and policy.guarantee_orders == 400
    assert policy.calibration_threshold_points == Decimal("5")
    assert policy.day_pay(Decimal("1200")).quantize(Decimal("0.001")) == Decimal("55.172")


@pytest.mark.parametrize(
    "day, season, afternoon",
    [(dt.date(2026, 4, 30), "winter", dt.time(14, 30)),
     (dt.date(2026, 5, 1), "summer", dt.time(15, 0)),
     (dt.date(2026, 9, 30), "summer", dt.time(15, 0)),
     (dt.date(2026, 10, 1), "winter", dt.time(14, 30))],
    ids=["apr-30-winter", "may-1-summer", "sep-30-summer", "oct-1-winter"],
)
def test_seasons_switch_the_afternoon_period(day: dt.date, season: str, afternoon: dt.time) -> None:
    policy = Policy()
    assert policy.season(day) == season
    assert policy.periods("D", day)[1][0] == afternoon
    assert policy.periods("R", day) == []


@pytest.mark.parametrize(
    "now, line",
    [("2026-11-20 07:30", "next: D at 08:00"), ("2026-11-20 09:00", "D 08:00–12:00"),
     ("2026-11-20 12:30", "next: D at 14:30"), ("2026-11-20 18:00", "shifts over for today")],
    ids=["before", "morning", "lunch", "after"],
)
def test_shift_line(now: str, line: str) -> None:
    moment = dt.datetime.fromisoformat(now)
    assert shift_line(Policy(), ["D"], moment) == line
    assert shift_line(Policy(), [], moment) == "rest day"


def test_shifts_come_from_the_roster_else_the_default_week(staffed: Floor) -> None:
    friday, saturday = dt.date(2026, 11, 20), dt.date(2026, 11, 21)
    assert staffed.shifts_on(friday)["A001"] == "D"
    assert staffed.shifts_on(saturday)["A001"] == "R"
    with staffed.transaction() as tx:
        tx.put("roster/2026-11", "cells", "A001/2026-11-21",
               {"staff_id": "A001", "date": "2026-11-21", "code": "C1"})
        tx.put("roster/2026-11", "cells", "A001/2026-11-20",
               {"staff_id": "A001", "date": "2026-11-20", "code": "R"})
    assert staffed.shift_for("A001", saturday) == "C1"
    assert staffed.shift_for("A001", friday) == "R"
    assert staffed.shift_for("A002", friday) == "D"  # not on the roster: the default week


@pytest.mark.parametrize(
    "hired, on, years",
    [("2024-11-20", "2026-11-19", 1), ("2024-11-20", "2026-11-20", 2),
     ("2024-02-29", "2026-02-28", 1), ("2024-02-29", "2026-03-01", 2)],
    ids=["day-before-2-years", "exactly-2-years", "leap-day-before", "leap-day-after"],
)
def test_tenure_on_a_date(hired: str, on: str, years: int) -> None:
    person = dataclasses.replace(STAFF[0], hired=dt.date.fromisoformat(hired))
    assert person.tenure_years(dt.date.fromisoformat(on)) == years


def test_pick_by_id_prefix_then_name() -> None:
    assert [s.id for s in pick(STAFF, "a00")] == ["A001", "A002", "A003"]
    assert [s.id for s in pick(STAFF, "A002")] == ["A002"]
    assert [s.id for s in pick(STAFF, "娜娜")] == ["A001"]
    assert [s.id for s in pick(STAFF, "li")] == ["A002"]
    assert pick(STAFF, "  ") == []


def test_retired_staff_leave_the_register_but_keep_their_history(staffed: Floor) -> None:
    staffed.retire_staff("A003", "left the company")
    assert "A003" not in staffed.staff_by_id()
    assert staffed.store.history("ref", "staff", "A003")[-1]["_retired"] is True
    with pytest.raises(FloorError, match="unknown staff id 'A009'"):
        staffed.retire_staff("A009", "never here")


def test_a_read_only_store_refuses_a_save_with_a_message(staffed: Floor) -> None:
    staffed.store.read_only_reason = "schema 9 is newer"
    with pytest.raises(FloorError, match="read-only: schema 9 is newer"):
        staffed.save_staff(Staff("A010", "x", "agent", "T", dt.date(2026, 1, 1), Decimal(1)))
