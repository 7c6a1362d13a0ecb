"""Outbound daily quota (外呼量, SPEC §5): pure rules over call counts and the policy.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

No I/O, no clock, no Textual, no TinyDB: callers pass the counts, the policy and ``now``.
Call counts arrive as *entries*: a daily total (``hour`` None) or an hourly increment, per
agent, day and campaign. For one agent, day and campaign a daily total, when there is one,
is the truth; otherwise the hourly increments add up to the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from floorapp.i18n import N_, _
from floorapp.policy import Policy

ADVICE = ("add_seats", "raise_volume", "ok")
DEFAULT_CAMPAIGN = ""  # calls entered without a campaign: policy campaign_default_coefficient
# input bound: a type coefficient weighs a campaign's calls (1.0, 1.2); 100 times is a typo
MAX_COEFFICIENT = Decimal("100")


@dataclass(frozen=True)
class Counts:
    """One agent's counts: 实际呼出 dialed, 接通 connected, 完成 completed, 成单 orders."""

    dialed: int = 0
    connected: int = 0
    completed: int = 0
    orders: int = 0
    talk_minutes: int | None = None  # tracked by some centres only

    def __add__(self, other: Counts) -> Counts:
        if self.talk_minutes is None and other.talk_minutes is None:
            talk = None
        else:
            talk = (self.talk_minutes or 0) + (other.talk_minutes or 0)
        return Counts(self.dialed + other.dialed, self.connected + other.connected,
                      self.completed + other.completed, self.orders + other.orders, talk)

    def to_dict(self) -> dict[str, int | None]:
        return {"dialed": self.dialed, "connected": self.connected,
                "completed": self.completed, "orders": self.orders,
                "talk_minutes": self.talk_minutes}

    @classmethod
    def from_dict(cls, data: Mapping) -> Counts:
        talk = data.get("talk_minutes")
        return cls(int(data.get("dialed", 0)), int(data.get("connected", 0)),
                   int(data.get("completed", 0)), int(data.get("orders", 0)),
                   None if talk is None else int(talk))


@dataclass(frozen=True)
class CallEntry:
    """A daily total (hour None) or an hourly increment of one agent on one campaign."""

    staff_id: str
    day: dt.date
    hour: int | None
    campaign: str
    counts: Counts

    @property
    def key(self) -> str:
        return entry_key(self.staff_id, self.hour, self.campaign)


def entry_key(staff_id: str, hour: int | None, campaign: str) -> str:
    """The store key of an entry; a correction is a new version of the same key."""
    slot = "day" if hour is None else f"h{hour:02d}"
    return f"{staff_id}/{slot}/{campaign}"


COUNT_NAMES = {"dialed": N_("dialed"), "connected": N_("connected"),
               "completed": N_("completed"), "orders": N_("orders"),
               "talk_minutes": N_("talk_minutes")}


def count_problems(counts: Counts) -> list[str]:
    """Why counts cannot be right: each later stage is a subset of the one before."""
    problems = []
    for name in ("dialed", "connected", "completed", "orders"):
        if getattr(counts, name) < 0:
            problems.append(_("{name} {value} is negative").format(
                name=_(COUNT_NAMES[name]), value=getattr(counts, name)))
    if counts.talk_minutes is not None and counts.talk_minutes < 0:
        problems.append(_("{name} {value} is negative").format(
            name=_(COUNT_NAMES["talk_minutes"]), value=counts.talk_minutes))
    pairs = (("connected", "dialed"), ("completed", "connected"), ("orders", "completed"))
    for later, earlier in pairs:
        if getattr(counts, later) > getattr(counts, earlier):
            problems.append(_("{later} {n} is more than {earlier} {m}").format(
                later=_(COUNT_NAMES[later]), n=getattr(counts, later),
                earlier=_(COUNT_NAMES[earlier]), m=getattr(counts, earlier)))
    return problems


# ------------------------------------------------------------------ one day of one agent
def effective_entries(entries: Iterable[CallEntry]) -> list[CallEntry]:
    """The entries that count: per (agent, campaign) a daily total replaces the hours."""
    entries = list(entries)
    with_total = {(e.staff_id, e.campaign) for e in entries if e.hour is None}
    return [e for e in entries if e.hour is None or (e.staff_id, e.campaign) not in with_total]


