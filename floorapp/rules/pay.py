"""Pay sheet and appraisal (薪资/绩效), SPEC §10 and [004] 四、话务员薪资制度: pure rules.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

Plain data in (the agent, the month's orders, outage minutes, the supervisor's decision on
special circumstances, the attendance month computed on the month's base, the coaching log),
plain results out. No clock, no store, no Textual. Money is exact ``Decimal``; it is rounded
half-up once, in the report.

How the sources are read here (and where they leave a choice, the choice made once):

- Tier (保底量 400): ``met`` when orders ≥ the guarantee (base 1200, commission on the orders
  above it, the award); ``not_met`` below it (base 800, commission on every order, no award);
  ``special`` below it when the supervisor confirmed special circumstances (系统问题、业务中断:
  base 800, commission on every order, the award, the 50 subsidy). Meeting the guarantee wins
  over a confirmation. floor only *proposes* special circumstances (outage minutes lost reach
  ``special_min_lost_minutes``); until the supervisor confirms, the agent is ``not_met``.
- Seniority raise (工龄奖, 底薪每半年上调 50 元, 200 元封顶): + 50 per half-year of service
  completed by the first day of the month, at most + 200, none while in probation (试用期 2
  months) on that day. It raises the month's base, so it is part of the base the attendance
  deductions are computed on (月底薪 = tier base + raise; 日底薪 = 月底薪 / 21.75).
- Award (奖励 50, 当月提成最高的): among the agents of the tiers that have it (met, special),
  the highest commission gets it; ties all get it; no award while that highest commission is 0
  (e.g. the rate is unset).
- Insured (社、医保, 转正后): past probation on the first day of the month. floor does not
  compute insurance, it only says yes/no.
- Appraisal [002 KPI form]: 总计 = I (the base score) − II (attendance points) − III (coaching:
  口头指导 ×2, 书面指导 ×5, 决定日 ×10) + IV (praise: Great job ×5). floor reports the deduction
  II + III − IV beside the pay and, where the centre entered a base score, the month's score,
  whether it enters the ranking (≥ 70) and the grade A–E with its pay coefficient. The
  coefficient multiplies the post's performance pay (Q), which floor does not hold: it is shown,
  not applied to the money.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from floorapp.rules.attendance import MonthResult
from floorapp.i18n import N_, _
from floorapp.money import money_text
from floorapp.policy import Policy
from floorapp.rules.staff import Staff

TIERS = ("met", "not_met", "special")
TIER_NAMES = {"met": N_("met (保底)"), "not_met": N_("not met"), "special": N_("special (特殊)")}
TIER_SHORT = {"met": N_("met"), "not_met": N_("not met"), "special": N_("special")}
SPECIAL_DECISIONS = ("confirmed", "refused")
COACHING_KINDS = ("verbal", "written", "decision_day", "great_job")
COACHING_NAMES = {"verbal": N_("verbal coaching (口头指导)"),
                  "written": N_("written coaching (书面指导)"),
                  "decision_day": N_("decision day (决定日)"),
                  "great_job": N_("Great job (表扬)")}
# What the quick entry and the CSV accept besides the codes.
COACHING_WORDS = {"口头指导": "verbal", "口头": "verbal", "v": "verbal",
                  "书面指导": "written", "书面": "written", "w": "written",
                  "决定日": "decision_day", "decision": "decision_day", "d": "decision_day",
                  "great": "great_job", "greatjob": "great_job", "praise": "great_job",
                  "表扬": "great_job", "g": "great_job"}
GRADES = ("A", "B", "C", "D", "E")
ZERO = Decimal("0")


def tier_name(tier: str) -> str:
    return _(TIER_NAMES[tier]) if tier in TIER_NAMES else tier


def tier_short(tier: str) -> str:
    """The tier in a narrow column: 'not met' / 未达标."""
    return _(TIER_SHORT[tier]) if tier in TIER_SHORT else tier


def coaching_name(kind: str) -> str:
    return _(COACHING_NAMES[kind]) if kind in COACHING_NAMES else kind


def coaching_kind(word: str) -> str | None:
    """The coaching code for a typed word (a code, its prefix or the Chinese term), or None."""
    word = word.strip().lower().replace(" ", "").replace("_", "")
    if not word:
        return None
    for kind in COACHING_KINDS:
        if kind.replace("_", "") == word:
            return kind
    if word in COACHING_WORDS:
        return COACHING_WORDS[word]
    matches = [k for k in COACHING_KINDS if k.replace("_", "").startswith(word)]
    return matches[0] if len(matches) == 1 else None


# ------------------------------------------------------------------ service time
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def probation_end(policy: Policy, hired: dt.date) -> dt.date:
    """The first day after probation (试用期 2 个月)."""
    return add_months(hired, policy.probation_months)


def in_probation(policy: Policy, staff: Staff, on: dt.date) -> bool:
    return on < probation_end(policy, staff.hired)


def completed_half_years(hired: dt.date, on: dt.date) -> int:
    """Half-years of service completed by ``on`` (hired 05-01: the first ends 11-01)."""
    if on < hired:
        return 0
    n = 0
    while add_months(hired, 6 * (n + 1)) <= on:
        n += 1
    return n


def seniority_counted_by(policy: Policy, month_start: dt.date) -> dt.date:
    """The day by which a half-year must be complete to count for a month's 工龄奖 (每半年
    上调, [004 四] names no day): ``seniority_from`` next_month, the month's first day (a
    half-year counts from the 1st of the month after it completes); same_month, its last day
    (from the month in which it completes)."""
    if policy.seniority_from == "same_month":
        return add_months(month_start, 1) - dt.timedelta(days=1)
    return month_start


def seniority_half_years(policy: Policy, hired: dt.date, month_start: dt.date) -> int:
    """The half-years of service that count for the month starting ``month_start``."""
    return completed_half_years(hired, seniority_counted_by(policy, month_start))


def seniority_raise(policy: Policy, staff: Staff, month_start: dt.date) -> Decimal:
    """工龄奖: + per half-year that counts for the month, capped; none in probation."""
    if in_probation(policy, staff, month_start):
        return ZERO
    raised = policy.seniority_raise_per_half_year * seniority_half_years(
        policy, staff.hired, month_start)
    return min(raised, policy.seniority_raise_max)


# ------------------------------------------------------------------------- tier
def special_proposed(policy: Policy, orders: int, lost_minutes: int) -> bool:
    """floor proposes special circumstances: below the guarantee and at least the policy's
    minutes of calling time lost to outages (the supervisor confirms or refuses)."""
    return (orders < policy.guarantee_orders and lost_minutes > 0
            and lost_minutes >= policy.special_min_lost_minutes)


def tier_of(policy: Policy, orders: int, special_confirmed: bool) -> str:
    """met (≥ guarantee) / special (below it, confirmed) / not_met."""
    if orders >= policy.guarantee_orders:
        return "met"
    return "special" if special_confirmed else "not_met"


def tier_base(policy: Policy, tier: str) -> Decimal:
    return policy.guarantee_base_high if tier == "met" else policy.guarantee_base_low


def month_base(policy: Policy, staff: Staff, orders: int, special_confirmed: bool,
               month_start: dt.date) -> Decimal:
    """月底薪 of an outbound agent for the month: tier base + seniority raise. The attendance
    deductions of that month are computed on it (one rule for the pay sheet and the month
    report)."""
    tier = tier_of(policy, orders, special_confirmed)
    return tier_base(policy, tier) + seniority_raise(policy, staff, month_start)


def commission(policy: Policy, tier: str, orders: int) -> Decimal:
    """提成: met on the orders above the guarantee; otherwise on every order."""
    counted = max(0, orders - policy.guarantee_orders) if tier == "met" else max(0, orders)
    return Decimal(counted) * policy.commission_per_order


def awarded(policy: Policy, commissions: Mapping[str, tuple[str, Decimal]]) -> set[str]:
    """Who gets the award: {id: (tier, commission)} → the ids with the highest commission
    among the tiers that have the award; ties all; nobody while that commission is 0.
    ``award_among`` everyone: the month's highest commission overall (当月提成最高的), and
    nobody gets it when that agent's tier has no award."""
    eligible = {sid: c for sid, (tier, c) in commissions.items() if tier in policy.award_tiers}
    if not eligible:
        return set()
    top = max(eligible.values())
    if policy.award_among == "everyone":
        top = max(c for _tier, c in commissions.values())
    if top <= 0:
        return set()
    return {sid for sid, c in eligible.items() if c == top}


