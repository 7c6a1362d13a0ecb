"""An agent's QA scores over the last weeks against the pass mark, and a monitor's scores given
against the floor's (issue #28, the Monitoring charts). Scores are percentages of the card's maximum, as the QA month and the Summary give
them (the score that counts: final, else revised, else original); a violations form (合规部分)
has no points and is left out.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from floorapp.rules import monitoring as rules
from floorapp.services.qa_records import percent_of, scored

if TYPE_CHECKING:
    from floorapp.services.core import Floor

# How far back the chart looks: a window to read, not a rule (the weekly minimum of SPEC §6
# is the policy's agent_min_monitored_per_week)
TREND_WEEKS = 8


@dataclass(frozen=True)
class QaTrend:
    staff_id: str
    weeks: list[dt.date]  # the Monday of each week, oldest first
    means: list[Decimal | None]  # the week's mean %, None for a week with no evaluation
    counts: list[int]
    pass_percent: Decimal | None  # the pass mark as % of the card's maximum; None: not set

    @property
    def scored_means(self) -> list[Decimal]:
        """The weeks that have a score, oldest first (what the chart draws)."""
        return [m for m in self.means if m is not None]


def weekly_means(points: Iterable[tuple[dt.date, Decimal]], mondays: list[dt.date]
                 ) -> tuple[list[Decimal | None], list[int]]:
    """Each week's mean of the (date, %) ``points`` falling in it, and how many."""
    buckets: dict[dt.date, list[Decimal]] = {monday: [] for monday in mondays}
    for day, percent in points:
        monday = day - dt.timedelta(days=day.weekday())
        if monday in buckets:
            buckets[monday].append(percent)
    return ([rules._mean(buckets[m]) for m in mondays], [len(buckets[m]) for m in mondays])


def agent_trend(floor: Floor, staff_id: str, up_to: dt.date, weeks: int = TREND_WEEKS
                ) -> QaTrend:
    """``staff_id``'s weekly QA means over the ``weeks`` weeks ending with ``up_to``'s, and
    the pass mark (now) of the card they were last scored on, else of their team's card."""
    service = floor.monitoring
    this_monday = up_to - dt.timedelta(days=up_to.weekday())
    mondays = [this_monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    records = [r for r in service.evaluations_between(mondays[0], up_to)
               if r["staff_id"] == staff_id and scored(r)]
    means, counts = weekly_means(
        ((dt.date.fromisoformat(r["date"]), percent_of(r)) for r in records), mondays)
    # the card's pass mark now, as the verdicts judge (MonitoringService.verdict_checker)
    person = floor.staff_by_id().get(staff_id)
    card = records[-1]["template"] if records else (
        service.scorecard_for(person) if person else None)
    template = service.templates().get(card) if card else None
    return QaTrend(staff_id, mondays, means, counts,
                   template.pass_percent if template is not None else None)


@dataclass(frozen=True)
class MonitorTrend:
    """The scores a monitor gave, week by week, beside every monitor's over the same weeks:
    a monitor who scores well above or below the floor week after week is what calibration
    looks for ([000 §5] 校准; the review's across-monitors band is the policy's)."""

    monitor_id: str
    weeks: list[dt.date]
    means: list[Decimal | None]  # the monitor's weekly mean %, None: no evaluation that week
    counts: list[int]
    floor_means: list[Decimal | None]  # every monitor's weekly mean % (the floor's)

    @property
    def scored(self) -> list[tuple[Decimal, Decimal]]:
        """(the monitor's mean, the floor's mean) of the weeks the monitor scored in."""
        return [(m, f) for m, f in zip(self.means, self.floor_means)
                if m is not None and f is not None]


def monitor_trend(floor: Floor, monitor_id: str, up_to: dt.date, weeks: int = TREND_WEEKS
                  ) -> MonitorTrend:
    """The weekly means of the scores ``monitor_id`` gave over the ``weeks`` weeks ending with
    ``up_to``'s, and the floor's (every monitor's) of the same weeks."""
    this_monday = up_to - dt.timedelta(days=up_to.weekday())
    mondays = [this_monday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    points = [(r["monitor_id"], dt.date.fromisoformat(r["date"]), percent_of(r))
              for r in floor.monitoring.evaluations_between(mondays[0], up_to) if scored(r)]
    means, counts = weekly_means(((d, p) for m, d, p in points if m == monitor_id), mondays)
    floor_means, _counts = weekly_means(((d, p) for _m, d, p in points), mondays)
    return MonitorTrend(monitor_id, mondays, means, counts, floor_means)
