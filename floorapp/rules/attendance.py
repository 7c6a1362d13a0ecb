"""Attendance and lateness penalties (考勤), SPEC §4: pure rules.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

Plain data in (the day's shift periods, punches, leave, the policy, an explicit ``now``), plain
results out. No clock, no store, no Textual. Money is exact ``Decimal``; rounding happens once,
in reports (``floorapp.money``).

Decisions the SPEC leaves open, made here once:

- A period with neither an in nor an out punch is a whole-period absence (旷工) unless a leave
  covers it. A period with only one of the two punches (a forgotten punch) is not charged for
  the missing side; the day text says "no out punch" so the supervisor can correct it.
- A 0.5-day leave covers one period: the first period with no punch at all; when every period
  has a punch, the period with the most late + early minutes (the half day the person was away).
  A 1-day leave covers the whole day. Leave on a day the roster marks as leave or rest still
  counts (the leave table is what payroll reads).
- On the current day a period that has not ended yet is *pending*: no punch is "not in yet"
  (status ``late`` once its start has passed, ``on_time`` before), never ``absent``; a missing
  out punch is not early leave yet. Pending periods cost nothing. Every period of a day to
  come is pending.
- Every late or early period is one occurrence for the appraisal points (the SPEC example:
  6 and 9 minutes = 2 occurrences = 4 points), including minutes inside the monthly allowance.
  Minutes that made an absenteeism day are not also an occurrence.
- ``total_deduction`` is the exact sum of the five deductions, rounded once; the bonus is
  reported on its own (``full_attendance_bonus``: what is paid, 0 when lost).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from floorapp.i18n import N_, _, fmt_date, fmt_month, language
from floorapp.policy import Policy
from floorapp.rules.staff import Staff

LEAVE_TYPES = ("personal", "sick", "annual", "comp")
# Shown to people: _(LEAVE_NAMES[type]) ("sick leave" / 病假); the codes stay in the store.
LEAVE_NAMES = {"personal": N_("personal leave"), "sick": N_("sick leave"),
               "annual": N_("annual leave"), "comp": N_("comp leave")}
# The short form of the punch history and the month columns ("sick" / 病假).
LEAVE_SHORT = {"personal": N_("personal"), "sick": N_("sick"), "annual": N_("annual"),
               "comp": N_("comp")}
# What the quick entry accepts besides the English codes and their prefixes.
LEAVE_WORDS_ZH = {"事假": "personal", "事": "personal", "病假": "sick", "病": "sick",
                  "年假": "annual", "年": "annual", "调休": "comp", "调": "comp"}
STATUSES = ("on_time", "late", "early", "absent", "leave", "rest")
# What the floor sees now: the statuses and ``not_in`` (scheduled, no in punch yet).
LIVE_STATUSES = ("not_in", *STATUSES)
ZERO = Decimal("0")


def leave_name(leave_type: str) -> str:
    """'sick leave' / 病假 (an unknown code is shown as stored)."""
    return _(LEAVE_NAMES[leave_type]) if leave_type in LEAVE_NAMES else f"{leave_type} leave"


def leave_short(leave_type: str) -> str:
    """'sick' / 病假 (an unknown code is shown as stored)."""
    return _(LEAVE_SHORT[leave_type]) if leave_type in LEAVE_SHORT else leave_type


def day_text(day: dt.date) -> str:
    """A date in a message: '2026-11-20' in English (as before), '11月20日 周五' in Chinese."""
    return fmt_date(day) if language() == "zh" else day.isoformat()


def short_day_text(day: dt.date) -> str:
    """A date in a list of reasons: '11-20' in English, '11月20日' in Chinese."""
    return f"{day.month}月{day.day}日" if language() == "zh" else f"{day:%m-%d}"


def month_text(year: int, month: int) -> str:
    """'2026-11' in English (as before), '2026年11月' in Chinese."""
    return fmt_month(year, month) if language() == "zh" else f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class Punch:
    """One period's clock-in and clock-out (``None`` = no punch) and the stated reason."""

    period: int
    time_in: dt.time | None = None
    time_out: dt.time | None = None
    reason: str = ""


@dataclass(frozen=True)
class Leave:
    """A day's leave: type (personal, sick, annual, comp) and 0.5 or 1 day."""

    type: str
    days: Decimal


@dataclass(frozen=True)
class PeriodResult:
    number: int
    start: dt.time
    end: dt.time
    punch: Punch | None
    late: int = 0  # ordinary late minutes charged per minute
    early: int = 0  # ordinary early minutes charged per minute
    absent: bool = False  # this period makes the day an absenteeism day
    why_absent: str = ""
    covered: bool = False  # covered by a half-day leave
    pending: bool = False  # today, not ended yet
    waiting_minutes: int = 0  # pending, not in, start passed: minutes late so far
    missing: str = ""  # "in" or "out": a forgotten punch, not charged
    absent_late: int | None = None  # the late minutes that made the absence
    absent_early: int | None = None  # the early minutes that made the absence


