"""Sampling rules per scorecard (抽样/抽听, SPEC §6 rev. 12-2026), pure:

- ``copc``: outbound [003 质检考核标准 二]: each project's COPC sample at ≥ 95 % confidence
  (``monitoring.copc.sample_size``) over the period (policy), spread over its days; per agent the
  weekly/daily minimums of the plan [000].
- ``hotline-400`` [003 400电话服务质量考核 1]: each person ≥ 1 call a month (or quarter), ≥ 30
  calls in all, 抽查率 10 %; a person picked more than once is averaged.
- ``telesales`` [003 录音质检抽听原则]: TSR 3 closed + 1 unclosed a month, trainee 3 + 2; too
  few closed → the same number more unclosed; the cycle runs from the 21st of last month to
  the 20th.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

Each rule gives a person's need for a period and the period around a day, so the daily plan
spreads the period's need over the working days left in it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from floorapp.rules.monitoring.copc import sample_size
from floorapp.policy import Policy

RULES = ("copc", "hotline-400", "telesales")
# The sampling rule each built-in scorecard follows; an imported one follows copc.
SCORECARD_RULES = {"outbound-100": "copc", "recording-40": "copc", "service-40": "copc",
                   "hotline-100": "copc", "hotline-400": "hotline-400",
                   "telesales-compliance": "telesales"}


def rule_of(template_id: str) -> str:
    return SCORECARD_RULES.get(template_id, "copc")


def telesales_cycle(day: dt.date, start_day: int = 21) -> tuple[dt.date, dt.date]:
    """The telesales cycle holding ``day``: the 21st of last month to the 20th of this one
    (考核周期为上月21日至本月20日) [003 抽听原则 4]."""
    if day.day >= start_day:
        start = day.replace(day=start_day)
    else:
        start = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=start_day)
    end = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=start_day) \
        - dt.timedelta(days=1)
    return start, end


def hotline_period(day: dt.date, period: str = "month") -> tuple[dt.date, dt.date]:
    """The 400 sampling period holding ``day``: its month, or its quarter (每月或每季度)."""
    if period == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = dt.date(day.year, first_month, 1)
        months = 3
    else:
        start = day.replace(day=1)
        months = 1
    end = start
    for _n in range(months):
        end = (end + dt.timedelta(days=32)).replace(day=1)
    return start, end - dt.timedelta(days=1)


def copc_period(day: dt.date, policy: Policy) -> tuple[dt.date, dt.date]:
    """The period the outbound COPC sample is drawn over (policy ``qa_copc_period``)."""
    return hotline_period(day, policy.qa_copc_period)


def copc_total(calls_by_project: dict[str, int], policy: Policy) -> int:
    """Recordings to hear over the period: each project (外呼项目) its COPC sample at the
    policy's confidence (每个项目按置信度不低于95%的标准抽取录音) [003 质检考核标准 二]."""
    return sum(sample_size(calls, policy.sample_confidence, policy.sample_margin,
                           policy.sample_proportion)
               for calls in calls_by_project.values() if calls > 0)


def period_of(rule: str, day: dt.date, policy: Policy) -> tuple[dt.date, dt.date]:
    """The period a rule counts over; copc counts the week (Monday to Sunday) [000 §2]."""
    if rule == "telesales":
        return telesales_cycle(day, policy.telesales_cycle_start_day)
    if rule == "hotline-400":
        return hotline_period(day, policy.qa_400_period)
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


@dataclass(frozen=True)
class TelesalesNeed:
    closed: int
    unclosed: int

    @property
    def total(self) -> int:
        return self.closed + self.unclosed


def telesales_need(trainee: bool, closed_available: int | None, policy: Policy
                   ) -> TelesalesNeed:
    """Recordings to hear this cycle: TSR and up 3 closed + 1 unclosed, trainee (见习) 3 + 2;
    when the month has fewer closed recordings than that, as many more unclosed
    (如当月未达到成交录音的抽听数量,则抽听同等数量的未成交录音) [003 抽听原则 1–3].
    ``closed_available`` None: not known yet (plan for the full closed number)."""
    closed = policy.telesales_trainee_closed_per_month if trainee \
        else policy.telesales_closed_per_month
    unclosed = policy.telesales_trainee_unclosed_per_month if trainee \
        else policy.telesales_unclosed_per_month
    if closed_available is not None and closed_available < closed:
        missing = closed - max(0, closed_available)
        return TelesalesNeed(closed - missing, unclosed + missing)
    return TelesalesNeed(closed, unclosed)


