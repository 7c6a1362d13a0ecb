"""The telesales compliance form (合规部分): violations remedied, and the month's count.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from floorapp.rules.monitoring import review
from floorapp.rules.monitoring import sampling
from floorapp.services.digests import effective
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.qa_records import EVALUATIONS, _data, day_partition

if TYPE_CHECKING:
    import datetime as dt

    from floorapp.services.core import Floor


class QaCompliance:
    """A TSR's compliance violations: a level-2 one completed by a supplementary recording
    (补充录音), and the month's violations per TSR once it is over.

    A part of ``MonitoringService`` (floorapp/services/monitoring.py), which holds ``floor`` and
    the look-ups the parts share (monitors, scorecards, evaluations)."""

    floor: Floor

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