@dataclass(frozen=True)
class DayResult:
    """One person's day: per-period results and the day's summary."""

    day: dt.date
    shift: str
    periods: list[PeriodResult]
    leave: Leave | None = None

    @property
    def scheduled(self) -> bool:
        return bool(self.periods)

    @property
    def absent(self) -> bool:
        """At most one absenteeism day per calendar day, however many periods."""
        return any(p.absent for p in self.periods)

    @property
    def late_minutes(self) -> int:
        return sum(p.late for p in self.periods)

    @property
    def early_minutes(self) -> int:
        return sum(p.early for p in self.periods)

    @property
    def late_count(self) -> int:
        return sum(1 for p in self.periods if p.late)

    @property
    def early_count(self) -> int:
        return sum(1 for p in self.periods if p.early)

    @property
    def status(self) -> str:
        """One of ``on_time late early absent leave rest`` (SPEC §9)."""
        if not self.periods:
            return "leave" if self.leave or self.shift in LEAVE_TYPES else "rest"
        if self.leave and self.leave.days >= 1:
            return "leave"
        if self.absent:
            return "absent"
        if self.late_count or any(p.waiting_minutes for p in self.periods):
            return "late"
        if self.early_count:
            return "early"
        if self.leave:
            return "leave"
        return "on_time"

    @property
    def punched_in(self) -> bool:
        """Someone has an in punch in a period the leave does not cover: they came in."""
        return any(p.punch is not None and p.punch.time_in is not None and not p.covered
                   for p in self.periods)

    @property
    def status_now(self) -> str:
        """The status as the floor sees it at ``now``: ``not_in`` for a scheduled person with
        no in punch yet whose periods are still to come or running (nobody is present or on
        time before they punch, SPEC §4 rev. 12-2026); otherwise ``status``."""
        status = self.status
        if (status in ("on_time", "late") and not self.punched_in
                and any(p.pending for p in self.periods)
                and not any(p.late or p.early or p.missing for p in self.periods)):
            return "not_in"
        return status

    @property
    def text(self) -> str:
        """For people: "late 12 min", "left early 4 min", "absent", "sick leave 0.5 day", "rest"."""
        return _(", ").join(self.parts)

    @property
    def parts(self) -> list[str]:
        """The status's parts in the order they are said (``text`` joins them): a screen too
        narrow for all of them shows the first ones whole and counts the rest."""
        parts: list[str] = []
        if self.leave:
            parts.append(_("{leave} {days} day").format(leave=leave_name(self.leave.type),
                                                    days=_days_text(self.leave.days)))
        if not self.periods:
            if not parts:
                parts.append(leave_name(self.shift) if self.shift in LEAVE_TYPES else _("rest"))
            return parts
        if self.leave and self.leave.days >= 1:
            return parts
        for p in self.periods:
            if p.absent:
                parts.insert(0, _("absent: {why} p{n}").format(why=why_absent_text(p),
                                                               n=p.number))
        if self.late_minutes:
            parts.append(_("late {minutes} min").format(minutes=self.late_minutes))
        waiting = [p for p in self.periods if p.waiting_minutes]
        if waiting:
            parts.append(_("not in, late {minutes} min").format(
                minutes=waiting[0].waiting_minutes))
        if self.early_minutes:
            parts.append(_("left early {minutes} min").format(minutes=self.early_minutes))
        for p in self.periods:
            if p.missing == "in":
                parts.append(_("no in punch p{n}").format(n=p.number))
            elif p.missing == "out":
                parts.append(_("no out punch p{n}").format(n=p.number))
        if not parts:
            if all(p.pending and not (p.punch and p.punch.time_in) for p in self.periods):
                return [_("not in yet")]
            return [_("on time")]
        return parts


def why_absent_text(period: PeriodResult) -> str:
    """Why a period made the day an absence, in the interface language: "late 40 min"."""
    if period.absent_late is None and period.absent_early is None:
        return _("no punch") if period.absent else period.why_absent
    why = []
    if period.absent_late is not None:
        why.append(_("late {minutes} min").format(minutes=period.absent_late))
    if period.absent_early is not None:
        why.append(_("left early {minutes} min").format(minutes=period.absent_early))
    return _("; ").join(why)


def percent_text(rate: Decimal) -> str:
    """0.20 → '20', 0.125 → '12.5': a rate as a plain percentage (never '2E+1')."""
    text = f"{(Decimal(rate) * 100).normalize():f}"
    return text


def _days_text(days: Decimal) -> str:
    return "1" if days == 1 else str(days.normalize())


