"""Reviewing the monitors and the floor (SPEC §6 rev. 12-2026), pure:

- common problems: the week's most frequent deductions across the floor, fed back within the
  week (共性问题应在一周内反馈) [000 §7];
- stopping a monitor whose scores run high or low until a recalibration within the band
  (立即停止他的监控工作,并进行再培训,同时校正其评估尺度) [000 §5];
- the quarterly review of every monitor, horizontal and vertical (至少每个季度…纵横比较)
  [000 §6];
- a new monitor paired with an experienced one on the same call (与一位有经验的监控人员一起
  同时进行监控) [000 §5].

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from floorapp.rules.monitoring.plan import Assignment
from floorapp.rules.monitoring.calibration import Scored
from floorapp.policy import Policy

HUNDRED = Decimal(100)


# --------------------------------------------------------------------------- common problems
@dataclass(frozen=True)
class Marked:
    """One typed fault of one evaluation: who, on which card, which item, how often."""

    staff_id: str
    monitor_id: str
    template: str
    code: str
    count: int
    day: dt.date


@dataclass(frozen=True)
class Problem:
    template: str
    code: str
    occurrences: int
    evaluations: int
    agents: tuple[str, ...]


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def common_problems(marked: Iterable[Marked], top: int = 10) -> list[Problem]:
    """The most frequent deductions: occurrences, evaluations and agents per item, most
    frequent first (ties: more agents, then the code)."""
    found: dict[tuple[str, str], list[Marked]] = {}
    for m in marked:
        found.setdefault((m.template, m.code), []).append(m)
    out = [Problem(t, c, sum(m.count for m in ms), len(ms),
                   tuple(sorted({m.staff_id for m in ms})))
           for (t, c), ms in found.items()]
    out.sort(key=lambda p: (-p.occurrences, -len(p.agents), p.template, p.code))
    return out[:top]


# --------------------------------------------------------------------------- stopping
def stopped_monitors(flags: dict[str, str], recalibrated: dict[str, dt.date],
                     flagged_since: dict[str, dt.date]) -> dict[str, str]:
    """Monitors stopped now: flagged high/low (or inconsistent) with no recalibration recorded
    on or after the start of the period that flagged them."""
    out = {}
    for monitor, flag in flags.items():
        if not flag:
            continue
        since = flagged_since.get(monitor)
        done = recalibrated.get(monitor)
        if done is not None and (since is None or done >= since):
            continue
        out[monitor] = flag
    return out


@dataclass(frozen=True)
class Recalibration:
    monitor_id: str
    calls: int
    mean_difference: Decimal | None
    within_band: bool


def recalibration(monitor_id: str, shared: Iterable[Scored], policy: Policy) -> Recalibration:
    """A recalibration: on shared calls (several monitors scoring the same call) the monitor's
    mean |difference| from the others stays within the band (calibration_threshold_points)
    over at least qa_recalibration_calls calls. A call is compared on one card only: the same
    call id scored on two cards is two calls."""
    calls: dict[tuple[str, str], list[Scored]] = {}
    for s in shared:
        if s.call:
            calls.setdefault((s.card, s.call), []).append(s)
    differences = []
    for scored in calls.values():
        mine = [s.percent for s in scored if s.monitor_id == monitor_id]
        others = [s.percent for s in scored if s.monitor_id != monitor_id]
        if mine and others:
            differences.append(abs(sum(mine) / len(mine) - sum(others) / len(others)))
    mean = sum(differences, Decimal(0)) / len(differences) if differences else None
    ok = (mean is not None and len(differences) >= policy.qa_recalibration_calls
          and mean <= policy.calibration_threshold_points)
    return Recalibration(monitor_id, len(differences), mean, ok)


# --------------------------------------------------------------------------- quarterly review
def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = (first + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    return first, end


@dataclass(frozen=True)
class ReviewRow:
    """One monitor and one item over a quarter. Horizontal: how the monitor marks the item
    across agents (rate per agent: spread = highest − lowest) and against the other monitors'
    rate; vertical: the monitor's rate now against the quarter before."""

    monitor_id: str
    template: str
    code: str
    rate: Decimal  # % of the monitor's evaluations on this card that marked the item
    others_rate: Decimal | None
    agent_spread: Decimal | None
    previous_rate: Decimal | None
    flags: tuple[str, ...]


