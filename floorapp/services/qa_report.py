"""The QA month report and the QA parts of the day summary and the month report.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from floorapp.formats import reports
from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import calibration as calibrating
from floorapp.i18n import _, fmt_month, language
from floorapp.services.qa_records import EVALUATED_ROLES, percent_of, scored, two_places

if TYPE_CHECKING:
    from floorapp.services.core import Floor


class QaReport:
    """What QA adds to the reports: the day's evaluations and mean per agent (the end-of-day
    summary), the QA month by agent and by monitor on each card (SPEC §9), and the month
    report's QA part.

    A part of ``MonitoringService`` (floorapp/services/monitoring.py), which holds ``floor`` and
    the look-ups the parts share (monitors, scorecards, evaluations)."""

    floor: Floor

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