def _minutes(a: dt.time, b: dt.time) -> int:
    """Whole minutes from a to b (negative when b is earlier)."""
    return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)


def evaluate_day(
    policy: Policy,
    day: dt.date,
    shift: str,
    punches: dict[int, Punch],
    leave: Leave | None = None,
    now: dt.datetime | None = None,
) -> DayResult:
    """Apply the per-period rules of SPEC §4 to one person's day.

    ``now`` is the centre's local time; periods of ``day`` not ended by then are pending.
    """
    periods = policy.periods(shift, day)
    if not periods or (leave and leave.days >= 1):
        plain = [PeriodResult(n, s, e, punches.get(n), covered=True)
                 for n, (s, e) in enumerate(periods, start=1)]
        return DayResult(day, shift, plain, leave)
    threshold = policy.absent_threshold_minutes
    covered = _covered_period(periods, punches, leave)
    clock = None
    today = now.date() if now is not None else None
    if today == day:
        clock = now.time().replace(tzinfo=None, second=0, microsecond=0)
    elif today is not None and today < day:
        clock = dt.time(0, 0)  # a day to come: every period is still pending
    results = []
    for number, (start, end) in enumerate(periods, start=1):
        punch = punches.get(number)
        time_in = punch.time_in if punch else None
        time_out = punch.time_out if punch else None
        reason = punch.reason.strip() if punch else ""
        pending = clock is not None and clock < end
        if number == covered:
            results.append(PeriodResult(number, start, end, punch, covered=True))
            continue
        if time_in is None and time_out is None:
            if pending:
                waiting = max(0, _minutes(start, clock)) if clock else 0
                results.append(PeriodResult(number, start, end, punch, pending=True,
                                            waiting_minutes=waiting))
            else:
                results.append(PeriodResult(number, start, end, punch, absent=True,
                                            why_absent="no punch"))
            continue
        # One punch alone is not charged (README, SPEC §4): a forgotten punch is corrected,
        # not guessed. Only today's running period shows the late minutes of its in punch.
        single = time_in is None or (time_out is None and not pending)
        late = max(0, _minutes(start, time_in)) if time_in and not single else 0
        early = max(0, _minutes(time_out, end)) if time_out and not single else 0
        absent = False
        why = []
        absent_late = absent_early = None
        if not reason and late >= threshold:
            absent, why, absent_late = True, why + [f"late {late} min"], late
            late = 0
        if not reason and early >= threshold:
            absent, why, absent_early = True, why + [f"left early {early} min"], early
            early = 0
        missing = ""
        if time_in is None:
            missing = "in"
        elif time_out is None and not pending:
            missing = "out"
        results.append(PeriodResult(number, start, end, punch, late=late, early=early,
                                    absent=absent, why_absent="; ".join(why),
                                    pending=pending, missing=missing,
                                    absent_late=absent_late, absent_early=absent_early))
    return DayResult(day, shift, results, leave)


def _covered_period(
    periods: list[tuple[dt.time, dt.time]], punches: dict[int, Punch], leave: Leave | None
) -> int | None:
    """The period a half-day leave covers (see the module notes), or None."""
    if not leave or leave.days <= 0:
        return None
    unpunched = [n for n in range(1, len(periods) + 1)
                 if not punches.get(n) or (punches[n].time_in is None
                                           and punches[n].time_out is None)]
    if unpunched:
        return unpunched[0]

    def away(n: int) -> int:
        start, end = periods[n - 1]
        punch = punches[n]
        late = max(0, _minutes(start, punch.time_in)) if punch.time_in else 0
        early = max(0, _minutes(punch.time_out, end)) if punch.time_out else 0
        return late + early

    return max(range(1, len(periods) + 1), key=lambda n: (away(n), -n))


@dataclass
class MonthResult:
    """One person's month (SPEC §4 money and points), exact; round when reporting."""

    staff_id: str
    late_minutes: int = 0
    late_deduction: Decimal = ZERO
    early_minutes: int = 0
    early_deduction: Decimal = ZERO
    absent_days: int = 0
    absent_deduction: Decimal = ZERO
    personal_leave_days: Decimal = ZERO
    personal_leave_deduction: Decimal = ZERO
    sick_leave_days: Decimal = ZERO
    sick_leave_deduction: Decimal = ZERO
    full_attendance_bonus: Decimal = ZERO
    points: Decimal = ZERO
    why: list[str] = field(default_factory=list)
    base_pay: Decimal = ZERO  # the monthly base the day pay was computed on (月底薪)

    @property
    def total_deduction(self) -> Decimal:
        return (self.late_deduction + self.early_deduction + self.absent_deduction
                + self.personal_leave_deduction + self.sick_leave_deduction)


