"""The day's monitoring plan (SPEC §6): who monitors whom, when and how (live, recording,
side-by-side), each agent's daily need, what the plan cannot meet (its shortfalls, in words)
and which planned slots the day's evaluations fulfil.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from floorapp.i18n import _, language
from floorapp.policy import Policy
from floorapp.rules.monitoring.names import mode_name

@dataclass(frozen=True)
class PlanPerson:
    """Someone on shift today, with their working periods (minutes after midnight)."""

    id: str
    role: str
    periods: tuple[tuple[int, int], ...]
    new_hire: bool = False
    follow_up: bool = False
    low_score: bool = False
    done_this_week: int = 0  # monitored calls before today this week
    working_days_left: int = 1  # working days left this week, today included
    done_today: int = 0  # evaluations already done today (re-plan)
    # The scorecard's own sampling rule (400-hotline, telesales): the calls still to check in
    # its period and the working days left in it; None: the weekly minimum (copc) applies.
    period_left: int | None = None
    period_days_left: int = 1
    # The rule samples recordings (通话录音抽查 [003 400 §1], 录音质检抽听 [003 抽听原则]): no
    # live or side-by-side slots.
    recordings_only: bool = False

    @property
    def heavy(self) -> bool:
        return self.new_hire or self.follow_up or self.low_score


@dataclass(frozen=True)
class Assignment:
    slot: str  # "HH:MM"
    monitor_id: str
    staff_id: str
    mode: str


@dataclass
class Plan:
    day: dt.date
    assignments: list[Assignment]
    agent_need: dict[str, int]
    monitor_need: dict[str, dict[str, int]]
    volume: int
    shortfalls: list[str] = field(default_factory=list)
    copc_today: int = 0  # today's part of the outbound COPC sample (sampling.py)
    copc_ids: frozenset[str] = frozenset()  # the agents it is drawn from
    copc_done: int = 0  # their evaluations already done today


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def periods_minutes(policy: Policy, shift: str, day: dt.date) -> tuple[tuple[int, int], ...]:
    return tuple((a.hour * 60 + a.minute, b.hour * 60 + b.minute)
                 for a, b in policy.periods(shift, day))


def agent_daily_need(person: PlanPerson, policy: Policy) -> int:
    """Calls to monitor for an agent today. A scorecard with its own sampling rule (400-hotline,
    telesales) spreads what is left of its period over the working days left in it. Else the
    weekly minimum spread over the working days left, at least the outbound daily QC for
    outbound agents; heavier (× factor) for new hires,
    agents under follow-up, low scorers, and everyone after a business/system change."""
    if person.period_left is not None:  # the scorecard's own rule [003]: its counts as printed
        left = person.period_left
        return -(-left // max(1, person.period_days_left)) if left > 0 else 0
    weekly_left = max(0, policy.agent_min_monitored_per_week - person.done_this_week)
    need = math.ceil(weekly_left / max(1, person.working_days_left))
    if person.role == "agent":
        need = max(need, policy.outbound_qc_per_agent_day)
    if person.heavy or policy.system_change_active:
        need *= max(1, policy.heavy_monitoring_factor)
    return need


def _inside(periods: Iterable[tuple[int, int]], minute: int) -> bool:
    return any(a <= minute < b for a, b in periods)


def _overlap(p: Iterable[tuple[int, int]], q: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in p:
        for c, d in q:
            if max(a, c) < min(b, d):
                out.append((max(a, c), min(b, d)))
    return sorted(out)


def _spread(rng: random.Random, periods: list[tuple[int, int]], count: int,
            taken: set[int]) -> list[int]:
    """``count`` distinct minutes spread over the whole of ``periods``: one random minute in each
    of ``count`` equal strata, so no part of the shift is left out and none favoured."""
    minutes = [m for a, b in periods for m in range(a, b) if m not in taken]
    if not minutes or count <= 0:
        return []
    count = min(count, len(minutes))
    out = []
    for k in range(count):
        lo = k * len(minutes) // count
        hi = max(lo + 1, (k + 1) * len(minutes) // count)
        out.append(minutes[rng.randrange(lo, hi)])
    return out


def make_plan(day: dt.date, monitors: list[PlanPerson], agents: list[PlanPerson],
              policy: Policy, *, volume: int, seed: int, from_minute: int = 0,
              monitor_done: dict[str, dict[str, int]] | None = None,
              copc_today: int = 0) -> Plan:
    """The day's monitoring assignments (SPEC §6): every agent gets their daily need, every
    monitor their live/recording/side-by-side minimums, the total at least the minimum share
    of the call volume and today's part of the COPC sample (``copc_today``, calls of agents
    without a rule of their own); time slots random but spread over the whole shift (from
    ``from_minute`` on a re-plan). What cannot be met is listed in ``shortfalls``."""
    rng = random.Random(seed)
    monitor_done = monitor_done or {}
    agent_need = {a.id: max(0, agent_daily_need(a, policy) - a.done_today) for a in agents}
    minimums = {"live": policy.monitor_live_per_day,
                "recording": policy.monitor_recording_per_day,
                "side_by_side": policy.monitor_side_by_side_per_day}
    monitor_need = {
        m.id: {mode: max(0, n - monitor_done.get(m.id, {}).get(mode, 0))
               for mode, n in minimums.items()} for m in monitors
    }
    share_min = math.ceil(policy.monitoring_share_min * volume)
    done_total = sum(a.done_today for a in agents)
    copc_agents = [a for a in agents if a.period_left is None]
    copc_done = sum(a.done_today for a in copc_agents)
    copc_extra = max(0, copc_today - copc_done - sum(agent_need[a.id] for a in copc_agents))
    target = max(sum(agent_need.values()),
                 sum(sum(n.values()) for n in monitor_need.values()),
                 share_min - done_total,
                 sum(agent_need.values()) + copc_extra)

    def later(periods: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(max(a, from_minute), b) for a, b in periods if b > from_minute]

    # The monitors' slots: their minimums, then the rest of the target shared out evenly.
    modes_by_monitor = {m.id: [mode for mode, n in monitor_need[m.id].items()
                               for _n in range(n)]
                        for m in monitors}
    extra = target - sum(len(v) for v in modes_by_monitor.values())
    ordered = sorted(monitors, key=lambda m: m.id)
    cycle = ("recording", "live")
    for index in range(max(0, extra)):
        if not ordered:
            break
        modes_by_monitor[ordered[index % len(ordered)].id].append(cycle[index % 2])
    slots: list[tuple[int, str, str]] = []  # (minute, monitor, mode)
    for monitor in ordered:
        modes = modes_by_monitor[monitor.id]
        rng.shuffle(modes)
        times = _spread(rng, later(monitor.periods), len(modes), set())
        slots.extend((t, monitor.id, mode) for t, mode in zip(times, modes))
    slots.sort()

    remaining = dict(agent_need)
    pairs: set[tuple[str, str]] = set()
    assignments: list[Assignment] = []
    agents_by_id = {a.id: a for a in agents}
    monitor_periods = {m.id: later(m.periods) for m in monitors}
    agent_later = {a.id: later(a.periods) for a in agents}
    taken: dict[str, set[int]] = {m.id: set() for m in monitors}
    heavy_ids = {a.id for a in agents if a.heavy}
    by_periods: dict[tuple[tuple[int, int], ...], list[PlanPerson]] = {}
    for a in agents:  # most of the floor shares a few shifts: look agents up by their periods
        by_periods.setdefault(a.periods, []).append(a)
    recordable = [a for a in agents if agent_later[a.id]]

    def on_phones(minute: int) -> list[PlanPerson]:
        return [a for periods, group in by_periods.items() if _inside(periods, minute)
                for a in group if not a.recordings_only]

    def choose(candidates: list[PlanPerson], monitor: str) -> PlanPerson | None:
        best: list[PlanPerson] = []
        best_key: tuple[bool, bool, bool, int, bool] | None = None
        for a in candidates:
            need = remaining.get(a.id, 0)
            # past the needs, a slot goes to the COPC sample (agents without a rule of their own)
            key = (need > 0, a.period_left is None, (monitor, a.id) not in pairs, need,
                   a.id in heavy_ids)
            if best_key is None or key > best_key:
                best, best_key = [a], key
            elif key == best_key:
                best.append(a)
        return rng.choice(best) if best else None

    for minute, monitor, mode in slots:
        if mode == "recording":
            pool = recordable
        else:
            pool = on_phones(minute)
            if not pool:  # nobody on the phones then: move to a time someone is
                shared = [o for a in agents if not a.recordings_only
                          for o in _overlap(monitor_periods[monitor], agent_later[a.id])]
                times = _spread(rng, shared, 1, taken[monitor])
                if times:
                    minute = times[0]
                    pool = on_phones(minute)
        agent = choose(pool, monitor)
        if agent is None:
            continue
        taken[monitor].add(minute)
        remaining[agent.id] = remaining.get(agent.id, 0) - 1
        pairs.add((monitor, agent.id))
        assignments.append(Assignment(hhmm(minute), monitor, agent.id, mode))

    # Agents still short: more recordings, on the least loaded monitors.
    load = {m.id: sum(1 for a in assignments if a.monitor_id == m.id) for m in monitors}
    for agent_id in sorted(remaining):
        agent = agents_by_id[agent_id]
        while remaining[agent_id] > 0 and monitors and agent_later[agent.id]:
            monitor = min(sorted(load), key=lambda m: load[m])
            times = _spread(rng, monitor_periods[monitor], 1, taken[monitor])
            if not times:
                break
            taken[monitor].add(times[0])
            load[monitor] += 1
            remaining[agent_id] -= 1
            assignments.append(Assignment(hhmm(times[0]), monitor, agent_id, "recording"))
    assignments.sort(key=lambda a: (a.slot, a.monitor_id, a.staff_id))
    plan = Plan(day=day, assignments=assignments, agent_need=agent_need,
                monitor_need=monitor_need, volume=volume, copc_today=copc_today,
                copc_ids=frozenset(a.id for a in copc_agents), copc_done=copc_done)
    plan.shortfalls = plan_shortfalls(plan, policy, done_total)
    return plan


def plan_shortfalls(plan: Plan, policy: Policy, done_today: int = 0) -> list[str]:
    """Every minimum the plan does not meet, in words (checked on the plan itself)."""
    out = []
    per_agent: dict[str, int] = {}
    per_monitor: dict[str, dict[str, int]] = {}
    for a in plan.assignments:
        per_agent[a.staff_id] = per_agent.get(a.staff_id, 0) + 1
        modes = per_monitor.setdefault(a.monitor_id, {})
        modes[a.mode] = modes.get(a.mode, 0) + 1
    for agent_id, need in sorted(plan.agent_need.items()):
        got = per_agent.get(agent_id, 0)
        if got < need:
            out.append(f"agent {agent_id}: {got} of {need} monitored calls planned")
    for monitor_id, needs in sorted(plan.monitor_need.items()):
        for mode, need in needs.items():
            got = per_monitor.get(monitor_id, {}).get(mode, 0)
            if got < need:
                out.append(f"monitor {monitor_id}: {got} of {need} {mode} calls planned "
                           "(not enough agents on the phones)")
    total = len(plan.assignments) + done_today
    copc = plan.copc_done + sum(1 for a in plan.assignments if a.staff_id in plan.copc_ids)
    if plan.copc_today and copc < plan.copc_today:
        out.append(f"floor: {copc} monitored calls, below today's {plan.copc_today} of the "
                   "COPC sample")
    if plan.volume:
        low = math.ceil(policy.monitoring_share_min * plan.volume)
        high = math.floor(policy.monitoring_share_max * plan.volume)
        if total < low:
            out.append(f"floor: {total} monitored calls, below the "
                       f"{policy.monitoring_share_min * 100:.0f} % minimum ({low} of "
                       f"{plan.volume} calls)")
        elif total > high:
            out.append(f"floor: {total} monitored calls, above the "
                       f"{policy.monitoring_share_max * 100:.0f} % share ({high} of "
                       f"{plan.volume} calls): the per-agent minimums need more")
    return out


_SHORT_AGENT = re.compile(r"^agent (\S+): (\d+) of (\d+) monitored calls planned$")
_SHORT_MONITOR = re.compile(r"^monitor (\S+): (\d+) of (\d+) (\w+) calls planned "
                            r"\(not enough agents on the phones\)$")
_SHORT_PAIR = re.compile(r"^new monitors (.+): no experienced monitor on shift to pair with$")
_SHORT_LOW = re.compile(r"^floor: (\d+) monitored calls, below the (\d+) % minimum "
                        r"\((\d+) of (\d+) calls\)$")
_SHORT_COPC = re.compile(r"^floor: (\d+) monitored calls, below today's (\d+) of the COPC "
                         r"sample$")
_SHORT_HIGH = re.compile(r"^floor: (\d+) monitored calls, above the (\d+) % share "
                         r"\((\d+) of (\d+) calls\): the per-agent minimums need more$")


def shortfall_text(shortfall: str) -> str:
    """A stored shortfall (English, as the plan and its JSON keep it) in the interface
    language; anything not recognised is shown as stored."""
    found = _SHORT_AGENT.match(shortfall)
    if found:
        return _("agent {id}: {got} of {need} monitored calls planned").format(
            id=found[1], got=found[2], need=found[3])
    found = _SHORT_MONITOR.match(shortfall)
    if found:
        return _("monitor {id}: {got} of {need} {mode} calls planned (not enough agents on the "
                 "phones)").format(id=found[1], got=found[2], need=found[3],
                                   mode=mode_name(found[4]) if language() == "zh" else found[4])
    found = _SHORT_PAIR.match(shortfall)
    if found:
        return _("new monitors {ids}: no experienced monitor on shift to pair with").format(
            ids=found[1])
    found = _SHORT_LOW.match(shortfall)
    if found:
        return _("floor: {total} monitored calls, below the {share} % minimum ({low} of "
                 "{volume} calls)").format(total=found[1], share=found[2], low=found[3],
                                           volume=found[4])
    found = _SHORT_COPC.match(shortfall)
    if found:
        return _("floor: {total} monitored calls, below today's {need} of the COPC "
                 "sample").format(total=found[1], need=found[2])
    found = _SHORT_HIGH.match(shortfall)
    if found:
        return _("floor: {total} monitored calls, above the {share} % share ({high} of "
                 "{volume} calls): the per-agent minimums need more").format(
                     total=found[1], share=found[2], high=found[3], volume=found[4])
    return shortfall


def slot_status(slot: str, done: bool, now_minute: int, window: int = 60) -> str:
    """done, due (the slot is ahead or running: a slot lasts an hour) or overdue."""
    if done:
        return "done"
    return "overdue" if now_minute >= _minutes(slot) + window else "due"


def match_done(assignments: list[Assignment], evaluations: list[tuple[str, str, str, str]]
               ) -> tuple[list[bool], int]:
    """Which assignments the evaluations (time, monitor, staff, mode) fulfil, and how many
    evaluations fulfil none (extra). Taken in time order, an evaluation fills the nearest open
    slot of that agent and mode at or before its time (the planned monitor's on equal times);
    a slot later in the day is not done by a call heard before it (issue 26 item 8)."""
    done = [False] * len(assignments)
    extra = 0
    for time, monitor, staff, mode in sorted(evaluations):
        open_slots = [(a.slot, a.monitor_id == monitor, index)
                      for index, a in enumerate(assignments)
                      if not done[index] and a.staff_id == staff and a.mode == mode
                      and a.slot <= time]
        if not open_slots:
            extra += 1
            continue
        done[max(open_slots)[2]] = True
    return done, extra