def day_counts(entries: Iterable[CallEntry]) -> Counts:
    total = Counts()
    for entry in effective_entries(entries):
        total = total + entry.counts
    return total


def campaign_sums(records: Iterable[Mapping]) -> dict[str, dict[str, Counts]]:
    """{agent: {campaign: counts}} of one day's stored call entries (plain records), the
    entries that count as ``effective_entries`` says: a campaign's daily total replaces its
    hours; summed as ``day_counts`` sums (talk minutes None while no entry has any). Month
    figures are built from these without an object per entry."""
    records = list(records)
    with_total = {(r["staff_id"], r.get("campaign", "")) for r in records
                  if r.get("hour") is None}
    sums: dict[str, dict[str, list]] = {}
    for r in records:
        sid, campaign = r["staff_id"], r.get("campaign", "")
        if r.get("hour") is not None and (sid, campaign) in with_total:
            continue
        talk = r.get("talk_minutes")
        row = (int(r.get("dialed", 0)), int(r.get("connected", 0)),
               int(r.get("completed", 0)), int(r.get("orders", 0)),
               None if talk is None else int(talk))
        agent = sums.setdefault(sid, {})
        total = agent.get(campaign)
        if total is None:
            agent[campaign] = list(row)
            continue
        for i in range(4):
            total[i] += row[i]
        if row[4] is not None:
            total[4] = (total[4] or 0) + row[4]
    return {sid: {c: Counts(*v) for c, v in campaigns.items()} for sid, campaigns in sums.items()}


def weighted_from_sums(policy: Policy, sums: Mapping[str, Counts],
                       coefficients: Mapping[str, Decimal]) -> Decimal:
    """Σ completed × campaign coefficient from ``campaign_sums`` of one agent (the same figure
    as ``weighted_completed`` of the entries)."""
    return sum((Decimal(counts.completed) * coefficient_of(policy, coefficients, campaign)
                for campaign, counts in sums.items()), Decimal(0))


def coefficient_of(policy: Policy, coefficients: Mapping[str, Decimal], campaign: str) -> Decimal:
    """A campaign's type coefficient (外呼类型系数); unknown or default: the policy default."""
    return Decimal(coefficients.get(campaign, policy.campaign_default_coefficient))


def weighted_completed(policy: Policy, entries: Iterable[CallEntry],
                       coefficients: Mapping[str, Decimal]) -> Decimal:
    """Σ completed × campaign coefficient."""
    return sum((Decimal(e.counts.completed) * coefficient_of(policy, coefficients, e.campaign)
                for e in effective_entries(entries)), Decimal(0))


def hourly_completed(entries: Iterable[CallEntry]) -> dict[int, int]:
    """Completed calls by hour of day, from the hourly increments that count (a campaign's
    daily total replaces its hours)."""
    out: dict[int, int] = {}
    for entry in effective_entries(entries):
        if entry.hour is not None:
            out[entry.hour] = out.get(entry.hour, 0) + entry.counts.completed
    return out