def late_deduction(policy: Policy, late_minutes: int) -> Decimal:
    """迟到: the monthly allowance (inclusive) is free; beyond it, per minute.

    ``late_mode`` ``excess`` charges only the minutes beyond the allowance; ``all`` charges
    every minute once the allowance is exceeded.
    """
    if late_minutes <= policy.late_allowance_minutes:
        return ZERO
    charged = late_minutes
    if policy.late_mode == "excess":
        charged = late_minutes - policy.late_allowance_minutes
    return Decimal(charged) * policy.late_per_minute


def early_deduction(policy: Policy, early_minutes: int) -> Decimal:
    """早退: every minute."""
    return Decimal(early_minutes) * policy.early_leave_per_minute


def sick_rate(policy: Policy, staff: Staff, on: dt.date) -> Decimal:
    """病假 rate of a day's pay by tenure on the leave date (< 2 years junior, ≥ 2 senior)."""
    if staff.tenure_years(on) >= policy.sick_leave_tenure_years:
        return policy.sick_leave_rate_senior
    return policy.sick_leave_rate_junior


def month_result(policy: Policy, staff: Staff, days: list[DayResult],
                 base: Decimal | None = None) -> MonthResult:
    """Money and points of one person's month from their evaluated days.

    ``base`` is the month's base (月底薪) when it is not the register's ``base_pay``: an
    outbound agent's pay tier plus seniority raise (``floorapp.rules.pay.month_base``, SPEC §4 rev.).
    """
    monthly = staff.base_pay if base is None else Decimal(base)
    day_pay = policy.day_pay(monthly)
    out = MonthResult(staff.id, base_pay=monthly)
    late_count = early_count = 0
    for day in sorted(days, key=lambda d: d.day):
        stamp = short_day_text(day.day)
        if day.absent:
            out.absent_days += 1
            reasons = _("; ").join(_("{why} p{n}").format(why=why_absent_text(p), n=p.number)
                                   for p in day.periods if p.absent)
            out.why.append(_("{date} absent (旷工): {reasons}, no reason").format(
                date=stamp, reasons=reasons))
        out.late_minutes += day.late_minutes
        out.early_minutes += day.early_minutes
        late_count += day.late_count
        early_count += day.early_count
        for p in day.periods:
            reason = (_(" ({reason})").format(reason=p.punch.reason)
                      if p.punch and p.punch.reason else "")
            if p.late:
                out.why.append(_("{date} late {minutes} min p{n}").format(
                    date=stamp, minutes=p.late, n=p.number) + reason)
            if p.early:
                out.why.append(_("{date} left early {minutes} min p{n}").format(
                    date=stamp, minutes=p.early, n=p.number) + reason)
        leave = day.leave
        if leave is None:
            continue
        if leave.type == "personal":
            out.personal_leave_days += leave.days
            out.personal_leave_deduction += leave.days * day_pay * policy.personal_leave_day_rate
            out.why.append(_("{date} personal leave {days} day").format(
                date=stamp, days=_days_text(leave.days)))
        elif leave.type == "sick":
            rate = sick_rate(policy, staff, day.day)
            out.sick_leave_days += leave.days
            out.sick_leave_deduction += leave.days * day_pay * rate
            out.why.append(_("{date} sick leave {days} day at {rate}%").format(
                date=stamp, days=_days_text(leave.days), rate=percent_text(rate)))
    out.late_deduction = late_deduction(policy, out.late_minutes)
    out.early_deduction = early_deduction(policy, out.early_minutes)
    out.absent_deduction = Decimal(out.absent_days) * day_pay * policy.absent_day_pay_days
    # 事假扣除对应底薪和当月全勤奖 [004]: personal leave loses the bonus; an absence as the
    # centre reads it (absence_loses_full_attendance)
    lost = out.personal_leave_days > 0 or (out.absent_days > 0
                                           and policy.absence_loses_full_attendance)
    out.full_attendance_bonus = ZERO if lost else policy.full_attendance_bonus
    if lost:
        out.why.append(_("full-attendance bonus lost"))
    out.points = (
        Decimal((late_count + early_count) * policy.points_per_late_or_early)
        + Decimal(out.absent_days * policy.points_per_absent_day)
        + out.personal_leave_days * policy.points_per_personal_leave_day
        + out.sick_leave_days * policy.points_per_sick_leave_day
    )
    return out


def minutes_by_day(days: list[DayResult], last_day: int) -> tuple[list[int], list[int]]:
    """Late and early minutes (those charged per minute, as the month's totals count them) on
    each day of a month from the 1st to ``last_day``: the Attendance month chart."""
    late, early = [0] * last_day, [0] * last_day
    for day in days:
        if 1 <= day.day.day <= last_day:
            late[day.day.day - 1] += day.late_minutes
            early[day.day.day - 1] += day.early_minutes
    return late, early
