"""Roster rules (SPEC §7): generation meets every rule for any feasible staff mix; checks name
what is wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floorapp.errors import FloorError
from floorapp.policy import Policy
from floorapp.rules.roster import (
    LEAVE_TYPES,
    REST,
    Member,
    check_month,
    generate_month,
    is_weekend,
    manager_rests_needed,
    month_days,
    parse_month,
    required_agents,
    rests_owed,
    week_segments,
)

POLICY = Policy()
# Properties run derandomized (the same examples every run, so CI is not flaky); set
# ROSTER_EXAMPLES=500 to explore afresh with that many random examples.
EXAMPLES = int(os.environ.get("ROSTER_EXAMPLES", "0"))


def staff_mix(agents: int, handlers: int, monitors: int = 0, leads: int = 0,
              managers: int = 0) -> list[Member]:
    out = []
    for role, prefix, count in (("agent", "A", agents), ("complaint", "C", handlers),
                                ("monitor", "Q", monitors), ("lead", "L", leads),
                                ("manager", "M", managers)):
        out += [Member(f"{prefix}{n:03d}", role) for n in range(1, count + 1)]
    return out


mixes = st.builds(
    staff_mix,
    agents=st.integers(3, 120),
    handlers=st.integers(3, 4),  # at most 2 complaint seats at once [004]: 4 handlers fill them
    monitors=st.integers(0, 6),
    leads=st.integers(0, 8),
    managers=st.integers(0, 4),
)
months = st.tuples(st.integers(2024, 2030), st.integers(1, 12))


@settings(max_examples=EXAMPLES or 60, derandomize=not EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(people=mixes, ym=months, share=st.floats(0, 0.85), chained=st.booleans())
def test_generated_month_meets_every_rule(people, ym, share, chained):
    year, month = ym
    agents = sum(1 for p in people if p.role == "agent")
    seats = int(agents * share)
    previous = None
    if chained:  # the previous month's last runs count toward this month's first
        py, pm = (year - 1, 12) if month == 1 else (year, month - 1)
        previous = generate_month(people, py, pm, POLICY, seats)
    cells = generate_month(people, year, month, POLICY, seats, previous=previous)
    assert check_month(people, year, month, cells, POLICY, seats, previous) == []

    # and the properties themselves, independently of check_month:
    days = month_days(year, month)
    keys = [d.isoformat() for d in days]
    for person in people:
        row = [cells[person.id][k] for k in keys]
        if person.role == "manager":
            for seg in week_segments(days):
                assert sum(row[i] == REST for i in seg) == manager_rests_needed(POLICY, len(seg))
        else:
            assert row.count(REST) == POLICY.rest_days_per_month
        run = longest = 0
        for code in row:
            run = 0 if code == REST else run + 1
            longest = max(longest, run)
        assert longest <= POLICY.max_days_without_rest
    for index in range(len(days)):
        on_d = sum(1 for p in people if p.role == "agent" and cells[p.id][keys[index]] == "D")
        assert on_d >= seats
        codes = {cells[p.id][keys[index]] for p in people if p.role == "complaint"}
        assert {"C1", "C2"} <= codes
    for role in ("agent", "complaint", "monitor", "lead", "manager"):
        group = [p for p in people if p.role == role]
        weekend_rests = [sum(1 for i, d in enumerate(days) if is_weekend(d)
                             and cells[p.id][keys[i]] == REST) for p in group]
        if weekend_rests:
            assert max(weekend_rests) - min(weekend_rests) <= 1
    for person in people:
        if person.role == "complaint":
            assert {"C1", "C2"} <= set(cells[person.id].values())


@settings(max_examples=EXAMPLES or 30, derandomize=not EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(people=st.builds(staff_mix, agents=st.integers(12, 80), handlers=st.integers(3, 4),
                        monitors=st.integers(0, 4), leads=st.integers(0, 6),
                        managers=st.integers(0, 3)),
       ym=months, data=st.data())
def test_leave_entered_beforehand_is_kept_and_rules_still_met(people, ym, data):
    """Some staff already have leave in the month (kept as it is, and not counted as rest).
    Known limit: in a very small team with leave clumped on the same days, the greedy may miss
    an arrangement that exists and report a coverage shortfall instead; it is named, not
    hidden."""
    days = month_days(*ym)
    fixed = {}
    for person in people:
        if data.draw(st.integers(0, 9), label="leave?") == 0:  # about one in ten on leave
            start = data.draw(st.integers(0, len(days) - 1))
            length = data.draw(st.integers(1, 4))
            kind = data.draw(st.sampled_from(LEAVE_TYPES))
            fixed[person.id] = {d.isoformat(): kind for d in days[start:start + length]}
    cells = generate_month(people, *ym, POLICY, fixed=fixed)
    for sid, row in fixed.items():
        assert all(cells[sid][k] == kind for k, kind in row.items())
    agents = [p for p in people if p.role == "agent"]
    handlers = [p for p in people if p.role == "complaint"]
    need = required_agents(POLICY, len(agents))

    def present(group, key):
        return sum(1 for p in group if key not in fixed.get(p.id, {}))

    # leave can make a day impossible to cover; nothing else may break
    impossible = {d.isoformat() for d in days if present(agents, d.isoformat()) < need
                  or present(handlers, d.isoformat()) < 2}
    violations = [v for v in check_month(people, *ym, cells, POLICY)
                  if v.split(":")[0] not in impossible]
    assert violations == []


def test_rules_module_is_pure():
    import subprocess
    import sys

    code = ("import sys, floorapp.rules.roster; "
            "print(sorted(m for m in ('textual', 'tinydb', 'store') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@settings(max_examples=15, derandomize=True, deadline=None)
@given(ym=months)
def test_three_hundred_seats_generate_fast(ym):
    people = staff_mix(300, 4, 15, 25, 2)
    cells = generate_month(people, *ym, POLICY)
    assert check_month(people, *ym, cells, POLICY) == []


def test_leave_is_kept_and_counts_against_rest():
    """假期抵当月公休 [004]: 2 leave days in the month leave 1 rest day (the generator and the
    checker enforced the opposite before)."""
    people = staff_mix(10, 3)
    fixed = {"A001": {"2026-12-07": "annual", "2026-12-08": "annual"}}
    cells = generate_month(people, 2026, 12, POLICY, fixed=fixed)
    assert cells["A001"]["2026-12-07"] == "annual"
    assert list(cells["A001"].values()).count(REST) == 1
    assert check_month(people, 2026, 12, cells, POLICY) == []


@pytest.mark.parametrize(
    ("role", "leave", "owed"),
    [("agent", 0, 3), ("agent", 1, 2), ("agent", 2, 1), ("agent", 3, 0), ("agent", 4, 0),
     ("complaint", 1, 2), ("complaint", 3, 0)],
    ids=["agent-no-leave-3", "agent-1-leave-2", "agent-2-leave-1", "agent-3-leave-none",
         "agent-4-leave-never-negative", "handler-1-leave-2", "handler-3-leave-none"],
)
def test_rests_owed_monthly(role, leave, owed):
    assert rests_owed(POLICY, role, leave, 31) == owed


@pytest.mark.parametrize(
    ("leave", "days_in_week", "owed"),
    [(0, 7, 1), (1, 7, 0), (2, 7, 0), (0, 3, 0), (0, 4, 1), (1, 4, 0)],
    ids=["week-no-leave-1", "week-leave-is-the-rest", "week-2-leave-0",
         "cut-week-3-days-0", "cut-week-4-days-1", "cut-week-4-days-leave-0"],
)
def test_rests_owed_manager_week(leave, days_in_week, owed):
    """假期抵公休: a manager's leave day in a week is that week's rest."""
    assert rests_owed(POLICY, "manager", leave, days_in_week) == owed


@pytest.mark.parametrize("leave_days", [0, 1, 2, 3, 5], ids=lambda n: f"{n}-leave-days")
def test_generator_and_checker_agree_on_leave_against_rest(leave_days):
    people = staff_mix(10, 3, managers=2)
    keys = [d.isoformat() for d in month_days(2026, 12)]
    fixed = {"A001": {k: "sick" for k in keys[10:10 + leave_days]},
             "M001": {k: "personal" for k in keys[7:7 + min(leave_days, 2)]}}  # Tue–Wed
    cells = generate_month(people, 2026, 12, POLICY, fixed=fixed)
    assert list(cells["A001"].values()).count(REST) == max(0, 3 - leave_days)
    week = keys[6:13]  # Mon 12-07 .. Sun 12-13
    assert sum(cells["M001"][k] == REST for k in week) == (0 if leave_days else 1)
    assert check_month(people, 2026, 12, cells, POLICY) == []
    # the checker names a month that gives the leave-taker the full 3 anyway
    if leave_days:
        row = dict(cells["A001"])
        for k in [k for k, c in row.items() if c == "D"]:
            if list(row.values()).count(REST) == 3:
                break
            row[k] = REST
        named = [v for v in check_month(people, 2026, 12, {**cells, "A001": row}, POLICY)
                 if v.startswith("A001 (agent) has 3 rest day(s)")]
        assert named and "count against rest" in named[0]


@pytest.mark.parametrize(
    ("handlers", "bad"),
    [(4, False), (5, True)],
    ids=["4-handlers-fit-2-seats", "5-handlers-exceed-2-seats"],
)
def test_at_most_two_complaint_seats_at_once(handlers, bad):
    """投诉处理台席原则上不超过2个 [004 第三条]: at most 2 handlers on C1 (and on C2)."""
    people = staff_mix(10, handlers)
    cells = generate_month(people, 2026, 12, POLICY)
    keys = [d.isoformat() for d in month_days(2026, 12)]
    worst = max(sum(cells[p.id][k] == code for p in people if p.role == "complaint")
                for k in keys for code in ("C1", "C2"))
    violations = check_month(people, 2026, 12, cells, POLICY)
    named = [v for v in violations if "complaint seats at once" in v]
    assert bool(named) is bad and (worst > 2) is bad


def test_three_handlers_on_one_shift_is_named():
    people = staff_mix(10, 4)
    cells = generate_month(people, 2026, 12, POLICY)
    day = "2026-12-15"
    for pid in ("C001", "C002", "C003"):
        cells[pid][day] = "C1"
    assert any(v.startswith(f"{day}: 3 complaint handlers on C1; at most 2")
               for v in check_month(people, 2026, 12, cells, POLICY))


@pytest.mark.parametrize(
    ("people", "seats", "expected"),
    [
        (staff_mix(10, 2), None, "no complaint handler on"),
        (staff_mix(10, 1), None, "no complaint handler on C2"),
        (staff_mix(10, 3), 11, "11 agents are needed on D each day but only 10"),
        (staff_mix(10, 3), 10, "agent(s) on D, needs 10"),
    ],
    ids=["two-handlers-cannot-rest", "one-handler", "seats-more-than-agents",
         "seats-equal-agents-no-room-to-rest"],
)
def test_infeasible_month_is_reported_not_hidden(people, seats, expected):
    cells = generate_month(people, 2026, 12, POLICY, seats)
    violations = check_month(people, 2026, 12, cells, POLICY, seats)
    assert any(expected in v for v in violations), violations
    # the best it can do still gives everyone their exact rest
    assert all(list(cells[p.id].values()).count(REST) == 3 for p in people if p.role != "manager")


def _month(people, code_of):
    days = month_days(2026, 12)
    return {p.id: {d.isoformat(): code_of(p, d) for d in days} for p in people}


def _rest_on(*day_numbers):
    return lambda d: d.day in day_numbers


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda c: c["A001"].update({"2026-12-20": REST}), "A001 (agent) has 4 rest day(s)"),
        (lambda c: c["A001"].update({"2026-12-01": "D"}), "A001 (agent) has 2 rest day(s)"),
        (lambda c: c["A001"].update({"2026-12-02": "C1"}), "A001 (agent) is on C1 on 2026-12-02"),
        (lambda c: c["A001"].pop("2026-12-05"), "A001 has no code on 2026-12-05"),
        (lambda c: c["A001"].update({"2026-12-02": "X9"}), "unknown code(s) X9"),
        (lambda c: [c[h].update({"2026-12-15": "C2"}) for h in ("C001", "C002", "C003")],
         "2026-12-15: no complaint handler on C1"),
        (lambda c: c.update({"Z999": {}}), "Z999 is on the 2026-12 roster but not on the staff"),
    ],
    ids=["rest-4", "rest-2", "agent-on-C1", "missing-day", "unknown-code", "no-C1",
         "not-on-register"],
)
def test_check_names_each_broken_rule(edit, expected):
    people = staff_mix(6, 3)
    cells = generate_month(people, 2026, 12, POLICY, seats=3)
    assert check_month(people, 2026, 12, cells, POLICY, seats=3) == []
    # make sure the edited day is not already what the edit sets
    cells["A001"].update({"2026-12-01": REST, "2026-12-02": "D", "2026-12-20": "D",
                          "2026-12-11": REST, "2026-12-21": REST})
    for d in month_days(2026, 12):
        if d.day not in (1, 11, 21):
            cells["A001"][d.isoformat()] = "D"
    edit(cells)
    violations = check_month(people, 2026, 12, cells, POLICY, seats=3)
    assert any(expected in v for v in violations), violations


@pytest.mark.parametrize(
    ("rest_days", "limit", "longest"),
    [((1, 14, 27), 12, None), ((1, 15, 28), 12, 13), ((13, 20, 27), 12, None),
     ((14, 20, 27), 12, 13)],
    ids=["runs-12-ok", "run-13-too-long", "first-run-12-ok", "first-run-13-too-long"],
)
def test_run_without_rest(rest_days, limit, longest):
    people = [Member("A001", "agent")]
    cells = _month(people, lambda p, d: REST if d.day in rest_days else "D")
    policy = dataclasses.replace(POLICY, max_days_without_rest=limit)
    violations = [v for v in check_month(people, 2026, 12, cells, policy, seats=0)
                  if "in a row" in v]
    if longest is None:
        assert violations == []
    else:
        assert violations and f"works {longest} days in a row" in violations[0]


def test_run_counts_the_end_of_the_previous_month():
    people = [Member("A001", "agent")]
    cells = _month(people, lambda p, d: REST if d.day in (5, 15, 25) else "D")
    previous = {"A001": {f"2026-11-{n:02d}": "D" for n in range(20, 31)}}  # 11 days
    violations = check_month(people, 2026, 12, cells, POLICY, seats=0, previous=previous)
    assert any("works 15 days in a row (the end of 2026-11..2026-12-04)" in v
               for v in violations), violations


def test_weekend_fairness_flags_one_person_taking_the_weekends():
    people = [Member("A001", "agent"), Member("A002", "agent")]
    # December 2026: Sat 5, 12, 19 go to A001; A002 rests on weekdays
    cells = _month(people, lambda p, d: REST if (p.id == "A001" and d.day in (5, 12, 19))
                   or (p.id == "A002" and d.day in (8, 15, 22)) else "D")
    violations = [v for v in check_month(people, 2026, 12, cells, POLICY, seats=0)
                  if "complaint handler" not in v]
    assert violations == ["weekend rest is unfair among agents: A001 has 3 weekend rest day(s), "
                          "A002 has 0"]


def test_rotation_handler_only_on_c1_is_flagged():
    people = staff_mix(0, 3)
    cells = generate_month(people, 2026, 12, POLICY)
    for key, code in cells["C001"].items():
        if code == "C2":
            cells["C001"][key] = "C1"
    violations = check_month(people, 2026, 12, cells, POLICY)
    assert any("C001 (complaint) works only C1" in v for v in violations), violations


@pytest.mark.parametrize(
    ("days", "expected"), [(7, 1), (4, 1), (3, 0), (1, 0)],
    ids=["full-week", "cut-week-4-days", "cut-week-3-days", "cut-week-1-day"],
)
def test_manager_rest_per_week_pro_rata(days, expected):
    assert manager_rests_needed(POLICY, days) == expected


@pytest.mark.parametrize(
    ("agents", "seats", "policy_value", "expected"),
    [(40, None, 0, 32), (3, None, 0, 2), (40, 25, 0, 25), (40, None, 30, 30), (40, 0, 30, 0)],
    ids=["default-80-percent", "80-percent-rounds-down", "seats-given", "policy-number",
         "seats-zero-wins"],
)
def test_required_agents(agents, seats, policy_value, expected):
    policy = dataclasses.replace(POLICY, agents_on_phones=policy_value)
    assert required_agents(policy, agents, seats) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-12", "2026/12", "", "december"],
                         ids=["month-13", "one-digit", "short-year", "slash", "empty", "word"])
def test_parse_month_refuses_bad_text(text):
    with pytest.raises(FloorError, match="is not YYYY-MM"):
        parse_month(text)


def test_parse_month():
    assert parse_month("2026-12") == (2026, 12)


def test_week_segments_cut_at_month_edges():
    segments = week_segments(month_days(2026, 12))  # Tue 1st … Thu 31st
    assert [len(s) for s in segments] == [6, 7, 7, 7, 4]
    assert month_days(2026, 12)[segments[1][0]] == dt.date(2026, 12, 7)