# -------------------------------------------------------------------- appraisal
@dataclass(frozen=True)
class Appraisal:
    attendance_points: Decimal
    coaching_points: Decimal
    praise_points: Decimal
    base_score: Decimal | None = None

    @property
    def points(self) -> Decimal:
        """The month's appraisal deduction: attendance + coaching − praise."""
        return self.attendance_points + self.coaching_points - self.praise_points

    @property
    def score(self) -> Decimal | None:
        return None if self.base_score is None else self.base_score - self.points


def coaching_points(policy: Policy, counts: Mapping[str, int]) -> tuple[Decimal, Decimal]:
    """(coaching points, praise points) of a month's log counted by kind."""
    rates = {"verbal": policy.coaching_points_verbal,
             "written": policy.coaching_points_written,
             "decision_day": policy.coaching_points_decision_day}
    coached = sum((Decimal(counts.get(k, 0)) * rate for k, rate in rates.items()), ZERO)
    praised = Decimal(counts.get("great_job", 0)) * policy.praise_points_great_job
    return coached, praised


def grade(policy: Policy, score: Decimal) -> tuple[str, Decimal]:
    """Grade A–E and its pay coefficient: ≥ 90 A, ≥ 80 B, ≥ 70 C, ≥ 60 D, below E."""
    for letter, floor_score, coefficient in zip(GRADES, policy.grade_min_scores,
                                                policy.grade_coefficients, strict=False):
        if score >= Decimal(floor_score):
            return letter, Decimal(coefficient)
    return GRADES[-1], Decimal(policy.grade_coefficients[-1])


def ranked(policy: Policy, score: Decimal) -> bool:
    """≥ 70 enters the ranking (本月考核 70 分以上者才有资格进入绩效排名)."""
    return score >= policy.appraisal_ranking_min


# ---------------------------------------------------------------------- the sheet
@dataclass(frozen=True)
class AgentMonth:
    """What the sheet needs of one outbound agent's month."""

    staff: Staff
    orders: int
    lost_minutes: int
    decision: str  # "", "confirmed" or "refused" (the supervisor's, on special circumstances)
    attendance: MonthResult  # computed on ``month_base``
    coaching: Mapping[str, int] = field(default_factory=dict)
    base_score: Decimal | None = None


@dataclass
class PayLine:
    staff: Staff
    tier: str
    orders: int
    base: Decimal
    seniority: Decimal
    full_attendance_bonus: Decimal
    commission: Decimal
    award: Decimal
    subsidy: Decimal
    attendance: MonthResult
    insured: bool
    special: str  # "", "proposed", "confirmed", "refused"
    lost_minutes: int
    appraisal: Appraisal
    why: list[str] = field(default_factory=list)

    @property
    def deductions(self) -> Decimal:
        return self.attendance.total_deduction

    @property
    def gross(self) -> Decimal:
        return (self.base + self.seniority + self.full_attendance_bonus + self.commission
                + self.award + self.subsidy - self.deductions)


def special_state(policy: Policy, orders: int, lost_minutes: int, decision: str) -> str:
    if decision in SPECIAL_DECISIONS:
        return decision
    return "proposed" if special_proposed(policy, orders, lost_minutes) else ""


