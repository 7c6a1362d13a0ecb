"""Calibration stops: monitors whose scores run off the others', recalibration, new monitors.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from floorapp.rules.monitoring import calibration as calibrating
from floorapp.rules.monitoring import review
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.qa_records import (RECALIBRATIONS, REF, percent_of, scored,
                                          two_places)

if TYPE_CHECKING:
    from floorapp.services.core import Floor

CALIBRATION_WINDOW_DAYS = 30  # a monitor is judged on the last 30 days' evaluations
NEW_MONITOR_LOOKBACK_DAYS = 365  # a monitor's evaluations counted to tell a new one


class QaCalibration:
    """Keeping monitors in line (校准) [000 §5]: each monitor against the others on the same
    card, a monitor stopped when their scores run off until recalibrated on shared calls,
    and a new monitor's first evaluations paired with an experienced one.

    A part of ``MonitoringService`` (floorapp/services/monitoring.py), which holds ``floor`` and
    the look-ups the parts share (monitors, scorecards, evaluations)."""

    floor: Floor

    def calibration_points(self, records: list[dict[str, Any]],
                           percent: dict[int, Decimal] | None = None
                           ) -> list[calibrating.Scored]:
        """The scored evaluations for calibration, each on its card: the template, its
        versions of the same scale counted as one (``rules.monitoring.calibration.cards``)."""
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
