"""Time in the centre's time zone (pendulum). Rules never read the clock; services pass `now`.

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.

``$FLOOR_NOW`` (ISO date-time, read in the policy time zone) pins the clock for demos,
screenshots and tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pendulum

from floorapp.errors import FloorError
from floorapp.i18n import _

Clock = Callable[[], pendulum.DateTime]


def system_clock(timezone: str) -> Clock:
    pinned = os.environ.get("FLOOR_NOW")
    if pinned:
        try:
            fixed = pendulum.parse(pinned, tz=timezone)
        except Exception:
            raise FloorError(_("FLOOR_NOW={value!r} is not an ISO date-time").format(
                value=pinned)) from None
        if not isinstance(fixed, pendulum.DateTime):
            raise FloorError(_("FLOOR_NOW={value!r} is not an ISO date-time").format(
                value=pinned))
        return lambda: fixed
    return lambda: pendulum.now(timezone)


def fixed_clock(text: str, timezone: str = "Asia/Shanghai") -> Clock:
    moment = pendulum.parse(text, tz=timezone)
    assert isinstance(moment, pendulum.DateTime)
    return lambda: moment
