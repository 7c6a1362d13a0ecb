"""The day's QA plan: who is heard when, by whom and how; made, re-planned and tracked.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import review
from floorapp.rules.monitoring import sampling
from floorapp.rules.schedule import slot_windows
from floorapp.services.qa_records import (EVALUATED_ROLES, PLAN, PLAN_INFO, day_partition,
                                          percent_of, scored)

if TYPE_CHECKING:
    from floorapp.services.core import Floor
    from floorapp.rules.staff import Staff


@dataclass(frozen=True)
class PlanRow:
    key: str
    slot: str
    monitor_id: str
    staff_id: str
    mode: str
    status: str  # done, due, overdue
    outcome: str = ""  # a telesales slot: the recording to hear, closed or unclosed


@dataclass(frozen=True)
class DayPlan:
    day: dt.date
    rows: list[PlanRow]
    shortfalls: list[str]
    extra: int = 0  # evaluations that fill no slot (none open at or before their time)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


class QaPlan:
    """The supervisor's daily plan (质检计划): the slots of the day's calling time shared out
    among the monitors on shift, re-planned from now keeping what is done, and each slot's
    live status (done, due, overdue).

    A part of ``MonitoringService`` (floorapp/services/monitoring.py), which holds ``floor`` and
    the look-ups the parts share (monitors, scorecards, evaluations)."""

    floor: Floor

    def _plan_people(self, day: dt.date) -> tuple[list[rules.PlanPerson], list[rules.PlanPerson]]:
        policy = self.floor.policy
        shifts = self.floor.shifts_on(day)
        people = self.floor.staff_by_id()
        monday = day - dt.timedelta(days=day.weekday())
        week = self.evaluations_between(monday, day - dt.timedelta(days=1))
        done_week: dict[str, int] = {}
        for r in week:
            done_week[r["staff_id"]] = done_week.get(r["staff_id"], 0) + 1
        today = self.evaluations(day)
        done_today: dict[str, int] = {}
        for r in today:
            done_today[r["staff_id"]] = done_today.get(r["staff_id"], 0) + 1
        recent = self.evaluations_between(day - dt.timedelta(days=7), day - dt.timedelta(days=1))
        low: dict[str, list[Decimal]] = {}
        for r in recent:
            template = self.templates().get(r["template"])
            if template is not None and template.pass_percent is not None and scored(r):
                low.setdefault(r["staff_id"], []).append(percent_of(r) - template.pass_percent)
        follow = self.follow_up_ids(day)
        rest_of_week = [day + dt.timedelta(days=n) for n in range(7 - day.weekday())]
        week_shifts = {d: (shifts if d == day else self.floor.shifts_on(d)) for d in rest_of_week}
        monitors, agents = [], []
        plan_roles = {"monitor", *policy.qa_plan_roles}
        stopped = self.stopped_monitors(day)
        period_counts = self._period_counts(day, people, shifts)
        leave_periods = getattr(getattr(self.floor, "attendance", None), "leave_periods", None)
        on_leave = leave_periods(day) if leave_periods else {}
        roll = self.floor.day.roll(day)  # who works: not on leave, not absent (issue #24)
        for staff_id, code in sorted(shifts.items()):
            person = people.get(staff_id)
            if person is None or code not in policy.shifts or not roll.is_working(staff_id):
                continue
            # Slots only in calling time: not in the meeting, the Friday study or a leave.
            periods = tuple((a.hour * 60 + a.minute, b.hour * 60 + b.minute) for a, b in
                            slot_windows(policy, code, day, on_leave.get(staff_id)))
            if not periods:
                continue
            if person.role in plan_roles:
                if staff_id not in stopped:  # stopped until recalibrated [000 §5]
                    monitors.append(rules.PlanPerson(staff_id, "monitor", periods))
            elif person.role in EVALUATED_ROLES:
                period_left, period_days_left = period_counts.get(staff_id, (None, 1))
                margins = low.get(staff_id, [])
                agents.append(rules.PlanPerson(
                    staff_id, person.role, periods,
                    new_hire=(day - person.hired).days < policy.new_hire_days,
                    follow_up=staff_id in follow,
                    low_score=bool(margins) and sum(margins) < 0,
                    done_this_week=done_week.get(staff_id, 0),
                    working_days_left=sum(1 for d in rest_of_week
                                          if week_shifts[d].get(staff_id) in policy.shifts),
                    done_today=done_today.get(staff_id, 0),
                    period_left=period_left, period_days_left=period_days_left,
                    recordings_only=period_left is not None,
                ))
        return monitors, agents

    def _period_counts(self, day: dt.date, people: dict[str, Staff],
                       shifts: dict[str, str]) -> dict[str, tuple[int, int]]:
        """For agents whose scorecard has its own sampling rule: (calls still to check in the
        period, working days left in it from ``day``), the evaluations before ``day`` counted:
        400-hotline the line's total shared out (hotline_pool), telesales closed and unclosed
        apart (telesales_status)."""
        policy = self.floor.policy
        out: dict[str, tuple[int, int]] = {}
        by_rule: dict[str, list[Staff]] = {}
        for staff_id, code in shifts.items():
            person = people.get(staff_id)
            if person is None or person.role not in EVALUATED_ROLES or code not in policy.shifts:
                continue
            rule = sampling.rule_of(self.scorecard_for(person))
            if rule != "copc":
                by_rule.setdefault(rule, []).append(person)
        before = day - dt.timedelta(days=1)
        for rule, persons in by_rule.items():
            start, end = sampling.period_of(rule, day, policy)
            if rule == "hotline-400":
                left = self.hotline_pool(day, before)["left"]
            else:
                left = {p.id: s["left"] for p, s in
                        zip(persons, self.telesales_status(persons, day, before))}
            days = [day + dt.timedelta(days=n) for n in range((end - day).days + 1)]
            day_shifts = {d: (shifts if d == day else self.floor.shifts_on(d)) for d in days}
            for person in persons:
                left_days = sum(1 for d in days if day_shifts[d].get(person.id) in policy.shifts)
                out[person.id] = (left.get(person.id, 0), max(1, left_days))
        return out

    def estimated_volume(self, agents: list[rules.PlanPerson]) -> int:
        """The day's call volume for the 5–15 % share: the daily completed minimum per outbound
        agent on shift (the plan is made before the calls are counted)."""
        return sum(self.floor.policy.daily_min_completed for a in agents if a.role == "agent")

    def make_plan(self, day: dt.date, replan: bool = False) -> rules.Plan:
        """Generate and store the day's plan. A re-plan keeps what is done and plans the rest of
        the day from now, counting today's evaluations."""
        self.floor.require("qa.score")
        monitors, agents = self._plan_people(day)
        now = self.floor.now()
        info = self.floor.store.get(day_partition(day), PLAN_INFO, "plan")
        round_ = (info["round"] + 1) if info and replan else 0
        from_minute = now.hour * 60 + now.minute if replan and now.date() == day else 0
        done_by_monitor: dict[str, dict[str, int]] = {}
        if replan:
            for r in self.evaluations(day):
                modes = done_by_monitor.setdefault(r["monitor_id"], {})
                modes[r["mode"]] = modes.get(r["mode"], 0) + 1
        else:
            agents = [dataclasses.replace(a, done_today=0) for a in agents]
        seed = int(day.strftime("%Y%m%d")) * 100 + round_
        copc_today = 0
        if any(a.period_left is None for a in agents):
            copc_today = self.copc_pool(day, day - dt.timedelta(days=1))["today"]
        plan = rules.make_plan(day, monitors, agents, self.floor.policy,
                               volume=self.estimated_volume(agents), seed=seed,
                               from_minute=from_minute, monitor_done=done_by_monitor,
                               copc_today=copc_today)
        new = self.new_monitors(day) & {m.id for m in monitors}
        if new:  # a new monitor's calls are heard with an experienced one [000 §5]
            experienced = sorted({m.id for m in monitors} - new)
            plan.assignments = review.pair_new_monitors(plan.assignments, new, experienced)
            if not experienced:
                plan.shortfalls.append(f"new monitors {', '.join(sorted(new))}: no "
                                       "experienced monitor on shift to pair with")
        outcomes = self._slot_outcomes(day, plan.assignments)
        current = self.plan_rows(day) if replan else []
        keep = {r.key for r in current if r.status == "done"}
        partition = day_partition(day)
        with self.floor.transaction() as tx:
            for record in tx.records(partition, PLAN):
                if record["_key"] not in keep:
                    tx.retire(partition, PLAN, record["_key"], "re-planned")
            tx.put_many(partition, PLAN, [
                (f"P{round_:02d}-{i:04d}", {"slot": a.slot, "monitor_id": a.monitor_id,
                                            "staff_id": a.staff_id, "mode": a.mode,
                                            **({"outcome": o} if o else {})})
                for i, (a, o) in enumerate(zip(plan.assignments, outcomes), start=1)],
                note="daily QA plan")
            tx.put(partition, PLAN_INFO, "plan", {
                "round": round_, "seed": seed, "made_at": now.isoformat(),
                "from": rules.hhmm(from_minute), "shortfalls": plan.shortfalls})
        return plan

    def _slot_outcomes(self, day: dt.date, assignments: list[rules.Assignment]) -> list[str]:
        """Per assignment, the recording a telesales slot is for (closed or unclosed, what the
        TSR's cycle still misses, as of today's evaluations); "" for every other slot."""
        telesales = {p.id: p for p in self.sampled_people("telesales")}
        persons = [telesales[i] for i in sorted({a.staff_id for a in assignments})
                   if i in telesales]
        out = [""] * len(assignments)
        for status, person in zip(self.telesales_status(persons, day, day), persons):
            mine = sorted((a.slot, n) for n, a in enumerate(assignments)
                          if a.staff_id == person.id)
            wanted = sampling.slot_outcomes(status["need"], status["closed"],
                                            status["unclosed"], len(mine))
            for (_slot, n), outcome in zip(mine, wanted):
                out[n] = outcome
        return out

    def has_plan(self, day: dt.date) -> bool:
        return self.floor.store.get(day_partition(day), PLAN_INFO, "plan") is not None

    def ensure_plan(self, day: dt.date) -> None:
        """Make the day's plan once, the first time anyone who may plan needs it."""
        if not self.has_plan(day) and self.floor.may("qa.score"):
            self.make_plan(day)

    def plan_rows(self, day: dt.date) -> list[PlanRow]:
        """The stored plan with live status: done, due or overdue."""
        records = sorted(self.floor.store.records(day_partition(day), PLAN),
                         key=lambda r: (r["slot"], r["monitor_id"], r["_key"]))
        assignments = [rules.Assignment(r["slot"], r["monitor_id"], r["staff_id"], r["mode"])
                       for r in records]
        done, _extra = self.matched(day, assignments)
        now = self.floor.now()
        if now.date() > day:
            now_minute = 48 * 60
        elif now.date() < day:
            now_minute = -1
        else:
            now_minute = now.hour * 60 + now.minute
        return [PlanRow(r["_key"], r["slot"], r["monitor_id"], r["staff_id"], r["mode"],
                        rules.slot_status(r["slot"], d, now_minute), r.get("outcome", ""))
                for r, d in zip(records, done)]

    def matched(self, day: dt.date, assignments: list[rules.Assignment]
                ) -> tuple[list[bool], int]:
        """The plan's slots the day's evaluations fill, and the evaluations that fill none."""
        return rules.match_done(assignments, [
            (e["time"], e["monitor_id"], e["staff_id"], e["mode"]) for e in self.evaluations(day)])

    def day_plan(self, day: dt.date) -> DayPlan:
        info = self.floor.store.get(day_partition(day), PLAN_INFO, "plan") or {}
        rows = self.plan_rows(day)
        _done, extra = self.matched(day, [rules.Assignment(r.slot, r.monitor_id, r.staff_id,
                                                            r.mode) for r in rows])
        return DayPlan(day, rows, list(info.get("shortfalls", [])), extra)
