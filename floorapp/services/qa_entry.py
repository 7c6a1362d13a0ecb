"""Entering evaluations: scoring typed marks, saving one, taking it back, importing a file.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floorapp.formats import csvio
from floorapp.rules import monitoring as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.qa_records import (EVALUATED_ROLES, EVALUATIONS, _result_fields,
                                          day_partition)

if TYPE_CHECKING:
    from floorapp.services.core import Floor

OUTCOMES = ("", "closed", "unclosed")  # telesales recordings: 成交 / 未成交
EVALUATION_COLUMNS = ["date", "time", "monitor_id", "staff_id", "mode", "template", "marks"]


class QaEntry:
    """A monitor entering scores: the marks previewed, an evaluation saved with what the
    monitor must know (stopped, new and not paired), one taken back, a file imported.

    A part of ``MonitoringService`` (floorapp/services/monitoring.py), which holds ``floor`` and
    the look-ups the parts share (monitors, scorecards, evaluations)."""

    floor: Floor

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
