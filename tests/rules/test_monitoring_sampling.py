"""Sampling per scorecard [003] (SPEC §6 rev. 12-2026): the telesales cycle and counts, the
400-hotline counts and averaging; the plan follows the rule of each person's scorecard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import sampling
from floorapp.policy import Policy
from floorapp.services import Floor
from tests.services.test_monitoring_service import at

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

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
    from tests.services.test_monitoring_service import at

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


# ------------------------------------------------------------------ edges of each rule
@pytest.mark.parametrize(
    ("people", "calls", "need"),
    [(29, 1000, 100), (29, 200, 30), (30, 200, 30), (31, 200, 31), (10, 0, 30),
     (10, 300, 30), (10, 301, 31), (10, 309, 31), (10, 310, 31), (10, 29, 29), (10, 30, 30)],
    ids=["29-people-10pct-governs", "29-people-total-30-governs", "30-people-30",
         "31-people-one-each-governs", "no-calls-known-yet-30", "10pct-of-300-is-30",
         "10pct-of-301-rounds-up-to-31", "10pct-of-309-rounds-up-to-31", "10pct-of-310-is-31",
         "29-calls-all-checked", "30-calls-all-checked"])
def test_hotline_400_total_edges(people: int, calls: int, need: int) -> None:
    assert sampling.hotline_sample_total(people, calls, POLICY) == need


@pytest.mark.parametrize(
    ("known", "gone", "total", "expected"),
    [(0, 0, 30, 0), (100, 10, 30, 300), (101, 10, 30, 303), (100, 30, 30, 100),
     (7, 3, 31, 73)],
    ids=["first-day-only-what-is-known", "carried-on-at-the-same-rate", "rate-rounds-up",
         "period-over-the-calls-as-they-are", "short-start-rounds-up"])
def test_expected_calls(known: int, gone: int, total: int, expected: int) -> None:
    assert sampling.expected_calls(known, gone, total) == expected


@pytest.mark.parametrize(
    ("done", "total", "left"),
    [({"A": 0, "B": 0}, 30, {"A": 15, "B": 15}),
     ({"A": 0, "B": 0, "C": 0}, 31, {"A": 11, "B": 10, "C": 10}),
     ({"A": 5, "B": 0}, 6, {"A": 0, "B": 1}),
     ({"A": 10, "B": 0, "C": 0}, 2, {"A": 0, "B": 1, "C": 1}),
     ({"A": 2, "B": 0}, 6, {"A": 1, "B": 3}),
     ({"A": 15, "B": 15}, 30, {"A": 0, "B": 0})],
    ids=["two-people-share-30", "remainder-by-id", "one-each-before-a-second",
         "one-each-even-past-the-total", "least-checked-first", "period-met"])
def test_hotline_left_shares_out_the_total(done: dict, total: int, left: dict) -> None:
    assert sampling.hotline_left(done, total, POLICY) == left


@pytest.mark.parametrize(
    ("need", "closed", "unclosed", "unknown", "left"),
    [((3, 1), 0, 0, 0, 4), ((3, 1), 4, 0, 0, 1), ((3, 1), 0, 4, 0, 3), ((3, 1), 3, 1, 0, 0),
     ((1, 3), 1, 3, 0, 0), ((3, 2), 3, 1, 0, 1), ((3, 1), 1, 0, 2, 1), ((3, 1), 0, 0, 9, 0)],
    ids=["nothing-heard", "four-closed-leave-the-unclosed", "four-unclosed-leave-the-closed",
         "tsr-met", "closed-short-met-with-unclosed", "trainee-one-unclosed-short",
         "no-outcome-counts-against-what-is-missing", "never-below-zero"])
def test_telesales_left(need: tuple[int, int], closed: int, unclosed: int, unknown: int,
                        left: int) -> None:
    got = sampling.telesales_left(sampling.TelesalesNeed(*need), closed, unclosed, unknown)
    assert got == left


@pytest.mark.parametrize(
    ("scores", "average"),
    [([("A", "90")], {"A": "90"}), ([("A", "90"), ("A", "70")], {"A": "80"}),
     ([("A", "90"), ("A", "70"), ("A", "71")], {"A": "77"}),
     ([("A", "38"), ("B", "50"), ("A", "42")], {"A": "40", "B": "50"})],
    ids=["picked-once", "picked-twice-averaged", "picked-three-times", "averaged-at-the-40-mark"])
def test_repeated_picks_averaged_edges(scores: list, average: dict) -> None:
    got = sampling.averaged_by_person((p, Decimal(v)) for p, v in scores)
    assert got == {p: Decimal(v) for p, v in average.items()}


# ------------------------------------------------------------------ the plan and the reports
def _calls(floor: Floor, staff_id: str, day: str, connected: int, orders: int = 0) -> None:
    from floorapp.rules.quota import Counts

    floor.quota.record_counts(staff_id, Counts(connected, connected, connected, orders),
                              day=dt.date.fromisoformat(day), daily_total=True, add=False)


def test_the_plan_reaches_the_400_lines_ten_percent(staffed: Floor) -> None:
    """400 calls connected by the 19th of November (19 days gone of 30) carry on to 632 in the
    month; 10 % is 64 to check, 32 each for C001 and C002, over the 7 working days left: 5
    today each, all recordings."""
    _use(staffed, "complaint", "hotline-400")
    _calls(staffed, "C001", "2026-11-05", 250)
    _calls(staffed, "C002", "2026-11-06", 150)
    _calls(staffed, "C002", "2026-11-20", 999)  # today's: not yet counted for the rate
    pool = staffed.monitoring.hotline_pool(TODAY, TODAY - dt.timedelta(days=1))
    assert (pool["calls"], pool["expected_calls"], pool["total"]) == (400, 632, 64)
    assert pool["left"] == {"C001": 32, "C002": 32}
    staffed.monitoring.ensure_plan(TODAY)
    rows = staffed.monitoring.day_plan(TODAY).rows
    for sid in ("C001", "C002"):
        mine = [r for r in rows if r.staff_id == sid]
        assert len(mine) == 5 and {r.mode for r in mine} == {"recording"}


def test_the_400_plan_counts_what_is_done_in_the_period(staffed: Floor) -> None:
    """C001 heard 14 times this month and once on 31 October (last month: not counted): the
    30 are shared so C001 has 1 more and C002 15."""
    _use(staffed, "complaint", "hotline-400")
    for moment in [f"2026-11-{d:02d}T10:00:00" for d in range(2, 16)] + ["2026-10-31T10:00:00"]:
        at(staffed, moment).monitoring.save_evaluation("C001", "Q001", "recording",
                                                       "hotline-400", "a1")
    pool = staffed.monitoring.hotline_pool(TODAY, TODAY - dt.timedelta(days=1))
    assert pool["done"] == 14 and pool["left"] == {"C001": 1, "C002": 15}


def test_400_repeated_picks_averaged_in_the_report(staffed: Floor) -> None:
    """C001 picked twice (99 and 95 of 100): the sampling report and the QA month both show
    the average, 97; the verdict is on the average against the printed 40."""
    _use(staffed, "complaint", "hotline-400")
    m = at(staffed, "2026-11-10T10:00:00").monitoring
    m.save_evaluation("C001", "Q001", "recording", "hotline-400", "a1")
    m.save_evaluation("C001", "Q001", "recording", "hotline-400", "b1x2 a2")
    status = {r["id"]: r for r in staffed.monitoring.sampling_status(TODAY)}
    assert status["C001"]["average"] == "97.00" and status["C001"]["average_score"] == "97.00"
    assert status["C001"]["passed"] is True and status["C001"]["done"] == 2
    assert status["C002"]["average"] is None and status["C002"]["passed"] is None
    assert status["C001"]["need"] + status["C002"]["need"] == 30
    staff_rows, _monitors = staffed.monitoring.qa_month(2026, 11)
    assert {r["id"]: r["mean"] for r in staff_rows}["C001"] == "97.00"
    from floorapp.cli.qa import sampling_report

    report = sampling_report(staffed, TODAY)
    assert report.data["hotline_400"]["total"] == 30
    assert any("30 calls to check" in n for n in report.notes)


@pytest.mark.parametrize(
    ("heard_on", "counted"),
    [("2026-10-20T10:00:00", False), ("2026-10-21T10:00:00", True)],
    ids=["the-20th-is-last-cycle", "the-21st-is-this-cycle"])
def test_the_telesales_plan_at_the_cycle_boundary(staffed: Floor, heard_on: str,
                                                  counted: bool) -> None:
    _use(staffed, "T01", "telesales-compliance")
    at(staffed, heard_on).monitoring.save_evaluation("A001", "Q001", "recording",
                                                     "telesales-compliance", "",
                                                     outcome="closed")
    staffed.monitoring.ensure_plan(TODAY)
    rows = staffed.monitoring.day_plan(TODAY).rows
    mine = [r for r in rows if r.staff_id == "A001"]
    assert len(mine) == (3 if counted else 4) and {r.mode for r in mine} == {"recording"}


def test_telesales_unclosed_in_place_of_missing_closed(staffed: Floor) -> None:
    """A001 has 1 order in the cycle: 1 closed + 3 unclosed; four unclosed heard leave the
    closed one still to hear (and only it)."""
    _use(staffed, "T01", "telesales-compliance")
    _calls(staffed, "A001", "2026-11-02", 60, orders=1)
    for day in ("2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"):
        at(staffed, f"{day}T10:00:00").monitoring.save_evaluation(
            "A001", "Q001", "recording", "telesales-compliance", "", outcome="unclosed")
    status = {r["id"]: r for r in staffed.monitoring.sampling_status(TODAY)}
    a001 = status["A001"]
    assert (a001["need_closed"], a001["need_unclosed"], a001["left"]) == (1, 3, 1)
    assert a001["closed_available"] == 1
    assert status["A002"]["closed_available"] is None  # no calls recorded: 3 + 1 as printed
    staffed.monitoring.ensure_plan(TODAY)
    assert sum(1 for r in staffed.monitoring.day_plan(TODAY).rows if r.staff_id == "A001") == 1


@pytest.mark.parametrize(
    ("calls", "total"),
    [({}, 0), ({"p": 1}, 1), ({"p": 0}, 0), ({"p": 1000}, 278), ({"p": 1000, "q": 1000}, 556),
     ({"p": 100000}, 383)],
    ids=["no-calls-nothing", "one-call-heard", "empty-project-skipped",
         "1000-calls-278-at-95pct", "each-project-its-own-sample", "large-project-near-385"])
def test_copc_total_per_project(calls: dict, total: int) -> None:
    assert sampling.copc_total(calls, POLICY) == total


def test_the_plan_draws_todays_part_of_the_copc_sample(staffed: Floor) -> None:
    """2000 outbound calls by the 19th carry on to 3158 in November; its COPC sample spread
    over the 7 working days left is today's floor for the agents on copc cards."""
    _calls(staffed, "A001", "2026-11-02", 2000)
    pool = staffed.monitoring.copc_pool(TODAY, TODAY - dt.timedelta(days=1))
    need = rules.sample_size(3158, POLICY.sample_confidence, POLICY.sample_margin,
                             POLICY.sample_proportion)
    assert (pool["calls"], pool["total"], pool["today"]) == (2000, need, -(-need // 7))
    staffed.monitoring.ensure_plan(TODAY)
    plan = staffed.monitoring.day_plan(TODAY)
    copc = {"A001", "A002", "A003", "C001", "C002"}
    assert sum(1 for r in plan.rows if r.staff_id in copc) >= pool["today"]
    assert not any("COPC" in s for s in plan.shortfalls)


@pytest.mark.parametrize(("copc_today", "short"), [(3, False), (40, True)],
                         ids=["copc-part-planned", "copc-part-beyond-the-monitors-minutes"])
def test_the_copc_part_in_the_pure_plan(copc_today: int, short: bool) -> None:
    monitor = rules.PlanPerson("Q1", "monitor", ((540, 560),))  # 20 minutes on the floor
    agents = [rules.PlanPerson("A1", "agent", ((540, 1080),), done_this_week=9),
              rules.PlanPerson("T1", "agent", ((540, 1080),), period_left=0,
                               recordings_only=True)]
    plan = rules.make_plan(TODAY, [monitor], agents, POLICY, volume=0, seed=1,
                           copc_today=copc_today)
    on_copc = sum(1 for a in plan.assignments if a.staff_id == "A1")
    assert on_copc >= copc_today or (short and on_copc == 20)  # one slot a minute at most
    assert not any(a.staff_id == "T1" for a in plan.assignments)  # its rule is met
    assert any("below today's 40 of the COPC sample" in s for s in plan.shortfalls) == short
    if short:
        assert rules.shortfall_text(plan.shortfalls[-1]).startswith("floor: 20 monitored calls")


@pytest.mark.parametrize(
    ("need", "closed", "unclosed", "slots", "outcomes"),
    [((3, 1), 0, 0, 4, ["closed", "closed", "closed", "unclosed"]),
     ((3, 1), 0, 0, 2, ["closed", "closed"]),
     ((3, 1), 3, 0, 1, ["unclosed"]),
     ((3, 1), 1, 1, 3, ["closed", "closed", ""]),
     ((1, 3), 1, 0, 3, ["unclosed"] * 3),
     ((3, 1), 3, 1, 1, [""])],
    ids=["a-whole-cycle-closed-first", "two-slots-today-both-closed", "closed-met-unclosed-left",
         "more-slots-than-missing", "one-order-in-the-cycle-unclosed-stand-in", "all-heard"])
def test_slot_outcomes(need, closed, unclosed, slots, outcomes) -> None:
    assert sampling.slot_outcomes(sampling.TelesalesNeed(*need), closed, unclosed,
                                  slots) == outcomes


def test_the_plan_says_which_recording_a_telesales_slot_is_for(staffed: Floor) -> None:
    """A001 heard one closed recording this cycle: today's 3 slots are 2 closed, 1 unclosed;
    A002 (none heard) 3 closed then 1 unclosed; an outbound agent's slots say nothing."""
    _use(staffed, "T01", "telesales-compliance")
    at(staffed, "2026-11-19T10:00:00").monitoring.save_evaluation(
        "A001", "Q001", "recording", "telesales-compliance", "", outcome="closed")
    staffed.monitoring.ensure_plan(TODAY)
    rows = staffed.monitoring.day_plan(TODAY).rows
    by = {sid: [r.outcome for r in rows if r.staff_id == sid] for sid in ("A001", "A002")}
    assert by == {"A001": ["closed", "closed", "unclosed"],
                  "A002": ["closed", "closed", "closed", "unclosed"]}
    assert all(r.outcome == "" for r in rows if r.staff_id not in ("A001", "A002", "A003"))
