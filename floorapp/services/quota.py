"""Quota use-cases (外呼量, SPEC §5 and the day part of §9): the composed quota service, and the
floor's day as it goes: each agent's counts, target, attendance and pace, and the floor's totals.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

The concepts live beside it: the call counts recorded (``quota_counts``), campaigns
(``campaigns``), the calls import (``quota_import``), the end-of-day report and the flags
(``quota_day``), the month's ranking, guarantee and interview list (``quota_month``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from floorapp.services import digests
from floorapp.rules import quota as rules
from floorapp.i18n import N_, _
from floorapp.rules.quota import Counts
from floorapp.rules.schedule import calling_periods
from floorapp.services.campaigns import CAMPAIGNS, REF, QuotaCampaigns
from floorapp.services.quota_counts import CALLS, QuotaCounts, Undo, _day_sums, _partition
from floorapp.services.quota_day import QuotaDayReport
from floorapp.services.quota_import import QuotaImport
from floorapp.services.quota_month import QuotaMonth

if TYPE_CHECKING:
    from floorapp.services.core import Floor
    from floorapp.rules.staff import Staff

ATTENDANCE = ("on_time", "late", "early", "absent", "leave", "rest")
LEAVE_CODES = ("personal", "sick", "annual", "comp", "leave")


@dataclass
class AgentDay:
    """One agent's day as the quota screen, the summary and the day report show it."""

    staff_id: str
    name: str
    seat: str
    shift: str
    attendance: str  # one of ATTENDANCE (the pay status of the day, SPEC §9)
    attendance_text: str  # "late 12 min"
    counts: Counts
    weighted: Decimal
    target: int
    lost_minutes: int
    rushing: bool
    qa_done: int = 0
    qa_mean: Decimal | None = None
    campaigns: list[str] = field(default_factory=list)
    # As the floor sees it now: ``not_in`` before the first in punch; someone late enough to be
    # an absence by the pay rule but at their seat is ``late``, not "absent" (SPEC §4 rev.).
    presence: str = ""
    # The day's counts are final (their shift has ended, or the day is past): only then is the
    # day judged (zero-score, dialed under its band, talk time; rules.counts_final).
    final: bool = True

    @property
    def shortfall(self) -> int:
        return rules.shortfall(self.target, self.counts.completed)

    # On the floor-day's roll (``floor.day``): scheduled, on the register, not on leave, in or
    # not in yet. The one answer the seats, "behind", the Summary and the advice count over.
    on_roll: bool = False

    @property
    def working(self) -> bool:
        """Working that day by the floor-day's roll, or with calls counted (a seat that rang
        without a punch still worked)."""
        return self.on_roll or self.counts.dialed > 0


@dataclass
class FloorDay:
    day: dt.date
    agents: list[AgentDay]
    seats: int
    totals: Counts
    avg_dialed: Decimal
    advice: str
    incidents: list[dict]
    avg_completed: Decimal = Decimal(0)
    # The floor's day is over (the last shift has ended): the staffing advice is a verdict on
    # the day only then; before, ``ends_at`` says when it will be.
    final: bool = True
    ends_at: dt.time | None = None

    @property
    def advice_known(self) -> bool:
        """The advice may be given now: the day is over, or the seats already dial more than
        the band allows (a count so far that can only grow)."""
        return self.final or self.advice == "add_seats"

    @property
    def under_target(self) -> list[AgentDay]:
        """The working seats short of their target: counted over the same seats as ``seats``."""
        return [a for a in self.agents if a.working and a.shortfall]


