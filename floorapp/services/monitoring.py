"""Monitoring and QA use-cases (监控/质检, SPEC §6): templates, evaluations, the daily plan,
feedback, disputes, follow-up, calibration and the QA report. The rules are in
``floorapp.monitoring``; this module reads and writes the store.

Store layout:
- ``ref`` / ``templates``: imported scorecards, key = template id (built-ins come from
  ``floorapp/data`` and an import of the same id replaces them).
- ``day/YYYY-MM-DD`` / ``qa_evaluations``: one record per evaluation (the scored marks, the
  feedback, the dispute and its revised score beside the original).
- ``day/YYYY-MM-DD`` / ``qa_plan``: the day's assignments; ``qa_plan_info`` / ``plan``: the
  seed, when it was made and the shortfalls.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floorapp import csvio, reports
from floorapp import monitoring as rules
from floorapp.errors import FloorError, ImportRejected
from floorapp.i18n import N_, _, fmt_month, language

if TYPE_CHECKING:
    from floorapp.services.core import Floor
    from floorapp.staff import Staff

REF = "ref"
EVALUATIONS = "qa_evaluations"
PLAN = "qa_plan"
PLAN_INFO = "qa_plan_info"
TEMPLATES = "templates"
EVALUATION_COLUMNS = ["date", "time", "monitor_id", "staff_id", "mode", "template", "marks"]
EVALUATED_ROLES = ("agent", "complaint")
FOLLOW_UP_LOOKBACK_DAYS = 62  # follow-up is decided by the last two months' evaluations
TWO = Decimal("0.01")


def day_partition(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


def two_places(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(TWO, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class PlanRow:
    key: str
    slot: str
    monitor_id: str
    staff_id: str
    mode: str
    status: str  # done, due, overdue


@dataclass(frozen=True)
class DayPlan:
    day: dt.date
    rows: list[PlanRow]
    shortfalls: list[str]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def effective(record: dict[str, Any]) -> dict[str, Any]:
    """The score that counts: the revised one after an upheld dispute, else the original."""
    return record.get("revised") or record


def percent_of(record: dict[str, Any]) -> Decimal:
    result = effective(record)
    maximum = Decimal(result["max"])
    return Decimal(result["score"]) * 100 / maximum if maximum else Decimal(0)


class MonitoringService:
    """What the monitoring screen and the CLI do, over the floor's store."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        self._builtins: dict[str, rules.Template] | None = None

    # ------------------------------------------------------------- templates
    def templates(self) -> dict[str, rules.Template]:
        """Built-in scorecards, replaced or joined by the imported ones."""
        if self._builtins is None:
            self._builtins = rules.builtin_templates()
        out = dict(self._builtins)
        for record in self.floor.store.records(REF, TEMPLATES):
            data = {k: v for k, v in record.items() if not k.startswith("_")}
            out[data["id"]] = rules.template_from_dict(data)
        return out

    def template(self, template_id: str) -> rules.Template:
        found = self.templates().get(template_id)
        if found is None:
            raise FloorError(_("unknown template {id} (known: {known})").format(
                id=repr(template_id), known=", ".join(sorted(self.templates()))))
        return found

    def import_template(self, path: str | Path) -> str:
        try:
            text = Path(path).read_text("utf-8")
        except FileNotFoundError:
            raise FloorError(_("{path}: no such file").format(path=path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise FloorError(_("{path}: cannot be read ({error})").format(
                path=path, error=exc)) from None
        try:
            data = csvio.loads_json(text, str(path))
        except json.JSONDecodeError as exc:
            raise ImportRejected([f"{path}:{exc.lineno}: "
                                  + _("not valid JSON ({error})").format(error=exc.msg)]) from None
        try:
            template = rules.template_from_dict(data)
        except rules.TemplateError as exc:
            raise ImportRejected([f"{path}: {exc}"]) from None
        with self.floor.transaction() as tx:
            existed = tx.get(REF, TEMPLATES, template.id) is not None
            tx.put(REF, TEMPLATES, template.id, template.to_dict())
        replaced = existed or template.id in rules.builtin_templates()
        items = sum(len(s.items) for s in template.sections)
        message = (_("{path}: template {id} replaced ({sections} sections, {items} items, max "
                     "{max}, pass {pass_mark})") if replaced else
                   _("{path}: template {id} added ({sections} sections, {items} items, max "
                     "{max}, pass {pass_mark})"))
        return message.format(path=path, id=template.id, sections=len(template.sections),
                              items=items, max=template.max, pass_mark=template.pass_mark)

    # ------------------------------------------------------------- scoring
    def preview(self, template_id: str, marks: str) -> tuple[list[rules.Mark], rules.Score]:
        """Parse and score typed marks; FloorError names a bad code."""
        template = self.template(template_id)
        try:
            parsed = rules.parse_marks(marks, template)
        except rules.MarksError as exc:
            raise FloorError(str(exc)) from None
        return parsed, rules.score(template, parsed)

    def monitors(self) -> list[Staff]:
        return [s for s in self.floor.staff() if s.role == "monitor"]

    def monitor_for_user(self) -> Staff | None:
        """The current OS login's staff record when it is a monitor's id (case-insensitive)."""
        login = self.floor.store.user.lower()
        for person in self.monitors():
            if person.id.lower() == login:
                return person
        return None

    def _evaluation_data(self, day: dt.date, time: str, monitor_id: str, staff_id: str,
                         mode: str, template_id: str, marks: str, call: str = "") -> dict:
        parsed, result = self.preview(template_id, marks)
        return {
            "date": day.isoformat(), "time": time, "monitor_id": monitor_id,
            "staff_id": staff_id, "mode": mode, "template": template_id,
            "marks": rules.marks_text(parsed), **_result_fields(result), "call": call,
            "feedback_at": "", "feedback_note": "", "dispute": None, "revised": None,
        }

    def _check_people(self, monitor_id: str, staff_id: str, mode: str) -> None:
        people = self.floor.staff_by_id()
        monitor = people.get(monitor_id)
        if monitor is None:
            raise FloorError(_("unknown monitor id {id}").format(id=repr(monitor_id)))
        if monitor.role != "monitor":
            raise FloorError(_("{id} is a {role}, not a monitor").format(
                id=monitor_id, role=monitor.role))
        agent = people.get(staff_id)
        if agent is None:
            raise FloorError(_("unknown staff id {id}").format(id=repr(staff_id)))
        if agent.role not in EVALUATED_ROLES:
            raise FloorError(_("{id} is a {role}; only agents and complaint handlers are "
                               "evaluated").format(id=staff_id, role=agent.role))
        if mode not in rules.MODES:
            raise FloorError(_("mode {mode} is not one of {modes}").format(
                mode=repr(mode), modes=", ".join(rules.MODES)))

    def save_evaluation(self, staff_id: str, monitor_id: str, mode: str, template_id: str,
                        marks: str, call: str = "") -> dict[str, Any]:
        """Score and save one evaluation now; returns the stored record (with ``_key``)."""
        self._check_people(monitor_id, staff_id, mode)
        now = self.floor.now()
        data = self._evaluation_data(now.date(), f"{now:%H:%M}", monitor_id, staff_id, mode,
                                     template_id, marks, call)
        partition = day_partition(now.date())
        base = f"E{now:%H%M%S}-{monitor_id}-{staff_id}"
        with self.floor.transaction() as tx:
            key, n = base, 1
            while tx.history(partition, EVALUATIONS, key):
                n += 1
                key = f"{base}-{n}"
            tx.put(partition, EVALUATIONS, key, data)
            return tx.get(partition, EVALUATIONS, key) or {}

    def undo(self, day: dt.date, key: str) -> None:
        """Take back an evaluation (retired with the reason, never deleted)."""
        with self.floor.transaction() as tx:
            if tx.get(day_partition(day), EVALUATIONS, key) is None:
                raise FloorError(_("no evaluation {key} on {day} to undo").format(
                    key=key, day=day))
            tx.retire(day_partition(day), EVALUATIONS, key, "undone at entry")

    def evaluations(self, day: dt.date) -> list[dict[str, Any]]:
        records = self.floor.store.records(day_partition(day), EVALUATIONS)
        return sorted(records, key=lambda r: (r["time"], r["_key"]))

    def evaluations_between(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        out = []
        for partition in self.floor.store.day_partitions(start, end):
            out.extend(self.floor.store.records(partition, EVALUATIONS))
        return sorted(out, key=lambda r: (r["date"], r["time"], r["_key"]))

    def get_evaluation(self, day: dt.date, key: str) -> dict[str, Any]:
        record = self.floor.store.get(day_partition(day), EVALUATIONS, key)
        if record is None:
            raise FloorError(_("no evaluation {key} on {day}").format(key=key, day=day))
        return record

    def import_evaluations(self, path: str | Path) -> str:
        """``date,time,monitor_id,staff_id,mode,template,marks[,call]``; all-or-nothing."""
        rows, errors = csvio.read_rows(path, EVALUATION_COLUMNS, ["call"])
        people = self.floor.staff_by_id()
        templates = self.templates()
        by_day: dict[str, list[tuple[str, dict]]] = {}
        keys: set[tuple[str, str]] = set()
        first: dict[tuple[str, ...], int] = {}  # (date, time, monitor, agent) -> line
        for line, row in rows:
            try:
                day = csvio.check_not_after(csvio.parse_date(row["date"]), self.floor.today())
                time = csvio.parse_hhmm(row["time"])
                monitor = people.get(row["monitor_id"])
                if monitor is None:
                    raise ValueError(_("unknown monitor id {id}").format(
                        id=repr(row["monitor_id"])))
                if monitor.role != "monitor":
                    raise ValueError(_("{id} is a {role}, not a monitor").format(
                        id=row["monitor_id"], role=monitor.role))
                agent = people.get(row["staff_id"])
                if agent is None:
                    raise ValueError(_("unknown staff id {id}").format(id=repr(row["staff_id"])))
                if agent.role not in EVALUATED_ROLES:
                    raise ValueError(_("{id} is a {role}; only agents and complaint handlers "
                                       "are evaluated").format(id=row["staff_id"],
                                                               role=agent.role))
                if row["mode"] not in rules.MODES:
                    raise ValueError(_("mode {mode} is not one of {modes}").format(
                        mode=repr(row["mode"]), modes=", ".join(rules.MODES)))
                template = templates.get(row["template"])
                if template is None:
                    raise ValueError(_("unknown template {id}").format(id=repr(row["template"])))
                try:
                    parsed = rules.parse_marks(row["marks"], template)
                except rules.MarksError as exc:
                    raise ValueError(str(exc)) from None
                same = first.setdefault((day.isoformat(), f"{time:%H:%M}", row["monitor_id"],
                                         row["staff_id"]), line)
                if same != line:
                    raise ValueError(_("the same evaluation as line {line} (date, time, monitor "
                                       "and agent)").format(line=same))
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            result = rules.score(template, parsed)
            hhmm = f"{time:%H:%M}"
            base = f"E{time:%H%M}00-{monitor.id}-{agent.id}"
            key, n = base, 1
            while (day.isoformat(), key) in keys:
                n += 1
                key = f"{base}-{n}"
            keys.add((day.isoformat(), key))
            by_day.setdefault(day.isoformat(), []).append((key, {
                "date": day.isoformat(), "time": hhmm, "monitor_id": monitor.id,
                "staff_id": agent.id, "mode": row["mode"], "template": template.id,
                "marks": rules.marks_text(parsed), **_result_fields(result),
                "call": row.get("call", ""), "feedback_at": "", "feedback_note": "",
                "dispute": None, "revised": None,
            }))
        errors.check()
        with self.floor.transaction() as tx:
            for day_text, items in sorted(by_day.items()):
                tx.put_many(f"day/{day_text}", EVALUATIONS, items, note=f"import {path}")
        count = sum(len(v) for v in by_day.values())
        return _("{path}: {count} evaluations imported over {days} day(s)").format(
            path=path, count=count, days=len(by_day))

    # ------------------------------------------------- feedback and disputes
    def working_day_checker(self) -> Callable[[str, dt.date], bool]:
        """is_working(staff_id, day) by the roster or default week, reading each day once."""
        cache: dict[dt.date, dict[str, str]] = {}
        shifts = self.floor.policy.shifts

        def is_working(staff_id: str, day: dt.date) -> bool:
            if day not in cache:
                cache[day] = self.floor.shifts_on(day)
            return cache[day].get(staff_id, "R") in shifts

        return is_working

    def feedback_due(self, record: dict[str, Any],
                     is_working: Callable[[str, dt.date], bool] | None = None) -> dt.date:
        """Feedback within the policy's working days of the agent (反馈 within 1 working day)."""
        check = is_working or self.working_day_checker()
        day = dt.date.fromisoformat(record["date"])
        return rules.feedback_due(day, lambda d: check(record["staff_id"], d),
                                  self.floor.policy.feedback_working_days)

    def give_feedback(self, day: dt.date, key: str, note: str = "") -> dict[str, Any]:
        """Record that the evaluation was talked through with the agent (反馈)."""
        with self.floor.transaction() as tx:
            record = tx.get(day_partition(day), EVALUATIONS, key)
            if record is None:
                raise FloorError(_("no evaluation {key} on {day}").format(
                    key=key, day=day))
            data = _data(record)
            data["feedback_at"] = self.floor.now().isoformat()
            data["feedback_note"] = note
            tx.put(day_partition(day), EVALUATIONS, key, data)
            return data

    def feedback_overdue(self, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        today = self.floor.today()
        check = self.working_day_checker()
        return [r for r in self.evaluations_between(start, end)
                if not r["feedback_at"]
                and rules.feedback_overdue(self.feedback_due(r, check), False, today)]

    def raise_dispute(self, day: dt.date, key: str, reason: str) -> dict[str, Any]:
        """An agent's dispute (申诉): only on the day of the QA report, which is the day scored."""
        refusal = rules.dispute_refusal(day, self.floor.today())
        if refusal:
            raise FloorError(_("dispute of {key} refused: {reason}").format(
                key=key, reason=refusal))
        if not reason.strip():
            raise FloorError(_("a dispute needs the agent's reason"))
        with self.floor.transaction() as tx:
            record = tx.get(day_partition(day), EVALUATIONS, key)
            if record is None:
                raise FloorError(_("no evaluation {key} on {day}").format(
                    key=key, day=day))
            if record.get("dispute"):
                raise FloorError(_("{key} is already disputed ({status})").format(
                    key=key, status=dispute_status(record["dispute"]["status"])))
            data = _data(record)
            data["dispute"] = {"raised_at": self.floor.now().isoformat(), "reason": reason,
                               "status": "open", "reviewed_at": "", "note": ""}
            tx.put(day_partition(day), EVALUATIONS, key, data)
            return data

    def review_dispute(self, day: dt.date, key: str, marks: str | None,
                       note: str = "") -> dict[str, Any]:
        """Review the same day: ``marks`` None keeps the score, else the revised marks are scored
        and kept beside the original."""
        if self.floor.today() != day:
            raise FloorError(_("the dispute of {key} had to be reviewed on {day}; it is closed "
                               "as kept").format(key=key, day=rules.day_text(day)))
        with self.floor.transaction() as tx:
            record = tx.get(day_partition(day), EVALUATIONS, key)
            if record is None:
                raise FloorError(_("no evaluation {key} on {day}").format(
                    key=key, day=day))
            dispute = record.get("dispute")
            if not dispute or dispute["status"] != "open":
                raise FloorError(_("{key} has no open dispute").format(key=key))
            data = _data(record)
            data["dispute"] = dict(dispute, status="kept" if marks is None else "revised",
                                   reviewed_at=self.floor.now().isoformat(), note=note)
            if marks is not None:
                parsed, result = self.preview(record["template"], marks)
                data["revised"] = {"marks": rules.marks_text(parsed), **_result_fields(result)}
            tx.put(day_partition(day), EVALUATIONS, key, data)
            return data

    # ------------------------------------------------------------ follow-up
    def follow_up_ids(self, up_to: dt.date) -> set[str]:
        """Agents whose latest evaluation up to ``up_to`` failed (跟踪 until a pass)."""
        start = up_to - dt.timedelta(days=FOLLOW_UP_LOOKBACK_DAYS)
        results: dict[str, list[tuple[str, bool]]] = {}
        for r in self.evaluations_between(start, up_to):
            results.setdefault(r["staff_id"], []).append(
                (f"{r['date']}T{r['time']}|{r['_key']}", effective(r)["passed"]))
        return {sid for sid, res in results.items() if rules.under_follow_up(res)}

    # ----------------------------------------------------------------- plan
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
            if template is not None:
                low.setdefault(r["staff_id"], []).append(percent_of(r) - template.pass_percent)
        follow = self.follow_up_ids(day)
        rest_of_week = [day + dt.timedelta(days=n) for n in range(7 - day.weekday())]
        week_shifts = {d: (shifts if d == day else self.floor.shifts_on(d)) for d in rest_of_week}
        monitors, agents = [], []
        for staff_id, code in sorted(shifts.items()):
            person = people.get(staff_id)
            if person is None or code not in policy.shifts:
                continue
            periods = rules.periods_minutes(policy, code, day)
            if person.role == "monitor":
                monitors.append(rules.PlanPerson(staff_id, "monitor", periods))
            elif person.role in EVALUATED_ROLES:
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
                ))
        return monitors, agents

    def estimated_volume(self, agents: list[rules.PlanPerson]) -> int:
        """The day's call volume for the 5–15 % share: the daily completed minimum per outbound
        agent on shift (the plan is made before the calls are counted)."""
        return sum(self.floor.policy.daily_min_completed for a in agents if a.role == "agent")

    def make_plan(self, day: dt.date, replan: bool = False) -> rules.Plan:
        """Generate and store the day's plan. A re-plan keeps what is done and plans the rest of
        the day from now, counting today's evaluations."""
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
        plan = rules.make_plan(day, monitors, agents, self.floor.policy,
                               volume=self.estimated_volume(agents), seed=seed,
                               from_minute=from_minute, monitor_done=done_by_monitor)
        current = self.plan_rows(day) if replan else []
        keep = {r.key for r in current if r.status == "done"}
        partition = day_partition(day)
        with self.floor.transaction() as tx:
            for record in tx.records(partition, PLAN):
                if record["_key"] not in keep:
                    tx.retire(partition, PLAN, record["_key"], "re-planned")
            tx.put_many(partition, PLAN, [
                (f"P{round_:02d}-{i:04d}", {"slot": a.slot, "monitor_id": a.monitor_id,
                                            "staff_id": a.staff_id, "mode": a.mode})
                for i, a in enumerate(plan.assignments, start=1)], note="daily QA plan")
            tx.put(partition, PLAN_INFO, "plan", {
                "round": round_, "seed": seed, "made_at": now.isoformat(),
                "from": rules.hhmm(from_minute), "shortfalls": plan.shortfalls})
        return plan

    def has_plan(self, day: dt.date) -> bool:
        return self.floor.store.get(day_partition(day), PLAN_INFO, "plan") is not None

    def ensure_plan(self, day: dt.date) -> None:
        """Make the day's plan once, the first time anyone needs it."""
        if not self.has_plan(day):
            self.make_plan(day)

    def plan_rows(self, day: dt.date) -> list[PlanRow]:
        """The stored plan with live status: done, due or overdue."""
        records = sorted(self.floor.store.records(day_partition(day), PLAN),
                         key=lambda r: (r["slot"], r["monitor_id"], r["_key"]))
        assignments = [rules.Assignment(r["slot"], r["monitor_id"], r["staff_id"], r["mode"])
                       for r in records]
        done = rules.match_done(assignments, [(e["monitor_id"], e["staff_id"], e["mode"])
                                              for e in self.evaluations(day)])
        now = self.floor.now()
        if now.date() > day:
            now_minute = 48 * 60
        elif now.date() < day:
            now_minute = -1
        else:
            now_minute = now.hour * 60 + now.minute
        return [PlanRow(r["_key"], r["slot"], r["monitor_id"], r["staff_id"], r["mode"],
                        rules.slot_status(r["slot"], d, now_minute))
                for r, d in zip(records, done)]

    def day_plan(self, day: dt.date) -> DayPlan:
        info = self.floor.store.get(day_partition(day), PLAN_INFO, "plan") or {}
        return DayPlan(day, self.plan_rows(day), list(info.get("shortfalls", [])))

    # ------------------------------------------------------------ interfaces
    def day_by_agent(self, day: dt.date) -> dict[str, tuple[int, Decimal | None]]:
        """Evaluations done that day per evaluated staff member and their mean % of the
        template maximum (None when none): the end-of-day summary's monitoring columns."""
        out: dict[str, list[Decimal]] = {
            s.id: [] for s in self.floor.staff() if s.role in EVALUATED_ROLES}
        for r in self.evaluations(day):
            out.setdefault(r["staff_id"], []).append(percent_of(r))
        return {sid: (len(p), rules._mean(p)) for sid, p in out.items()}

    def qa_month(self, year: int, month: int) -> tuple[list[dict], list[dict]]:
        """The QA month's JSON rows (SPEC §9): staff, monitors."""
        staff_rows, monitor_rows, _shared = self._qa_month(year, month)
        return staff_rows, monitor_rows

    def _qa_month(self, year: int, month: int
                  ) -> tuple[list[dict], list[dict], dict[str, Decimal | None]]:
        """The QA month (SPEC §9 JSON rows): staff means, fails, follow-up; monitors' means,
        deviations and calibration flags."""
        start = dt.date(year, month, 1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        records = self.evaluations_between(start, end)
        follow = self.follow_up_ids(end)
        per_staff: dict[str, list[dict]] = {
            s.id: [] for s in self.floor.staff() if s.role in EVALUATED_ROLES}
        for r in records:
            per_staff.setdefault(r["staff_id"], []).append(r)
        staff_rows = []
        for sid in sorted(per_staff):
            evals = per_staff[sid]
            staff_rows.append({
                "id": sid, "evaluations": len(evals),
                "mean": two_places(rules._mean([percent_of(r) for r in evals])),
                "fails": sum(1 for r in evals if not effective(r)["passed"]),
                "follow_up": sid in follow,
            })
        scored = [rules.Scored(r["monitor_id"], percent_of(r), r.get("call", ""))
                  for r in records]
        calibrated = rules.calibration(scored, self.floor.policy)
        shared = {c.id: c.shared_difference for c in calibrated}
        monitor_rows = [{
            "id": c.id, "evaluations": c.evaluations, "mean": two_places(c.mean),
            "deviation": two_places(c.deviation), "flagged": c.flag or False,
        } for c in calibrated]
        return staff_rows, monitor_rows, shared

    def _tables(self, staff_rows: list[dict], monitor_rows: list[dict],
                shared: dict[str, Decimal | None]) -> list[reports.Table]:
        names = {s.id: s.name for s in self.floor.staff()}
        return [
            reports.Table([_("id"), _("name"), _("evaluations"), _("mean %"), _("fails"),
                           _("follow-up")],
                          [[r["id"], names.get(r["id"], ""), r["evaluations"], r["mean"] or "",
                            r["fails"], _("yes") if r["follow_up"] else ""] for r in staff_rows],
                          title=_("QA by agent (质检)")),
            reports.Table([_("monitor"), _("name"), _("evaluations"), _("mean %"),
                           _("deviation"), _("shared calls ±"), _("flag")],
                          [[r["id"], names.get(r["id"], ""), r["evaluations"], r["mean"] or "",
                            r["deviation"] or "", two_places(shared.get(r["id"])) or "",
                            rules.flag_name(r["flagged"]) if r["flagged"] else ""]
                           for r in monitor_rows],
                          title=_("Calibration by monitor (校准)")),
        ]

    def qa_report(self, year: int, month: int) -> reports.Report:
        staff_rows, monitor_rows, shared = self._qa_month(year, month)
        policy = self.floor.policy
        flagged = [r["id"] for r in monitor_rows if r["flagged"]]
        notes = [_("Means and deviations are % of the template maximum; a monitor is flagged "
                   "when |deviation| > {threshold} with ≥ {minimum} evaluations, inconsistent "
                   "when shared calls differ by > {inconsistent} on average.").format(
                       threshold=policy.calibration_threshold_points,
                       minimum=policy.calibration_min_evaluations,
                       inconsistent=policy.calibration_inconsistent_points)]
        if flagged:
            notes.append(_("Quarterly calibration review: {ids}").format(ids=", ".join(flagged)))
        return reports.Report(
            title=_("QA month {month}").format(
                month=fmt_month(year, month) if language() == "zh" else f"{year:04d}-{month:02d}"),
            data={"month": f"{year:04d}-{month:02d}", "staff": staff_rows,
                  "monitors": monitor_rows},
            tables=self._tables(staff_rows, monitor_rows, shared),
            notes=notes,
        )

    def month_extension(self, year: int, month: int) -> tuple[dict, list[reports.Table]]:
        """The month report's QA part: JSON key ``qa`` and the two QA tables."""
        staff_rows, monitor_rows, shared = self._qa_month(year, month)
        return ({"qa": {"staff": staff_rows, "monitors": monitor_rows}},
                self._tables(staff_rows, monitor_rows, shared))

    def sample_size(self, population: int, confidence: Decimal | None = None,
                    margin: Decimal | None = None) -> int:
        policy = self.floor.policy
        try:
            return rules.sample_size(
                population,
                policy.sample_confidence if confidence is None else confidence,
                policy.sample_margin if margin is None else margin,
                policy.sample_proportion)
        except ValueError as exc:
            raise FloorError(str(exc)) from None


DISPUTE_STATUS = {"open": N_("open"), "kept": N_("kept"), "revised": N_("revised")}


def dispute_status(status: str) -> str:
    """A dispute's status (open, kept, revised) in the interface language."""
    return _(DISPUTE_STATUS[status]) if status in DISPUTE_STATUS else status


def _result_fields(result: rules.Score) -> dict[str, Any]:
    return {"score": str(result.total), "max": str(result.max), "passed": result.passed,
            "critical": list(result.criticals)}


def _data(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


# ------------------------------------------------------------------ demo floor
DEMO_MODES = ("live", "live", "recording", "recording", "side_by_side")
DEMO_FAULTS = (0, 0, 0, 1, 1, 1, 2, 2, 3, 4)  # faults per call: most calls are clean or nearly
DEMO_LENIENT_FAULTS = (0, 0, 0, 0, 0, 0, 1, 1, 1, 2)  # the monitor who runs high
DEMO_PLAN_DAYS = 2  # stored plans for the last demo days (today's is made on first view)


def _demo_pool(rng, template: rules.Template, faults: tuple[int, ...],
               critical_share: float) -> list[tuple[str, dict[str, Any]]]:
    """Ready-scored mark sets to draw from: scoring once per pattern keeps the demo fast."""
    deducts = [i for s in template.sections for i in s.items if i.kind == "deduct"]
    criticals = [i for s in template.sections for i in s.items if i.kind == "critical"]
    pool = []
    for _n in range(120):
        marks = []
        for item in rng.sample(deducts, min(len(deducts), rng.choice(faults))):
            count = rng.choice((1, 1, 1, 2)) if item.per_occurrence else 1
            marks.append(rules.Mark(item.code, count))
        if criticals and rng.random() < critical_share:
            marks.append(rules.Mark(rng.choice(criticals).code))
        result = rules.score(template, marks)
        pool.append((rules.marks_text(marks), _result_fields(result)))
    return pool


def _demo_today(ctx, pools, lenient: str) -> int:  # noqa: ANN001 - DemoContext, the pools
    """Today so far: the plan made, and most of its slots up to now done, so the screen opens
    on a working day rather than a wall of overdue calls."""
    floor, rng = ctx.floor, ctx.rng
    now = floor.now()
    today = now.date()
    plan = floor.monitoring.make_plan(today)
    staff = {s.id: s for s in ctx.staff}
    now_minute = now.hour * 60 + now.minute
    items = []
    for index, slot in enumerate(plan.assignments):
        hours, minutes = (int(part) for part in slot.slot.split(":"))
        if hours * 60 + minutes + 10 > now_minute or rng.random() < 0.15:
            continue  # still to come, or one the monitor has not got to
        agent = staff.get(slot.staff_id)
        if agent is None:
            continue
        if agent.role == "complaint":
            tid = "hotline-100"
        else:
            tid = "recording-40" if slot.mode == "recording" else "outbound-100"
        marks, result = pools[(tid, slot.monitor_id == lenient)][rng.randrange(120)]
        items.append((f"E{hours:02d}{minutes:02d}00-{slot.monitor_id}-{slot.staff_id}-t{index}", {
            "date": today.isoformat(), "time": slot.slot, "monitor_id": slot.monitor_id,
            "staff_id": slot.staff_id, "mode": slot.mode, "template": tid, "marks": marks,
            **result, "call": "", "feedback_at": "", "feedback_note": "", "dispute": None,
            "revised": None}))
    with floor.transaction() as tx:
        tx.put_many(f"day/{today.isoformat()}", EVALUATIONS, items, note="demo evaluations")
    return len(items)


def demo_step(ctx) -> None:  # noqa: ANN001 - floorapp.demo.DemoContext (import cycle)
    """Evaluations for every demo day (about one per agent on shift, realistic marks, a few
    fraud criticals, one monitor scoring high, weekly shared calibration calls), feedback and a
    few disputes; stored plans for the last days."""
    floor, rng = ctx.floor, ctx.rng
    policy = floor.policy
    templates = rules.builtin_templates()
    monitors = [s.id for s in ctx.by_role("monitor")]
    if not monitors or not ctx.days:
        return
    lenient = monitors[-1]
    pools = {}
    for tid in ("outbound-100", "recording-40", "hotline-100"):
        pools[(tid, False)] = _demo_pool(rng, templates[tid], DEMO_FAULTS, 0.02)
        pools[(tid, True)] = _demo_pool(rng, templates[tid], DEMO_LENIENT_FAULTS, 0.0)
    evaluated = ctx.by_role(*EVALUATED_ROLES)
    total = disputes = criticals = 0
    last_day = ctx.days[-1]
    for month_days in ctx.months():
        cells = floor.roster_cells(month_days[0].year, month_days[0].month)
        with floor.transaction() as tx:
            for day in month_days:
                day = dt.date(day.year, day.month, day.day)  # plain dates: cheap arithmetic
                default = policy.default_shift(day)
                key_day = day.isoformat()
                next_day = (day + dt.timedelta(days=1)).isoformat()
                periods_of: dict[str, tuple[tuple[int, int], ...]] = {}
                codes = {s.id: cells.get(s.id, {}).get(key_day, default) for s in ctx.staff}
                on_monitors = [m for m in monitors if codes[m] in policy.shifts]
                if not on_monitors:
                    continue
                items = []
                working = [s for s in evaluated if codes[s.id] in policy.shifts]
                shared = day.weekday() == 2 and working  # Wednesday calibration call
                if shared:
                    agent = rng.choice(working)
                    picks = [(agent, m, "recording") for m in on_monitors]
                else:
                    picks = []
                for agent in working:
                    for _n in range(rng.choice((0, 1, 1, 2))):
                        picks.append((agent, rng.choice(on_monitors), rng.choice(DEMO_MODES)))
                for index, (agent, monitor, mode) in enumerate(picks):
                    code = codes[agent.id]
                    if code not in periods_of:
                        periods_of[code] = rules.periods_minutes(policy, code, day)
                    start, end = rng.choice(periods_of[code])
                    minute = rng.randrange(start, end)
                    if agent.role == "complaint":
                        tid = "hotline-100"
                    else:
                        tid = "recording-40" if mode == "recording" else "outbound-100"
                    call = f"CAL-{key_day}" if shared and index < len(on_monitors) else ""
                    pattern = index if call else rng.randrange(120)
                    marks, result = pools[(tid, monitor == lenient)][pattern % 120]
                    feedback = "" if day == last_day and rng.random() < 0.5 else \
                        f"{next_day}T09:00:00+08:00"
                    data = {
                        "date": key_day, "time": rules.hhmm(minute), "monitor_id": monitor,
                        "staff_id": agent.id, "mode": mode, "template": tid, "marks": marks,
                        **result, "call": call, "feedback_at": feedback,
                        "feedback_note": "talked through" if feedback else "",
                        "dispute": None, "revised": None,
                    }
                    if not result["passed"] and rng.random() < 0.05:
                        disputes += 1
                        revised = rng.random() < 0.5
                        data["dispute"] = {
                            "raised_at": f"{key_day}T17:40:00+08:00",
                            "reason": "客户已同意 the customer had agreed",
                            "status": "revised" if revised else "kept",
                            "reviewed_at": f"{key_day}T18:10:00+08:00",
                            "note": "re-listened"}
                        if revised:
                            data["revised"] = {"marks": "", "score": result["max"],
                                               "max": result["max"], "passed": True,
                                               "critical": []}
                    criticals += bool(result["critical"])
                    items.append((f"E{minute // 60:02d}{minute % 60:02d}00-{monitor}-"
                                  f"{agent.id}-{index}", data))
                tx.put_many(f"day/{key_day}", EVALUATIONS, items, note="demo evaluations")
                total += len(items)
    for day in ctx.days[-DEMO_PLAN_DAYS:]:
        floor.monitoring.make_plan(day)
    total += _demo_today(ctx, pools, lenient)
    ctx.summary.append(
        _("monitoring: {total} evaluations ({criticals} with a fraud critical, {disputes} "
          "disputed), weekly shared calibration calls, {lenient} scoring high; plans for the "
          "last {days} days").format(total=total, criticals=criticals, disputes=disputes,
                                     lenient=lenient, days=min(DEMO_PLAN_DAYS, len(ctx.days))))
