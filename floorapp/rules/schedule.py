"""Which shift periods are running at a moment: pure functions of policy, shift codes and now.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import datetime as dt

from floorapp.i18n import _
from floorapp.policy import Policy


FRIDAY = 4


def _clip(spans: list[tuple[dt.time, dt.time]], within: list[tuple[dt.time, dt.time]]
          ) -> list[tuple[dt.time, dt.time]]:
    """The parts of ``spans`` inside ``within``."""
    out = []
    for a, b in spans:
        for c, d in within:
            start, end = max(a, c), min(b, d)
            if start < end:
                out.append((start, end))
    return sorted(out)


def _cut(spans: list[tuple[dt.time, dt.time]], start: dt.time, end: dt.time
         ) -> list[tuple[dt.time, dt.time]]:
    """``spans`` with the window ``start``–``end`` taken out."""
    out = []
    for a, b in spans:
        if b <= start or a >= end:
            out.append((a, b))
            continue
        if a < start:
            out.append((a, start))
        if end < b:
            out.append((end, b))
    return out


def calling_periods(policy: Policy, shift: str, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """Calling time (外呼) of a shift on a date, SPEC §4 rev. 12-2026 [004 员工管理细则]: the
    policy's calling spans inside the shift's periods (so clock-in, preparation and the
    morning meeting are left out), without the morning meeting window, and on a Friday
    without the business study (16:30 to ``friday_study_end``). Lateness still counts from
    the period start; this is the time for quota pace, outage cuts and QA slots."""
    periods = policy.periods(shift, day)
    if not periods:
        return []
    spans = _clip(policy.calling_spans(shift, day), periods)
    meeting_start, meeting_end = policy.meeting(day)
    spans = _cut(spans, meeting_start, meeting_end)
    if day.weekday() == FRIDAY:
        spans = _cut(spans, _hhmm(policy.friday_study_time), _hhmm(policy.friday_study_end))
    return spans


def off_phone_windows(policy: Policy, shift: str, day: dt.date
                      ) -> list[tuple[dt.time, dt.time]]:
    """The working time of a shift that is not calling time (preparation, the meeting, the
    Friday study): no QA slot is planned inside these."""
    spans = policy.periods(shift, day)
    for start, end in calling_periods(policy, shift, day):
        spans = _cut(spans, start, end)
    return spans


def slot_windows(policy: Policy, shift: str, day: dt.date, on_leave: set[int] | None = None
                 ) -> list[tuple[dt.time, dt.time]]:
    """Where a QA slot may go: calling time (never the meeting or the Friday study), without
    the shift periods (1-based) a leave covers (a half-day leave's period; all for a day)."""
    spans = calling_periods(policy, shift, day)
    for number, (start, end) in enumerate(policy.periods(shift, day), start=1):
        if on_leave and number in on_leave:
            spans = _cut(spans, start, end)
    return spans


def _hhmm(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


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
    order = list(policy.shifts)
    codes = sorted(codes, key=lambda c: (order.index(c) if c in order else len(order), c))
    running = running_periods(policy, codes, now)
    if running:
        # shifts running the same span share it: "D/A 14:30–17:30, C2 14:30–20:00"
        spans: dict[tuple[dt.time, dt.time], list[str]] = {}
        for code, _n, start, end in running:
            spans.setdefault((start, end), []).append(code)
        return ", ".join(f"{'/'.join(names)} {start:%H:%M}–{end:%H:%M}"
                         for (start, end), names in spans.items())
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