def _rate(hits: int, total: int) -> Decimal:
    return Decimal(hits) * HUNDRED / total


def quarterly_review(current: Iterable[tuple[str, str, str, frozenset[str]]],
                     previous: Iterable[tuple[str, str, str, frozenset[str]]],
                     band: Decimal) -> list[ReviewRow]:
    """Per monitor and item, from evaluations as (monitor, agent, template, codes marked):
    flag ``across-monitors`` when the monitor's rate differs from the others' by more than
    ``band`` points, ``across-agents`` when its rate spreads over agents by more than it (an
    agent needs 2 evaluations to count), ``across-periods`` when it moved by more than it
    since the quarter before."""
    def table(evals: Iterable[tuple[str, str, str, frozenset[str]]]):
        per: dict[tuple[str, str], list[tuple[str, frozenset[str]]]] = {}
        for monitor, agent, template, codes in evals:
            per.setdefault((monitor, template), []).append((agent, codes))
        return per

    now, before = table(current), table(previous)
    rows = []
    for (monitor, template), evals in sorted(now.items()):
        codes = sorted({c for _a, cs in evals for c in cs})
        others = [e for (m, t), es in now.items() if t == template and m != monitor for e in es]
        old = before.get((monitor, template), [])
        for code in codes:
            rate = _rate(sum(code in cs for _a, cs in evals), len(evals))
            others_rate = _rate(sum(code in cs for _a, cs in others), len(others)) \
                if others else None
            by_agent: dict[str, list[bool]] = {}
            for agent, cs in evals:
                by_agent.setdefault(agent, []).append(code in cs)
            rates = [_rate(sum(v), len(v)) for v in by_agent.values() if len(v) >= 2]
            spread = max(rates) - min(rates) if len(rates) >= 2 else None
            previous_rate = _rate(sum(code in cs for _a, cs in old), len(old)) if old else None
            flags = []
            if others_rate is not None and abs(rate - others_rate) > band:
                flags.append("across-monitors")
            if spread is not None and spread > band:
                flags.append("across-agents")
            if previous_rate is not None and abs(rate - previous_rate) > band:
                flags.append("across-periods")
            rows.append(ReviewRow(monitor, template, code, rate, others_rate, spread,
                                  previous_rate, tuple(flags)))
    return rows


# --------------------------------------------------------------------------- pairing
def pair_new_monitors(assignments: list[Assignment], new: set[str], experienced: list[str]
                      ) -> list[Assignment]:
    """Each slot of a new monitor gets an experienced monitor on the same call (same slot,
    agent and mode), the least loaded first; without any experienced monitor nothing is
    added (the plan's shortfalls say so)."""
    if not experienced:
        return list(assignments)
    load = {m: sum(1 for a in assignments if a.monitor_id == m) for m in experienced}
    out = list(assignments)
    for a in assignments:
        if a.monitor_id in new:
            partner = min(sorted(load), key=lambda m: load[m])
            load[partner] += 1
            out.append(Assignment(a.slot, partner, a.staff_id, a.mode))
    out.sort(key=lambda a: (a.slot, a.monitor_id, a.staff_id))
    return out


# --------------------------------------------------------------------------- compliance
@dataclass(frozen=True)
class ComplianceMonth:
    """One TSR's month of compliance violations (合规部分)."""

    staff_id: str
    level_1: int  # level-1 violations, with each unremedied level-2 once the month is over
    level_2: int  # level-2 violations recorded
    level_2_open: int  # level-2 not yet completed by a supplementary recording
    level_2_counted_as_1: int


def compliance_month(staff_id: str, violations: Iterable[tuple[int, int, bool]],
                     month_over: bool) -> ComplianceMonth:
    """From (level, occurrences, remedied): a level-2 violation must be completed by a
    supplementary recording within the month; each one not completed by the month's end
    counts once as a level-1 (二级违规行为,必须完善或补充录音,当月未补一条按一级违规处罚一次)
    [003 合规部分]."""
    level_1 = level_2 = open_2 = 0
    for level, count, remedied in violations:
        if level == 1:
            level_1 += count
        else:
            level_2 += count
            if not remedied:
                open_2 += count
    counted = open_2 if month_over else 0
    return ComplianceMonth(staff_id, level_1 + counted, level_2, open_2, counted)
