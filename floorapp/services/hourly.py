"""The day by calling hour (issue #28): the floor's completed calls per hour against the even
pace that reaches the day's target, and the same for each seat. One source for the Summary and
Quota charts, the day report's ``hourly`` JSON and anything else that draws the curve.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

The hours are those the working seats' calling time touches (policy calling spans, without the
meeting and the Friday study), plus any hour with calls counted outside them. Completed per
hour comes from the hourly entries that count (the day file's hourly digest: a campaign's daily
total replaces its hours, so a seat entered as a day total has no hours). The pace is each
seat's target (the day report's, after outages and half-day leave) shared over its calling
minutes; the floor's is the sum over its working seats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from floorapp.rules import quota as rules
from floorapp.rules.schedule import calling_periods
from floorapp.services import digests

if TYPE_CHECKING:
    from floorapp.services.core import Floor
    from floorapp.services.quota import FloorDay


@dataclass(frozen=True)
class Curve:
    """Completed per hour and the pace needed per hour, along the day's ``hours``."""

    completed: list[int]
    pace: list[Decimal]

    def to_json(self) -> dict:
        return {"completed": list(self.completed), "pace": [pace_figure(p) for p in self.pace]}


@dataclass(frozen=True)
class DayCurves:
    day: dt.date
    hours: list[int]
    floor: Curve
    seats: dict[str, Curve]

    def to_json(self) -> dict:
        """The day report's ``hourly`` key: ``{"hours", "completed", "pace", "agents":
        {id: {"completed", "pace"}}}``, pace to one decimal."""
        return {"hours": list(self.hours), **self.floor.to_json(),
                "agents": {sid: curve.to_json() for sid, curve in self.seats.items()}}


def pace_figure(pace: Decimal) -> float:
    """A pace as the JSON and the charts give it: one decimal, half up."""
    return float(pace.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def day_curves(floor: Floor, day: dt.date, fd: FloorDay | None = None) -> DayCurves:
    """The floor's and every seat's hourly curve for ``day`` (``fd``: the floor-day already
    worked out by the caller, so a screen reads the day once)."""
    policy = floor.policy
    fd = fd if fd is not None else floor.quota.floor_day(day)
    hourly = floor.store.digest(f"day/{day.isoformat()}", digests.HOURLY)
    by_seat = {sid: {int(h): n for h, n in hours.items()} for sid, hours in hourly.items()}
    periods = {a.staff_id: calling_periods(policy, a.shift, day) for a in fd.agents}
    # the floor's target is its working seats' (the seats the Summary counts)
    pacing = [a for a in fd.agents if a.working and a.target > 0]
    hours = sorted({h for a in pacing for h in rules.calling_hours(periods[a.staff_id])}
                   | {h for seat in by_seat.values() for h in seat})
    seats = {a.staff_id: Curve(
        rules.by_hour_series(by_seat.get(a.staff_id, {}), hours),
        rules.even_pace(a.target, periods[a.staff_id], hours)) for a in fd.agents}
    completed = [sum(seat.get(h, 0) for seat in by_seat.values()) for h in hours]
    pace = [sum((seats[a.staff_id].pace[i] for a in pacing), Decimal(0))
            for i in range(len(hours))]
    return DayCurves(day, hours, Curve(completed, pace), seats)