class QuotaService(QuotaCounts, QuotaCampaigns, QuotaImport, QuotaDayReport, QuotaMonth):
    """Quota for the floor: the day's progress read here, the concepts composed from their
    modules."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        self._last: list[Undo] = []
        # (year, month) → (what the figures were worked out from, the figures): the month
        # report, the pay sheet and the interview list ask for the same months
        self._months: dict[tuple[int, int], tuple[object, tuple]] = {}

    # --------------------------------------------------------------- the day
    def counts_source(self, day: dt.date) -> tuple[str, str | None]:
        """Where the day's dialed and connected come from: ``("live", "10:42:05")`` while
        ``floor import cdr --follow`` applies calls (the last one's time), ``("pbx", None)``
        when an imported Master.csv gave them, ``("typed", None)`` otherwise."""
        from floorapp.services import cdr_follow

        last = cdr_follow.last_applied(self.floor, day)
        if last:
            return "live", last[11:19] if "T" in last else last
        if any(r.get("source") == "pbx"
               for r in self.floor.store.shared_records(_partition(day), CALLS)):
            return "pbx", None
        return "typed", None

    def floor_day(self, day: dt.date) -> FloorDay:
        """Every agent's counts, target and attendance for a day, and the floor's totals."""
        policy = self.floor.policy
        staff = self.floor.staff_by_id()
        shifts = self.floor.shifts_on(day)
        statuses, texts = self._attendance(day, shifts)
        roll = self.floor.day.roll(day)
        presence = self._presence(day)
        qa = self._monitoring(day)
        lost = self._lost_minutes(day)
        leave_days = self._leave_days(day)
        coefficients = self.coefficients()
        # the day's calls as the day file's digests sum them (the entries that count)
        sums = _day_sums(self.floor.store, _partition(day))
        hourly = self.floor.store.digest(_partition(day), digests.HOURLY)
        ids = sorted({s.id for s in staff.values() if s.role == "agent"} | set(sums))
        now = self.floor.now()
        ends = {sid: rules.day_end(policy.periods(shifts.get(sid, "R"), day)) for sid in ids}
        floor_end = self._floor_end(day, ends.values())
        agents = []
        for staff_id in ids:
            person: Staff | None = staff.get(staff_id)
            campaigns = sums.get(staff_id, {})
            shift = shifts.get(staff_id, "R")
            status = statuses.get(staff_id) or _status_from_shift(shift)
            if status == "rest" and not campaigns:
                continue
            scheduled = rules.calling_minutes(calling_periods(policy, shift, day))
            lost_minutes = lost.get(staff_id, 0)
            if status == "rest":
                target = 0
            elif staff_id in leave_days:
                target = rules.leave_target(policy, scheduled, lost_minutes,
                                            leave_days[staff_id])
            elif status == "leave":  # on leave by the roster, no leave record
                target = 0
            else:
                target = rules.adjusted_target(policy, scheduled, lost_minutes)
                if status == "absent":
                    worked = roll.is_working(staff_id) or any(
                        c.dialed for c in campaigns.values())
                    target = rules.absent_day_target(policy, target, worked)
            done, mean = qa.get(staff_id, (0, None))
            agents.append(AgentDay(
                staff_id=staff_id, name=person.name if person else staff_id,
                seat=person.seat if person else "", shift=shift, attendance=status,
                attendance_text=texts.get(staff_id) or _(STATUS_TEXT.get(status, status)),
                counts=sum(campaigns.values(), Counts()),
                weighted=rules.weighted_from_sums(policy, campaigns, coefficients),
                target=target, lost_minutes=lost_minutes,
                rushing=rules.is_rushing(policy, {int(h): n for h, n in
                                                  hourly.get(staff_id, {}).items()}),
                qa_done=done, qa_mean=mean,
                campaigns=sorted(campaigns),
                presence=presence.get(staff_id, ""),
                on_roll=roll.is_working(staff_id),
                final=rules.counts_final(
                    day, floor_end if ends[staff_id] is None else ends[staff_id], now),
            ))
        working = [a for a in agents if a.working]
        totals = sum((a.counts for a in agents), Counts())
        avg = rules.average_per_seat(sum(a.counts.dialed for a in working), len(working))
        avg_completed = rules.average_per_seat(sum(a.counts.completed for a in working),
                                               len(working))
        # nothing dialed yet on the working seats (before the first punch, before the first
        # call): nothing to advise on
        dialing = any(a.counts.dialed for a in working)
        advice = rules.staffing_advice(policy, avg, avg_completed) if dialing else "ok"
        return FloorDay(day, agents, len(working), totals, avg, advice, self._incidents(),
                        avg_completed, final=rules.counts_final(day, floor_end, now),
                        ends_at=floor_end)

    def _floor_end(self, day: dt.date, ends) -> dt.time | None:  # noqa: ANN001 - times
        """When the floor's day ends: its last shift's end, else the default shift's."""
        policy = self.floor.policy
        last = max((end for end in ends if end is not None), default=None)
        if last is None:
            last = rules.day_end(policy.periods(policy.default_shift(day), day))
        return last

    # ------------------------------------------------------------ live floor
    def live(self) -> tuple[FloorDay, dict[str, dict]]:
        """Today's floor now, with each agent's pace: {id: {minutes_left, total_minutes,
        pace, behind, expected}} for the quota screen."""
        now = self.floor.now()
        policy = self.floor.policy
        fd = self.floor_day(now.date())
        clock = now.time().replace(tzinfo=None)
        pace = {}
        for a in fd.agents:
            periods = calling_periods(policy, a.shift, now.date())
            total = rules.calling_minutes(periods)
            left = rules.remaining_minutes(periods, clock)
            pace[a.staff_id] = {
                "total_minutes": total, "minutes_left": left,
                "pace": rules.pace_needed(a.target, a.counts.completed, left),
                "behind": a.working and a.target > 0 and rules.is_behind(
                    a.target, a.counts.completed, total, left),
            }
        return fd, pace

    # ------------------------------------------- the other features, when present
    def _attendance(self, day: dt.date, shifts: dict[str, str]
                    ) -> tuple[dict[str, str], dict[str, str]]:
        service = getattr(self.floor, "attendance", None)
        statuses: dict[str, str] = {}
        texts: dict[str, str] = {}
        if service is not None and hasattr(service, "day_statuses"):
            statuses = {k: v for k, v in service.day_statuses(day).items() if v in ATTENDANCE}
            if hasattr(service, "day_status_text"):
                texts = dict(service.day_status_text(day))
        return statuses, texts

    def _presence(self, day: dt.date) -> dict[str, str]:
        service = getattr(self.floor, "attendance", None)
        if service is not None and hasattr(service, "floor_statuses"):
            return dict(service.floor_statuses(day))
        return {}

    def _monitoring(self, day: dt.date) -> dict[str, tuple[int, Decimal | None]]:
        service = getattr(self.floor, "monitoring", None)
        if service is not None and hasattr(service, "day_by_agent"):
            return dict(service.day_by_agent(day))
        return {}

    def _leave_days(self, day: dt.date) -> dict[str, Decimal]:
        service = getattr(self.floor, "attendance", None)
        if service is not None and hasattr(service, "leave_on"):
            return {k: Decimal(v.days) for k, v in service.leave_on(day).items()}
        return {}

    def _lost_minutes(self, day: dt.date) -> dict[str, int]:
        service = getattr(self.floor, "emergency", None)
        if service is not None and hasattr(service, "lost_calling_minutes"):
            return {k: int(v) for k, v in service.lost_calling_minutes(day).items()}
        return {}

    def _incidents(self) -> list[dict]:
        service = getattr(self.floor, "emergency", None)
        if service is not None and hasattr(service, "open_incidents"):
            from floorapp.rules.emergency import incident_title

            # the title in the interface language, for the summary and the day report
            return [dict(row, title=incident_title(row)) for row in service.open_incidents()]
        return []


# An attendance status shown to people when the attendance feature gives no text.
STATUS_TEXT = {"on_time": N_("on time"), "late": N_("late"), "early": N_("early"),
               "absent": N_("absent"), "leave": N_("leave"), "rest": N_("rest")}


def _status_from_shift(shift: str) -> str:
    """Without the attendance feature: rest on a rest day, leave on a roster leave cell,
    else on time."""
    if shift == "R":
        return "rest"
    if shift in LEAVE_CODES:
        return "leave"
    return "on_time"


# ----------------------------------------------------------------------- demo
DEMO_CAMPAIGNS = [("BB", "宽带续约 broadband renewal", "1.0"), ("5G", "5G升级 5G upgrade", "1.2"),
                  ("SV", "满意度回访 survey", "0.8")]


DEMO_HOURLY_DAYS = 62  # hourly increments for about two months; older days as daily totals


def demo_calls(ctx) -> None:  # noqa: ANN001 - demo.DemoContext (avoids an import cycle)
    """Call counts for every agent on the days they worked (hourly for the last two months
    and today up to now, daily totals before):
    campaigns with coefficients, some agents under 60, a few rushing days, orders around
    the 400-a-month guarantee line."""
    floor, rng = ctx.floor, ctx.rng
    policy = floor.policy
    agents = ctx.by_role("agent")
    profile = {}
    for person in agents:
        skill = min(1.35, max(0.7, rng.gauss(1.0, 0.12)))
        profile[person.id] = (skill, min(0.45, max(0.12, rng.gauss(0.31, 0.07))),
                              rng.choice(("BB", "BB", "5G", "SV")))
    with floor.transaction() as tx:
        tx.put_many(REF, CAMPAIGNS, [(cid, {"id": cid, "name": name, "coefficient": coef})
                                     for cid, name, coef in DEMO_CAMPAIGNS], note="demo floor")
    now = floor.now()
    months = ctx.months()
    today_hours = [h for h in range(24) if h < now.hour]
    rows = 0
    rushing = 0

    random = rng.random  # hundreds of thousands of draws: the plain call is the quick one

    def counts_for(completed: int, order_rate: float) -> dict:
        connected = completed + round(completed * (0.1 + 0.2 * random()))
        dialed = connected + round(connected * (0.15 + 0.2 * random()))
        orders = min(completed, round(completed * order_rate * (0.8 + 0.4 * random())))
        return {"dialed": dialed, "connected": connected, "completed": completed,
                "orders": orders, "talk_minutes": round(completed * 3.3 + 6 * random())}

    def day_items(day: dt.date, shifts: dict[str, str], hour_limit: list[int] | None,
                  hourly: bool, tx):  # noqa: ANN001 - the month's transaction
        nonlocal rushing
        items = []
        iso = day.isoformat()
        # Who clocked in (the attendance demo ran first): the absent make no calls.
        present = {r["staff_id"] for r in tx.records(_partition(day), "punches")
                   if r.get("in")}
        hours_of: dict[str, list[int]] = {}
        for person in agents:
            if person.hired > day:
                continue
            code = shifts.get(person.id, "R")
            if code not in hours_of:
                hours_of[code] = rules.calling_hours(policy.periods(code, day))
            hours = hours_of[code]
            if hour_limit is not None:
                hours = [h for h in hours if h in hour_limit]
            if not hours:  # rest day
                continue
            if present and person.id not in present or not present and random() < 0.03:
                continue  # absent or on leave
            skill, order_rate, main = profile[person.id]
            campaign = main if rng.random() < 0.8 else rng.choice(DEMO_CAMPAIGNS)[0]
            day_completed = 62 * skill * rng.gauss(1.0, 0.08) * len(hours) / 8
            if not hourly:  # older history: the day's total, as a dialer export gives it
                data = {"staff_id": person.id, "date": iso, "hour": None, "campaign": campaign,
                        **counts_for(round(day_completed), order_rate)}
                items.append((rules.entry_key(person.id, None, campaign), data))
                continue
            weights = [0.8 + 0.4 * random() for _h in hours]
            if rng.random() < 0.03 and len(hours) > 2:
                weights[-1] *= 3.5  # a rushed last hour (赶量)
                rushing += 1
            scale = day_completed / sum(weights)
            for hour, weight in zip(hours, weights):
                data = {"staff_id": person.id, "date": iso, "hour": hour, "campaign": campaign,
                        **counts_for(max(0, round(weight * scale)), order_rate)}
                items.append((rules.entry_key(person.id, hour, campaign), data))
        return items

    for month in months:
        for day in month:
            with floor.transaction() as tx:  # a day at a time: memory holds one day file
                hourly = (now.date() - day).days <= DEMO_HOURLY_DAYS
                items = day_items(day, floor.shifts_on(day), None, hourly, tx)
                rows += tx.put_many(_partition(day), CALLS, items, note="demo floor")
    if today_hours and ctx.days is not None:
        today = now.date()
        with floor.transaction() as tx:
            items = day_items(today, floor.shifts_on(today), today_hours, True, tx)
            rows += tx.put_many(_partition(today), CALLS, items, note="demo floor")
    ctx.summary.append(_("quota: {rows} call counts for {agents} agents, {campaigns} campaigns, "
                         "{rushed} rushed days").format(
        rows=rows, agents=len(agents), campaigns=len(DEMO_CAMPAIGNS), rushed=rushing))
