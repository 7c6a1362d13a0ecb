"""Sampling per scorecard [003] (SPEC §6 rev. 12-2026): the telesales cycle and counts, the
400-hotline counts and averaging; the plan follows the rule of each person's scorecard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from floorapp import monitoring as rules
from floorapp import monitoring_sampling as sampling
from floorapp.policy import Policy
from floorapp.services import Floor

POLICY = Policy()
TODAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [("2026-11-20", "2026-10-21", "2026-11-20"), ("2026-11-21", "2026-11-21", "2026-12-20"),
     ("2026-01-05", "2025-12-21", "2026-01-20"), ("2026-12-21", "2026-12-21", "2027-01-20"),
     ("2026-03-20", "2026-02-21", "2026-03-20")],
    ids=["the-20th-ends-the-cycle", "the-21st-starts-the-next", "across-new-year",
         "december-21st", "february-cycle"])
def test_telesales_cycle_21st_to_20th(day: str, start: str, end: str) -> None:
    assert sampling.telesales_cycle(dt.date.fromisoformat(day)) == (
        dt.date.fromisoformat(start), dt.date.fromisoformat(end))


@pytest.mark.parametrize(
    ("trainee", "closed", "need"),
    [(False, None, (3, 1)), (True, None, (3, 2)), (False, 3, (3, 1)), (False, 1, (1, 3)),
     (True, 0, (0, 5)), (False, 9, (3, 1))],
    ids=["tsr-3-plus-1", "trainee-3-plus-2", "tsr-enough-closed", "tsr-one-closed-two-more-unclosed",
         "trainee-no-closed", "plenty-closed"])
def test_telesales_need(trainee: bool, closed: int | None, need: tuple[int, int]) -> None:
    got = sampling.telesales_need(trainee, closed, POLICY)
    assert (got.closed, got.unclosed) == need


@pytest.mark.parametrize(
    ("people", "calls", "need"),
    [(10, 100, 30), (40, 100, 40), (10, 500, 50), (10, 20, 20), (45, 1000, 100)],
    ids=["at-least-30", "one-each-above-30", "ten-percent", "never-more-than-calls",
         "ten-percent-over-people"])
def test_hotline_400_sample_total(people: int, calls: int, need: int) -> None:
    assert sampling.hotline_sample_total(people, calls, POLICY) == need


def test_repeated_picks_are_averaged() -> None:
    got = sampling.averaged_by_person([("A", Decimal(90)), ("B", Decimal(50)), ("A", Decimal(70))])
    assert got == {"A": Decimal(80), "B": Decimal(50)}


def test_hotline_period_month_or_quarter() -> None:
    assert sampling.hotline_period(TODAY) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert sampling.hotline_period(TODAY, "quarter") == (dt.date(2026, 10, 1),
                                                         dt.date(2026, 12, 31))


def test_period_need_spreads_over_the_days_left() -> None:
    person = rules.PlanPerson("T1", "agent", ((540, 1080),), period_left=4, period_days_left=3)
    assert rules.agent_daily_need(person, POLICY) == 2
    done = rules.PlanPerson("T1", "agent", ((540, 1080),), period_left=0)
    assert rules.agent_daily_need(done, POLICY) == 0
    copc = rules.PlanPerson("T1", "agent", ((540, 1080),), working_days_left=5)
    assert rules.agent_daily_need(copc, POLICY) == POLICY.outbound_qc_per_agent_day


def _use(floor: Floor, team: str, scorecard: str) -> None:
    policy = floor.policy
    policy.qa_team_scorecards = {team: scorecard}
    floor.save_policy(policy)


def test_the_plan_follows_the_telesales_rule_of_the_team(staffed: Floor) -> None:
    """T01 (A001–A003) on telesales: on the 20th, the cycle's last day, each needs the whole
    cycle's 4 (trainee A003, hired this month: 5) less what was done before today."""
    _use(staffed, "T01", "telesales-compliance")
    yesterday = staffed.monitoring
    from tests.test_monitoring_service import at

    before = at(staffed, "2026-11-19T10:00:00").monitoring
    before.save_evaluation("A001", "Q001", "recording", "telesales-compliance", "", outcome="closed")
    staffed.monitoring.ensure_plan(TODAY)
    rows = yesterday.day_plan(TODAY).rows
    count = {sid: sum(1 for r in rows if r.staff_id == sid) for sid in ("A001", "A002", "A003")}
    assert count == {"A001": 3, "A002": 4, "A003": 5}
    status = {r["id"]: r for r in staffed.monitoring.sampling_status(TODAY)}
    assert status["A001"]["closed"] == 1 and status["A001"]["from"] == "2026-10-21"
    assert (status["A003"]["need_closed"], status["A003"]["need_unclosed"]) == (3, 2)


def test_the_plan_follows_the_400_rule(staffed: Floor) -> None:
    _use(staffed, "complaint", "hotline-400")
    staffed.monitoring.ensure_plan(TODAY)
    rows = staffed.monitoring.day_plan(TODAY).rows
    # The line's ≥ 30 a month shared by its two people (15 each, none done), spread over the 7
    # working days left in November from Friday the 20th: 3 today, all recordings.
    mine = [r for r in rows if r.staff_id == "C001"]
    assert len(mine) == 3 and {r.mode for r in mine} == {"recording"}


def test_outcome_is_checked(staffed: Floor) -> None:
    from floorapp.errors import FloorError

    with pytest.raises(FloorError, match="closed or unclosed"):
        staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "",
                                           outcome="maybe")
