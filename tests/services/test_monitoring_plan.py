"""The daily monitoring plan (SPEC §6): minimums met or the shortfall reported, for any floor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floorapp.rules import monitoring as rules
from floorapp.policy import Policy

DAY = dt.date(2026, 11, 20)
POLICY = Policy()


def periods(code: str) -> tuple[tuple[int, int], ...]:
    return rules.periods_minutes(POLICY, code, DAY)


@st.composite
def floors(draw: st.DrawFn) -> tuple[Policy, list, list, int, int]:
    policy = dataclasses.replace(
        POLICY,
        agent_min_monitored_per_week=draw(st.integers(0, 6)),
        monitor_live_per_day=draw(st.integers(0, 6)),
        monitor_recording_per_day=draw(st.integers(0, 6)),
        monitor_side_by_side_per_day=draw(st.integers(0, 4)),
        outbound_qc_per_agent_day=draw(st.integers(0, 3)),
        monitoring_share_min=Decimal(draw(st.sampled_from(["0", "0.05", "0.1"]))),
        monitoring_share_max=Decimal(draw(st.sampled_from(["0.15", "0.3"]))),
        heavy_monitoring_factor=draw(st.integers(1, 3)),
        system_change_active=draw(st.booleans()),
    )
    codes = st.sampled_from(["D", "C1", "C2", "A"])
    monitors = [rules.PlanPerson(f"Q{i}", "monitor", periods(draw(codes)))
                for i in range(draw(st.integers(0, 4)))]
    agents = []
    for i in range(draw(st.integers(0, 25))):
        agents.append(rules.PlanPerson(
            f"A{i:02d}", draw(st.sampled_from(["agent", "agent", "complaint"])),
            periods(draw(codes)), new_hire=draw(st.booleans()), follow_up=draw(st.booleans()),
            low_score=draw(st.booleans()), done_this_week=draw(st.integers(0, 5)),
            working_days_left=draw(st.integers(1, 7)), done_today=draw(st.integers(0, 2))))
    volume = draw(st.integers(0, 3000))
    from_minute = draw(st.sampled_from([0, 0, 9 * 60, 15 * 60, 19 * 60]))
    return policy, monitors, agents, volume, from_minute


def check_plan(plan: rules.Plan, policy: Policy, monitors: list, agents: list) -> None:
    text = "\n".join(plan.shortfalls)
    per_agent: dict[str, int] = {}
    per_mode: dict[tuple[str, str], int] = {}
    by_id = {p.id: p for p in monitors + agents}
    for a in plan.assignments:
        per_agent[a.staff_id] = per_agent.get(a.staff_id, 0) + 1
        per_mode[(a.monitor_id, a.mode)] = per_mode.get((a.monitor_id, a.mode), 0) + 1
        minute = int(a.slot[:2]) * 60 + int(a.slot[3:])
        assert any(s <= minute < e for s, e in by_id[a.monitor_id].periods), a
        if a.mode != "recording":  # listening live needs the agent on the phones then
            assert any(s <= minute < e for s, e in by_id[a.staff_id].periods), a
    for agent in agents:
        need = max(0, rules.agent_daily_need(agent, policy) - agent.done_today)
        light = rules.agent_daily_need(
            dataclasses.replace(agent, new_hire=False, follow_up=False, low_score=False),
            dataclasses.replace(policy, system_change_active=False))
        if agent.heavy or policy.system_change_active:  # weighted to those who need it
            assert rules.agent_daily_need(agent, policy) == light * policy.heavy_monitoring_factor
        if per_agent.get(agent.id, 0) < need:
            assert f"agent {agent.id}:" in text
    minimums = {"live": policy.monitor_live_per_day, "recording": policy.monitor_recording_per_day,
                "side_by_side": policy.monitor_side_by_side_per_day}
    for monitor in monitors:
        for mode, need in minimums.items():
            if per_mode.get((monitor.id, mode), 0) < need:
                assert f"monitor {monitor.id}:" in text and mode in text
    total = len(plan.assignments) + sum(a.done_today for a in agents)
    if plan.volume and total < math.ceil(policy.monitoring_share_min * plan.volume):
        assert "below the" in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(floors(), st.integers(0, 10_000))
def test_every_minimum_met_or_reported(floor: tuple, seed: int) -> None:
    policy, monitors, agents, volume, from_minute = floor
    plan = rules.make_plan(DAY, monitors, agents, policy, volume=volume, seed=seed,
                           from_minute=from_minute)
    check_plan(plan, policy, monitors, agents)
    again = rules.make_plan(DAY, monitors, agents, policy, volume=volume, seed=seed,
                            from_minute=from_minute)
    assert again.assignments == plan.assignments  # deterministic per seed


def normal_floor(agents: int = 40, monitors: int = 2) -> tuple[list, list]:
    return ([rules.PlanPerson(f"Q{i}", "monitor", periods("D")) for i in range(monitors)],
            [rules.PlanPerson(f"A{i:02d}", "agent", periods("D"), new_hire=i < 4)
             for i in range(agents)])


def test_a_normal_floor_needs_no_shortfall_and_weights_new_hires() -> None:
    monitors, agents = normal_floor()
    plan = rules.make_plan(DAY, monitors, agents, POLICY, volume=40 * 60, seed=1)
    assert plan.shortfalls == []
    counts = {a.id: sum(1 for x in plan.assignments if x.staff_id == a.id) for a in agents}
    assert min(counts[f"A{i:02d}"] for i in range(4)) >= 4  # 2 QC a day × factor 2
    assert min(counts.values()) >= POLICY.outbound_qc_per_agent_day
    for monitor in monitors:
        modes = [a.mode for a in plan.assignments if a.monitor_id == monitor.id]
        assert modes.count("live") >= 5 and modes.count("recording") >= 5
        assert modes.count("side_by_side") >= 3


def test_slots_spread_over_the_whole_shift() -> None:
    monitors, agents = normal_floor()
    plan = rules.make_plan(DAY, monitors, agents, POLICY, volume=40 * 60, seed=3)
    for monitor in monitors:
        minutes = sorted(int(a.slot[:2]) * 60 + int(a.slot[3:])
                         for a in plan.assignments if a.monitor_id == monitor.id)
        hours = {m // 60 for m in minutes}
        # every working hour of D (08–12, 14:30–17:30) holds some of the monitor's slots
        assert {8, 9, 10, 11, 14, 15, 16, 17} <= hours


def test_different_days_different_slots_same_day_same_slots() -> None:
    monitors, agents = normal_floor(10, 1)
    one = rules.make_plan(DAY, monitors, agents, POLICY, volume=600, seed=20261120)
    two = rules.make_plan(DAY, monitors, agents, POLICY, volume=600, seed=20261121)
    assert one.assignments != two.assignments


@pytest.mark.parametrize(
    ("monitors", "agents", "expected"),
    [(0, 5, "agent A04: 0 of 3"), (1, 0, "monitor Q0: 0 of 5 live"),
     (2, 40, None)],
    ids=["no-monitor-on-shift", "no-agent-on-shift", "enough"],
)
def test_shortfalls_reported(monitors: int, agents: int, expected: str | None) -> None:
    m, a = normal_floor(agents, monitors)
    plan = rules.make_plan(DAY, m, a, POLICY, volume=agents * 60, seed=1)
    if expected is None:
        assert plan.shortfalls == []
    else:
        assert any(expected in s for s in plan.shortfalls), plan.shortfalls


def test_replan_plans_only_from_now() -> None:
    monitors, agents = normal_floor(10, 1)
    plan = rules.make_plan(DAY, monitors, agents, POLICY, volume=600, seed=1,
                           from_minute=15 * 60)
    assert plan.assignments and all(a.slot >= "15:00" for a in plan.assignments)


@pytest.mark.parametrize(
    ("slot", "done", "now", "status"),
    [("10:00", True, 600 + 120, "done"), ("10:00", False, 599, "due"),
     ("10:00", False, 659, "due"), ("10:00", False, 660, "overdue")],
    ids=["done", "ahead", "within-the-hour", "an-hour-past"],
)
def test_slot_status(slot: str, done: bool, now: int, status: str) -> None:
    assert rules.slot_status(slot, done, now) == status


def test_match_done_prefers_the_planned_monitor() -> None:
    plan = [rules.Assignment("09:00", "Q1", "A1", "live"),
            rules.Assignment("09:00", "Q2", "A1", "live")]
    assert rules.match_done(plan, [("09:30", "Q2", "A1", "live")]) == ([False, True], 0)
    assert rules.match_done(plan, [("09:30", "Q3", "A1", "live")])[0].count(True) == 1
    assert rules.match_done(plan, [("09:30", "Q1", "A1", "recording")]) == ([False, False], 1)


@pytest.mark.parametrize(
    ("evaluations", "done", "extra"),
    [([("10:30", "Q1", "A1", "live")], [True, False, False], 0),
     ([("08:00", "Q1", "A1", "live")], [False, False, False], 1),
     ([("16:56", "Q1", "A1", "live")], [False, False, True], 0),
     ([("10:40", "Q1", "A1", "live"), ("10:30", "Q1", "A1", "live")], [True, False, False], 1),
     ([("17:00", "Q1", "A1", "live"), ("17:05", "Q1", "A1", "live")], [True, False, True], 0),
     ([("17:00", "Q1", "A2", "live")], [False, False, False], 1)],
    ids=["10:30-fills-09:00-not-16:56", "before-any-slot-is-extra", "at-the-slot-time",
         "second-call-finds-none-open", "nearest-first-then-the-earlier", "another-agent"],
)
def test_an_evaluation_fills_the_nearest_open_slot_at_or_before_it(
        evaluations, done: list[bool], extra: int) -> None:
    plan = [rules.Assignment("09:00", "Q1", "A1", "live"),
            rules.Assignment("16:56", "Q2", "A1", "recording"),
            rules.Assignment("16:56", "Q1", "A1", "live")]
    assert rules.match_done(plan, evaluations) == (done, extra)
