"""Which shift periods are running at a moment: pure functions of policy, shift codes and now."""

from __future__ import annotations

import datetime as dt

from floorapp.i18n import _
from floorapp.policy import Policy


def running_periods(
    policy: Policy, codes: list[str], now: dt.datetime
) -> list[tuple[str, int, dt.time, dt.time]]:
    """(code, period number 1-based, start, end) of every period of ``codes`` running at ``now``."""
    out = []
    day, clock = now.date(), now.time().replace(tzinfo=None)
    for code in codes:
        for number, (start, end) in enumerate(policy.periods(code, day), start=1):
            if start <= clock < end:
                out.append((code, number, start, end))
    return out


def shift_line(policy: Policy, codes: list[str], now: dt.datetime) -> str:
    """One line for the header: what is running now, or what comes next today."""
    if not codes:
        return _("rest day")
    running = running_periods(policy, codes, now)
    if running:
        return ", ".join(f"{code} {start:%H:%M}–{end:%H:%M}" for code, _n, start, end in running)
    day, clock = now.date(), now.time().replace(tzinfo=None)
    upcoming = sorted(
        (start, code)
        for code in codes
        for start, _end in policy.periods(code, day)
        if start > clock
    )
    if upcoming:
        start, code = upcoming[0]
        return _("next: {code} at {time}").format(code=code, time=f"{start:%H:%M}")
    return _("shifts over for today")
