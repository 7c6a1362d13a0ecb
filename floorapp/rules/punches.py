"""Raw time-clock punches (打卡记录) paired to shift periods (SPEC §11). Pure rules.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

A clock writes moments, not "in" and "out": floor decides which punch is which. Each period of
a person's shift has two boundaries, its start and its end, each with a window around it (the
policy's ``punch_*`` minutes). A punch belongs to the nearest boundary whose window holds it
(the earlier boundary on a tie); the first punch at a start is the period's in, the last at an
end its out. Further punches at a boundary are repeats, punches in no window strays: both are
listed by the import, never dropped silently.

A punch belongs to the calendar day the clock wrote: floor's shift periods never cross
midnight, so a punch at 23:59 or 00:10 is a stray unless a period starts or ends near it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from floorapp.i18n import _
from floorapp.policy import Policy

_MOMENT = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass
class Pairing:
    """One person's day: the in and out of each period (1-based), and the punches left over."""

    ins: dict[int, dt.time] = field(default_factory=dict)
    outs: dict[int, dt.time] = field(default_factory=dict)
    repeats: list[dt.datetime] = field(default_factory=list)
    strays: list[dt.datetime] = field(default_factory=list)


def minute(moment: dt.datetime) -> dt.time:
    """The minute the clock shows (seconds dropped): what attendance is counted in."""
    return dt.time(moment.hour, moment.minute)


def pair_day(
    policy: Policy, periods: list[tuple[dt.time, dt.time]], punches: list[dt.datetime]
) -> Pairing:
    """Pair one person's punches of one day to that day's shift ``periods``."""
    result = Pairing()
    if not punches:
        return result
    day = min(punches).date()
    boundaries = []  # (moment, kind, period, window start, window end)
    for number, (start, end) in enumerate(periods, start=1):
        begin = dt.datetime.combine(day, start)
        finish = dt.datetime.combine(day, end)
        boundaries.append((begin, "in", number,
                           begin - _minutes(policy.punch_in_before_minutes),
                           begin + _minutes(policy.punch_in_after_minutes)))
        boundaries.append((finish, "out", number,
                           finish - _minutes(policy.punch_out_before_minutes),
                           finish + _minutes(policy.punch_out_after_minutes)))
    at_boundary: dict[tuple[str, int], list[dt.datetime]] = {}
    for moment in sorted(punches):
        around = [(abs(moment - at), at, kind, n) for at, kind, n, lo, hi in boundaries
                  if lo <= moment <= hi]
        if not around:
            result.strays.append(moment)
            continue
        _distance, _at, kind, number = min(around)
        at_boundary.setdefault((kind, number), []).append(moment)
    for (kind, number), moments in sorted(at_boundary.items()):
        chosen = moments[0] if kind == "in" else moments[-1]
        (result.ins if kind == "in" else result.outs)[number] = minute(chosen)
        result.repeats.extend(m for m in moments if m is not chosen)
    result.repeats.sort()
    return result


def parse_moment(text: str) -> dt.datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` (also ``/`` in the date, as Excel's CSV writes it)."""
    match = _MOMENT.match(text.strip())
    if not match:
        raise ValueError(_("time {text!r} is not a date and time (YYYY-MM-DD HH:MM:SS)").format(
            text=text))
    year, month, day, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    try:
        return dt.datetime(year, month, day, hours, minutes, seconds)
    except ValueError:
        raise ValueError(_("time {text} is not a real date and time").format(
            text=text)) from None


def parse_attlog_line(line: str) -> tuple[str, dt.datetime, list[str]]:
    """A ZKTeco ``attlog.dat`` line: user id (padded with spaces), ``YYYY-MM-DD HH:MM:SS``,
    then verify mode, in/out status, work code … (kept as they are, not interpreted)."""
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) < 2 or not fields[0].strip():
        raise ValueError(_("expected a clock user id, a tab and a date and time"))
    return fields[0].strip(), parse_moment(fields[1]), [f.strip() for f in fields[2:]]


def _minutes(value: int) -> dt.timedelta:
    return dt.timedelta(minutes=max(0, value))
