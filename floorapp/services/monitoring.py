"""Monitoring and QA use-cases (监控/质检, SPEC §6): templates, evaluations, the daily plan,
feedback, disputes, follow-up, calibration and the QA report. The rules are in
``floorapp.rules.monitoring``; this module reads and writes the store.

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

from floorapp.formats import csvio, reports
from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import calibration as calibrating
from floorapp.rules.monitoring import review
from floorapp.rules.monitoring import sampling
from floorapp.services import digests
from floorapp.services.digests import effective
from floorapp.errors import FloorError, ImportRejected
from floorapp.i18n import N_, _, fmt_month, language
from floorapp.rules.schedule import slot_windows

if TYPE_CHECKING:
    from floorapp.services.core import Floor
    from floorapp.rules.staff import Staff

REF = "ref"
EVALUATIONS = "qa_evaluations"
PLAN = "qa_plan"
PLAN_INFO = "qa_plan_info"
TEMPLATES = "templates"
RECALIBRATIONS = "qa_recalibrations"
COMMON_FEEDBACK = "qa_common_feedback"
CALIBRATION_WINDOW_DAYS = 30  # a monitor is judged on the last 30 days' evaluations
NEW_MONITOR_LOOKBACK_DAYS = 365  # a monitor's evaluations counted to tell a new one
OUTCOMES = ("", "closed", "unclosed")  # telesales recordings: 成交 / 未成交
EVALUATION_COLUMNS = ["date", "time", "monitor_id", "staff_id", "mode", "template", "marks"]
EVALUATED_ROLES = ("agent", "complaint")
SUPERVISOR_ROLES = ("lead", "manager")  # an agent's direct supervisor (直属主管) [000 §6 注]
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
    outcome: str = ""  # a telesales slot: the recording to hear, closed or unclosed


@dataclass(frozen=True)
class DayPlan:
    day: dt.date
    rows: list[PlanRow]
    shortfalls: list[str]
    extra: int = 0  # evaluations that fill no slot (none open at or before their time)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def scored(record: dict[str, Any]) -> bool:
    """Whether the evaluation has points (a violations form, 合规部分, has none)."""
    return Decimal(effective(record)["max"]) > 0


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
        """Built-in scorecards, replaced or joined by the imported ones; where a form gives
        no pass mark, the centre's (policy ``qa_pass_marks``) when it has set one."""
        if self._builtins is None:
            self._builtins = rules.builtin_templates()
        out = dict(self._builtins)
        for record in self.floor.store.records(REF, TEMPLATES):
            data = {k: v for k, v in record.items() if not k.startswith("_")}
            out[data["id"]] = rules.template_from_dict(data)
        marks = self.floor.policy.qa_pass_marks
        if "hotline-400" in out:  # [003] prints no base for the 400 card: the centre's
            out["hotline-400"] = out["hotline-400"].with_centre_base(
                Decimal(self.floor.policy.qa_400_base))
        return {tid: t.with_pass_mark(Decimal(str(marks[tid])) if tid in marks else None)
                for tid, t in out.items()}

    def template_version(self, template_id: str, version: int) -> rules.Template | None:
        """The template an evaluation was scored with: the current one when the version
        matches, else an archived built-in or an earlier import from the store's history."""
        current = self.templates().get(template_id)
        if current is not None and current.version == version:
            return current
        archived = rules.archived_templates().get((template_id, version))
        if archived is not None:
            return archived
        builtin = rules.builtin_templates().get(template_id)
        if builtin is not None and builtin.version == version:  # replaced by an import
            return builtin
        for record in self.floor.store.history(REF, TEMPLATES, template_id):
            data = {k: v for k, v in record.items() if not k.startswith("_")}
            if data.get("version", 1) == version:
                try:
                    return rules.template_from_dict(data)
                except rules.TemplateError:
                    return None
        return None

    def template_of(self, record: dict[str, Any]) -> rules.Template | None:
        """The template an evaluation was scored with (``template_version``; an evaluation
        from before versions was scored with version 1)."""
        return self.template_version(record["template"], int(record.get("template_version", 1)))

    def verdict_checker(self) -> Callable[..., bool | None]:
        """``passed(record, result=None)``: the evaluation's pass (True) or fail (False) where
        the card it was scored with has a pass mark now; without one, a fail only for a
        critical item (SPEC §6), else None, whatever was stored when a mark was set.
        ``result``: one of its scores (original, revised, final), by default the one that
        counts. Templates looked up once per checker."""
        judge = self._judge()

        def passed(record: dict[str, Any], result: dict[str, Any] | None = None
                   ) -> bool | None:
            result = effective(record) if result is None else result
            return judge(record["template"], int(record.get("template_version", 1)),
                         result["passed"], bool(result.get("critical")))

        return passed

    def _judge(self) -> Callable[[str, int, bool | None, bool], bool | None]:
        """``judge(template, version, stored passed, critical)``: the verdict by the card's
        pass mark now (``verdict_checker``)."""
        has_mark: dict[tuple[str, int], bool] = {}

        def judge(template_id: str, version: int, stored: bool | None,
                  critical: bool) -> bool | None:
            key = (template_id, version)
            if key not in has_mark:
                template = self.template_version(*key)
                has_mark[key] = template is None or (template.pass_mark is not None
                                                     and template.scored)
            if has_mark[key]:
                return stored
            return False if critical else None

        return judge

    def pass_mark_note(self, template: rules.Template) -> str:
        """What the screen says when a scorecard has no pass mark."""
        if template.pass_mark is not None or not template.scored:
            return ""
        return _("pass mark not set: [003] prints none for {id}; the centre sets it in policy "
                 "qa_pass_marks. Until then no pass/fail and no follow-up.").format(
                     id=template.id)

    def template(self, template_id: str) -> rules.Template:
        found = self.templates().get(template_id)
        if found is None:
            raise FloorError(_("unknown template {id} (known: {known})").format(
                id=repr(template_id), known=", ".join(sorted(self.templates()))))
        return found

    def import_template(self, path: str | Path) -> str:
        self.floor.require("qa.score")
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
            existing = tx.get(REF, TEMPLATES, template.id)
            existed = existing is not None
            current = existing.get("version", 1) if existing else \
                getattr(rules.builtin_templates().get(template.id), "version", 0)
            if template.version <= current:
                # A new import of an id is a new version: evaluations keep the one they used.
                template = dataclasses.replace(template, version=current + 1)
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
    def preview(self, template_id: str, marks: str, version: int | None = None
                ) -> tuple[list[rules.Mark], rules.Score]:
        """Parse and score typed marks; FloorError names a bad code. ``version``: the card's
        version an evaluation was scored with (a review re-scores with it), else the current."""
        template = self.template(template_id) if version is None else \
            self._scoring_template({"template": template_id, "template_version": version})
        try:
            parsed = rules.parse_marks(marks, template)
        except rules.MarksError as exc:
            raise FloorError(str(exc)) from None
        return parsed, rules.score(template, parsed, self.floor.policy.qa_fraud_outcome)

    def monitors(self) -> list[Staff]:
        """Who may score calls: the monitors, and the leads/managers the policy lets hold
        plan slots (multi-level monitoring, 多层监控) [000 §3]."""
        roles = {"monitor", *self.floor.policy.qa_plan_roles}
        return [s for s in self.floor.staff() if s.role in roles]

    def scorecard_for(self, person: Staff) -> str:
        """The scorecard a person's team uses (policy), else their role's, else outbound."""
        policy = self.floor.policy
        return (policy.qa_team_scorecards.get(person.team)
                or policy.qa_role_scorecards.get(person.role) or rules.DEFAULT_TEMPLATE)

    def monitor_for_user(self) -> Staff | None:
        """The current OS login's monitor: the one whose ``login`` it is, else the one whose id
        it is (case-insensitive)."""
        login = self.floor.store.user
        for person in self.monitors():
            if person.login == login or person.id.lower() == login.lower():
                return person
        return None

    def _evaluation_data(self, day: dt.date, time: str, monitor_id: str, staff_id: str,
                         mode: str, template_id: str, marks: str, call: str = "") -> dict:
        parsed, result = self.preview(template_id, marks)
        return {
            "date": day.isoformat(), "time": time, "monitor_id": monitor_id,
            "staff_id": staff_id, "mode": mode, "template": template_id,
            "marks": rules.marks_text(parsed), **_result_fields(result), "call": call,
            "template_version": self.template(template_id).version,
            "feedback_at": "", "feedback_note": "", "dispute": None, "revised": None,
            "final": None,
        }

    def _check_people(self, monitor_id: str, staff_id: str, mode: str) -> None:
        people = self.floor.staff_by_id()
        monitor = people.get(monitor_id)
        if monitor is None:
            raise FloorError(_("unknown monitor id {id}").format(id=repr(monitor_id)))
        if monitor.role != "monitor" and monitor.role not in self.floor.policy.qa_plan_roles:
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
                        marks: str, call: str = "", outcome: str = "") -> dict[str, Any]:
        """Score and save one evaluation now; returns the stored record (with ``_key``) and,
        under ``_warnings``, what the monitor must know: stopped for calibration, or new and
        not paired on a shared call."""
        self.floor.require("qa.score")
        self._check_people(monitor_id, staff_id, mode)
        if outcome not in OUTCOMES:
            raise FloorError(_("outcome {value} must be closed or unclosed").format(
                value=repr(outcome)))
        now = self.floor.now()
        data = self._evaluation_data(now.date(), f"{now:%H:%M}", monitor_id, staff_id, mode,
                                     template_id, marks, call)
        if outcome:
            data["outcome"] = outcome
        warnings = self.entry_warnings(monitor_id, call)
        partition = day_partition(now.date())
        base = f"E{now:%H%M%S}-{monitor_id}-{staff_id}"
        with self.floor.transaction() as tx:
            key, n = base, 1
            while tx.history(partition, EVALUATIONS, key):
                n += 1
                key = f"{base}-{n}"
            tx.put(partition, EVALUATIONS, key, data)
            stored = dict(tx.get(partition, EVALUATIONS, key) or {})
        stored["_warnings"] = warnings
        return stored

    def entry_warnings(self, monitor_id: str, call: str = "") -> list[str]:
        """Warnings for a monitor entering a score: stopped until recalibrated [000 §5]; a
        new monitor's evaluation not on a shared call with an experienced one [000 §5]."""
        out = []
        stop = self.stops(self.floor.today()).get(monitor_id)
        if stop is not None:
            out.append(_("{id} is stopped: scores run {flag} on {card}; record a recalibration "
                         "(floor qa recalibrate {id}) before monitoring again").format(
                             id=monitor_id, flag=rules.flag_name(stop.flag), card=stop.card))
        if monitor_id in self.new_monitors(self.floor.today()) and not call:
            out.append(_("{id} is a new monitor: the first {n} evaluations are made with an "
                         "experienced monitor on the same call (give the call id)").format(
                             id=monitor_id, n=self.floor.policy.qa_new_monitor_paired))
        return out

    def undo(self, day: dt.date, key: str) -> None:
        """Take back an evaluation (retired with the reason, never deleted)."""
        self.floor.require("qa.score")
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
        """``date,time,monitor_id,staff_id,mode,template,marks[,call][,outcome]``;
        all-or-nothing."""
        self.floor.require("qa.score")
        rows, errors = csvio.read_rows(path, EVALUATION_COLUMNS, ["call", "outcome"])
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
                if row.get("outcome", "") not in OUTCOMES:
                    raise ValueError(_("outcome {value} must be closed or unclosed").format(
                        value=repr(row["outcome"])))
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
            result = rules.score(template, parsed, self.floor.policy.qa_fraud_outcome)
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
                "call": row.get("call", ""), "template_version": template.version,
                "feedback_at": "", "feedback_note": "",
                "dispute": None, "revised": None, "final": None,
                **({"outcome": row["outcome"]} if row.get("outcome") else {}),
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
        self.floor.require("qa.feedback")
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
        """An agent's dispute (申诉) [003 五]: on the day the report was fed back to them."""
        self.floor.require("qa.dispute")
        if not reason.strip():
            raise FloorError(_("a dispute needs the agent's reason"))
        with self.floor.transaction() as tx:
            record = tx.get(day_partition(day), EVALUATIONS, key)
            if record is None:
                raise FloorError(_("no evaluation {key} on {day}").format(
                    key=key, day=day))
            refusal = rules.dispute_refusal(_fed_back(record), self.floor.today())
            if refusal:
                raise FloorError(_("dispute of {key} refused: {reason}").format(
                    key=key, reason=refusal))
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
        """QA reviews the dispute the day it was raised: ``marks`` None keeps the score, else
        the revised marks are scored and kept beside the original."""
        self.floor.require("qa.dispute")
        with self.floor.transaction() as tx:
            record = tx.get(day_partition(day), EVALUATIONS, key)
            if record is None:
                raise FloorError(_("no evaluation {key} on {day}").format(
                    key=key, day=day))
            dispute = record.get("dispute")
            if not dispute or dispute["status"] != "open":
                raise FloorError(_("{key} has no open dispute").format(key=key))
            raised = dt.datetime.fromisoformat(dispute["raised_at"]).date()
            refusal = rules.review_refusal(raised, self.floor.today())
            if refusal:
                raise FloorError(_("the dispute of {key} cannot be reviewed: {reason}").format(
                    key=key, reason=refusal))
            data = _data(record)
            data["dispute"] = dict(dispute, status="kept" if marks is None else "revised",
                                   reviewed_at=self.floor.now().isoformat(), note=note)
            if marks is not None:
                template = self._scoring_template(record)
                parsed, result = self._score_with(template, marks)
                data["revised"] = {"marks": rules.marks_text(parsed), **_result_fields(result)}
            tx.put(day_partition(day), EVALUATIONS, key, data)
            return data

    def escalate_dispute(self, day: dt.date, key: str, reason: str) -> dict[str, Any]:
        """The agent still disagrees after the review: to their direct supervisor, who sets
        the final score (由主管再进行核实,确定其最终结果) [000 §6 注]. The form gives no window."""
        self.floor.require("qa.dispute")
        if not reason.strip():
            raise FloorError(_("an escalation needs the agent's reason"))
        with self.floor.transaction() as tx:
            record = tx.get(day_partition(day), EVALUATIONS, key)
            if record is None:
                raise FloorError(_("no evaluation {key} on {day}").format(key=key, day=day))
            dispute = record.get("dispute") or {}
            if dispute.get("status") not in ("kept", "revised"):
                raise FloorError(_("{key}: only a reviewed dispute can go to the supervisor")
                                 .format(key=key))
            if dispute.get("escalation"):
                raise FloorError(_("{key} is already with the supervisor").format(key=key))
            data = _data(record)
            data["dispute"] = dict(dispute, escalation={
                "raised_at": self.floor.now().isoformat(), "reason": reason,
                "supervisor_id": "", "decided_at": "", "note": ""})
            tx.put(day_partition(day), EVALUATIONS, key, data)
            return data

    def decide_escalation(self, day: dt.date, key: str, supervisor_id: str,
                          marks: str | None, note: str = "") -> dict[str, Any]:
        """The direct supervisor's final score: ``marks`` None confirms the reviewed score;
        the original and the reviewed score stay beside the final one."""
        self.floor.require("qa.dispute")
        people = self.floor.staff_by_id()
        supervisor = people.get(supervisor_id)
        if supervisor is None:
            raise FloorError(_("unknown staff id {id}").format(id=repr(supervisor_id)))
        with self.floor.transaction() as tx:
            record = tx.get(day_partition(day), EVALUATIONS, key)
            if record is None:
                raise FloorError(_("no evaluation {key} on {day}").format(key=key, day=day))
            dispute = record.get("dispute") or {}
            escalation = dispute.get("escalation")
            if not escalation or escalation.get("decided_at"):
                raise FloorError(_("{key} has no escalation waiting for the supervisor")
                                 .format(key=key))
            agent = people.get(record["staff_id"])
            if supervisor.role not in SUPERVISOR_ROLES or (
                    supervisor.role == "lead" and agent is not None and agent.team
                    and supervisor.team and supervisor.team != agent.team):
                raise FloorError(_("{id} is not a direct supervisor of {agent} (a lead of "
                                   "the agent's team or a manager)").format(
                                       id=supervisor_id, agent=record["staff_id"]))
            data = _data(record)
            if marks is None:
                reviewed = record.get("revised") or record
                final = {k: reviewed[k] for k in ("marks", "score", "max", "passed", "critical")}
            else:
                parsed, result = self._score_with(self._scoring_template(record), marks)
                final = {"marks": rules.marks_text(parsed), **_result_fields(result)}
            data["final"] = dict(final, by=supervisor_id)
            data["dispute"] = dict(dispute, escalation=dict(
                escalation, supervisor_id=supervisor_id,
                decided_at=self.floor.now().isoformat(), note=note))
            tx.put(day_partition(day), EVALUATIONS, key, data)
            return data

    def _scoring_template(self, record: dict[str, Any]) -> rules.Template:
        template = self.template_of(record)
        if template is None:
            raise FloorError(_("template {id} version {version} is no longer known").format(
                id=record["template"], version=record.get("template_version", 1)))
        return template

    def _score_with(self, template: rules.Template, marks: str
                    ) -> tuple[list[rules.Mark], rules.Score]:
        try:
            parsed = rules.parse_marks(marks, template)
        except rules.MarksError as exc:
            raise FloorError(str(exc)) from None
        return parsed, rules.score(template, parsed, self.floor.policy.qa_fraud_outcome)

    # ------------------------------------------------------------ follow-up
    def follow_up_ids(self, up_to: dt.date) -> set[str]:
        """Agents whose latest evaluation up to ``up_to`` failed (跟踪 until a pass), judged
        by the card's pass mark now (``verdict_checker``)."""
        start = up_to - dt.timedelta(days=FOLLOW_UP_LOOKBACK_DAYS)
        store = self.floor.store
        judge = self._judge()
        results: dict[str, list[tuple[str, bool]]] = {}
        for partition in store.day_partitions(start, up_to):
            for staff_id, moment, stored, template_id, version, critical in store.digest(
                    partition, digests.FOLLOW_UP):
                passed = judge(template_id, version, stored, critical)
                if passed is None:  # no pass mark: neither opens nor closes one
                    continue
                results.setdefault(staff_id, []).append((moment, passed))
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

    def sampled_people(self, rule: str) -> list[Staff]:
        """The evaluated staff whose scorecard follows a sampling rule."""
        return [p for p in self.floor.staff() if p.role in EVALUATED_ROLES
                and sampling.rule_of(self.scorecard_for(p)) == rule]

    def _counts_between(self, start: dt.date, end: dt.date, by_campaign: bool = False
                        ) -> dict[Any, Any]:
        quota = getattr(self.floor, "quota", None)
        if quota is None or end < start:
            return {}
        return quota.counts_between(start, end, by_campaign)

    def copc_pool(self, day: dt.date, done_through: dt.date) -> dict[str, Any]:
        """The outbound COPC sample of the period around ``day`` [003 质检考核标准 二]: each
        project's calls connected before ``day`` (agents on a card without a rule of its own)
        carried on over the days left, its COPC sample size summed, the evaluations of those
        agents up to ``done_through``, and today's part of what is left over the floor's
        working days left (the policy's default week)."""
        policy = self.floor.policy
        start, end = sampling.copc_period(day, policy)
        ids = {p.id for p in self.sampled_people("copc")}
        known: dict[str, int] = {}
        for (sid, campaign), counts in self._counts_between(
                start, day - dt.timedelta(days=1), by_campaign=True).items():
            if sid in ids:
                known[campaign] = known.get(campaign, 0) + counts.connected
        gone, days = (day - start).days, (end - start).days + 1
        expected = {c: sampling.expected_calls(n, gone, days) for c, n in known.items()}
        total = sampling.copc_total(expected, policy)
        done = sum(1 for r in self.evaluations_between(start, done_through)
                   if r["staff_id"] in ids)
        days_left = sum(1 for n in range((end - day).days + 1)
                        if policy.default_shift(day + dt.timedelta(days=n)) in policy.shifts)
        left = max(0, total - done)
        return {"from": start.isoformat(), "to": end.isoformat(), "calls": sum(known.values()),
                "expected_calls": expected, "total": total, "done": done, "left": left,
                "today": sampling.daily_share(left, days_left)}

    def hotline_pool(self, day: dt.date, done_through: dt.date) -> dict[str, Any]:
        """The 400 line's period around ``day`` [003 400电话服务质量考核 1, 统计表]: everyone on
        the card, the calls connected before ``day`` carried on over the days left, the total
        to check (≥ 1 each, ≥ 30, 10 % of the calls) and each person's share of it (``need``)
        and what is left of it (``left``), the evaluations up to ``done_through`` counted."""
        policy = self.floor.policy
        start, end = sampling.period_of("hotline-400", day, policy)
        ids = [p.id for p in self.sampled_people("hotline-400")]
        done = dict.fromkeys(ids, 0)
        for r in self.evaluations_between(start, done_through):
            if r["staff_id"] in done:
                done[r["staff_id"]] += 1
        counts = self._counts_between(start, day - dt.timedelta(days=1))
        known = sum(counts[i].connected for i in ids if i in counts)
        expected = sampling.expected_calls(known, (day - start).days, (end - start).days + 1)
        total = sampling.hotline_sample_total(len(ids), expected, policy)
        left = sampling.hotline_left(done, total, policy)
        return {"from": start.isoformat(), "to": end.isoformat(), "people": len(ids),
                "calls": known, "expected_calls": expected, "total": total,
                "done": sum(done.values()), "need": {i: done[i] + left[i] for i in ids},
                "left": left}

    def telesales_status(self, persons: list[Staff], day: dt.date, done_through: dt.date
                         ) -> list[dict[str, Any]]:
        """Per TSR, the cycle around ``day`` [003 录音质检抽听原则]: the need (closed in short
        supply replaced by unclosed: the closed calls are the orders recorded so far, or the
        closed recordings heard if more), what is heard up to ``done_through`` and what is
        left."""
        policy = self.floor.policy
        start, end = sampling.period_of("telesales", day, policy)
        evals = self.evaluations_between(start, done_through)
        counts = self._counts_between(start, min(day, end))
        out = []
        for person in persons:
            mine = [r for r in evals if r["staff_id"] == person.id]
            closed = sum(1 for r in mine if r.get("outcome") == "closed")
            unclosed = sum(1 for r in mine if r.get("outcome") == "unclosed")
            trainee = sampling.is_trainee(policy, person.hired, day)
            available = max(counts[person.id].orders, closed) if person.id in counts else None
            need = sampling.telesales_need(trainee, available, policy)
            out.append({"from": start.isoformat(), "to": end.isoformat(), "trainee": trainee,
                        "closed_available": available, "need": need, "done": len(mine),
                        "closed": closed, "unclosed": unclosed,
                        "left": sampling.telesales_left(need, closed, unclosed,
                                                        len(mine) - closed - unclosed)})
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

    # ------------------------------------------------------------ calibration stops
    def calibration_points(self, records: list[dict[str, Any]],
                           percent: dict[int, Decimal] | None = None
                           ) -> list[calibrating.Scored]:
        """The scored evaluations for calibration, each on its card: the template, its
        versions of the same scale counted as one (``monitoring_calibration.cards``)."""
        def version(r: dict[str, Any]) -> tuple[str, int]:
            return r["template"], int(r.get("template_version", 1))

        found = [r for r in records if scored(r)]
        used = {version(r) for r in found}
        cards = calibrating.cards({k: self.template_version(*k) for k in used},
                                  self.templates())
        return [calibrating.Scored(r["monitor_id"],
                                   percent[id(r)] if percent else percent_of(r),
                                   r.get("call", ""), cards[version(r)]) for r in found]

    def _calibration(self, day: dt.date
                     ) -> tuple[list[calibrating.CardCalibration], dict[str, dt.date]]:
        """Each monitor on each card over the window up to ``day``, counting a recalibrated
        monitor's evaluations only from the recalibration on; and when the window began."""
        start = day - dt.timedelta(days=CALIBRATION_WINDOW_DAYS)
        recalibrated = self.recalibrations()
        records = []
        for r in self.evaluations_between(start, day):
            since = recalibrated.get(r["monitor_id"])
            if since and dt.date.fromisoformat(r["date"]) < since:
                continue
            records.append(r)
        rows = calibrating.calibration(self.calibration_points(records), self.floor.policy)
        return rows, {m: recalibrated.get(m, start) for m in {c.id for c in rows}}

    def stops(self, day: dt.date) -> dict[str, calibrating.CardCalibration]:
        """Monitors stopped on ``day``, each with the card on which their scores run off
        the other monitors' (never a difference across cards) [000 §5]."""
        rows, since = self._calibration(day)
        flagged = calibrating.deciding(rows)
        stopped = review.stopped_monitors({m: c.flag for m, c in flagged.items()},
                                          self.recalibrations(), since)
        return {m: flagged[m] for m in stopped}

    def stopped_monitors(self, day: dt.date) -> dict[str, str]:
        """Monitors stopped on ``day`` (flag by id): no plan slots, a warning on entry."""
        return {m: c.flag for m, c in self.stops(day).items()}

    def recalibrations(self) -> dict[str, dt.date]:
        """The latest recalibration day per monitor."""
        out: dict[str, dt.date] = {}
        for record in self.floor.store.records(REF, RECALIBRATIONS):
            day = dt.date.fromisoformat(record["date"])
            if record["monitor_id"] not in out or day > out[record["monitor_id"]]:
                out[record["monitor_id"]] = day
        return out

    def record_recalibration(self, monitor_id: str, note: str = "") -> str:
        """Record a recalibration from the shared calls since the monitor was stopped: within
        the band on enough calls ends the stop; otherwise nothing is recorded and the message
        says what is missing."""
        self.floor.require("qa.score")
        if monitor_id not in {m.id for m in self.monitors()}:
            raise FloorError(_("unknown monitor id {id}").format(id=repr(monitor_id)))
        today = self.floor.today()
        start = today - dt.timedelta(days=CALIBRATION_WINDOW_DAYS)
        previous = self.recalibrations().get(monitor_id)
        if previous and previous > start:
            start = previous
        shared = self.calibration_points([r for r in self.evaluations_between(start, today)
                                          if r.get("call")])
        stop = self.stops(today).get(monitor_id)
        if stop is not None:  # recalibrated on the card the scores ran off on
            shared = [s for s in shared if s.card == stop.card]
        check = review.recalibration(monitor_id, shared, self.floor.policy)
        policy = self.floor.policy
        mean = two_places(check.mean_difference) or "—"
        if not check.within_band:
            if stop is not None:
                raise FloorError(_("{id}: not recalibrated: {calls} shared calls on {card} "
                                   "(≥ {need} needed), mean difference {mean} (≤ {band} "
                                   "needed)").format(
                                       id=monitor_id, calls=check.calls, card=stop.card,
                                       need=policy.qa_recalibration_calls, mean=mean,
                                       band=policy.calibration_threshold_points))
            raise FloorError(_("{id}: not recalibrated: {calls} shared calls (≥ {need} needed), "
                               "mean difference {mean} (≤ {band} needed)").format(
                                   id=monitor_id, calls=check.calls,
                                   need=policy.qa_recalibration_calls, mean=mean,
                                   band=policy.calibration_threshold_points))
        with self.floor.transaction() as tx:
            tx.put(REF, RECALIBRATIONS, f"{monitor_id}-{today.isoformat()}", {
                "monitor_id": monitor_id, "date": today.isoformat(), "calls": check.calls,
                "mean_difference": mean, "note": note,
                "card": stop.card if stop is not None else ""})
        return _("{id}: recalibrated on {calls} shared calls (mean difference {mean}); back on "
                 "the plan").format(id=monitor_id, calls=check.calls, mean=mean)

    def new_monitors(self, day: dt.date) -> set[str]:
        """Monitors with fewer than qa_new_monitor_paired evaluations so far (the last year)."""
        need = self.floor.policy.qa_new_monitor_paired
        if need <= 0:
            return set()
        counts: dict[str, int] = {}
        for r in self.evaluations_between(day - dt.timedelta(days=NEW_MONITOR_LOOKBACK_DAYS),
                                          day):
            counts[r["monitor_id"]] = counts.get(r["monitor_id"], 0) + 1
        return {m.id for m in self.monitors() if m.role == "monitor"
                and counts.get(m.id, 0) < need}

    # ------------------------------------------------------------ reviews
    def common_problems(self, day: dt.date, top: int = 10
                        ) -> tuple[dt.date, dt.date, list[review.Problem]]:
        """The week's most frequent deductions across the floor (共性问题) [000 §7]."""
        start, end = review.week_of(day)
        current = self.templates()
        marked = []
        for r in self.evaluations_between(start, end):
            result = effective(r)
            template = self.template_of(r)
            for code, count in _codes(result.get("marks", r["marks"])):
                card = r["template"]
                if template is not None:
                    item = template.items().get(code)
                    if item is None or item[1].kind == "critical":
                        continue
                    now = current[card].items().get(code) if card in current else None
                    if now is not None and _item_key(now[1]) != _item_key(item[1]):
                        card = f"{card} v{template.version}"  # the code meant another item
                marked.append(review.Marked(r["staff_id"], r["monitor_id"], card,
                                            code, count, dt.date.fromisoformat(r["date"])))
        return start, end, review.common_problems(marked, top)

    def problem_item(self, card: str, code: str) -> rules.Item | None:
        """The item a common problem counts: on the card's current version, or on the
        version its label names (``outbound-100 v2``) where the code meant another item."""
        name, _space, version = card.partition(" v")
        template = self.template_version(name, int(version)) if version.isdigit() else \
            self.templates().get(card)
        found = template.items().get(code) if template is not None else None
        return found[1] if found else None

    def common_fed_back(self, week_start: dt.date) -> str:
        record = self.floor.store.get(REF, COMMON_FEEDBACK, week_start.isoformat())
        return record["at"] if record else ""

    def common_due(self, day: dt.date) -> tuple[str, dt.date, str]:
        """Where the week's common problems stand: ("fed_back" | "due" | "overdue", the day
        they are due (the week's last day: 共性问题应在一周内反馈 [000 §7]), when fed back)."""
        start, end = review.week_of(day)
        fed_back = self.common_fed_back(start)
        if fed_back:
            return "fed_back", end, fed_back
        return ("overdue" if self.floor.today() > end else "due"), end, ""

    def give_common_feedback(self, day: dt.date, note: str = "") -> None:
        self.floor.require("qa.feedback")
        start, _end = review.week_of(day)
        if start > self.floor.today():
            raise FloorError(_("the week of {day} has not begun: nothing to feed back yet")
                             .format(day=rules.day_text(start)))
        with self.floor.transaction() as tx:
            tx.put(REF, COMMON_FEEDBACK, start.isoformat(),
                   {"at": self.floor.now().isoformat(), "note": note})

    def quarterly_review(self, day: dt.date) -> tuple[dt.date, dt.date, list[review.ReviewRow]]:
        """Every monitor reviewed for the quarter holding ``day``, horizontally and
        vertically (纵横比较) [000 §6]."""
        start, end = review.quarter_of(day)
        before_start, _before_end = review.quarter_of(start - dt.timedelta(days=1))

        current = self.templates()

        def card(r: dict[str, Any]) -> str:
            """The card an evaluation's codes are counted on: an older version whose items
            differ is a card of its own (``outbound-100 v2``), so a code is never compared
            with what it means on another version (issue #25)."""
            name, template = r["template"], self.template_of(r)
            now = current.get(name)
            if template is None or now is None or template.version == now.version:
                return name
            if {c: _item_key(i[1]) for c, i in template.items().items()} == \
                    {c: _item_key(i[1]) for c, i in now.items().items()}:
                return name
            return f"{name} v{template.version}"

        def rows(a: dt.date, b: dt.date) -> list[tuple[str, str, str, frozenset[str]]]:
            return [(r["monitor_id"], r["staff_id"], card(r),
                     frozenset(code for code, _n in _codes(r["marks"])))
                    for r in self.evaluations_between(a, b)]

        found = review.quarterly_review(rows(start, end),
                                        rows(before_start, start - dt.timedelta(days=1)),
                                        self.floor.policy.qa_review_band_points)
        return start, end, found

    def sampling_status(self, day: dt.date) -> list[dict[str, Any]]:
        """Per evaluated person whose scorecard has its own sampling rule: the period, what
        is needed and what is done (telesales: closed and unclosed apart; 400-hotline: the
        person's share of the line's total and the average of repeated picks)."""
        out = []
        period_end = {}
        for rule in ("hotline-400", "telesales"):
            period_end[rule] = sampling.period_of(rule, day, self.floor.policy)[1]
        persons = self.sampled_people("telesales")
        for person, status in zip(persons, self.telesales_status(
                persons, day, period_end["telesales"])):
            need = status["need"]
            out.append({"id": person.id, "scorecard": self.scorecard_for(person),
                        "rule": "telesales", "from": status["from"], "to": status["to"],
                        "done": status["done"], "trainee": status["trainee"],
                        "need_closed": need.closed, "need_unclosed": need.unclosed,
                        "closed": status["closed"], "unclosed": status["unclosed"],
                        "closed_available": status["closed_available"],
                        "left": status["left"]})
        persons = self.sampled_people("hotline-400")
        if persons:
            pool = self.hotline_pool(day, period_end["hotline-400"])
            evals = [r for r in self.evaluations_between(dt.date.fromisoformat(pool["from"]),
                                                         period_end["hotline-400"])
                     if scored(r)]
            percents = sampling.averaged_by_person((r["staff_id"], percent_of(r)) for r in evals)
            points = sampling.averaged_by_person(
                (r["staff_id"], Decimal(effective(r)["score"])) for r in evals)
            templates = self.templates()
            for person in persons:
                template = templates.get(self.scorecard_for(person))
                mark = template.pass_mark if template is not None else None
                average = points.get(person.id)
                out.append({"id": person.id, "scorecard": self.scorecard_for(person),
                            "rule": "hotline-400", "from": pool["from"], "to": pool["to"],
                            "done": pool["need"][person.id] - pool["left"][person.id],
                            "need": pool["need"][person.id], "left": pool["left"][person.id],
                            "average": two_places(percents.get(person.id)),
                            "average_score": two_places(average),
                            "passed": None if average is None or mark is None
                            else average >= mark})
        out.sort(key=lambda r: r["id"])
        return out

    def remedy_violation(self, day: dt.date, key: str, code: str, note: str = "") -> dict:
        """A level-2 compliance violation completed by a supplementary recording (补充录音)."""
        self.floor.require("qa.score")
        with self.floor.transaction() as tx:
            record = tx.get(day_partition(day), EVALUATIONS, key)
            if record is None:
                raise FloorError(_("no evaluation {key} on {day}").format(key=key, day=day))
            levels = {c: level for c, level, _n in effective(record).get("violations", [])}
            if levels.get(code) != 2:
                raise FloorError(_("{key} has no level-2 violation {code}").format(
                    key=key, code=repr(code)))
            data = _data(record)
            remedied = dict(data.get("remedied") or {})
            remedied[code] = {"at": self.floor.now().isoformat(), "note": note}
            data["remedied"] = remedied
            tx.put(day_partition(day), EVALUATIONS, key, data)
            return data

    def compliance_month(self, year: int, month: int) -> list[review.ComplianceMonth]:
        """Per TSR: the month's violations, unremedied level-2 counted as level-1 once the
        month is over [003 合规部分]."""
        start, end = sampling.compliance_period(self.floor.policy, year, month)
        per: dict[str, list[tuple[int, int, bool]]] = {}
        for r in self.evaluations_between(start, end):
            remedied = r.get("remedied") or {}
            for code, level, count in effective(r).get("violations", []):
                per.setdefault(r["staff_id"], []).append((level, count, code in remedied))
        over = self.floor.today() > end
        return [review.compliance_month(sid, v, over) for sid, v in sorted(per.items())]

    # ------------------------------------------------------------ interfaces
    def day_by_agent(self, day: dt.date) -> dict[str, tuple[int, Decimal | None]]:
        """Evaluations done that day per evaluated staff member and their mean % of the
        template maximum (None when none): the end-of-day summary's monitoring columns."""
        out: dict[str, list[Decimal]] = {
            s.id: [] for s in self.floor.staff() if s.role in EVALUATED_ROLES}
        for r in self.evaluations(day):
            if scored(r):
                out.setdefault(r["staff_id"], []).append(percent_of(r))
        return {sid: (len(p), rules._mean(p)) for sid, p in out.items()}

    def qa_month(self, year: int, month: int) -> tuple[list[dict], list[dict]]:
        """The QA month's JSON rows (SPEC §9): staff, monitors."""
        staff_rows, monitor_rows, _not_compared = self._qa_month(year, month)
        return staff_rows, monitor_rows

    def _qa_month(self, year: int, month: int) -> tuple[list[dict], list[dict], list[str]]:
        """The QA month (SPEC §9 JSON rows): staff means, fails (where the card has a pass
        mark), follow-up; each monitor on each card: mean, deviation from the other monitors
        on that card, shared calls, flag; and who was alone on a card (not compared)."""
        start = dt.date(year, month, 1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        records = self.evaluations_between(start, end)
        follow = self.follow_up_ids(end)
        passed = self.verdict_checker()
        per_staff: dict[str, list[dict]] = {
            s.id: [] for s in self.floor.staff() if s.role in EVALUATED_ROLES}
        for r in records:
            per_staff.setdefault(r["staff_id"], []).append(r)
        # each evaluation's % once (a month is ~17,000 of them on a 300-seat floor)
        percent = {id(r): percent_of(r) for r in records if scored(r)}
        staff_rows = []
        for sid in sorted(per_staff):
            evals = per_staff[sid]
            staff_rows.append({
                "id": sid, "evaluations": len(evals),
                "mean": two_places(rules._mean([percent[id(r)] for r in evals
                                                if id(r) in percent])),
                "fails": sum(1 for r in evals if passed(r) is False),
                "follow_up": sid in follow,
            })
        calibrated = calibrating.calibration(self.calibration_points(records, percent),
                                             self.floor.policy)
        monitor_rows = [{
            "id": c.id, "card": c.card, "evaluations": c.evaluations,
            "mean": two_places(c.mean), "deviation": two_places(c.deviation),
            "flagged": c.flag or False, "peers": c.peers, "shared_calls": c.shared_calls,
            "shared_difference": two_places(c.shared_difference),
        } for c in calibrated]
        not_compared = [calibrating.not_compared_text(c) for c in calibrated if not c.compared]
        return staff_rows, monitor_rows, not_compared

    def _tables(self, staff_rows: list[dict], monitor_rows: list[dict]
                ) -> list[reports.Table]:
        names = {s.id: s.name for s in self.floor.staff()}
        return [
            reports.Table([_("id"), _("name"), _("evaluations"), _("mean %"), _("fails"),
                           _("follow-up")],
                          [[r["id"], names.get(r["id"], ""), r["evaluations"], r["mean"] or "",
                            r["fails"], _("yes") if r["follow_up"] else ""] for r in staff_rows],
                          title=_("QA by agent (质检)")),
            reports.Table([_("monitor"), _("name"), _("card"), _("evaluations"), _("mean %"),
                           _("deviation"), _("shared calls ±"), _("flag")],
                          [[r["id"], names.get(r["id"], ""), r["card"], r["evaluations"],
                            r["mean"] or "", r["deviation"] or "", r["shared_difference"] or "",
                            rules.flag_name(r["flagged"]) if r["flagged"] else
                            "" if r["peers"] else _("not compared")]
                           for r in monitor_rows],
                          title=_("Calibration by monitor (校准)")),
        ]

    def qa_report(self, year: int, month: int) -> reports.Report:
        staff_rows, monitor_rows, not_compared = self._qa_month(year, month)
        policy = self.floor.policy
        flagged = sorted({r["id"] for r in monitor_rows if r["flagged"]})
        notes = [_("Means and deviations are % of the card's maximum, a monitor against the "
                   "other monitors on the same card only (versions with the same points are "
                   "one card); flagged when |deviation| > {threshold} with ≥ {minimum} "
                   "evaluations on the card, inconsistent when the card's shared calls differ "
                   "by > {inconsistent} on average.").format(
                       threshold=policy.calibration_threshold_points,
                       minimum=policy.calibration_min_evaluations,
                       inconsistent=policy.calibration_inconsistent_points)]
        notes.extend(not_compared)
        if flagged:
            notes.append(_("Quarterly calibration review: {ids}").format(ids=", ".join(flagged)))
        return reports.Report(
            title=_("QA month {month}").format(
                month=fmt_month(year, month) if language() == "zh" else f"{year:04d}-{month:02d}"),
            data={"month": f"{year:04d}-{month:02d}", "staff": staff_rows,
                  "monitors": monitor_rows},
            tables=self._tables(staff_rows, monitor_rows),
            notes=notes,
        )

    def month_extension(self, year: int, month: int) -> tuple[dict, list[reports.Table]]:
        """The month report's QA part: JSON key ``qa`` and the two QA tables."""
        staff_rows, monitor_rows, _not_compared = self._qa_month(year, month)
        return ({"qa": {"staff": staff_rows, "monitors": monitor_rows}},
                self._tables(staff_rows, monitor_rows))

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


def common_state_text(state: str, due: dt.date, fed_back: str) -> str:
    """The week's common problems: fed back when, or due (overdue) by the week's last day."""
    if state == "fed_back":
        return _("fed back {at}").format(at=fed_back[:16].replace("T", " "))
    if state == "overdue":
        return _("OVERDUE: due within the week, by {day}").format(day=rules.day_text(due))
    return _("due within the week, by {day}").format(day=rules.day_text(due))


def _result_fields(result: rules.Score) -> dict[str, Any]:
    out = {"score": str(result.total), "max": str(result.max), "passed": result.passed,
           "critical": list(result.criticals)}
    if result.violations:
        out["violations"] = [[code, level, count] for code, level, count in result.violations]
    return out


def _codes(marks: str) -> list[tuple[str, int]]:
    """(code, occurrences) from stored marks text; N/A marks are not faults."""
    out = []
    for token in marks.split():
        code = token.rstrip("!")
        count = 1
        if "x" in code:
            code, _sep, number = code.partition("x")
            count = int(number) if number.isdigit() else 1
        if not code.endswith("na"):
            out.append((code, count))
    return out


def _fed_back(record: dict[str, Any]) -> dt.date | None:
    """The day the report was fed back to the agent, if it was."""
    return dt.datetime.fromisoformat(record["feedback_at"]).date() \
        if record.get("feedback_at") else None


def _item_key(item: rules.Item) -> tuple[Any, ...]:
    """What makes two versions' items under one code the same problem."""
    return (item.text, item.text_zh, item.weight, item.kind)


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


def demo_step(ctx) -> None:  # noqa: ANN001 - floorapp.services.demo.DemoContext (import cycle)
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
        for day in month_days:
            with floor.transaction() as tx:  # a day at a time: memory holds one day file
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
    # The others were recalibrated on shared calls (with two monitors, one running high puts
    # the other as far low); the lenient one stays stopped until it is.
    recalibrated = ctx.days[-min(DEMO_PLAN_DAYS, len(ctx.days))].isoformat()  # --days 1
    with floor.transaction() as tx:
        for monitor in monitors:
            if monitor != lenient:
                tx.put(REF, RECALIBRATIONS, f"{monitor}-{recalibrated}", {
                    "monitor_id": monitor, "date": recalibrated, "calls": 3,
                    "mean_difference": "2.00", "note": "demo calibration session"})
    for day in ctx.days[-DEMO_PLAN_DAYS:]:
        floor.monitoring.make_plan(day)
    total += _demo_today(ctx, pools, lenient)
    ctx.summary.append(
        _("monitoring: {total} evaluations ({criticals} with a fraud critical, {disputes} "
          "disputed), weekly shared calibration calls, {lenient} scoring high; plans for the "
          "last {days} days").format(total=total, criticals=criticals, disputes=disputes,
                                     lenient=lenient, days=min(DEMO_PLAN_DAYS, len(ctx.days))))