def pay_sheet(policy: Policy, agents: Iterable[AgentMonth], month_start: dt.date
              ) -> list[PayLine]:
    """Every outbound agent's month (SPEC §10), in the order given."""
    lines: list[PayLine] = []
    for a in agents:
        tier = tier_of(policy, a.orders, a.decision == "confirmed")
        base = tier_base(policy, tier)
        raise_ = seniority_raise(policy, a.staff, month_start)
        line = PayLine(
            staff=a.staff, tier=tier, orders=a.orders, base=base, seniority=raise_,
            full_attendance_bonus=a.attendance.full_attendance_bonus,
            commission=commission(policy, tier, a.orders), award=ZERO,
            subsidy=policy.special_circumstances_subsidy if tier == "special" else ZERO,
            attendance=a.attendance,
            insured=not in_probation(policy, a.staff, month_start),
            special=special_state(policy, a.orders, a.lost_minutes, a.decision),
            lost_minutes=a.lost_minutes,
            appraisal=Appraisal(a.attendance.points, *coaching_points(policy, a.coaching),
                                base_score=a.base_score))
        why = line.why
        if tier == "met":
            why.append(_("{orders} orders ≥ guarantee {guarantee}: base {base}, commission on "
                         "{counted} above it").format(
                orders=a.orders, guarantee=policy.guarantee_orders, base=money_text(base),
                counted=max(0, a.orders - policy.guarantee_orders)))
        elif tier == "special":
            why.append(_("{orders} orders < {guarantee}, special circumstances confirmed "
                         "({minutes} min lost to outages): base {base} + subsidy {subsidy}, "
                         "commission on every order").format(
                orders=a.orders, guarantee=policy.guarantee_orders, minutes=a.lost_minutes,
                base=money_text(base), subsidy=money_text(line.subsidy)))
        else:
            why.append(_("{orders} orders < guarantee {guarantee}: base {base}, commission on "
                         "every order").format(orders=a.orders,
                                               guarantee=policy.guarantee_orders,
                                               base=money_text(base)))
            if line.special == "proposed":
                why.append(_("special circumstances proposed ({minutes} min lost to outages):"
                             " awaiting the supervisor").format(minutes=a.lost_minutes))
            elif line.special == "refused":
                why.append(_("special circumstances refused by the supervisor"))
        if raise_:
            why.append(_("seniority +{amount}: {n} half-year(s) of service by {day}").format(
                amount=money_text(raise_), n=seniority_half_years(policy, a.staff.hired,
                                                               month_start),
                day=seniority_counted_by(policy, month_start).isoformat()))
        elif in_probation(policy, a.staff, month_start):
            why.append(_("in probation until {day}: no seniority raise, not insured").format(
                day=probation_end(policy, a.staff.hired).isoformat()))
        why.append(_("deductions on base {base} (day pay {base}/{days})").format(
            base=money_text(base + raise_), days=policy.pay_days_per_month))
        lines.append(line)
    winners = awarded(policy, {ln.staff.id: (ln.tier, ln.commission) for ln in lines})
    for ln in lines:
        if ln.staff.id in winners:
            ln.award = policy.top_commission_award
            ln.why.append(_("award: the month's highest commission {amount}").format(
                amount=money_text(ln.commission)))
    return lines


def publish_reminder(policy: Policy, today: dt.date, published: Iterable[str]) -> str | None:
    """From the 1st of a month until last month's results are marked published: the month
    (``YYYY-MM``) to remind about, else None (公布: 次月 10 日前)."""
    previous = add_months(today.replace(day=1), -1)
    key = f"{previous.year:04d}-{previous.month:02d}"
    return None if key in set(published) else key


def publish_overdue(policy: Policy, today: dt.date) -> bool:
    """Past the day of the month by which last month's results are announced."""
    return today.day > policy.pay_publish_by_day
