"""Monitoring and QA use-cases (监控/质检, SPEC §6): ``MonitoringService``, composed of the
concept classes beside it (``qa_entry``, ``qa_feedback``, ``qa_plan``, ``qa_sampling``,
``qa_compliance``, ``qa_calibration``, ``qa_review``, ``qa_report``), with the templates and
the lookups they share. The rules are in ``floorapp.rules.monitoring``; the store layout and
the shared record helpers in ``floorapp.services.qa_records``.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floorapp.formats import csvio
from floorapp.rules import monitoring as rules
from floorapp.services.digests import effective
from floorapp.errors import FloorError, ImportRejected
from floorapp.i18n import _
from floorapp.services.qa_calibration import QaCalibration
from floorapp.services.qa_compliance import QaCompliance
from floorapp.services.qa_entry import QaEntry
from floorapp.services.qa_feedback import QaFeedback
from floorapp.services.qa_plan import QaPlan
from floorapp.services.qa_records import EVALUATIONS, REF, TEMPLATES, day_partition
from floorapp.services.qa_report import QaReport
from floorapp.services.qa_review import QaReview
from floorapp.services.qa_sampling import QaSampling

if TYPE_CHECKING:
    from floorapp.services.core import Floor
    from floorapp.rules.staff import Staff


class MonitoringService(QaEntry, QaFeedback, QaPlan, QaSampling, QaCompliance, QaCalibration,
                        QaReview, QaReport):
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

    # ------------------------------------------------------------- shared lookups
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
