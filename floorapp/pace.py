"""The floor's hourly curve against the pace to its target (SPEC §13): pure.

Completed calls per calling hour as the day's hourly entries give them, their running sum, and
where the floor would be at the end of each hour on an even pace to the day's target: each
seat's target spread over its own calling periods (``quota.expected_by_now``, the pace the
quota screen judges a seat "behind" by), summed over the seats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from floorapp import quota as rules

Periods = list[tuple[dt.time, dt.time]]


@dataclass(frozen=True)
class HourPoint:
    hour: int  # the hour of the day the calls were made in (9 = 09:00–10:00)
    completed: int  # completed in that hour, by the hourly entries
    cumulative: int  # completed by the end of that hour
    pace: Decimal  # completed by the end of that hour on an even pace to the day's target


def hour_end_minutes_left(periods: Periods, hour: int) -> int:
    """Calling minutes of ``periods`` still to come at the end of ``hour``."""
    if hour >= 23:
        return 0
    return rules.remaining_minutes(periods, dt.time(hour + 1, 0))


def hourly_curve(by_hour: Mapping[int, int], seats: Iterable[tuple[int, Periods]]
                 ) -> list[HourPoint]:
    """One point per hour any seat calls in (or any call was counted in), in order.

    ``by_hour``: the floor's completed calls per hour; ``seats``: each seat's (target, calling
    periods)."""
    seats = list(seats)
    hours = set(by_hour)
    for _target, periods in seats:
        hours.update(rules.calling_hours(periods))
    points = []
    running = 0
    for hour in sorted(hours):
        running += by_hour.get(hour, 0)
        pace = sum((rules.expected_by_now(target, rules.calling_minutes(periods),
                                          hour_end_minutes_left(periods, hour))
                    for target, periods in seats if target > 0), Decimal(0))
        points.append(HourPoint(hour, by_hour.get(hour, 0), running, pace))
    return points
