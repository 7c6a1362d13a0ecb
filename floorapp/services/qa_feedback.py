"""After the score: feedback to the agent, disputes, escalation to the supervisor, follow-up.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from floorapp.rules import monitoring as rules
from floorapp.services import digests
from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.services.qa_records import EVALUATIONS, _data, _result_fields, day_partition

if TYPE_CHECKING:
    from floorapp.services.core import Floor

SUPERVISOR_ROLES = ("lead", "manager")  # an agent's direct supervisor (直属主管) [000 §6 注]
FOLLOW_UP_LOOKBACK_DAYS = 62  # follow-up is decided by the last two months' evaluations


class QaFeedback:
    """Talking an evaluation through with the agent (反馈) within its working days, the
    agent's dispute (申诉) and its review, the escalation to the direct supervisor who sets
    the final score, and who stays under follow-up (跟踪) until a pass.

    A part of ``MonitoringService`` (floorapp/services/monitoring.py), which holds ``floor`` and
    the look-ups the parts share (monitors, scorecards, evaluations)."""

    floor: Floor

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


DISPUTE_STATUS = {"open": N_("open"), "kept": N_("kept"), "revised": N_("revised")}


def dispute_status(status: str) -> str:
    """A dispute's status (open, kept, revised) in the interface language."""
    return _(DISPUTE_STATUS[status]) if status in DISPUTE_STATUS else status


def _fed_back(record: dict[str, Any]) -> dt.date | None:
    """The day the report was fed back to the agent, if it was."""
    return dt.datetime.fromisoformat(record["feedback_at"]).date() \
        if record.get("feedback_at") else None