def hotline_sample_total(people: int, calls: int, policy: Policy) -> int:
    """Calls to check in a 400 period: ≥ 1 per person, ≥ 30 in all, and the 10 % rate
    (每人至少1通, 所有通话录音至少抽查30通; 抽查率 10%) [003 400 §1, 统计表]; never more
    than there were calls. The rate is a floor as the centre reads the form
    (``qa_400_rate_mode`` floor); printed: only the rate printed on the form, not a need."""
    rate_need = math.ceil(policy.qa_400_rate * calls) if policy.qa_400_rate_mode == "floor" else 0
    need = max(people * policy.qa_400_min_per_person, policy.qa_400_min_total, rate_need)
    return min(need, calls) if calls else need


def is_trainee(policy: Policy, hired: dt.date, day: dt.date) -> bool:
    """A trainee TSR (见习TSR, 3 + 2 a month [003 抽听原则 2]; the text does not say who):
    hired within ``new_hire_days`` (``telesales_trainee_basis`` new_hire_days), or still in
    the ``probation_months`` probation (probation)."""
    if policy.telesales_trainee_basis == "probation":
        return day < _months_after(hired, policy.probation_months)
    return (day - hired).days < policy.new_hire_days


def compliance_period(policy: Policy, year: int, month: int) -> tuple[dt.date, dt.date]:
    """The 当月 of 当月未补一条按一级违规处罚一次 [003 合规部分]: the calendar month
    (``compliance_month_basis`` calendar), or the telesales cycle that ends in it (cycle: the
    21st of last month to the 20th)."""
    first = dt.date(year, month, 1)
    if policy.compliance_month_basis == "cycle":
        start_day = policy.telesales_cycle_start_day
        return telesales_cycle(first.replace(day=max(1, start_day - 1)), start_day)
    return first, _months_after(first, 1) - dt.timedelta(days=1)


def _months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, number = day.year + index // 12, index % 12 + 1
    return dt.date(year, number, min(day.day, calendar.monthrange(year, number)[1]))


def expected_calls(known: int, days_gone: int, days_total: int) -> int:
    """The period's calls as far as they can be told before it ends: the calls so far, carried
    on at the same daily rate over the days left (no day gone yet: only what is known)."""
    if days_gone <= 0 or days_gone >= days_total:
        return known
    return math.ceil(known * days_total / days_gone)


def hotline_left(done: dict[str, int], total: int, policy: Policy) -> dict[str, int]:
    """Each person's calls still to check in a 400 period so that everyone has ≥ 1 and the
    period reaches ``total``: the calls left are given one at a time to whoever has been
    checked least so far (ties: the id), so a second pick of anyone waits until everyone has
    a first (重复抽到同一人 is allowed, then averaged) [003 400 §1]."""
    minimum = policy.qa_400_min_per_person
    left = {p: max(0, minimum - n) for p, n in done.items()}
    extra = total - sum(done.values()) - sum(left.values())
    level = {p: done[p] + left[p] for p in done}
    for _n in range(max(0, extra)):
        person = min(sorted(level), key=lambda p: level[p])
        level[person] += 1
        left[person] += 1
    return left


def telesales_left(need: TelesalesNeed, closed: int, unclosed: int, unknown: int = 0) -> int:
    """Recordings still to hear this cycle: closed and unclosed each up to its own need (four
    unclosed do not stand for three closed); an evaluation with no outcome recorded counts
    against whatever is still missing."""
    left = max(0, need.closed - closed) + max(0, need.unclosed - unclosed)
    return max(0, left - unknown)


def slot_outcomes(need: TelesalesNeed, closed: int, unclosed: int, slots: int) -> list[str]:
    """What each of a TSR's plan slots is for, in time order: a closed recording (成交) while
    the cycle still misses one, then an unclosed one (未成交); "" when both are met. The
    monitor hears the kind the cycle needs, not whatever recording comes first."""
    wanted = ["closed"] * max(0, need.closed - closed) \
        + ["unclosed"] * max(0, need.unclosed - unclosed)
    return (wanted + [""] * slots)[:slots]


def averaged_by_person(scores: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """One result per person: a person picked more than once gets the mean of their scores
    (重复抽到同一人语音时,根据次数及每次评分求平均值) [003 400 §1]."""
    by_person: dict[str, list[Decimal]] = {}
    for person, value in scores:
        by_person.setdefault(person, []).append(value)
    return {p: sum(v, Decimal(0)) / len(v) for p, v in by_person.items()}


def period_need(rule: str, trainee: bool, policy: Policy,
                closed_available: int | None = None) -> int | None:
    """A person's calls to check over the rule's period; None for copc (the plan's weekly
    and daily minimums apply)."""
    if rule == "telesales":
        return telesales_need(trainee, closed_available, policy).total
    if rule == "hotline-400":
        return policy.qa_400_min_per_person
    return None


def daily_share(need_left: int, working_days_left: int) -> int:
    """Today's part of what is left for the period, spread over the working days left."""
    if need_left <= 0:
        return 0
    return math.ceil(need_left / max(1, working_days_left))