# ------------------------------------------------------------------------ the rules
def adjusted_target(policy: Policy, scheduled_calling_minutes: int, lost_minutes: int) -> int:
    """The day's completed target, reduced in proportion to calling time lost to an outage
    (SPEC §8: an affected seat's quota for the outage window is special circumstances)."""
    target = policy.daily_min_completed
    if lost_minutes <= 0 or scheduled_calling_minutes <= 0:
        return target
    lost = min(lost_minutes, scheduled_calling_minutes)
    kept = Decimal(target) * (scheduled_calling_minutes - lost) / scheduled_calling_minutes
    return int(kept.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def leave_target(policy: Policy, scheduled_calling_minutes: int, lost_minutes: int,
                 leave_days: Decimal) -> int:
    """The target of a day partly on leave: a half-day leave (0.5) takes half the calling
    time, like an outage takes its window; a whole day's leave leaves nothing to reach."""
    if leave_days >= 1 or scheduled_calling_minutes <= 0:
        return 0
    on_leave = int((Decimal(scheduled_calling_minutes) * leave_days).to_integral_value(
        rounding=ROUND_HALF_UP))
    return adjusted_target(policy, scheduled_calling_minutes, lost_minutes + on_leave)


def absent_day_target(policy: Policy, target: int, worked: bool) -> int:
    """The quota target of a day of absence (旷工): 少一个量扣1分 counts days worked only
    (``shortfall_on_absent_days`` false, the default since issue #25: an absence costs its
    attendance points and pay, not 60 quota points too), else the day's target stands. A day
    absent by the 30-minute rule on which the agent did call (``worked``) was worked: its
    target stands either way."""
    return target if worked or policy.shortfall_on_absent_days else 0


def shortfall(target: int, completed: int) -> int:
    """How many completed calls short of the target (少一个量): max(0, target − completed)."""
    return max(0, target - completed)


def shortfall_points(policy: Policy, target: int, completed: int) -> int:
    """−1 point per call short (少一个量扣1分)."""
    return -shortfall(target, completed) * policy.shortfall_points_per_call


def band(value: int, low: int, high: int) -> str:
    """'below', 'in' or 'above' a band, both ends inclusive."""
    if value < low:
        return "below"
    if value > high:
        return "above"
    return "in"


def dialed_band(policy: Policy, dialed: int) -> str:
    """The per-seat band for dialed calls (实际呼出 70–100)."""
    return band(dialed, policy.band_dialed_min, policy.band_dialed_max)


def completed_band(policy: Policy, completed: int) -> str:
    """The per-seat band for successful calls (成功 60–80)."""
    return band(completed, policy.band_completed_min, policy.band_completed_max)


def is_zero_score_day(policy: Policy, weighted: Decimal) -> bool:
    """Weighted completed under 50: the day scores nothing in the monthly ranking. Only when
    the centre reads 低于50个/人/天,不得分 day by day (``zero_score_basis`` day); read over the
    month's daily average, no single day is judged."""
    return policy.zero_score_basis == "day" and Decimal(weighted) < policy.zero_score_below


def zero_score_days(policy: Policy, daily_weighted: Iterable[Decimal]) -> int:
    """The month's days that score nothing: each day under 50 (``zero_score_basis`` day), or
    every day when the month's daily average is under 50 (month_average)."""
    days = [Decimal(w) for w in daily_weighted]
    if policy.zero_score_basis == "month_average":
        if days and sum(days, Decimal(0)) / len(days) < policy.zero_score_below:
            return len(days)
        return 0
    return sum(1 for w in days if is_zero_score_day(policy, w))


def day_end(periods: Iterable[tuple[dt.time, dt.time]]) -> dt.time | None:
    """When a shift's work ends: the end of its last period (None: no period that day)."""
    return max((end for _start, end in periods), default=None)


def counts_final(day: dt.date, ends_at: dt.time | None, now: dt.datetime) -> bool:
    """Whether a day's call counts are final, so that the day may be judged on them.

    [004] counts the quota by the day (按天完成量 … 每天进行统计; 日平均外呼量): a zero-score
    day, a dialed count under its band, short talk time and the staffing advice are verdicts
    on a whole day, never on its counts so far. A past day is final; today once its work has
    ended (``ends_at``, local time; None: no shift that day, so not before midnight); a day
    to come never. ``now`` is the centre's local time."""
    today = now.date()
    if day != today:
        return day < today
    return ends_at is not None and now.time().replace(tzinfo=None) >= ends_at


def projected(value: Decimal | int, total_minutes: int, minutes_left: int,
              judge_after: int) -> Decimal | None:
    """A count so far carried to the end of the shift at the pace so far, for the live
    screen's verdicts (dialed band, staffing advice). None while too little calling time has
    passed for a pace to mean anything (``judge_after`` minutes, the policy's
    ``live_judge_after_minutes``; the whole shift when it is shorter): at 08:07 nobody has
    dialed yet, and "below 70" or "raise call volume" would be said of everyone. The count
    itself once the shift is over, or when it has no calling time."""
    value = Decimal(value)
    if total_minutes <= 0 or minutes_left <= 0:
        return value
    done = total_minutes - minutes_left
    if done <= 0 or done < min(judge_after, total_minutes):
        return None
    return value * total_minutes / done


def ranking_score(policy: Policy, daily_weighted: Iterable[Decimal]) -> Decimal:
    """A month's ranking figure: Σ weighted completed over the days that score (none when
    the month's daily average is under 50 and the centre reads the rule that way)."""
    days = [Decimal(w) for w in daily_weighted]
    if policy.zero_score_basis == "month_average":
        return Decimal(0) if zero_score_days(policy, days) else sum(days, Decimal(0))
    return sum((w for w in days if not is_zero_score_day(policy, w)), Decimal(0))


@dataclass(frozen=True)
class RankRow:
    staff_id: str
    rank: int
    score: Decimal
    points: int


def ranking(policy: Policy, scores: Mapping[str, Decimal]) -> list[RankRow]:
    """Monthly ranking by weighted completed, best first. Equal scores share the better rank
    (1, 2, 2, 4); each rank step below first costs ``rank_step_points`` (2 points)."""
    ordered = sorted(scores.items(), key=lambda item: (-Decimal(item[1]), item[0]))
    rows: list[RankRow] = []
    for index, (staff_id, score) in enumerate(ordered):
        if rows and Decimal(score) == rows[-1].score:
            rank = rows[-1].rank
        else:
            rank = index + 1
        rows.append(RankRow(staff_id, rank, Decimal(score), -(rank - 1) * policy.rank_step_points))
    return rows


@dataclass(frozen=True)
class GuaranteeTier:
    tier: str  # "guarantee" (400 met), "special" (special circumstances) or "base"
    base_pay: Decimal
    subsidy: Decimal

    @property
    def total(self) -> Decimal:
        return self.base_pay + self.subsidy


def guarantee_tier(policy: Policy, orders: int, special_circumstances: bool) -> GuaranteeTier:
    """Monthly order guarantee (保底量): 400 orders → base 1200, else 800; a month with
    special circumstances (e.g. a system outage) that misses it: 800 + 50 subsidy."""
    if orders >= policy.guarantee_orders:
        return GuaranteeTier("guarantee", policy.guarantee_base_high, Decimal(0))
    if special_circumstances:
        return GuaranteeTier("special", policy.guarantee_base_low,
                             policy.special_circumstances_subsidy)
    return GuaranteeTier("base", policy.guarantee_base_low, Decimal(0))


def average_dialed(total_dialed: int, seats: int) -> Decimal:
    return Decimal(total_dialed) / seats if seats else Decimal(0)


def average_per_seat(total: int, seats: int) -> Decimal:
    """A floor total over the seats working that day (0 with no seat working)."""
    return Decimal(total) / seats if seats else Decimal(0)


def staffing_advice(policy: Policy, avg_dialed_per_seat: Decimal,
                    avg_completed_per_seat: Decimal) -> str:
    """人员编制 [004 第三条], over the seats working that day: average dialed (日平均外呼量)
    above 100 → ``add_seats``; otherwise average completed (日平均业务受理笔数) below 60 →
    ``raise_volume``; else ``ok``."""
    if avg_dialed_per_seat > policy.advice_add_seats_above:
        return "add_seats"
    if avg_completed_per_seat < policy.advice_raise_volume_completed_below:
        return "raise_volume"
    return "ok"


def is_rushing(policy: Policy, by_hour: Mapping[int, int]) -> bool:
    """不允许赶量: the last hour holds more than 2× the day's mean hourly completions.
    The mean is over the hours with counts; one hour alone is never rushing."""
    if len(by_hour) < 2:
        return False
    total = sum(by_hour.values())
    last = by_hour[max(by_hour)]
    mean = Decimal(total) / len(by_hour)
    return Decimal(last) > policy.rushing_factor * mean


def talk_time_ok(policy: Policy, talk_minutes: int | None) -> bool | None:
    """Talk time ≥ 3 h a day where tracked; None when not tracked."""
    if talk_minutes is None:
        return None
    return talk_minutes >= policy.talk_minutes_min


def interview_list(policy: Policy, monthly_orders: list[Mapping[str, int]]) -> list[str]:
    """约谈 [004 四.4]: 连续两月成单量最少的员工 — the agent with the fewest orders in each of
    the last ``interview_months`` months (oldest first in ``monthly_orders``); ties at the
    fewest all count. Only an agent who was the fewest in every one of those months."""
    if policy.interview_months <= 0 or len(monthly_orders) < policy.interview_months:
        return []
    months = monthly_orders[-policy.interview_months:]
    fewest_sets = []
    for orders in months:
        if not orders:
            return []
        fewest = min(orders.values())
        fewest_sets.append({sid for sid, n in orders.items() if n == fewest})
    return sorted(set.intersection(*fewest_sets))


# ---------------------------------------------------------------- pace during the day
def calling_minutes(periods: Iterable[tuple[dt.time, dt.time]]) -> int:
    return sum(_minutes(end) - _minutes(start) for start, end in periods)


def remaining_minutes(periods: Iterable[tuple[dt.time, dt.time]], now: dt.time) -> int:
    """Shift minutes still to come after ``now`` (the rest of the shift)."""
    clock = _minutes(now)
    return sum(max(0, _minutes(end) - max(_minutes(start), clock)) for start, end in periods)


def minutes_reached_at(periods: Iterable[tuple[dt.time, dt.time]], minutes: int
                       ) -> dt.time | None:
    """The moment the periods have run ``minutes`` minutes of calling time (None: they are
    shorter): when the live screen starts judging the pace (``live_judge_after_minutes``)."""
    for start, end in sorted(periods):
        length = _minutes(end) - _minutes(start)
        if minutes <= length:
            at = _minutes(start) + minutes
            return dt.time(at // 60, at % 60)
        minutes -= length
    return None


def pace_needed(target: int, completed: int, minutes_left: int) -> Decimal | None:
    """Completed calls per hour needed for the rest of the shift; None when no time is left
    and calls are still missing; 0 when the target is met."""
    missing = shortfall(target, completed)
    if missing == 0:
        return Decimal(0)
    if minutes_left <= 0:
        return None
    return Decimal(missing) * 60 / minutes_left


def expected_by_now(target: int, total_minutes: int, minutes_left: int) -> Decimal:
    """Completed calls an agent on an even pace has by now."""
    if total_minutes <= 0:
        return Decimal(0)
    done = total_minutes - minutes_left
    return Decimal(target) * done / total_minutes


def is_behind(target: int, completed: int, total_minutes: int, minutes_left: int) -> bool:
    return completed < expected_by_now(target, total_minutes, minutes_left) and completed < target


def calling_hours(periods: Iterable[tuple[dt.time, dt.time]]) -> list[int]:
    """Hours of the day a shift's periods touch (the demo's hourly slots)."""
    hours: list[int] = []
    for start, end in periods:
        first, last = _minutes(start) // 60, (_minutes(end) - 1) // 60
        hours.extend(h for h in range(first, last + 1) if h not in hours)
    return hours


def hour_minutes(periods: Iterable[tuple[dt.time, dt.time]], hour: int) -> int:
    """Calling minutes of the periods inside the clock hour ``hour`` (08:30–12:00 gives hour 8
    thirty minutes, hour 9 sixty)."""
    low, high = hour * 60, hour * 60 + 60
    return sum(max(0, min(_minutes(end), high) - max(_minutes(start), low))
               for start, end in periods)


def even_pace(target: int, periods: Iterable[tuple[dt.time, dt.time]], hours: Iterable[int]
              ) -> list[Decimal]:
    """Completed calls each hour at the even pace that reaches ``target`` by the shift's end:
    the target shared over the calling minutes, so an hour with half its minutes on the phones
    (the meeting, the Friday study) needs half as many."""
    periods = list(periods)
    total = calling_minutes(periods)
    if total <= 0 or target <= 0:
        return [Decimal(0) for _hour in hours]
    return [Decimal(target) * hour_minutes(periods, hour) / total for hour in hours]


def by_hour_series(by_hour: Mapping[int, int], hours: Iterable[int]) -> list[int]:
    """Completed per hour along ``hours`` (0 for an hour with nothing counted)."""
    return [by_hour.get(hour, 0) for hour in hours]


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute
