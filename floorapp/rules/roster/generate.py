"""Shift rosters (排班), SPEC §7: make a month and check it. Pure: no I/O, no clock, no store.

A month is ``{staff_id: {"YYYY-MM-DD": code}}`` with a code for every staff member and day: a
shift code of ``policy.shifts`` (D, C1, C2, A), ``R`` for rest, or a leave type.

The rules (every number from the policy):

- outbound agents and complaint handlers rest exactly ``rest_days_per_month`` days (R) a month;
  QA monitors and floor supervisors (leads) work ``D`` and rest like agents (the same monthly
  count), and when there are two or more of them at least one is on duty every day;
- managers work ``A`` and rest ``manager_rest_days_per_week`` days in every Mon–Sun week of the
  month; a week cut by the month's start or end needs that number in proportion to its days,
  rounded half up (with 1 a week: 4–6 days → 1, 1–3 days → 0);
- each day at least the required number of agents are on ``D`` (``--seats``, else
  ``policy.agents_on_phones``, 0 meaning 80 % of the agents rounded down);
- each day a complaint handler is on ``C1`` and one on ``C2``; handlers rotate between them
  (weekly in a generated month); one who works in two or more weeks of the month works both;
- each role works only its own codes (agents/monitors/leads D, handlers C1/C2, managers A);
- fairness: nobody works more than ``max_days_without_rest`` days in a row (leave breaks a run,
  and the end of the previous month counts), and within a role weekend (Sat/Sun) rest days are
  shared: the most anyone has is at most one more than the fewest anyone has.

Leave counts against rest (假期抵当月公休 [004], SPEC §7 rev. 12-2026): someone with n leave
days in the month rests max(0, ``rest_days_per_month`` − n) days; for a manager a leave day in a
week is that week's rest (假期抵公休). At most ``max_complaint_seats`` handlers work the same
complaint shift (投诉处理台席原则上不超过2个 [004 第三条]).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.policy import Policy

REST = "R"
LEAVE_TYPES = ("personal", "sick", "annual", "comp")
# One character (CJK, two columns) for a leave type in the month grid.
LEAVE_SHORT = {"personal": "事", "sick": "病", "annual": "年", "comp": "调"}
ROLE_CODES: dict[str, tuple[str, ...]] = {
    "agent": ("D",),
    "complaint": ("C1", "C2"),
    "monitor": ("D",),
    "lead": ("D",),
    "manager": ("A",),
}
MONTHLY_REST_ROLES = ("agent", "complaint", "monitor", "lead")
ONE_ON_DUTY_ROLES = ("monitor", "lead")
# policy.agents_on_phones = 0 means this share of the agents (its documented meaning).
DEFAULT_PHONE_SHARE = Fraction(4, 5)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# Role words in violation texts (shown translated).
ROLE_WORDS = {"agent": N_("agent"), "complaint": N_("complaint"), "monitor": N_("monitor"),
              "lead": N_("lead"), "manager": N_("manager")}

Month = dict[str, dict[str, str]]


class Person(Protocol):
    id: str
    role: str


class Msg(str):
    """A sentence kept in English (what the store and JSON get: ``str(msg)``) that can be shown
    in the interface language: ``msg.shown()`` (its ``{placeholders}`` may be ``Msg`` too)."""

    msgid: str
    args: dict[str, object]

    def __new__(cls, msgid: str, **args: object) -> Msg:
        self = super().__new__(cls, msgid.format(**args) if args else msgid)
        self.msgid = msgid
        self.args = args
        return self

    def shown(self) -> str:
        return _(self.msgid).format(**{k: shown(v) for k, v in self.args.items()})

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (str, (str(self),))

    def __copy__(self) -> Msg:
        return self

    def __deepcopy__(self, memo: dict) -> Msg:
        return self


def shown(text: object) -> str:
    """A violation (or any ``Msg``) in the interface language; other values as they are."""
    return text.shown() if isinstance(text, Msg) else str(text)


def role_word(role: str) -> Msg:
    return Msg(ROLE_WORDS.get(role, role))


@dataclass(frozen=True)
class Member:
    """The least a rule needs to know about a staff member."""

    id: str
    role: str


# ------------------------------------------------------------------ calendar
def parse_month(text: str) -> tuple[int, int]:
    """'2026-12' → (2026, 12); anything else is refused with what was expected."""
    match = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise FloorError(_("month {text!r} is not YYYY-MM (e.g. 2026-12)").format(text=text))
    return int(match.group(1)), int(match.group(2))


def month_days(year: int, month: int) -> list[dt.date]:
    length = calendar.monthrange(year, month)[1]
    return [dt.date(year, month, d) for d in range(1, length + 1)]


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def week_segments(days: Sequence[dt.date]) -> list[list[int]]:
    """Indexes of ``days`` grouped by Mon–Sun week (the first and last may be cut)."""
    segments: list[list[int]] = []
    for index, day in enumerate(days):
        if not segments or day.weekday() == 0:
            segments.append([])
        segments[-1].append(index)
    return segments


def manager_rests_needed(policy: Policy, days_in_week: int) -> int:
    """Rest days a manager needs in a (possibly cut) week: the weekly number pro rata, half up."""
    share = Fraction(policy.manager_rest_days_per_week * days_in_week, 7)
    return int(share + Fraction(1, 2))


def required_agents(policy: Policy, agents: int, seats: int | None = None) -> int:
    """Agents needed on D each day: ``seats`` if given, else the policy's number (0 = 80 %)."""
    if seats is not None:
        return seats
    if policy.agents_on_phones:
        return policy.agents_on_phones
    return int(agents * DEFAULT_PHONE_SHARE)


def allowed_codes(policy: Policy) -> tuple[str, ...]:
    return (*policy.shifts.keys(), REST, *LEAVE_TYPES)


def is_work(code: str, policy: Policy) -> bool:
    return code in policy.shifts


def short_code(code: str) -> str:
    """How a code is shown in the grid (leave types as one character)."""
    return LEAVE_SHORT.get(code, code)


def meeting_time(policy: Policy, day: dt.date) -> str:
    """The pre-shift meeting (班前会) time of a day."""
    return policy.meeting_times[day.weekday()]


def trailing_run(codes_by_day: dict[str, str], policy: Policy) -> int:
    """Working days in a row at the end of a (previous) month's row."""
    run = 0
    for key in sorted(codes_by_day, reverse=True):
        if not is_work(codes_by_day[key], policy):
            break
        run += 1
    return run


# ---------------------------------------------------------------- generation
def generate_month(
    staff: Iterable[Person],
    year: int,
    month: int,
    policy: Policy,
    seats: int | None = None,
    fixed: Month | None = None,
    previous: Month | None = None,
) -> Month:
    """A month meeting every rule when it can; otherwise the closest it gets (``check_month``
    names what is still wrong). ``fixed`` cells (leave) are kept; ``previous`` is the month
    before, whose last working run counts toward the first run of this one."""
    people = sorted(staff, key=lambda p: p.id)
    days = month_days(year, month)
    keys = [d.isoformat() for d in days]
    fixed = fixed or {}
    previous = previous or {}
    weekend = [is_weekend(d) for d in days]
    out: Month = {}
    by_role: dict[str, list[Person]] = {}
    for person in people:
        by_role.setdefault(person.role, []).append(person)

    def blocked_of(group: list[Person]) -> dict[str, set[int]]:
        return {p.id: {i for i, k in enumerate(keys) if k in fixed.get(p.id, {})}
                for p in group}

    for role, group in by_role.items():
        ids = [p.id for p in group]
        blocked = blocked_of(group)
        tails = {i: trailing_run(previous.get(i, {}), policy) for i in ids}
        on_leave = [sum(1 for i in ids if d in blocked[i]) for d in range(len(days))]
        if role == "manager":
            windows = [(seg[0], seg[-1] + 1, manager_rests_needed(policy, len(seg)))
                       for seg in week_segments(days)]
            keep = 1 if len(ids) >= 2 else 0
        else:
            windows = _month_windows(len(days), policy.rest_days_per_month)
            if role == "agent":
                keep = required_agents(policy, len(ids), seats)
            elif role == "complaint":
                keep = 2
            elif role in ONE_ON_DUTY_ROLES and len(ids) >= 2:
                keep = 1
            else:
                keep = 0
        caps = [max(0, len(ids) - keep - on_leave[d]) for d in range(len(days))]
        rests = _place_rests(ids, len(days), windows, policy.max_days_without_rest, caps,
                             blocked, tails, weekend)
        _repair_coverage(ids, rests, windows if role == "manager" else None, caps, blocked,
                         tails, weekend, policy.max_days_without_rest)
        leave_days = {pid: {i for i in blocked[pid]
                            if fixed.get(pid, {}).get(keys[i]) in LEAVE_TYPES} for pid in ids}
        load = [sum(1 for i in ids if d in rests[i]) for d in range(len(days))]
        for pid in ids:
            if role == "manager":
                for seg in week_segments(days):
                    need = rests_owed(policy, "manager", len(leave_days[pid] & set(seg)),
                                      len(seg))
                    _drop_rests(rests[pid], set(seg), need, blocked[pid], tails.get(pid, 0),
                                len(days), weekend, policy.max_days_without_rest)
            elif role in MONTHLY_REST_ROLES:
                need = rests_owed(policy, role, len(leave_days[pid]), len(days))
                if need < policy.rest_days_per_month:
                    before = set(rests[pid])
                    _drop_rests(rests[pid], set(range(len(days))), need, blocked[pid],
                                tails.get(pid, 0), len(days), weekend,
                                policy.max_days_without_rest)
                    for day in before - rests[pid]:
                        load[day] -= 1
                    _shorten_runs(rests[pid], blocked[pid], tails.get(pid, 0), caps, load,
                                  policy.max_days_without_rest)
        codes = ROLE_CODES.get(role, ("D",))
        for pid in ids:
            row = {}
            for index, key in enumerate(keys):
                if key in fixed.get(pid, {}):
                    row[key] = fixed[pid][key]
                elif index in rests[pid]:
                    row[key] = REST
                else:
                    row[key] = codes[0]
            out[pid] = row
        if role == "complaint":
            _rotate_complaints(out, ids, days, policy)
    return out


def rests_owed(policy: Policy, role: str, leave_days: int, days: int) -> int:
    """Rest days (R) owed when leave counts against rest (假期抵当月公休 [004]): agents and the
    other monthly roles max(0, ``rest_days_per_month`` − leave days in the month); a manager,
    in a week of ``days`` days, that week's rests less its leave days."""
    if role == "manager":
        return max(0, manager_rests_needed(policy, days) - leave_days)
    return max(0, policy.rest_days_per_month - leave_days)


def _drop_rests(rests: set[int], within: set[int], need: int, blocked: set[int], tail: int,
                length: int, weekend: list[bool], max_run: int) -> None:
    """Take rests out of ``within`` until ``need`` are left: first those whose removal keeps
    every run within ``max_run``, weekdays before weekends, nearest a leave day first."""
    while len(rests & within) > need:
        def cost(day: int) -> tuple[int, int, int, int]:
            run = _longest_run(rests - {day}, blocked, tail, length)
            near = min((abs(day - b) for b in blocked), default=length)
            return (run > max_run, weekend[day], near, day)

        rests.discard(min(rests & within, key=cost))


def _shorten_runs(rests: set[int], blocked: set[int], tail: int, caps: list[int],
                  load: list[int], max_run: int) -> None:
    """Move the rests left after leave took some (假期抵当月公休) to days with room under the
    coverage so that the longest run of work is as short as it can be."""
    length = len(caps)
    while True:
        longest = _longest_run(rests, blocked, tail, length)
        if longest <= max_run:
            return
        best = None
        for rest in sorted(rests):
            for day in range(length):
                if day in rests or day in blocked or load[day] >= caps[day]:
                    continue
                moved = (rests - {rest}) | {day}
                run = _longest_run(moved, blocked, tail, length)
                if run < longest and (best is None or run < best[0]):
                    best = (run, rest, day)
        if best is None:
            return
        _run, rest, day = best
        rests.discard(rest)
        rests.add(day)
        load[rest] -= 1
        load[day] += 1


def _month_windows(length: int, rests: int) -> list[tuple[int, int, int]]:
    """Split the month into ``rests`` nearly equal windows, one rest day in each."""
    if rests <= 0:
        return [(0, length, 0)]
    bounds = [length * k // rests for k in range(rests + 1)]
    return [(bounds[k], bounds[k + 1], 1) for k in range(rests)]


def _place_rests(
    ids: list[str],
    length: int,
    windows: list[tuple[int, int, int]],
    max_run: int,
    caps: list[int],
    blocked: dict[str, set[int]],
    tails: dict[str, int],
    weekend: list[bool],
) -> dict[str, set[int]]:
    """Choose each person's rest days, scanning the days once.

    Each window gives every person ``need`` rest days. Each person has a deadline in the window:
    the last day they can rest while staying on leave-free days with room under ``caps`` (the
    coverage), within ``max_run`` (leave breaks a run) and, on a weekend, only if they are at
    the fewest weekend rests so far. Earliest deadline first, a day rests as many people as the
    later days cannot take; past the coverage, only a run that cannot wait rests and the others
    move to the next window. Then more, up to an even share of the window's rests and never
    past ``caps``: on weekdays those who already had weekend rests, on weekends those with the
    fewest (so weekend shares differ by at most one).
    """
    rests: dict[str, set[int]] = {i: set() for i in ids}
    run = {i: tails.get(i, 0) for i in ids}
    weekend_rests = {i: 0 for i in ids}
    order = {i: n for n, i in enumerate(ids)}
    carry = {i: 0 for i in ids}
    for number, (start, end, need) in enumerate(windows):
        last_window = number == len(windows) - 1
        left = {i: need + carry[i] for i in ids}
        total = sum(left.values())
        assigned = 0
        span = end - start
        for day in range(start, end):
            target = (2 * total * (day - start + 1) + span) // (2 * span)
            fewest = min(weekend_rests.values())
            deadline: dict[str, int] = {}
            for i in ids:
                if left[i] > 0 and day not in blocked[i]:
                    deadline[i] = _deadline(day, end, left[i], run[i], max_run, blocked[i],
                                            caps, weekend, weekend_rests[i] <= fewest)
            # Earliest deadline first: rest today as many as the later days cannot take.
            by_deadline = sorted(deadline, key=lambda i: (deadline[i], -run[i], order[i]))
            # Every prefix of that order needs (its size - room on later days) rests today;
            # among a prefix, a weekend rest goes first to those for whom it is fair.
            must: list[str] = []
            must_set: set[str] = set()
            room_later = 0
            last = day
            for n, i in enumerate(by_deadline, start=1):
                while last < deadline[i]:
                    last += 1
                    room_later += caps[last]
                while len(must) < n - room_later:
                    pool = [j for j in by_deadline[:n] if j not in must_set]
                    if weekend[day]:
                        pool.sort(key=lambda j: (deadline[j] > day, weekend_rests[j] > fewest))
                    must.append(pool[0])
                    must_set.add(pool[0])
            if len(must) > caps[day] and not last_window:
                # Past the coverage today: only a run that cannot wait rests; the others'
                # rest moves to the next window (the month's count stays exact).
                urgent = [i for i in must
                          if _run_end(day, run[i], max_run, blocked[i]) <= day]
                rest_of = [i for i in must if i not in set(urgent)]
                must = urgent + rest_of[:max(0, caps[day] - len(urgent))]
                must_set = set(must)
            others = [i for i in deadline if i not in must_set]
            room = max(0, caps[day] - len(must))
            wanted = min(target - assigned - len(must), room)
            if weekend[day]:
                others.sort(key=lambda i: (weekend_rests[i] > fewest, weekend_rests[i],
                                           deadline[i], -run[i], order[i]))
                fair = sum(1 for i in others if weekend_rests[i] <= fewest)
                extra = max(min(wanted, fair), 0)
            else:
                others.sort(key=lambda i: (-weekend_rests[i], deadline[i], -run[i], order[i]))
                extra = max(wanted, 0)
            chosen = set(must) | set(others[:extra])
            for i in ids:
                if i in chosen:
                    rests[i].add(day)
                    left[i] -= 1
                    assigned += 1
                    run[i] = 0
                    if weekend[day]:
                        weekend_rests[i] += 1
                elif day in blocked[i]:
                    run[i] = 0  # leave breaks a run
                else:
                    run[i] += 1
        for i in ids:
            carry[i] = left[i]
    return rests


def _repair_coverage(ids: list[str], rests: dict[str, set[int]],
                     segments: list[tuple[int, int, int]] | None, caps: list[int],
                     blocked: dict[str, set[int]], tails: dict[str, int], weekend: list[bool],
                     max_run: int) -> None:
    """Move rests off days past the coverage to the nearest day with room, when the move keeps
    the person's runs short, weekend shares fair and (managers) the rest in the same week."""
    length = len(caps)
    load = [sum(1 for i in ids if d in rests[i]) for d in range(length)]
    weekend_rests = {i: sum(1 for d in rests[i] if weekend[d]) for i in ids}

    def segment(day: int) -> int:
        if segments is None:
            return 0
        return next(n for n, (a, b, _need) in enumerate(segments) if a <= day < b)

    for day in range(length):
        for i in sorted((i for i in ids if day in rests[i]), key=lambda i: i):
            if load[day] <= caps[day]:
                break
            for other in sorted(range(length), key=lambda d: (abs(d - day), d)):
                if (other in rests[i] or other in blocked[i] or load[other] >= caps[other]
                        or segment(other) != segment(day)):
                    continue
                moved = (rests[i] - {day}) | {other}
                if _longest_run(moved, blocked[i], tails.get(i, 0), length) > max_run:
                    continue
                counts = dict(weekend_rests)
                counts[i] += weekend[other] - weekend[day]
                if max(counts.values()) - min(counts.values()) > max(
                        1, max(weekend_rests.values()) - min(weekend_rests.values())):
                    continue
                rests[i] = moved
                weekend_rests = counts
                load[day] -= 1
                load[other] += 1
                break


def _longest_run(rests: set[int], blocked: set[int], tail: int, length: int) -> int:
    run = longest = tail
    for d in range(length):
        run = 0 if d in rests or d in blocked else run + 1
        longest = max(longest, run)
    return longest


def _deadline(day: int, end: int, need: int, run: int, max_run: int, blocked: set[int],
              caps: list[int], weekend: list[bool], weekend_ok: bool) -> int:
    """The last day (from ``day``, before ``end``) someone can take the first of ``need`` rests
    and still keep every rule: not on leave, room under the coverage, within the run, a weekend
    only when it is fair. Rules are dropped one by one when no day is left."""
    run_end = _run_end(day, run, max_run, blocked)
    tests = (
        lambda d: caps[d] > 0 and d <= run_end and (weekend_ok or not weekend[d]),
        lambda d: caps[d] > 0 and d <= run_end,
        lambda d: d <= run_end,
        lambda d: True,
    )
    for test in tests:
        days = [d for d in range(day, end) if d not in blocked and test(d)]
        if days:
            return days[-min(need, len(days))]
    return day


def _run_end(day: int, run: int, max_run: int, blocked: set[int]) -> int:
    """The last day a rest keeps a run, ``run`` days long before ``day``, within ``max_run``."""
    worked = run
    d = day
    while True:
        if d in blocked:
            worked = 0  # leave breaks the run
        elif worked >= max_run:
            return d
        else:
            worked += 1
        d += 1


def _rotate_complaints(out: Month, ids: list[str], days: list[dt.date], policy: Policy) -> None:
    """C1/C2 by week, alternating per handler; then every day gets both where two work, and
    everyone working two or more weeks gets both codes."""
    keys = [d.isoformat() for d in days]
    segments = week_segments(days)
    week_of = {index: w for w, seg in enumerate(segments) for index in seg}
    counts = {i: {"C1": 0, "C2": 0} for i in ids}
    for index, key in enumerate(keys):
        for n, pid in enumerate(ids):
            if is_work(out[pid][key], policy):
                code = "C1" if (n + week_of[index]) % 2 == 0 else "C2"
                out[pid][key] = code
                counts[pid][code] += 1
    for key in keys:
        working = [pid for pid in ids if out[pid][key] in ("C1", "C2")]
        if len(working) < 2:
            continue
        for code, other in (("C1", "C2"), ("C2", "C1")):
            if not any(out[pid][key] == code for pid in working):
                flip = min(working, key=lambda pid: (counts[pid][code], pid))
                out[flip][key] = code
                counts[flip][code] += 1
                counts[flip][other] -= 1
    cap = policy.max_complaint_seats
    for key in keys:  # at most ``cap`` handlers on a complaint shift, when the other has room
        for code, other in (("C1", "C2"), ("C2", "C1")):
            on = [pid for pid in ids if out[pid][key] == code]
            room = cap - sum(1 for pid in ids if out[pid][key] == other)
            for pid in sorted(on, key=lambda p: (-counts[p][code], p))[:max(0, min(
                    len(on) - cap, room))]:
                out[pid][key] = other
                counts[pid][code] -= 1
                counts[pid][other] += 1
    for pid in ids:
        weeks = {week_of[n] for n, k in enumerate(keys) if out[pid][k] in ("C1", "C2")}
        if len(weeks) < 2:
            continue
        for code, other in (("C1", "C2"), ("C2", "C1")):
            if counts[pid][code]:
                continue
            for key in keys:
                if out[pid][key] != other:
                    continue
                partner = next((q for q in ids if q != pid and out[q][key] == code
                                and counts[q][code] >= 2), None)
                if partner:
                    out[pid][key], out[partner][key] = code, other
                    counts[pid][code] += 1
                    counts[pid][other] -= 1
                    counts[partner][code] -= 1
                    counts[partner][other] += 1
                    break


# -------------------------------------------------------------------- checks
def check_month(
    staff: Iterable[Person],
    year: int,
    month: int,
    cells: Month,
    policy: Policy,
    seats: int | None = None,
    previous: Month | None = None,
) -> list[str]:
    """Every broken rule of SPEC §7 in a month, as sentences naming who and when."""
    people = sorted(staff, key=lambda p: p.id)
    days = month_days(year, month)
    keys = [d.isoformat() for d in days]
    previous = previous or {}
    allowed = set(allowed_codes(policy))
    out: list[str] = []
    label = f"{year:04d}-{month:02d}"

    known = {p.id for p in people}
    for pid in sorted(set(cells) - known):
        out.append(Msg(N_("{pid} is on the {label} roster but not on the staff register"),
                       pid=pid, label=label))
    rows: dict[str, list[str]] = {}
    for person in people:
        row = cells.get(person.id)
        if not row:
            out.append(Msg(N_("{pid} has no row in the {label} roster"), pid=person.id,
                           label=label))
            rows[person.id] = [""] * len(keys)
            continue
        missing = [k for k in keys if k not in row]
        if missing:
            out.append(Msg(N_("{pid} has no code on {days}"), pid=person.id,
                           days=_dates(missing)))
        codes = [row.get(k, "") for k in keys]
        rows[person.id] = codes
        bad = sorted({c for c in codes if c and c not in allowed})
        if bad:
            out.append(Msg(N_("{pid} has unknown code(s) {codes}"), pid=person.id,
                           codes=", ".join(bad)))
        own = ROLE_CODES.get(person.role, ())
        wrong = sorted({c for c in codes if c in policy.shifts and c not in own})
        if wrong and own:
            where = [k for k, c in zip(keys, codes) if c in wrong]
            out.append(Msg(N_("{pid} ({role}) is on {wrong} on {days}; a {role} works {own}"),
                           pid=person.id, role=role_word(person.role), wrong="/".join(wrong),
                           days=_dates(where), own="/".join(own)))

    # rest counts: leave counts against rest (假期抵当月公休)
    for person in people:
        codes = rows[person.id]
        if person.role in MONTHLY_REST_ROLES:
            count = codes.count(REST)
            leave = sum(1 for c in codes if c in LEAVE_TYPES)
            need = rests_owed(policy, person.role, leave, len(days))
            if count != need:
                if leave:
                    out.append(Msg(N_("{pid} ({role}) has {count} rest day(s) in {label}; "
                                      "needs exactly {need} ({leave} leave day(s) count "
                                      "against rest)"),
                                   pid=person.id, role=role_word(person.role), count=count,
                                   label=label, need=need, leave=leave))
                else:
                    out.append(Msg(N_("{pid} ({role}) has {count} rest day(s) in {label}; "
                                      "needs exactly {need}"),
                                   pid=person.id, role=role_word(person.role), count=count,
                                   label=label, need=need))
        elif person.role == "manager":
            for seg in week_segments(days):
                leave = sum(1 for i in seg if codes[i] in LEAVE_TYPES)
                need = rests_owed(policy, "manager", leave, len(seg))
                count = sum(1 for i in seg if codes[i] == REST)
                if count != need:
                    span = f"{keys[seg[0]]}..{keys[seg[-1]]}"
                    out.append(Msg(N_("{pid} ({role}) has {count} rest day(s) in the week "
                                      "{span}; needs {need}"),
                                   pid=person.id, role=role_word("manager"), count=count,
                                   span=span, need=need))

    # coverage per day
    agents = [p for p in people if p.role == "agent"]
    need_agents = required_agents(policy, len(agents), seats)
    if need_agents > len(agents):
        out.append(Msg(N_("{need} agents are needed on D each day but only {have} agents are "
                          "on the register"), need=need_agents, have=len(agents)))
    handlers = [p for p in people if p.role == "complaint"]
    for index, key in enumerate(keys):
        on_d = sum(1 for p in agents if rows[p.id][index] == "D")
        if on_d < need_agents:
            out.append(Msg(N_("{day}: {count} agent(s) on D, needs {need}"), day=key,
                           count=on_d, need=need_agents))
        for code in ("C1", "C2"):
            if code in policy.shifts and not any(rows[p.id][index] == code for p in handlers):
                out.append(Msg(N_("{day}: no complaint handler on {code}"), day=key,
                               code=code))
            on_code = sum(1 for p in handlers if rows[p.id][index] == code)
            if on_code > policy.max_complaint_seats:
                out.append(Msg(N_("{day}: {count} complaint handlers on {code}; at most "
                                  "{seats} complaint seats at once"), day=key, count=on_code,
                               code=code, seats=policy.max_complaint_seats))
        for role in ONE_ON_DUTY_ROLES:
            group = [p for p in people if p.role == role]
            if len(group) >= 2 and not any(is_work(rows[p.id][index], policy) for p in group):
                out.append(Msg(N_("{day}: no {role} on duty"), day=key,
                               role=role_word(role)))

    # rotation C1/C2
    segments = week_segments(days)
    for person in handlers:
        codes = rows[person.id]
        weeks = {w for w, seg in enumerate(segments) for i in seg if codes[i] in ("C1", "C2")}
        used = {c for c in codes if c in ("C1", "C2")}
        if len(weeks) >= 2 and len(used) < 2:
            only = next(iter(used))
            out.append(Msg(N_("{pid} ({role}) works only {code} in {label}; handlers rotate "
                              "between C1 and C2"),
                           pid=person.id, role=role_word("complaint"), code=only, label=label))

    # runs without rest; leave taken in place of rest (假期抵当月公休) can make a longer run
    # that no arrangement avoids: not flagged for someone whose rest the leave took
    limit = policy.max_days_without_rest
    before = _label(previous_month(year, month))
    for person in people:
        codes = rows[person.id]
        if person.role in MONTHLY_REST_ROLES and any(c in LEAVE_TYPES for c in codes):
            continue
        run = trailing_run(previous.get(person.id, {}), policy)
        first: str = Msg(N_("the end of {month}"), month=before) if run else ""
        for index, code in enumerate(codes + [REST]):
            if index < len(codes) and is_work(code, policy):
                if run == 0:
                    first = keys[index]
                run += 1
                continue
            if run > limit:
                out.append(Msg(N_("{pid} works {run} days in a row ({first}..{last}); "
                                  "at most {limit} without rest"),
                               pid=person.id, run=run, first=first, last=keys[index - 1],
                               limit=limit))
                break
            run = 0

    # weekend fairness within each role
    for role in ROLE_CODES:
        # among those with the full rest quota: leave taken in place of rest is no unfairness
        group = [p for p in people if p.role == role
                 and not any(c in LEAVE_TYPES for c in rows[p.id])]
        if len(group) < 2:
            continue
        counts = {p.id: sum(1 for i, d in enumerate(days) if is_weekend(d)
                            and rows[p.id][i] == REST) for p in group}
        most = max(counts, key=lambda i: (counts[i], i))
        fewest = min(counts, key=lambda i: (counts[i], i))
        if counts[most] - counts[fewest] > 1:
            out.append(Msg(N_("weekend rest is unfair among {role}s: {most} has {many} weekend "
                              "rest day(s), {fewest} has {few}"),
                           most=most, many=counts[most], fewest=fewest, few=counts[fewest],
                           role=role_word(role)))
    return out


def _label(year_month: tuple[int, int]) -> str:
    return f"{year_month[0]:04d}-{year_month[1]:02d}"


def _dates(keys: list[str]) -> str:
    if len(keys) <= 3:
        return ", ".join(keys)
    return Msg(N_("{days} and {more} more day(s)"), days=", ".join(keys[:3]),
               more=len(keys) - 3)


def coverage(
    staff: Iterable[Person], cells: Month, days: Sequence[dt.date]
) -> list[dict[str, int]]:
    """Per day: agents on D and handlers on C1 / C2 (the grid's bottom rows)."""
    people = list(staff)
    out = []
    for day in days:
        key = day.isoformat()
        counts = {"D": 0, "C1": 0, "C2": 0, "A": 0, REST: 0}
        for p in people:
            code = cells.get(p.id, {}).get(key, "")
            if code == "D" and p.role != "agent":
                continue
            if code in counts:
                counts[code] += 1
        out.append(counts)
    return out
